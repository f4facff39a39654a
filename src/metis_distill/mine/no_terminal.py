"""A call that asked for a terminal the agent's shell does not have.

`docker exec -it db psql …` says “the input device is not a TTY”: the agent's shell runs
with no terminal, and the flags that ask for one (`-t`, `-it`, `--tty`, `--interactive`: docker
exec/run, kubectl exec, ssh -t) are what failed. The same call without them asks the same
thing and is the way; leaving out any other flag still asks for something else.
"""

from __future__ import annotations

import re

from metis_distill.mine.intent import FlagChanges, flag_changes, flag_name, flags_of
from metis_distill.mine.text import command_head

# What a program says when it needs a terminal and stdin is none (docker's, kubectl's, ssh's
# and the tty-checking tools' words).
NO_TERMINAL = re.compile(
    r"\bthe input device is not a TTY\b|\binput is not a terminal\b"
    r"|\bstdin is not a (?:terminal|tty)\b|\bnot a tty\b",
    re.I,
)
# Short flags made only of `-i` (keep stdin open) and `-t` (give a terminal), as `-it` joins
# them; and their long names.
_SHORT_TERMINAL = re.compile(r"^-[it]+$")
_LONG_TERMINAL = frozenset({"--tty", "--interactive", "--stdin"})


def terminal_flags(error: str, command: str) -> frozenset[str]:
    """The flags of the failed command that ask for a terminal, when its error says there is
    none; `-i` and `--interactive` only beside a flag that asks for the terminal itself."""
    # its last line: kubectl's, ssh's and podman's words are warnings, the call went on
    # without a terminal and what failed after them is another error
    lines = error[-2000:].strip().splitlines()
    if not lines or not NO_TERMINAL.search(lines[-1]):
        return frozenset()
    names = {flag_name(f) for f in flags_of(command_head(command).split())}
    asked = {n for n in names if _SHORT_TERMINAL.match(n) or n in _LONG_TERMINAL}
    return frozenset(asked) if any(map(_asks_terminal, asked)) else frozenset()


def _asks_terminal(flag: str) -> bool:
    return flag == "--tty" or (_SHORT_TERMINAL.match(flag) is not None and "t" in flag)


def terminal_dropped(failed: str, error: str, retry: str) -> FlagChanges | None:
    """How the retry changed the failed call's flags, when all it did was leave out flags
    that ask for a terminal after an error saying there is none."""
    asked = terminal_flags(error, failed)
    changes = flag_changes(failed, retry)
    if not asked or not changes.dropped or changes.renamed:
        return None
    return changes if set(changes.dropped) <= asked else None


def no_terminal_text(changes: FlagChanges, said: str) -> str:
    """One wording per program, whatever the call's arguments."""
    flags = " ".join(changes.dropped)
    return (
        f"`{changes.program} {flags} …` fails here (“{said}”): the agent's shell has no "
        f"terminal; leave out `{flags}` (`{changes.program} …`)."
    )

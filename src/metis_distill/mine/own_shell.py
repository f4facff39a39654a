"""`pkill -f PATTERN` among other steps stops the shell that runs them.

A harness runs a shell call as `bash -c '<the command>'` (Claude Code's Bash tool, Codex's
shell): that shell's own command line holds the pattern, so `pkill -f` (which matches whole
command lines) finds the shell too and stops it. The call ends with the signal's exit code
(143, 144 through Claude Code's wrapper, 137 for `-9`) and no output, and the steps after
`pkill` never ran. A call that is `pkill -f …` alone leaves no shell to match (the shell hands
its process over to `pkill`), and the agent's next call, the steps after `pkill` run on their
own, works: that is the way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metis_distill.mine import signals
from metis_distill.mine.text import script_steps
from metis_distill.models import Event, EventKind

# `pkill -f x`, `pkill -9 -f x`, `pkill -fx x`, `pkill --full x`, `sudo pkill -f x`
_PKILL_FULL = re.compile(r"^(?:sudo\s+)?pkill\s+(?:-\w+\s+)*(?:-[a-zA-Z\d]*f[a-zA-Z\d]*|--full)\s")
_SIGNALLED = frozenset({137, 143, 144})
_EXIT_LINE = re.compile(r"^\s*Exit code:?\s*(-?\d+)\s*$")
SHELL_TOOLS = signals.SHELL_TOOLS

OWN_SHELL_TEXT = (
    "`pkill -f PATTERN` in a shell call with other steps stops the call's own shell, whose "
    "command line holds the pattern too (it ends with exit code 143 or 144 and no output; the "
    "steps after it never run): run `pkill -f` in a call of its own, or write the pattern so "
    "that it cannot match itself (`pkill -f '[q]emu-system'`)."
)
OWN_SHELL_FIX = "run `pkill -f` in a call of its own"


def killed_own_shell(call: Event | None, failure: Event) -> bool:
    """The call ran `pkill -f` among other steps and ended by a signal with nothing said."""
    if call is None or call.tool_name not in SHELL_TOOLS:
        return False
    lines = [line for line in failure.text.splitlines() if line.strip()]
    codes = {int(m.group(1)) for m in map(_EXIT_LINE.match, lines) if m is not None}
    if len(codes) != len(lines) or not (codes | {failure.exit_code}) & _SIGNALLED:
        return False  # something was printed: the shell was not simply stopped
    steps = script_steps(call.text)
    return len(steps) > 1 and any(_PKILL_FULL.match(step + " ") for step in steps[:-1])


def rest_run_alone(events: Sequence[Event], index: int, call: Event) -> tuple[Event, Event] | None:
    """The next shell call, made of steps that came after `pkill` in the stopped call and
    holding no `pkill -f`, and its result when it worked."""
    steps = script_steps(call.text)
    start = next(i for i, step in enumerate(steps) if _PKILL_FULL.match(step + " "))
    rest = set(steps[start + 1 :])
    later = next(
        (
            e
            for e in events[index + 1 :]
            if e.kind is EventKind.TOOL_CALL and e.tool_name in SHELL_TOOLS
        ),
        None,
    )
    if later is None or later.session != call.session:
        return None
    own = script_steps(later.text)
    if not own or not set(own) <= rest:
        return None
    result = next(
        (e for e in events[index + 1 :] if e.role == "tool" and e.tool_use_id == later.tool_use_id),
        None,
    )
    return (later, result) if result is not None and signals.is_success(result) else None

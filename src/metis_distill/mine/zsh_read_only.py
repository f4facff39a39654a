"""A script's variable named as one of zsh's own read-only parameters: `status`.

`status="✓ PASS"` is an ordinary assignment in bash; in zsh (the shell of Claude Code's Bash
tool on a Mac, and of Codex's `zsh -lc`) `status` is the exit status of the last command
(`$?`), read-only, and the script stops: “zsh:11: read-only variable: status”. The code was
fine; its name was not. The way is another name, and the retry that no longer assigns it
shows it (the rest of the script unchanged: telling that from the command as written would
need the difference deep inside it, past what a line can show).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from metis_distill.mine import signals
from metis_distill.models import Event

_READ_ONLY = re.compile(r"\bzsh(?::\d+)?: read-only variable: (?P<name>[A-Za-z_]\w*)")
# zsh's own read-only parameters a script may take for free names (bash has none of these)
_ZSH_OWN = frozenset({"status", "pipestatus", "ZSH_SUBSHELL", "ZSH_EVAL_CONTEXT", "TTYIDLE"})
# the script made it read-only itself: bash would refuse it too
_MADE_READ_ONLY = r"(?:readonly|typeset\s+-\w*r\w*|declare\s+-\w*r\w*|local\s+-\w*r\w*)\s+{}\b"
SAME_SCRIPT = 0.6  # similarity at which the retry is the same script, a name changed
RENAME_FIX = "name the variable otherwise"


def read_only_name(call: Event | None, failure: Event) -> str | None:
    """The zsh parameter the call's script assigned, which zsh refused as read-only."""
    if call is None or call.tool_name not in signals.SHELL_TOOLS:
        return None
    found = _READ_ONLY.search(failure.text[:4000])
    if found is None or found["name"] not in _ZSH_OWN or not _assigns(call.text, found["name"]):
        return None
    if re.search(_MADE_READ_ONLY.format(found["name"]), call.text):
        return None
    return found["name"]


def read_only_text(name: str) -> str:
    what = " (the last exit code, as `$?`)" if name == "status" else ""
    return (
        f"The shell here is zsh, where `{name}` is the shell's own read-only variable{what}: "
        f"a script that assigns it stops with “read-only variable: {name}”; name the variable "
        f"otherwise."
    )


def _assigns(script: str, name: str) -> bool:
    return bool(re.search(rf"(?:^|[\s;&|(]|local\s|typeset\s){name}=", script))


def renamed(
    events: Sequence[Event], index: int, call: Event, name: str
) -> tuple[Event, Event] | None:
    """The next shell call, which no longer assigns the name, and its result when it worked."""
    found = signals.next_shell_call(events, index)
    if found is None or found[0].session != call.session:
        return None
    later, result = found
    if _assigns(later.text, name):
        return None
    if SequenceMatcher(None, call.text, later.text).ratio() < SAME_SCRIPT:
        return None  # another command, not the script with another name
    if result is None or not signals.is_success(result):
        return None
    return later, result

"""`pkill -f PATTERN` stops the shell that runs it.

A harness runs a shell call through a shell whose own command line holds the command
(Claude Code's Bash tool wraps it as `… eval '<the command>' …`, a shell that outlives it;
Codex's `bash -lc '<the command>'`): `pkill -f` matches whole command lines, finds that
shell too and stops it. The call ends with the signal's exit code (143, 144 through Claude
Code's wrapper, 137 for `-9`) and no output, and the steps after `pkill` never ran (`pkill`
itself exits 0 or 1). A pattern that cannot match itself (`'[q]emu'` matches `qemu`, not the
text `[q]emu`) is the way; no run showed it, so the lesson states the cause and no fix.
"""

from __future__ import annotations

import re

from metis_distill.mine import signals
from metis_distill.mine.text import script_steps
from metis_distill.models import Event

# `pkill -f x`, `pkill -9 -f x`, `pkill -fx x`, `pkill --full x`, `sudo pkill -f x`
_PKILL_FULL = re.compile(r"^(?:sudo\s+)?pkill\s+(?:-\w+\s+)*(?:-[a-zA-Z\d]*f[a-zA-Z\d]*|--full)\s")
_SIGNALLED = frozenset({137, 143, 144})

OWN_SHELL_TEXT = (
    "`pkill -f PATTERN` in a shell call stops the call's own shell, whose command line holds "
    "the pattern too (it ends with exit code 143 or 144 and no output; the steps after it "
    "never run): write the pattern so that it cannot match itself (`pkill -f "
    "'[q]emu-system'`)."
)


def killed_own_shell(call: Event | None, failure: Event) -> bool:
    """The call ran `pkill -f` and ended by a signal with nothing said."""
    if call is None or call.tool_name not in signals.SHELL_TOOLS:
        return False
    lines = [line for line in failure.text.splitlines() if line.strip()]
    found = [signals.exit_line_code(line) for line in lines]
    codes = {code for code in found if code is not None}
    if None in found or len(codes) != len(lines) or not (codes | {failure.exit_code}) & _SIGNALLED:
        return False  # something was printed: the shell was not simply stopped
    return any(_PKILL_FULL.match(step + " ") for step in script_steps(call.text))

"""`python` on Windows that is only the Microsoft Store's placeholder.

Windows puts `python.exe` and `python3.exe` under `…\\AppData\\Local\\Microsoft\\WindowsApps`:
stand-ins that offer to install Python from the Store. Run from Git Bash they print nothing
and exit 49 (from cmd, 9009 with "Python was not found"). Every script the agent hands them
fails the same way, whatever it holds: one cause, told by the program and the exit alone.
"""

from __future__ import annotations

import re

from metis_distill.mine import signals
from metis_distill.mine.text import script_steps
from metis_distill.models import Event

_PYTHON = re.compile(r"^python[\d.]*(?:\.exe)?$", re.I)
_STUB_EXIT = 49
# What the placeholder or a lookup of it may print: its path, or cmd's words for it.
_STUB_WORDS = re.compile(
    r"\\WindowsApps\\python[\d.]*\.exe|^Python was not found; run", re.I | re.M
)

STORE_STUB_TEXT = (
    "On this Windows machine `python` and `python3` are the Microsoft Store's placeholders "
    "(`…\\WindowsApps\\python.exe`): they run nothing and exit 49 with no output, whatever the "
    "script; there is no Python to run here, so do the work without it or ask the user to "
    "install Python."
)


def ran_store_stub(call: Event | None, failure: Event) -> bool:
    """A Python interpreter of the call exited 49 saying nothing but, at most, where the
    placeholder lives."""
    if call is None or call.tool_name not in signals.SHELL_TOOLS:
        return False
    if _STUB_EXIT not in (
        failure.exit_code,
        signals.exit_line_code(failure.text.split("\n", 1)[0]),
    ):
        return False
    said = [
        line
        for line in failure.text.splitlines()
        if line.strip()
        and signals.exit_line_code(line) != _STUB_EXIT
        and not _STUB_WORDS.search(line)
    ]
    if said:
        return False  # the interpreter ran and spoke: some other failure
    return any(
        _PYTHON.match(_program(step.split()[0])) for step in script_steps(call.text) if step.split()
    )


def runs_python(command: str) -> bool:
    """A step of the command runs a Python other than by the placeholders' names: by a path,
    or through Windows' launcher `py`."""
    for step in script_steps(command):
        words = step.split()
        if not words:
            continue
        program = _program(words[0])
        by_path = "/" in words[0] or "\\" in words[0]
        if program in ("py", "py.exe") or (by_path and _PYTHON.match(program)):
            return True
    return False


def _program(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1].lower()

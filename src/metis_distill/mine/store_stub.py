"""`python` on Windows that is only the Microsoft Store's placeholder.

Windows puts `python.exe` and `python3.exe` under `…\\AppData\\Local\\Microsoft\\WindowsApps`:
stand-ins that offer to install Python from the Store. Run from Git Bash they print nothing
and exit 49 (from cmd, 9009 with "Python was not found"). Every script the agent hands them
fails the same way, whatever it holds: one cause, told by the program and the exit alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metis_distill.mine import signals
from metis_distill.mine.text import script_steps
from metis_distill.models import Event

_PYTHON = re.compile(r"^python[\d.]*(?:\.exe)?$", re.I)
_STUB_EXIT = 49
# What the placeholder or a lookup of it may print: its path, or cmd's words for it.
_STUB_WORDS = re.compile(
    r"\\WindowsApps\\python[\d.]*\.exe|^Python was not found; run", re.I | re.M
)

# `VAR=value` words before a step's program (`PYTHONPATH="lib" python3 -c …`).
_ASSIGNMENTS = re.compile(r"""^(?:\w+=(?:'[^']*'|"(?:\\.|[^"\\])*"|[^\s'"]*)\s+)+""")
# The interpreter a step runs as written: a bare name or a path, quoted or not, and the
# launcher's version switch (`py -3`).
_RUNS = re.compile(r"""^(?:"(?P<quoted>[^"]+)"|(?P<word>\S+))(?:\s+(?P<switch>-\d[\d.]*)(?!\S))?""")


def store_stub_text(stubs: Sequence[str], working: str | None) -> str:
    """The machine's lesson: the names the run saw exit 49 in silence, and the Python that
    ran a script by another name, or, when none did, that there is no Python to run."""
    names = " and ".join(f"`{name}`" for name in stubs)
    said = (
        f"{names} is the Microsoft Store's placeholder, not Python: it runs nothing and exits"
        if len(stubs) == 1
        else f"{names} are the Microsoft Store's placeholders, not Python: they run nothing "
        "and exit"
    )
    way = (
        f"use `{working}`, which works"
        if working is not None
        else "there is no Python to run here, so do the work without it or ask the user to "
        "install Python"
    )
    return f"On this Windows machine {said} 49 with no output, whatever the script; {way}."


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
    return bool(stub_names(call))


def stub_names(call: Event) -> list[str]:
    """The Pythons the call ran, each once, in order: by name (`python3`), or by a path as
    written."""
    found = []
    for step in script_steps(call.text):
        ran = _ran(step)
        name = None if ran is None else ran[0] if "/" in ran[0] else ran[1]
        if name is not None and name not in found:
            found.append(name)
    return found


def runs_python(command: str, stubs: Sequence[str] = ("python", "python3")) -> str | None:
    """The Python a step of the command runs, as written, other than by the names `stubs`
    that are the placeholders here: by another name (`python`, `python3.12`), by a path, or
    through Windows' launcher `py`."""
    for step in script_steps(command):
        ran = _ran(step)
        if ran is None:
            continue
        written, program = ran
        if written not in stubs and ("/" in written or program not in stubs):
            return written
    return None


def _ran(step: str) -> tuple[str, str] | None:
    """The interpreter a step runs, as written (a path with `/`, `py -3`), and its name
    without `.exe`, lowercase; None for a step that runs no Python."""
    runs = _RUNS.match(_ASSIGNMENTS.sub("", step))
    if runs is None:
        return None
    word = runs["quoted"] or runs["word"]
    program = _program(word)
    if program == "py":
        return ("py " + runs["switch"] if runs["switch"] else "py"), "py"
    if not _PYTHON.match(program):
        return None
    return word.replace("\\", "/"), program


def _program(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")

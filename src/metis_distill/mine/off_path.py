"""A program missing from the shell's PATH, not from the machine.

The call that worked after “npx: command not found” put the program's folder on the PATH
first (`export PATH="$PATH:/opt/homebrew/bin" && npx …`, PowerShell's `$env:Path +=
';C:\\Git\\bin'; …`), or named the program by its full path (`/opt/homebrew/bin/npm`): the
program was there all along. Its lesson is the PATH one, a fact of the machine: never "not
installed", never a runner to fetch it, and the difference the retry made (the PATH step,
the full path) always told whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metis_distill.mine.modules import INSTALL
from metis_distill.mine.shells import unknown_to_powershell
from metis_distill.mine.signals import missing_program
from metis_distill.mine.text import STEP_SPLIT, command_head, split_heredocs, split_outside_quotes

# A look-up of where a program is (`which npm`, `command -v node`, `Get-Command bash`): its
# "not found" names the program it looked for, an operand.
_WHERE_IS = re.compile(
    r"^(?:which|whereis|where(?:\.exe)?|type|command\s+-[vV]|hash|Get-Command|gcm)"
    r"(?P<operands>(?:\s+[\w.+-]+)+)\s*(?:[12]?>\s*\S+\s*)*$",
    re.I,
)
_QUOTED = r"(?:\"[^\"]*\"|'[^']*')"
# A step that puts folders on the PATH, as bash, cmd or PowerShell writes it.
_PATH_SET = re.compile(
    rf"^(?:export\s+)?PATH=(?:{_QUOTED}|[^\s\"';&|])+"
    rf"|^\$env:PATH\s*\+?=\s*(?:{_QUOTED}|[^\s;|])+(?:\s*\+\s*(?:{_QUOTED}|[^\s;|])+)*"
    r"|^set\s+\"?PATH=[^\"&\n]*\"?",
    re.I,
)


@dataclass(frozen=True)
class OffPath:
    """The program, and how the call that worked reached it."""

    program: str
    path_step: str | None  # `export PATH="$PATH:/opt/homebrew/bin"`
    full_path: str | None  # `/opt/homebrew/bin/npm`

    @property
    def way(self) -> str:
        return self.path_step or self.full_path or ""


def lasting(way: str | None) -> int:
    """How far a way past a program off the PATH holds: 0 none seen; 1 a PATH step, gone
    with the shell that ran it (each call of Claude Code's Bash tool or of Codex starts
    without it); 2 the program's full path, good in any shell."""
    if not way:
        return 0
    return 1 if any(_PATH_SET.match(step) for step in _steps(way)) else 2


def off_path(failed: str, error: str, worked: str) -> OffPath | None:
    """The program the failed call's error says is missing, when the call that worked reached
    it by a PATH step or a full path the failed call did not have."""
    program = _missing(failed, error)
    if program is None or _installs_first(worked, failed, program):
        return None  # (installed by the call that worked: not there all along)
    step = _path_step(worked, failed)
    full = _full_path(worked, failed, program)
    return OffPath(program, step, full) if step or full else None


def _missing(failed: str, error: str) -> str | None:
    """The program the error says is not there: the shell's "command not found", PowerShell's
    "not recognized", or the operand a look-up (`which npm`) did not find."""
    named = missing_program(error) or _powershell_missing(error)
    if named is not None:
        return named
    looked = _WHERE_IS.match(command_head(failed).strip())
    if looked is None:
        return None
    return next((name for name in looked["operands"].split() if _said_missing(name, error)), None)


def _powershell_missing(error: str) -> str | None:
    return next(iter(unknown_to_powershell(error[:4000])), None)


def _said_missing(name: str, error: str) -> bool:
    return re.search(rf"(?<![\w.+-]){re.escape(name)}(?![\w.+-])", error[:4000]) is not None


def _path_step(worked: str, failed: str) -> str | None:
    """The first step of `worked` that sets the PATH, the assignment alone (`PATH=/x:$PATH
    make` gives `PATH=/x:$PATH`), when the failed call had no such step."""
    had = set(_steps(failed))
    for step in _steps(worked):
        found = _PATH_SET.match(step)
        if found is not None and step not in had:
            return found[0]
    return None


def _installs_first(worked: str, failed: str, program: str) -> bool:
    """A step of `worked` the failed call lacked, run by another program, installs something
    (`pip install --user poetry && export PATH=… && poetry install`): the program may not
    have been there before it (`npm install` run by the npm that was missing is no such step)."""
    had = set(_steps(failed))
    return any(
        INSTALL.search(step) and command_head(step).split()[:1] != [program]
        for step in _steps(worked)
        if step not in had
    )


def _steps(command: str) -> list[str]:
    """Every step of the command, split outside quotes, set-up steps kept (`export PATH=…`)."""
    return split_outside_quotes(split_heredocs(command)[0], STEP_SPLIT)


def _full_path(worked: str, failed: str, program: str) -> str | None:
    """A word of `worked` naming the program by an absolute path (`/opt/homebrew/bin/npm`,
    `C:\\Git\\bin\\bash.exe`) the failed call did not hold."""
    named = re.compile(
        rf"(?:[A-Za-z]:|~)?(?:[/\\][^/\\\s]+)*[/\\]{re.escape(program)}(?:\.exe|\.cmd|\.bat)?",
        re.I,
    )
    words = (word.strip("\"'") for word in command_head(worked).split())
    return next((w for w in words if named.fullmatch(w) and w not in failed), None)

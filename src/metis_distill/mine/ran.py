"""The programs a run ran and that worked: each shell call that exited 0, the first word of each
of its steps (`rg` of `pwd && rg --files | sort`), when it was last seen working.

A program a lesson says is missing here (“`rg` is not on the PATH here”) that a later run of
the same machine ran this way has been installed since: the line is out of date
(`curate.retire.retire_ran_later`). A step whose program the output says is missing
(`rg x | head` exits 0 with “command not found: rg”) did not run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from metis_distill.mine.fixes import results_by_call
from metis_distill.mine.signals import SHELL_TOOLS
from metis_distill.mine.text import command_head, script_steps
from metis_distill.models import Event, EventKind, Run

# A program's bare name (not a path, not a variable's assignment, not a shell's keyword).
_PROGRAM = re.compile(r"[A-Za-z][\w.+-]*")
_NOT_PROGRAMS = frozenset({"if", "then", "else", "fi", "for", "do", "done", "while", "case"})


@dataclass(frozen=True)
class ProgramsRan:
    """The programs one run ran and that worked, each with when it last did."""

    session_id: str
    cwd: str | None
    programs: dict[str, datetime]


def programs_ran(run: Run, first_line: int = 1) -> ProgramsRan | None:
    """The programs run's shell calls from `first_line` on ran and that worked (exit 0, or a
    result the format marks as no error, which says no program missing); None when none."""
    results = results_by_call(run.events)
    found: dict[str, datetime] = {}
    for call in run.events:
        if call.kind is not EventKind.TOOL_CALL or call.tool_name not in SHELL_TOOLS:
            continue
        result = results.get(call.tool_use_id or "")
        if result is None or result.ref.line_start < first_line or not _worked(result):
            continue
        when = result.timestamp or call.timestamp
        if when is None:
            continue
        for program in _programs(call.text):
            if not _said_missing(result.text, program):
                found[program] = max(when, found.get(program, when))
    return ProgramsRan(run.session_id, run.cwd, found) if found else None


def _worked(result: Event) -> bool:
    return (
        result.kind is EventKind.TOOL_RESULT
        and result.exit_code in (None, 0)
        and not result.unfinished
        and not result.rejected
    )


def _programs(command: str) -> set[str]:
    """The first word of each step of the command (its here-documents' bodies left out)."""
    words = (step.split(maxsplit=1)[0] for step in script_steps(command_head(command)) if step)
    return {w for w in words if _PROGRAM.fullmatch(w) and w not in _NOT_PROGRAMS}


def _said_missing(output: str, program: str) -> bool:
    """The output says the program is not there (bash's, zsh's, sh's and cmd's words)."""
    return (
        f"{program}: command not found" in output
        or f"command not found: {program}" in output
        or f"{program}: not found" in output
        or f"'{program}' is not recognized" in output
    )

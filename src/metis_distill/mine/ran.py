"""The programs a run ran and that worked: each shell call that exited 0, the first word of each
of its steps (`rg` of `pwd && rg --files | sort`), when it was last seen working.

A program a lesson says is missing here (“`rg` is not on the PATH here”) that a later run of
the same machine ran this way has been installed since: the line is out of date
(`curate.retire.retire_ran_later`). A step whose program the output says is missing
(`rg x | head` exits 0 with “command not found: rg”) did not run.

Only a step that surely ran, and whose failure the call's status or output would show, says
its program worked: not one before or after `||` (`rg x 2>/dev/null || grep x`: grep may have
answered), not one a `command -v`/`which`/`type` tested (whether it ran, the test decided), not
one whose errors went elsewhere when its failure is not the call's (`fd 2>/dev/null | wc -l`),
and none of a call that sources a script, activates an environment or changes the PATH
(`source .venv/bin/activate && python …` ran the venv's python, not the PATH's). Nor a
program the run said was not there after it worked (`python -c …`, then `make test` saying
“make: python: No such file or directory”): the shell's alias or function of that name ran,
and the PATH holds no such program."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from metis_distill.mine.fixes import results_by_call
from metis_distill.mine.signals import SHELL_TOOLS, missing_programs
from metis_distill.mine.text import command_head, quotes_masked, split_heredocs
from metis_distill.models import Event, EventKind, Run

# A program's bare name (not a path, not a variable's assignment, not a shell's keyword).
_PROGRAM = re.compile(r"[A-Za-z][\w.+-]*")
_NOT_PROGRAMS = frozenset({"if", "then", "else", "fi", "for", "do", "done", "while", "case"})

# A call that sources a script, activates an environment or changes the PATH: the programs it
# ran are not those the PATH of a later run, or of the lesson, finds (read with quotes masked).
_CHANGES_ENVIRONMENT = re.compile(
    r"(?:^|[;&|({\n]|\b(?:then|do|else)\s)\s*(?:source|\.)\s+[^\s;&|]"
    r"|\b(?:conda|mamba|micromamba|mise)\s+activate\b|\bnvm\s+use\b|\bsdk\s+use\b"
    r"|\b(?:pyenv|rbenv|nodenv|goenv|asdf)\s+shell\b|\bworkon\s|(?:^|[\s;&|(])eval\s"
    r"|(?<![\w$-])(?:PATH|path)\+?="
)
# A program a test asks for (`command -v rg`, `which jq`, `type -P fd`, `hash node`).
_TESTED = re.compile(
    r"(?:^|[\s;&|(!])(?:command\s+-[vV]|which|type|hash)(?:\s+-\w+)*"
    r"(?P<names>(?:\s+[A-Za-z][\w.+-]*)+)"
)
# Operators between steps, `||` before `|`; a lone `&` sends its step to the background.
_OPERATOR = re.compile(r"\|\||&&|\|&?|;|(?<![>&])&(?![>&])")
# A step whose errors go to a file or nowhere (`2>/dev/null`, `&>log`, `>/dev/null 2>&1`).
_QUIET = re.compile(r"(?:^|\s)[2&]>>?\s*(?!&1\b)[^\s&]|>\s*\S+\s+2>&1")


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
    last: dict[str, int] = {}  # where in the run each last worked
    for call in run.events:
        if call.kind is not EventKind.TOOL_CALL or call.tool_name not in SHELL_TOOLS:
            continue
        result = results.get(call.tool_use_id or "")
        if result is None or result.ref.line_start < first_line or not _worked(result):
            continue
        when = result.timestamp or call.timestamp
        if when is None:
            continue
        missing = set(missing_programs(result.text))
        for program in _programs(call.text) - missing:
            found[program] = max(when, found.get(program, when))
            last[program] = result.seq
    for program, at in _found_missing(run).items():
        if program in found and at > last[program]:
            del found[program]  # the shell's alias or function of that name ran, not a file
    return ProgramsRan(run.session_id, run.cwd, found) if found else None


# make could not start a recipe's program (`make: python: No such file or directory`, newer
# GNU make's `make: python: Command not found`).
_MAKE_EXEC_FAILED = re.compile(
    r"^make(?:\[\d+\])?: (?P<program>[A-Za-z][\w.+-]*): (?:No such file or directory|Command "
    r"not found)$",
    re.M,
)


def _found_missing(run: Run) -> dict[str, int]:
    """Where in the run a tool's result last said each program is not there: the shell's
    words, or make's (a recipe sees the PATH's files, never the shell's aliases)."""
    missing: dict[str, int] = {}
    for result in run.events:
        if result.role != "tool":
            continue
        head = result.text[:4000]
        made = (found["program"] for found in _MAKE_EXEC_FAILED.finditer(head))
        for program in {*missing_programs(head), *made}:
            missing[program] = result.seq
    return missing


def _worked(result: Event) -> bool:
    return (
        result.kind is EventKind.TOOL_RESULT
        and result.exit_code in (None, 0)
        and not result.unfinished
        and not result.rejected
    )


def _programs(command: str) -> set[str]:
    """The first word of each step of the command (its here-documents' bodies left out) that
    surely ran and worked when the call did; none when the call changes its environment."""
    if _CHANGES_ENVIRONMENT.search(quotes_masked(split_heredocs(command)[0])):
        return set()
    head = command_head(command)
    tested = {name for found in _TESTED.finditer(head) for name in found["names"].split()}
    words = (step.split(maxsplit=1)[0] for step in _sure_steps(head))
    return {w for w in words if _PROGRAM.fullmatch(w) and w not in _NOT_PROGRAMS | tested}


def _sure_steps(script: str) -> list[str]:
    """The steps of a script that ran and whose failure the call would show: none of a list
    (steps between `;`) holding an `||`, none sent to the background (`&`); one followed by
    `;` or `|` only when its errors were not sent away."""
    masked = quotes_masked(script)
    cuts = [(found.start(), found.end(), found[0]) for found in _OPERATOR.finditer(masked)]
    bounds = [(0, 0, ";"), *cuts, (len(script), len(script), "")]
    steps: list[tuple[int, str, str]] = []  # each step's list (steps between `;` or `&`)
    lists = 0
    with_either: set[int] = set()  # the lists holding an `||`
    for (_, start, before), (end, _, after) in zip(bounds, bounds[1:], strict=False):
        lists += before in (";", "&")
        if after == "||":
            with_either.add(lists)
        steps.append((lists, script[start:end].strip(), after))
    sure: list[str] = []
    for in_list, step, after in steps:
        if not step or in_list in with_either or after == "&":
            continue
        if after in (";", "|", "|&") and _QUIET.search(step):
            continue
        sure.append(step)
    return sure

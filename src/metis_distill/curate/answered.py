"""Warnings that another lesson already answers, left out of what is shown.

A warning that a program is missing says less than a lesson naming the way that worked for
it; "no fix seen" says less than a lesson of the same failure that shows a way past it; one
environment lacking a module is told once. The rendered block and `metis context` show the
same lessons by these rules; the ones left out stay in the ledger, where search finds them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from metis_distill.curate.earned import Weighed
from metis_distill.curate.twins import answered_by_twin
from metis_distill.extract.wording import (
    DO_WITHOUT,
    LACKS_MODULE,
    MISSING_PROGRAM_LESSON,
    NO_FIX_SEEN,
    NO_RUNNER_SEEN,
)

W = TypeVar("W", bound=Weighed)


def score(lesson: Weighed) -> tuple[int, int, datetime]:
    """Support first, then severity, then recency."""
    last = lesson.last_seen or datetime.min.replace(tzinfo=UTC)
    return (lesson.support, lesson.severity, last)


def without_answered_warnings(lessons: Sequence[W], among: Sequence[W] = ()) -> list[W]:
    """A program missing, told as a warning ("find the project's way to run it"), beside a
    lesson that names the way that worked for the same program: the warning says less. So
    does a program failing inside Codex's sandbox with no rerun outside seen, beside the
    lesson that it works outside it, and a module missing with no fix seen, beside a lesson
    that shows a way past the same module missing, whatever command met it. A tool run as a
    module (`python -m pytest`) that is not installed, beside a lesson of the program of that
    name missing, is that lesson's cause told again. A failure with no fix seen gives way to
    a lesson of the same failure that shows a way past it (`twins`): an earned one's fix, or
    any of `among` (the active lessons, earned or not) that passed once files were edited or
    when run again."""
    missing = {m["program"] for x in lessons if (m := MISSING_PROGRAM_LESSON.match(x.text))}
    answered = {
        _program(x.text) for x in lessons if x.fix is not None and _MISSING.search(x.text)
    } - {None}
    let_out = {_first_word(x.text) for x in lessons if x.fix is not None and _LET_OUT in x.text}
    found = {_missing_module(x.text) for x in lessons if x.fix is not None} - {None}
    twinned = answered_by_twin(lessons, among)
    return one_lack_per_environment(
        [
            x
            for x in lessons
            if not (_no_way_seen(x.text) and _program(x.text) in answered)
            and not (_SANDBOXED_NO_FIX in x.text and _first_word(x.text) in let_out - {None})
            and not (NO_FIX_SEEN in x.text and _missing_module(x.text) in found)
            and not (NO_FIX_SEEN in x.text and _tool_not_installed(x.text) in missing)
            and x.id not in twinned
        ]
    )


def one_lack_per_environment(lessons: Sequence[W]) -> list[W]:
    """An environment lacking a module, told once: its interpreters (`python`, `python3` of
    one `bin/`) lacking the same module, each run again with another environment's that has
    it, say one thing, whichever other environment each run found; the best supported of
    them is kept, the others stay in the ledger."""
    best: dict[tuple[str, str], W] = {}
    for lesson in lessons:
        key = _lacking(lesson.text)
        if key is not None and (
            key not in best or (score(lesson), best[key].id) > (score(best[key]), lesson.id)
        ):
            best[key] = lesson
    kept = {v.id for v in best.values()}
    return [x for x in lessons if _lacking(x.text) is None or x.id in kept]


def _lacking(text: str) -> tuple[str, str] | None:
    """The environment (its folder, or "" for the PATH's) and the module of a lesson that an
    interpreter here lacks a module; None for any other lesson."""
    found = _LACKS.match(text)
    if found is None:
        return None
    program, module = found.groups()
    folder = _ENVIRONMENT_OF.match(program)
    if folder is not None:
        return folder.group(1), module
    return ("" if "/" not in program and "\\" not in program else program), module


_LACKS = re.compile(rf"^`([^`]+)`{LACKS_MODULE}`([^`]+)`")


# An interpreter's path in its environment: `/srv/venv/bin/python3`, `C:\env\Scripts\python.exe`
_ENVIRONMENT_OF = re.compile(r"^(.+?)[\\/](?:bin|Scripts)[\\/][^\\/]+$")


def _first_word(text: str) -> str | None:
    """The program of the command a lesson opens on (`mix` of "`mix precommit` fails …")."""
    found = _OPENING_WORD.match(text)
    return found.group(1) if found else None


_OPENING_WORD = re.compile(r"^`([^`\s]+)[\s`]")


_LET_OUT = " fails inside Codex's sandbox here and works outside it"


_SANDBOXED_NO_FIX = " fails inside Codex's sandbox here: “"


def _no_way_seen(text: str) -> bool:
    return NO_RUNNER_SEEN in text or DO_WITHOUT in text


def _program(text: str) -> str | None:
    """The program a lesson opens on (`python` of "`python` is not on the PATH here …")."""
    found = _OPENING_CODE.match(text)
    return found.group(1) if found else None


_OPENING_CODE = re.compile(r"^`([^`\s]+)`")


# A lesson about the program itself missing, as the warning is (not another failure of it).
_MISSING = re.compile(r"is not on the PATH|is not installed|not found|cannot be found")


def _missing_module(text: str) -> str | None:
    """The module Python found missing in a lesson's error (`shop` of "No module named
    'shop'"), None when it names none."""
    found = _NO_MODULE.search(text)
    return found.group(1).rstrip(".") if found else None


# Python's words for a module missing: an import's (`'shop'`) and `-m`'s (`shop`).
_NO_MODULE = re.compile(r"No module named '?([\w.]+)")


def _tool_not_installed(text: str) -> str | None:
    """The module a lesson's command runs with `python -m` when its error is that very module
    missing (`pytest` of "`python3 -m pytest` fails here: “No module named pytest”"): the
    tool is not installed; None for any other lesson."""
    found = _RUNS_MODULE.match(text)
    if found is None or found.group(1) != _missing_module(text):
        return None
    return found.group(1)


_RUNS_MODULE = re.compile(r"^`[^`\s]*python[\d.]*(?:\.exe)?\s+-m\s+([\w.]+)")

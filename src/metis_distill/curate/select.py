"""Which lessons a target shows: filtered by project, ranked, cut to each section's budget."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from metis_distill.config import BudgetSettings
from metis_distill.curate.earned import earned
from metis_distill.curate.twins import answered_by_twin
from metis_distill.extract.wording import (
    DO_WITHOUT,
    LACKS_MODULE,
    MISSING_PROGRAM_LESSON,
    NO_FIX_SEEN,
    NO_RUNNER_SEEN,
)
from metis_distill.ledger import Evidence, Ledger, LessonStatus, LessonView, RetiredReason
from metis_distill.provenance import quote_in_span
from metis_distill.targets import feeds

KINDS = ("gotcha", "failure", "decision")
# Lines of the managed block that are not lessons: markers, title, note, section headings.
BLOCK_OVERHEAD_LINES = 12
LINK_CHARS = 80  # a rendered line's link, support and id comment, for the token estimate
_BUDGETS = BudgetSettings()  # the defaults, as the settings say
DEFAULT_PER_SECTION = _BUDGETS.per_section


@dataclass(frozen=True)
class Budget:
    """How much of the context file the lessons may take: per section, in lines or in tokens
    (characters / 4, contract 9), and the whole block in lines whatever the unit."""

    unit: Literal["lines", "tokens"] = _BUDGETS.unit
    per_section: int = DEFAULT_PER_SECTION
    sections: Mapping[str, int] = field(default_factory=dict)  # a kind's own budget
    block_lines: int = _BUDGETS.block_max_lines

    @classmethod
    def from_settings(cls, budgets: BudgetSettings) -> Budget:
        return cls(
            unit=budgets.unit,
            per_section=budgets.per_section,
            sections={str(k): v for k, v in budgets.sections.items()},
            block_lines=budgets.block_max_lines,
        )

    def of(self, kind: str) -> int:
        return self.sections.get(kind, self.per_section)

    def cost(self, lesson: LessonView) -> int:
        if self.unit == "lines":
            return 1
        return -(-(len(lesson.text) + LINK_CHARS) // 4)


@dataclass(frozen=True)
class Scope:
    """The runs a target listens to: a repository root and aliases, or every project."""

    root: str | None
    aliases: tuple[str, ...] = ()

    def accepts(self, evidence: Evidence) -> bool:
        return self.accepts_cwd(evidence.cwd)

    def accepts_cwd(self, cwd: str | None) -> bool:
        if self.root is None:
            return True
        return feeds(cwd, Path(self.root), self.aliases)


def score(lesson: LessonView) -> tuple[int, int, datetime]:
    """Support first, then severity, then recency."""
    last = lesson.last_seen or datetime.min.replace(tzinfo=UTC)
    return (lesson.support, lesson.severity, last)


def lessons_for(ledger: Ledger, scope: Scope) -> list[LessonView]:
    """The lessons a target may show: active, with evidence from its runs, and earned."""
    in_scope = lessons_in_scope(ledger, scope)
    return without_answered_warnings([v for v in in_scope if earned(v)], among=in_scope)


def without_answered_warnings(
    lessons: Sequence[LessonView], among: Sequence[LessonView] = ()
) -> list[LessonView]:
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


def one_lack_per_environment(lessons: Sequence[LessonView]) -> list[LessonView]:
    """An environment lacking a module, told once: its interpreters (`python`, `python3` of
    one `bin/`) lacking the same module, each run again with another environment's that has
    it, say one thing, whichever other environment each run found; the best supported of
    them is kept, the others stay in the ledger."""
    best: dict[tuple[str, str], LessonView] = {}
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


def lessons_in_scope(
    ledger: Ledger, scope: Scope, retired: RetiredReason | None = None
) -> list[LessonView]:
    """Active lessons (or those `retired` for that reason) with at least one piece of evidence
    from the target's runs."""
    if retired is None:
        rows = ledger.lessons(status=LessonStatus.ACTIVE)
    else:
        rows = [r for r in ledger.lessons(LessonStatus.RETIRED) if r.retired_reason == retired]
    evidence = ledger.evidence_of([r.id for r in rows])
    formats = ledger.formats()
    views = []
    for row in rows:
        mine = tuple(e for e in evidence[row.id] if scope.accepts(e))
        if mine:
            read_as = (formats.get((e.archive_root, e.path), "") for e in mine)
            views.append(LessonView.of(row, mine, (f for f in read_as if f)))
    return views


def not_refused(lessons: Sequence[LessonView], ledger: Ledger, target: Path) -> list[LessonView]:
    """Without the lessons a person refused for this target (a line rejected or deleted by
    hand there while another target keeps it): never proposed again for it."""
    refused = ledger.refused_for(str(target.resolve()))
    return [v for v in lessons if v.id not in refused]


def ranked(lessons: Sequence[LessonView]) -> dict[str, list[LessonView]]:
    """Per kind, every lesson best first (ties broken by id, for stable output)."""
    by_kind: dict[str, list[LessonView]] = {kind: [] for kind in KINDS}
    for lesson in sorted(lessons, key=lambda x: x.id):
        by_kind.setdefault(lesson.kind, []).append(lesson)
    return {kind: sorted(items, key=score, reverse=True) for kind, items in by_kind.items()}


def budgeted(
    lessons: Sequence[LessonView],
    budget: int | Budget,
    verify: Callable[[LessonView], LessonView | None] | None = None,
) -> dict[str, list[LessonView]]:
    """Per kind, the best lessons that fit the section's budget, best first. Lessons are
    taken in rank order until the next one does not fit, so what is left out is always the
    lowest ranked; `verify` drops (and trims) lessons before they are ranked."""
    budget = budget if isinstance(budget, Budget) else Budget(per_section=budget)
    if verify is not None:
        lessons = [v for v in map(verify, lessons) if v is not None]
    chosen: dict[str, list[LessonView]] = {}
    for kind, items in ranked(lessons).items():
        room, taken = budget.of(kind), []
        for lesson in items:
            if budget.cost(lesson) > room:
                break
            room -= budget.cost(lesson)
            taken.append(lesson)
        chosen[kind] = taken
    return _within_block(chosen, budget.block_lines - BLOCK_OVERHEAD_LINES)


def _within_block(chosen: dict[str, list[LessonView]], lines: int) -> dict[str, list[LessonView]]:
    """Drop the lowest-ranked lessons of any section until the block fits its lines."""
    everything = sorted((v for items in chosen.values() for v in items), key=score, reverse=True)
    keep = {v.id for v in everything[: max(lines, 0)]}
    return {kind: [v for v in items if v.id in keep] for kind, items in chosen.items()}


def verified(lesson: LessonView) -> LessonView | None:
    """The lesson with only the evidence whose quote is still in its span; None when none is
    (provenance or it didn't happen)."""
    good = tuple(e for e in lesson.evidence if _resolves(e))
    return replace(lesson, evidence=good) if good else None


def _resolves(row: Evidence) -> bool:
    return quote_in_span(Path(row.archive_root) / row.path, row.line_start, row.line_end, row.quote)

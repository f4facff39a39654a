"""Which lessons a target shows: filtered by project, ranked, cut to each section's budget."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from metis_distill.config import BudgetSettings
from metis_distill.curate.answered import score, without_answered_warnings
from metis_distill.curate.earned import earned
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


def lessons_for(ledger: Ledger, scope: Scope) -> list[LessonView]:
    """The lessons a target may show: active, with evidence from its runs, and earned."""
    in_scope = lessons_in_scope(ledger, scope)
    return without_answered_warnings([v for v in in_scope if earned(v)], among=in_scope)


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

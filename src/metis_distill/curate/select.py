"""Which lessons a target shows: filtered by project, ranked, cut to each section's budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from metis_distill.ledger import EvidenceRow, Ledger, LessonView
from metis_distill.targets import feeds

KINDS = ("gotcha", "failure", "decision")


@dataclass(frozen=True)
class Scope:
    """The runs a target listens to: a repository root and aliases, or every project."""

    root: str | None
    aliases: tuple[str, ...] = ()

    def accepts(self, evidence: EvidenceRow) -> bool:
        if self.root is None:
            return True
        return feeds(evidence.cwd, Path(self.root), self.aliases)


def score(lesson: LessonView) -> tuple[int, int, datetime]:
    """Support first, then severity, then recency."""
    last = lesson.last_seen or datetime.min.replace(tzinfo=UTC)
    return (lesson.support, lesson.severity, last)


def lessons_for(ledger: Ledger, scope: Scope) -> list[LessonView]:
    """Active lessons with at least one piece of evidence from the target's runs."""
    rows = ledger.lessons(status="active")
    evidence = ledger.evidence_of([r.id for r in rows])
    views = []
    for row in rows:
        mine = tuple(e for e in evidence[row.id] if scope.accepts(e))
        if mine:
            views.append(
                LessonView(
                    row.id,
                    row.kind,
                    row.text,
                    row.status,
                    row.severity,
                    row.first_seen,
                    row.last_seen,
                    mine,
                )
            )
    return views


def budgeted(lessons: Sequence[LessonView], budget: int) -> dict[str, list[LessonView]]:
    """Per kind, the best `budget` lessons, best first (ties broken by id, for stable output)."""
    by_kind: dict[str, list[LessonView]] = {kind: [] for kind in KINDS}
    for lesson in sorted(lessons, key=lambda x: x.id):
        by_kind.setdefault(lesson.kind, []).append(lesson)
    return {
        kind: sorted(items, key=score, reverse=True)[:budget] for kind, items in by_kind.items()
    }

"""Retirement: a decision contradicted by a newer one, or a lesson not seen for a long time,
leaves the context file but never the ledger. A retired lesson seen again comes back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from metis_distill.config import CurateSettings
from metis_distill.curate.contradict import contradicts
from metis_distill.ledger import Ledger, LessonRow, LessonStatus, RetiredReason, now
from metis_distill.targets import as_path

DEFAULT_RETIRE_AFTER_DAYS = CurateSettings().retire_after_days
ACTIVE, RETIRED = LessonStatus.ACTIVE, LessonStatus.RETIRED
CONTRADICTED = RetiredReason.CONTRADICTED
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class RetireStats:
    contradicted: list[tuple[str, str]] = field(default_factory=list)  # (retired, replaced by)
    stale: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)


def same_project(a: Iterable[str | None], b: Iterable[str | None]) -> bool:
    """Do two lessons come from the same place (one cwd inside the other)? A lesson without
    any known cwd is taken to be from anywhere."""
    pa = [as_path(c) for c in a if c]
    pb = [as_path(c) for c in b if c]
    if not pa or not pb:
        return True
    return any(
        type(x) is type(y) and (x == y or x.is_relative_to(y) or y.is_relative_to(x))
        for x in pa
        for y in pb
    )


def resolve_contradictions(ledger: Ledger, touched: Sequence[str]) -> RetireStats:
    """Each touched decision against the decisions it contradicts (same project): the newer
    one (latest evidence) stays active, the older is retired with a link to the newer."""
    stats = RetireStats()
    with ledger.curating() as lessons:
        rivals = lessons.lessons_in((ACTIVE, RETIRED), kind="decision")
        rivals = [r for r in rivals if r.status == ACTIVE or r.retired_reason == CONTRADICTED]
        cwds = lessons.cwds([r.id for r in rivals])
        by_id = {r.id: r for r in rivals}
        for lesson_id in touched:
            lesson = by_id.get(lesson_id)
            if lesson is None:
                continue
            for other in rivals:
                if other.id == lesson.id or not contradicts(lesson.text, other.text):
                    continue
                if not same_project(cwds[lesson.id], cwds[other.id]):
                    continue
                newer, older = sorted((lesson, other), key=_recency, reverse=True)
                _replace(newer, older, stats)
    return stats


def _recency(lesson: LessonRow) -> tuple[datetime, datetime]:
    return (lesson.last_seen or _NEVER, lesson.created_at)


def _replace(newer: LessonRow, older: LessonRow, stats: RetireStats) -> None:
    if newer.status == RETIRED and newer.retired_reason == CONTRADICTED:
        _revive(newer, stats)
    if older.status == ACTIVE:
        older.status = RETIRED
        older.retired_reason = CONTRADICTED
        older.retired_by = newer.id
        older.retired_at = now()
        stats.contradicted.append((older.id, newer.id))
    elif older.retired_reason == CONTRADICTED and older.retired_by != newer.id:
        older.retired_by = newer.id


def _revive(lesson: LessonRow, stats: RetireStats) -> None:
    lesson.status = ACTIVE
    lesson.retired_reason = None
    lesson.retired_by = None
    lesson.retired_at = None
    stats.revived.append(lesson.id)


def retire_stale(ledger: Ledger, days: int = DEFAULT_RETIRE_AFTER_DAYS) -> RetireStats:
    """Retire active lessons not seen for `days`, measured on their project's own clock (the
    newest evidence from the same cwd), so that a project left alone for a year keeps its
    lessons; a lesson retired as stale that was seen again comes back."""
    stats = RetireStats()
    with ledger.curating() as known:
        lessons = known.lessons_in((ACTIVE, RETIRED))
        latest = known.latest_cwds()
        clocks: dict[str | None, datetime] = {}
        for lesson in lessons:
            cwd = latest.get(lesson.id)
            seen = lesson.last_seen or _NEVER
            clocks[cwd] = max(clocks.get(cwd, _NEVER), seen)
        window = timedelta(days=days)
        for lesson in lessons:
            if lesson.last_seen is None:
                continue
            stale = lesson.last_seen < clocks[latest.get(lesson.id)] - window
            if lesson.status == ACTIVE and stale:
                lesson.status = RETIRED
                lesson.retired_reason = RetiredReason.STALE
                lesson.retired_at = now()
                stats.stale.append(lesson.id)
            elif (
                lesson.status == RETIRED
                and lesson.retired_reason == RetiredReason.STALE
                and not stale
            ):
                _revive(lesson, stats)
    return stats

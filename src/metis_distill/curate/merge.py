"""Candidates into lessons: an exact or near duplicate merges its evidence, never duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from metis_distill.curate.ids import evidence_id, lesson_id, word_overlap
from metis_distill.index import LessonIndex
from metis_distill.ledger import EvidenceRow, Ledger, LessonRow, now
from metis_distill.models import LessonCandidate

DEFAULT_MAX_DISTANCE = 0.12
MIN_WORD_OVERLAP = 0.5


@dataclass
class CurateStats:
    candidates: int = 0
    new: int = 0
    merged: int = 0
    known_evidence: int = 0
    suppressed: int = 0
    new_ids: list[str] = field(default_factory=list)


def curate(
    candidates: Sequence[LessonCandidate],
    ledger: Ledger,
    index: LessonIndex,
    *,
    archive_root: str,
    extractor: str = "rules",
    max_distance: float = DEFAULT_MAX_DISTANCE,
) -> CurateStats:
    """Record candidates as lessons and evidence; a rejected lesson's near twins are suppressed."""
    stats = CurateStats(candidates=len(candidates))
    if not candidates:
        return stats
    vectors = index.embedder.embed([c.text for c in candidates])
    with ledger.session() as db:
        for candidate, vector in zip(candidates, vectors, strict=True):
            target = db.get(LessonRow, lesson_id(candidate.kind, candidate.text))
            if target is None:
                target = _near_twin(db, index, candidate, vector, max_distance)
            created = target is None
            if target is None:
                target = _new_lesson(candidate, extractor)
                db.add(target)
                db.flush()
                index.upsert([target.id], [target.text], [target.kind], [vector])
                stats.new_ids.append(target.id)
            added = _add_evidence(db, target, candidate, archive_root)
            if created:
                stats.new += 1
            elif target.status == "rejected":
                stats.suppressed += 1
            elif added:
                stats.merged += 1
            else:
                stats.known_evidence += 1
    return stats


def _near_twin(
    db: Session,
    index: LessonIndex,
    candidate: LessonCandidate,
    vector: Sequence[float],
    max_distance: float,
) -> LessonRow | None:
    for neighbour in index.nearest(vector, candidate.kind.value):
        if neighbour.distance > max_distance:
            break
        row = db.get(LessonRow, neighbour.id)
        if row is not None and word_overlap(row.text, candidate.text) >= MIN_WORD_OVERLAP:
            return row
    return None


def _new_lesson(candidate: LessonCandidate, extractor: str) -> LessonRow:
    seen = candidate.evidence.timestamp
    return LessonRow(
        id=lesson_id(candidate.kind, candidate.text),
        kind=candidate.kind.value,
        text=candidate.text,
        status="active",
        severity=candidate.severity,
        scope=list(candidate.scope),
        extractor=extractor,
        first_seen=seen,
        last_seen=seen,
        created_at=now(),
    )


def _add_evidence(
    db: Session, lesson: LessonRow, candidate: LessonCandidate, archive_root: str
) -> bool:
    """Attach the candidate's evidence to the lesson; False when it was already there."""
    evidence = candidate.evidence
    row_id = evidence_id(lesson.id, evidence, archive_root)
    if db.get(EvidenceRow, row_id) is not None:
        return False
    ref = evidence.ref
    db.add(
        EvidenceRow(
            id=row_id,
            lesson_id=lesson.id,
            archive_root=archive_root,
            path=ref.path,
            line_start=ref.line_start,
            line_end=ref.line_end,
            native_id=ref.native_id,
            quote=evidence.quote,
            session_id=evidence.session_id,
            cwd=candidate.cwd,
            timestamp=evidence.timestamp,
        )
    )
    lesson.severity = max(lesson.severity, candidate.severity)
    if evidence.timestamp is not None:
        seen = evidence.timestamp
        lesson.first_seen = seen if lesson.first_seen is None else min(lesson.first_seen, seen)
        lesson.last_seen = seen if lesson.last_seen is None else max(lesson.last_seen, seen)
    return True

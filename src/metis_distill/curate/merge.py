"""Candidates into lessons: an exact or near duplicate merges its evidence, never duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from metis_distill.curate.ids import evidence_id, lesson_id, word_overlap
from metis_distill.index import LessonIndex
from metis_distill.ledger import EvidenceRow, Ledger, LessonRow, now
from metis_distill.models import LessonCandidate

DEFAULT_MAX_DISTANCE = 0.12
DEFAULT_JUDGE_DISTANCE = 0.4  # closer than this and not merged by the rule: ask the judge
MIN_WORD_OVERLAP = 0.5


class DuplicateJudge(Protocol):
    """Says which known lesson (id, text) a new lesson repeats, if any (the curator prompt);
    what it writes to the ledger waits for `flush()`, after curation's transaction."""

    def __call__(self, kind: str, text: str, known: Sequence[tuple[str, str]]) -> str | None: ...

    def flush(self) -> None: ...


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
    judge: DuplicateJudge | None = None,
    judge_distance: float = DEFAULT_JUDGE_DISTANCE,
) -> CurateStats:
    """Record candidates as lessons and evidence; a rejected lesson's near twins are suppressed.
    With a `judge`, a near lesson the word-overlap rule does not merge is put to it."""
    stats = CurateStats(candidates=len(candidates))
    if not candidates:
        return stats
    vectors = index.embedder.embed([c.text for c in candidates])
    near = _Near(max_distance, judge, judge_distance)
    with ledger.session() as db:
        for candidate, vector in zip(candidates, vectors, strict=True):
            target = db.get(LessonRow, lesson_id(candidate.kind, candidate.text))
            if target is None:
                target = near.twin(db, index, candidate, vector)
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
    if judge is not None:
        judge.flush()
    return stats


@dataclass(frozen=True)
class _Near:
    max_distance: float
    judge: DuplicateJudge | None
    judge_distance: float

    def twin(
        self, db: Session, index: LessonIndex, candidate: LessonCandidate, vector: Sequence[float]
    ) -> LessonRow | None:
        """The known lesson the candidate repeats: close by vector and by words, or close by
        vector and so judged."""
        unsure: list[tuple[str, str]] = []
        for neighbour in index.nearest(vector, candidate.kind.value):
            row = db.get(LessonRow, neighbour.id)
            if row is None:
                continue
            close = neighbour.distance <= self.max_distance
            if close and word_overlap(row.text, candidate.text) >= MIN_WORD_OVERLAP:
                return row
            if neighbour.distance <= max(self.judge_distance, self.max_distance):
                unsure.append((row.id, row.text))
        if self.judge is None or not unsure:
            return None
        same = self.judge(candidate.kind.value, candidate.text, unsure)
        return db.get(LessonRow, same) if same is not None else None


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

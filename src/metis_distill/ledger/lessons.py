"""Lessons, their evidence and the wordings people gave them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from metis_distill.conversations import support
from metis_distill.ledger.base import IN_CHUNK, Repository
from metis_distill.ledger.schema import EvidenceRow, FileRow, LessonRow, WordingRow, now
from metis_distill.linked_evidence import strongest
from metis_distill.statuses import LessonStatus, WordingSource


class EvidenceSpan(NamedTuple):
    """Where a piece of evidence lies: a file of the archive and a line range."""

    archive_root: str
    path: str
    line_start: int
    line_end: int


class Evidence(NamedTuple):
    """A piece of evidence as read: the columns of its row, a tuple (an ORM row held ~3 KB, and
    a publish holds every lesson's evidence, thousands of pieces for a large archive)."""

    id: str
    lesson_id: str
    archive_root: str
    path: str
    line_start: int
    line_end: int
    native_id: str | None
    quote: str
    session_id: str
    cwd: str | None
    timestamp: datetime | None
    shows_fix: bool


class Sighting(NamedTuple):
    """Where and when a piece of a lesson's evidence was seen."""

    session_id: str
    cwd: str | None
    timestamp: datetime | None


@dataclass(frozen=True)
class LessonView:
    """A lesson with the evidence that feeds one target (support = distinct sessions)."""

    id: str
    kind: str
    text: str
    status: str
    severity: int
    first_seen: datetime | None
    last_seen: datetime | None
    evidence: tuple[Evidence, ...]
    scope: tuple[str, ...] = ()  # tools, commands and paths the lesson is about
    fix: str | None = None
    formats: frozenset[str] = frozenset()  # the formats its runs were read in (`codex`…)

    @classmethod
    def of(
        cls, row: LessonRow, evidence: Iterable[Evidence], formats: Iterable[str] = ()
    ) -> LessonView:
        return cls(
            row.id,
            row.kind,
            row.text,
            row.status,
            row.severity,
            row.first_seen,
            row.last_seen,
            tuple(evidence),
            tuple(row.scope or ()),
            row.fix,
            frozenset(formats),
        )

    @property
    def support(self) -> int:
        return support(self.evidence)

    @property
    def strongest(self) -> Evidence:
        """The evidence its rendered line links to."""
        return strongest(self.text, self.evidence)


# New evidence written this many rows at a time (one INSERT of many rows, no ORM object made):
# a large curation's memory stays flat
EVIDENCE_FLUSH = 256
_EVIDENCE = cast(Table, EvidenceRow.__table__)  # written with Core: no ORM object per row


class Curating:
    """One transaction of curation: the lessons and evidence it reads and changes (the lessons'
    rows are changed in place and written when the transaction ends; new evidence is written
    `EVIDENCE_FLUSH` rows at a time, and what is left when it ends)."""

    def __init__(self, db: Session) -> None:
        self._db = db
        self._absent_lessons: set[str] = set()
        self._kept: list[LessonRow] = []
        # every lesson read or added is held here: the session holds its rows weakly, and a
        # lesson it had let go was read again by a SELECT (which flushed the pending rows
        # first) for each candidate of it: 2,500 queries for the 3,500 candidates of a run
        self._lessons: dict[str, LessonRow] = {}
        # evidence ids known to be stored or added in this transaction, and known not to be
        self._evidence: set[str] = set()
        self._absent_evidence: set[str] = set()
        self._pending: list[dict[str, object]] = []  # evidence added since the last write

    def prefetch(self, lesson_ids: Iterable[str], evidence_ids: Iterable[str]) -> None:
        """Read these rows at once (kept here: the session holds its rows weakly) and remember
        which do not exist, so that asking for each of them later costs no query; of the
        evidence, only whether it is stored (its ids)."""
        wanted = set(lesson_ids)
        for chunk in _chunks(wanted):
            rows = self._db.scalars(select(LessonRow).where(LessonRow.id.in_(chunk))).all()
            self._kept += rows
            wanted.difference_update(row.id for row in rows)
        self._absent_lessons |= wanted
        wanted = set(evidence_ids)
        for chunk in _chunks(wanted):
            found = self._db.scalars(select(EvidenceRow.id).where(EvidenceRow.id.in_(chunk)))
            stored = set(found)
            self._evidence |= stored
            wanted -= stored
        self._absent_evidence |= wanted

    def lesson(self, lesson_id: str) -> LessonRow | None:
        if lesson_id in self._absent_lessons:
            return None
        held = self._lessons.get(lesson_id)
        if held is not None:
            return held  # what `get` answers: the session's row, held here (never expired)
        row = self._db.get(LessonRow, lesson_id)
        if row is not None:
            self._lessons[row.id] = row
        return row

    def add_lesson(self, row: LessonRow) -> None:
        self._absent_lessons.discard(row.id)
        self._db.add(row)
        self._db.flush()
        self._lessons[row.id] = row

    def has_evidence(self, evidence_id: str) -> bool:
        if evidence_id in self._evidence:
            return True
        if evidence_id in self._absent_evidence:
            return False
        query = select(EvidenceRow.id).where(EvidenceRow.id == evidence_id)
        if self._db.scalar(query) is None:
            return False
        self._evidence.add(evidence_id)
        return True

    def add_evidence(self, row: Evidence) -> None:
        """A new piece of evidence (its lesson stored already: `add_lesson` writes it)."""
        self._absent_evidence.discard(row.id)
        self._evidence.add(row.id)
        self._pending.append(row._asdict())
        if len(self._pending) >= EVIDENCE_FLUSH:
            self.write()

    def write(self) -> None:
        """Write the evidence added since the last write, in the order it was added."""
        if self._pending:
            self._db.execute(insert(_EVIDENCE), self._pending)
            self._pending = []

    def hand_worded(self, lesson_id: str) -> bool:
        """A person chose the lesson's words (a hand edit kept, a rewording refused)."""
        query = select(WordingRow.id).where(WordingRow.lesson_id == lesson_id).limit(1)
        return self._db.scalar(query) is not None

    def recent_quotes(self, lesson_id: str, limit: int) -> list[str]:
        """The quotes of the lesson's newest evidence, distinct, in order."""
        self.write()
        query = (
            select(EvidenceRow.quote)
            .where(EvidenceRow.lesson_id == lesson_id)
            .order_by(EvidenceRow.timestamp.desc())
            .limit(limit)
        )
        return sorted(set(self._db.scalars(query)))

    def lessons_in(
        self, statuses: Collection[LessonStatus], kind: str | None = None
    ) -> list[LessonRow]:
        query = select(LessonRow).where(LessonRow.status.in_(list(statuses)))
        if kind is not None:
            query = query.where(LessonRow.kind == kind)
        return list(self._db.scalars(query))

    def cwds(self, lesson_ids: Sequence[str]) -> dict[str, set[str | None]]:
        """Every cwd each lesson's evidence was seen in."""
        self.write()
        found: dict[str, set[str | None]] = {i: set() for i in lesson_ids}
        query = select(EvidenceRow.lesson_id, EvidenceRow.cwd).where(
            EvidenceRow.lesson_id.in_(list(lesson_ids))
        )
        for lesson_id, cwd in self._db.execute(query):
            found[lesson_id].add(cwd)
        return found

    def sightings(self, lesson_ids: Sequence[str]) -> dict[str, list[Sighting]]:
        """Each lesson's evidence as where and when it was seen: its session, cwd and time."""
        self.write()
        found: dict[str, list[Sighting]] = {i: [] for i in lesson_ids}
        for chunk in _chunks(set(lesson_ids)):
            columns = (EvidenceRow.session_id, EvidenceRow.cwd, EvidenceRow.timestamp)
            query = select(EvidenceRow.lesson_id, *columns).where(EvidenceRow.lesson_id.in_(chunk))
            for lesson_id, *seen in self._db.execute(query):
                found[lesson_id].append(Sighting(*seen))
        return found

    def latest_cwds(self) -> dict[str, str | None]:
        """Each lesson's cwd in its most recent evidence."""
        self.write()
        found: dict[str, str | None] = {}
        query = select(EvidenceRow.lesson_id, EvidenceRow.cwd).order_by(
            EvidenceRow.timestamp, EvidenceRow.id
        )
        for lesson_id, cwd in self._db.execute(query):
            found[lesson_id] = cwd  # the last one written wins: the newest
        return found


def _chunks(ids: set[str]) -> Iterator[list[str]]:
    listed = sorted(ids)
    for start in range(0, len(listed), IN_CHUNK):
        yield listed[start : start + IN_CHUNK]


class LessonRepository(Repository):
    @contextmanager
    def curating(self) -> Iterator[Curating]:
        """The lessons and evidence in one transaction, for the curation stage."""
        with self.session() as db:
            curating = Curating(db)
            yield curating
            curating.write()  # not when the body raised: nothing of it is committed

    def lesson(self, lesson_id: str) -> LessonRow | None:
        with self.session() as db:
            return db.get(LessonRow, lesson_id)

    def lessons(self, status: LessonStatus | None = None) -> list[LessonRow]:
        with self.session() as db:
            query = select(LessonRow)
            if status is not None:
                query = query.where(LessonRow.status == status)
            return list(db.scalars(query.order_by(LessonRow.id)))

    def evidence_of(self, lesson_ids: Sequence[str]) -> dict[str, list[Evidence]]:
        """Each lesson's evidence, oldest first, as tuples of the rows' columns."""
        found: dict[str, list[Evidence]] = {i: [] for i in lesson_ids}
        columns = [getattr(EvidenceRow, name) for name in Evidence._fields]
        with self.session() as db:
            query = select(*columns).where(EvidenceRow.lesson_id.in_(list(lesson_ids)))
            for values in db.execute(query.order_by(EvidenceRow.timestamp, EvidenceRow.id)):
                row = Evidence(*values)
                found[row.lesson_id].append(row)
        return found

    def evidence_spans(self, lesson_ids: Sequence[str]) -> dict[str, list[EvidenceSpan]]:
        """Where each lesson's evidence lies, in `evidence_of`'s order: four columns, not
        whole rows (a large archive's lessons have thousands of pieces of evidence)."""
        found: dict[str, list[EvidenceSpan]] = {i: [] for i in lesson_ids}
        columns = [getattr(EvidenceRow, name) for name in ("lesson_id", *EvidenceSpan._fields)]
        with self.session() as db:
            query = select(*columns).where(EvidenceRow.lesson_id.in_(list(lesson_ids)))
            for lesson, *span in db.execute(query.order_by(EvidenceRow.timestamp, EvidenceRow.id)):
                found[lesson].append(EvidenceSpan(*span))
        return found

    def drop_evidence(self, archive_root: str, paths: Sequence[str]) -> int:
        """Forget the evidence found in these files (they are about to be read again)."""
        if not paths:
            return 0
        with self.session() as db:
            query = delete(EvidenceRow).where(
                EvidenceRow.archive_root == archive_root, EvidenceRow.path.in_(list(paths))
            )
            return int(db.execute(query).rowcount or 0)  # type: ignore[attr-defined]

    def set_status(self, lesson_ids: Iterable[str], status: LessonStatus) -> None:
        with self.session() as db:
            for lesson_id in lesson_ids:
                row = db.get(LessonRow, lesson_id)
                if row is not None:
                    row.status = status

    def counts(self) -> dict[str, int]:
        with self.session() as db:
            lessons = db.scalar(select(func.count()).select_from(LessonRow)) or 0
            evidence = db.scalar(select(func.count()).select_from(EvidenceRow)) or 0
            files = db.scalar(select(func.count()).select_from(FileRow)) or 0
        return {"files": files, "lessons": lessons, "evidence": evidence}

    def learn_wording(
        self, lesson_id: str, text: str, how: WordingSource, target: str = ""
    ) -> bool:
        """The lesson says `text` from now on (a person chose it); False when it already did."""
        with self.session() as db:
            lesson = db.get(LessonRow, lesson_id)
            if lesson is None or lesson.text == text:
                return False
            db.add(
                WordingRow(
                    lesson_id=lesson_id,
                    before=lesson.text,
                    after=text,
                    how=how,
                    target=target,
                    created_at=now(),
                )
            )
            lesson.text = text
            return True

    def wordings(self, lesson_id: str) -> list[WordingRow]:
        with self.session() as db:
            query = select(WordingRow).where(WordingRow.lesson_id == lesson_id)
            return list(db.scalars(query.order_by(WordingRow.id)))

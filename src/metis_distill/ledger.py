"""The ledger: the truth about files read, lessons, evidence, proposals and versions written.

SQLAlchemy over a SQLite file by default (any SQLAlchemy URL works). The chromadb index is
derived from it and can always be rebuilt.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from metis_distill.faults import checkpoint

SCHEMA_VERSION = 1


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite keeps no zone), always read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class ProposalStatus(StrEnum):
    PENDING = "pending"  # waits for review
    NEEDS_HUMAN = "needs_human"  # a tripwire stopped it: `metis release` lets it through
    SUPERSEDED = "superseded"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class FileRow(Base):
    """An archive file as last read: enough to tell that it has not changed since."""

    __tablename__ = "files"
    archive_root: Mapped[str] = mapped_column(String, primary_key=True)
    path: Mapped[str] = mapped_column(String, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # when read whole
    offset: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes read, up to a line end
    next_line: Mapped[int] = mapped_column(Integer, default=1)
    tail_sha256: Mapped[str] = mapped_column(String(64), default="")  # fingerprint at offset
    source_format: Mapped[str] = mapped_column(String)  # or "skipped: <reason>"
    session_id: Mapped[str | None] = mapped_column(String, nullable=True)
    cwd: Mapped[str | None] = mapped_column(String, nullable=True)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    corrupt_lines: Mapped[int] = mapped_column(Integer, default=0)
    unknown_lines: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CopyRow(Base):
    """Where the permanent archive keeps a source file, and how far it has copied it."""

    __tablename__ = "archive_copies"
    source: Mapped[str] = mapped_column(String, primary_key=True)  # absolute source path
    archive_path: Mapped[str] = mapped_column(String)  # current copy, relative to the archive
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    versions: Mapped[int] = mapped_column(Integer, default=1)
    copied_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LessonRow(Base):
    __tablename__ = "lessons"
    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String, default="active")  # active|rejected|retired
    severity: Mapped[int] = mapped_column(Integer, default=1)
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    extractor: Mapped[str] = mapped_column(String, default="rules")
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # curation: why and when a lesson was retired (never deleted), and what replaced it
    retired_reason: Mapped[str | None] = mapped_column(String, nullable=True)  # stale|contradicted
    retired_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class EvidenceRow(Base):
    __tablename__ = "evidence"
    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id"), index=True)
    archive_root: Mapped[str] = mapped_column(String)
    path: Mapped[str] = mapped_column(String)
    line_start: Mapped[int] = mapped_column(Integer)
    line_end: Mapped[int] = mapped_column(Integer)
    native_id: Mapped[str | None] = mapped_column(String, nullable=True)
    quote: Mapped[str] = mapped_column(Text)
    session_id: Mapped[str] = mapped_column(String)
    cwd: Mapped[str | None] = mapped_column(String, nullable=True)
    timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProposalRow(Base):
    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String, index=True)
    base_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String, default="pending")  # pending|accepted|...
    folder: Mapped[str] = mapped_column(String)
    lesson_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # item-by-item review (issue 5): what made it, and the block's lines with their items
    origin: Mapped[str] = mapped_column(String, default="distill")  # distill|rewind
    layout: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ProposalItemRow(Base):
    """One numbered change of a proposal (a line added, reworded or removed) and its decision."""

    __tablename__ = "proposal_items"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    change: Mapped[str] = mapped_column(String)  # added|reworded|removed|retired
    lesson_id: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str] = mapped_column(Text, default="")  # the wording it replaces
    decision: Mapped[str] = mapped_column(String, default="pending")  # pending|accepted|rejected
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WordingRow(Base):
    """A lesson's wording changed by a person (a hand edit kept, a rewording refused)."""

    __tablename__ = "lesson_wordings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lesson_id: Mapped[str] = mapped_column(String(10), index=True)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(String)  # hand-edit|rewording-rejected
    target: Mapped[str] = mapped_column(String, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VersionRow(Base):
    """Every version of every context file written, so any past state can be rebuilt."""

    __tablename__ = "versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String)  # before|accepted
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AcceptIntentRow(Base):
    """An accept about to rewrite its target, recorded before the rename: a run killed after
    it is finished by the next command when the file holds what the accept wrote."""

    __tablename__ = "accept_intents"
    proposal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String)
    numbers: Mapped[list[int]] = mapped_column(JSON, default=list)  # the items accepted
    sha256: Mapped[str] = mapped_column(String(64))  # of the target as the accept writes it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExtractionRow(Base):
    """One model answer for one span, validated: the cache that makes a re-run free."""

    __tablename__ = "extractions"
    span_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    prompt_version: Mapped[str] = mapped_column(String, primary_key=True)
    model: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String, default="ok")  # ok|failed (malformed twice)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExtractRunRow(Base):
    """Token use of one distill run, summed as calls return (the budget reads it)."""

    __tablename__ = "extract_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    extractor: Mapped[str] = mapped_column(String)
    model: Mapped[str | None] = mapped_column(String, nullable=True)
    max_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # counts at the end
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def tokens(self) -> int:
        spent = (self.input_tokens, self.output_tokens, self.cache_read_tokens)
        return sum(spent) + self.cache_write_tokens


class ExtractBatchRow(Base):
    """A Message Batch submitted and not yet collected: recorded before polling, so a run
    that stops between submit and collect resumes it instead of paying twice."""

    __tablename__ = "extract_batches"
    id: Mapped[str] = mapped_column(String, primary_key=True)  # the API's batch id
    prompt_version: Mapped[str] = mapped_column(String)
    model: Mapped[str] = mapped_column(String)
    # submitting (an intent, written before the API call: id "intent-…") | submitted | collected
    status: Mapped[str] = mapped_column(String, default="submitted")
    requests: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # custom_id -> sha256
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ExtractQueueRow(Base):
    """A request waiting for the run's one Message Batch (`--batch`): the mine tasks queue their
    uncached excerpts here, one submit step sends them all. The prompt is already redacted."""

    __tablename__ = "extract_queue"
    custom_id: Mapped[str] = mapped_column(String, primary_key=True)
    span_sha256: Mapped[str] = mapped_column(String(64))
    prompt_version: Mapped[str] = mapped_column(String)
    model: Mapped[str] = mapped_column(String)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Messages API request
    tokens: Mapped[int] = mapped_column(Integer)  # estimated cost, for the budget
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecoveryRow(Base):
    """One failure in a run and how long it took to recover (the next success of the same
    command or test); `seconds` is None when no recovery was seen (recovery metrics)."""

    __tablename__ = "recoveries"
    archive_root: Mapped[str] = mapped_column(String, primary_key=True)
    path: Mapped[str] = mapped_column(String, primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)  # the failure's first line
    session_id: Mapped[str] = mapped_column(String)
    cwd: Mapped[str | None] = mapped_column(String, nullable=True)
    failure_class: Mapped[str] = mapped_column(String, index=True)
    command: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class RunOutcome(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    NEEDS_HUMAN = "needs a human"
    BUDGET_REACHED = "budget reached"
    INTERRUPTED = "interrupted"  # its process died (kill -9, power cut) before it could say


class DistillRunRow(Base):
    """One distill of one target, from start to outcome: what `metis status` reports."""

    __tablename__ = "distill_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String, index=True)
    status: Mapped[str] = mapped_column(String, default=RunOutcome.RUNNING)  # a RunOutcome
    message: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it failed
    flow_run_id: Mapped[str | None] = mapped_column(String, nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    host: Mapped[str | None] = mapped_column(String, nullable=True)  # where its process ran
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)

    def holder_gone(self) -> bool:
        """Still `running` on record, though its process on this machine is dead."""
        if self.status != RunOutcome.RUNNING or self.pid is None:
            return False
        return self.host == socket.gethostname() and not _alive(self.pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


class MetaRow(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class FileRecord:
    """A file as read, as plain data (a task result), before it becomes a `FileRow`."""

    archive_root: str
    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    offset: int
    next_line: int
    tail_sha256: str
    source_format: str
    session_id: str | None
    cwd: str | None
    lines: int
    events: int
    corrupt_lines: int
    unknown_lines: int


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
    evidence: tuple[EvidenceRow, ...]
    scope: tuple[str, ...] = ()  # tools, commands and paths the lesson is about

    @property
    def support(self) -> int:
        return len({e.session_id for e in self.evidence})


def now() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(engine: Engine) -> None:
    """Bring the ledger's schema to the newest alembic revision (a no-op when it is there)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.begin() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Ledger:
    """Thin, typed access to the ledger tables. One instance per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        with self.session() as db:
            if db.get(MetaRow, "schema_version") is None:
                db.add(MetaRow(key="schema_version", value=json.dumps(SCHEMA_VERSION)))

    @classmethod
    def at(cls, data_dir: Path) -> Ledger:
        return cls(f"sqlite:///{data_dir / 'ledger.sqlite'}")

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as db, db.begin():
            yield db
        checkpoint("ledger:committed")

    def close(self) -> None:
        self.engine.dispose()

    # files ---------------------------------------------------------------
    def file_rows(self, archive_root: str) -> dict[str, FileRow]:
        with self.session() as db:
            rows = db.scalars(select(FileRow).where(FileRow.archive_root == archive_root))
            return {row.path: row for row in rows}

    def record_files(self, records: Iterable[FileRecord]) -> None:
        with self.session() as db:
            for record in records:
                db.merge(FileRow(**asdict(record), read_at=now()))

    # archive copies --------------------------------------------------------
    def copies(self) -> dict[str, CopyRow]:
        with self.session() as db:
            return {row.source: row for row in db.scalars(select(CopyRow))}

    def origins(self) -> dict[str, str]:
        """Archive path -> the source file it was copied from."""
        return {row.archive_path: row.source for row in self.copies().values() if row.archive_path}

    def record_copy(self, row: CopyRow) -> None:
        with self.session() as db:
            db.merge(row)

    # lessons -------------------------------------------------------------
    def lesson(self, lesson_id: str) -> LessonRow | None:
        with self.session() as db:
            return db.get(LessonRow, lesson_id)

    def lessons(self, status: str | None = None) -> list[LessonRow]:
        with self.session() as db:
            query = select(LessonRow)
            if status is not None:
                query = query.where(LessonRow.status == status)
            return list(db.scalars(query.order_by(LessonRow.id)))

    def evidence_of(self, lesson_ids: Sequence[str]) -> dict[str, list[EvidenceRow]]:
        found: dict[str, list[EvidenceRow]] = {i: [] for i in lesson_ids}
        with self.session() as db:
            query = select(EvidenceRow).where(EvidenceRow.lesson_id.in_(list(lesson_ids)))
            for row in db.scalars(query.order_by(EvidenceRow.timestamp, EvidenceRow.id)):
                found[row.lesson_id].append(row)
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

    def set_status(self, lesson_ids: Iterable[str], status: str) -> None:
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

    # proposals and versions ------------------------------------------------
    def pending_proposals(self, target: str | None = None) -> list[ProposalRow]:
        return self.proposals_in(ProposalStatus.PENDING, target)

    def proposals_in(self, status: ProposalStatus, target: str | None = None) -> list[ProposalRow]:
        """The proposals in this status (of this target), oldest first."""
        with self.session() as db:
            query = select(ProposalRow).where(ProposalRow.status == status)
            if target is not None:
                query = query.where(ProposalRow.target == target)
            return list(db.scalars(query.order_by(ProposalRow.id)))

    def add_proposal(
        self,
        row: ProposalRow,
        items: Callable[[int], Iterable[ProposalItemRow]],
        publish: Callable[[ProposalRow], str],
        supersede: Sequence[ProposalStatus] = (ProposalStatus.PENDING,),
    ) -> ProposalRow:
        """Store a new proposal with its items (made from its id), superseding the target's
        proposals in the `supersede` statuses. `publish` writes the proposal's files and says
        where: all in one transaction, so a crash leaves the whole proposal or none of it."""
        with self.session() as db:
            query = select(ProposalRow).where(
                ProposalRow.target == row.target, ProposalRow.status.in_(list(supersede))
            )
            for old in db.scalars(query):
                old.status = ProposalStatus.SUPERSEDED
                old.decided_at = now()
            db.add(row)
            db.flush()
            db.add_all(list(items(row.id)))
            row.folder = publish(row)
            return row

    def decide(self, proposal_id: int, status: str) -> None:
        with self.session() as db:
            row = db.get(ProposalRow, proposal_id)
            if row is not None:
                row.status = status
                row.decided_at = now()

    def add_version(
        self, target: str, content: str, sha256: str, reason: str, proposal_id: int | None = None
    ) -> None:
        with self.session() as db:
            db.add(
                VersionRow(
                    target=target,
                    sha256=sha256,
                    content=content,
                    reason=reason,
                    proposal_id=proposal_id,
                    created_at=now(),
                )
            )

    def intend_accept(self, intent: AcceptIntentRow, before: VersionRow | None) -> None:
        """Record an accept's intent (and the target's version before it) ahead of its write."""
        with self.session() as db:
            if before is not None:
                db.add(before)
            db.merge(intent)

    def accept_intents(self) -> list[AcceptIntentRow]:
        with self.session() as db:
            return list(db.scalars(select(AcceptIntentRow).order_by(AcceptIntentRow.proposal_id)))

    def drop_accept_intent(self, proposal_id: int) -> None:
        with self.session() as db:
            db.execute(delete(AcceptIntentRow).where(AcceptIntentRow.proposal_id == proposal_id))

    def versions(self, target: str) -> list[VersionRow]:
        with self.session() as db:
            query = select(VersionRow).where(VersionRow.target == target)
            return list(db.scalars(query.order_by(VersionRow.id)))

    def proposal(self, proposal_id: int) -> ProposalRow | None:
        with self.session() as db:
            return db.get(ProposalRow, proposal_id)

    def version(self, version_id: int) -> VersionRow | None:
        with self.session() as db:
            return db.get(VersionRow, version_id)

    def all_versions(self) -> list[VersionRow]:
        with self.session() as db:
            return list(db.scalars(select(VersionRow).order_by(VersionRow.id)))

    def proposal_items(self, proposal_id: int) -> list[ProposalItemRow]:
        with self.session() as db:
            query = select(ProposalItemRow).where(ProposalItemRow.proposal_id == proposal_id)
            return list(db.scalars(query.order_by(ProposalItemRow.number)))

    def items_of_lesson(self, lesson_id: str) -> list[ProposalItemRow]:
        with self.session() as db:
            query = select(ProposalItemRow).where(ProposalItemRow.lesson_id == lesson_id)
            return list(db.scalars(query.order_by(ProposalItemRow.proposal_id)))

    def decide_items(self, proposal_id: int, numbers: Iterable[int], decision: str) -> None:
        with self.session() as db:
            for number in numbers:
                row = db.get(ProposalItemRow, (proposal_id, number))
                if row is not None:
                    row.decision = decision
                    row.decided_at = now()

    def rebase(self, proposal_id: int, base_sha256: str) -> None:
        """The proposal now applies to the target as written by a partial accept."""
        with self.session() as db:
            row = db.get(ProposalRow, proposal_id)
            if row is not None:
                row.base_sha256 = base_sha256

    def learn_wording(self, lesson_id: str, text: str, how: str, target: str = "") -> bool:
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

    # extraction cache and token use -----------------------------------------
    def extraction(self, span_sha256: str, prompt_version: str, model: str) -> ExtractionRow | None:
        with self.session() as db:
            return db.get(ExtractionRow, (span_sha256, prompt_version, model))

    def store_extraction(self, row: ExtractionRow) -> None:
        with self.session() as db:
            db.merge(row)

    def start_extract_run(self, extractor: str, model: str | None, max_tokens: int | None) -> int:
        with self.session() as db:
            row = ExtractRunRow(
                extractor=extractor, model=model, max_tokens=max_tokens, started_at=now()
            )
            db.add(row)
            db.flush()
            return row.id

    def extract_run(self, run_id: int) -> ExtractRunRow | None:
        with self.session() as db:
            return db.get(ExtractRunRow, run_id)

    def add_usage(self, run_id: int, usage: ExtractionRow) -> int:
        """Add one call's tokens to the run (one atomic UPDATE); the run's total so far."""
        run = ExtractRunRow
        query = (
            update(run)
            .where(run.id == run_id)
            .values(
                requests=run.requests + usage.requests,
                input_tokens=run.input_tokens + usage.input_tokens,
                output_tokens=run.output_tokens + usage.output_tokens,
                cache_read_tokens=run.cache_read_tokens + usage.cache_read_tokens,
                cache_write_tokens=run.cache_write_tokens + usage.cache_write_tokens,
            )
        )
        with self.session() as db:
            db.execute(query)
        row = self.extract_run(run_id)
        return 0 if row is None else row.tokens

    def record_batch(self, row: ExtractBatchRow) -> None:
        with self.session() as db:
            db.merge(row)

    def open_batches(self, prompt_version: str, model: str) -> list[ExtractBatchRow]:
        """Batches submitted with these prompts and model and not yet collected, oldest first."""
        row = ExtractBatchRow
        query = (
            select(row)
            .where(row.status == "submitted", row.prompt_version == prompt_version)
            .where(row.model == model)
            .order_by(row.created_at, row.id)
        )
        with self.session() as db:
            return list(db.scalars(query))

    def intents(self, prompt_version: str, model: str) -> list[ExtractBatchRow]:
        """Batches about to be submitted when a run stopped: created at the API or not."""
        row = ExtractBatchRow
        query = (
            select(row)
            .where(row.status == "submitting", row.prompt_version == prompt_version)
            .where(row.model == model)
            .order_by(row.created_at, row.id)
        )
        with self.session() as db:
            return list(db.scalars(query))

    def known_batch_ids(self) -> set[str]:
        with self.session() as db:
            return set(db.scalars(select(ExtractBatchRow.id)))

    def confirm_batch(self, intent_id: str, batch_id: str) -> None:
        """The intent became the API's batch `batch_id`: one transaction, so the queue rows go
        exactly when the batch is on record."""
        with self.session() as db:
            intent = db.get(ExtractBatchRow, intent_id)
            if intent is None:
                return
            db.add(
                ExtractBatchRow(
                    id=batch_id,
                    prompt_version=intent.prompt_version,
                    model=intent.model,
                    status="submitted",
                    requests=dict(intent.requests),
                    created_at=intent.created_at,
                )
            )
            db.execute(
                delete(ExtractQueueRow).where(ExtractQueueRow.custom_id.in_(list(intent.requests)))
            )
            db.delete(intent)

    def drop_batch(self, batch_id: str) -> None:
        with self.session() as db:
            row = db.get(ExtractBatchRow, batch_id)
            if row is not None:
                db.delete(row)

    def queue_requests(self, rows: Sequence[ExtractQueueRow]) -> None:
        with self.session() as db:
            for row in rows:
                db.merge(row)

    def unqueue(self, custom_ids: Sequence[str]) -> None:
        if custom_ids:
            with self.session() as db:
                query = delete(ExtractQueueRow).where(ExtractQueueRow.custom_id.in_(custom_ids))
                db.execute(query)

    def queued(self, prompt_version: str, model: str) -> list[ExtractQueueRow]:
        row = ExtractQueueRow
        query = (
            select(row)
            .where(row.prompt_version == prompt_version, row.model == model)
            .order_by(row.created_at, row.custom_id)
        )
        with self.session() as db:
            return list(db.scalars(query))

    def close_batch(self, batch_id: str) -> None:
        with self.session() as db:
            row = db.get(ExtractBatchRow, batch_id)
            if row is not None:
                row.status = "collected"
                row.collected_at = now()

    def finish_extract_run(self, run_id: int, stats: dict[str, Any]) -> ExtractRunRow | None:
        with self.session() as db:
            row = db.get(ExtractRunRow, run_id)
            if row is not None:
                row.stats = stats
                row.finished_at = now()
            return row

    # curation: run stats between runs, recovery metrics ------------------------
    def meta(self, key: str) -> Any:
        """A JSON value kept between runs (e.g. the previous run's counts), or None."""
        with self.session() as db:
            row = db.get(MetaRow, key)
            return None if row is None else json.loads(row.value)

    def set_meta(self, key: str, value: Any) -> None:
        with self.session() as db:
            db.merge(MetaRow(key=key, value=json.dumps(value, default=str)))

    def record_recoveries(self, rows: Iterable[RecoveryRow]) -> None:
        with self.session() as db:
            for row in rows:
                db.merge(row)

    def recoveries(self) -> list[RecoveryRow]:
        with self.session() as db:
            query = select(RecoveryRow).order_by(RecoveryRow.failed_at, RecoveryRow.path)
            return list(db.scalars(query))

    def drop_recoveries(self, archive_root: str, paths: Sequence[str]) -> None:
        """Forget the failures found in these files (they are about to be read again)."""
        if not paths:
            return
        with self.session() as db:
            db.execute(
                delete(RecoveryRow).where(
                    RecoveryRow.archive_root == archive_root, RecoveryRow.path.in_(list(paths))
                )
            )

    # distill runs (metis status) --------------------------------------------
    def start_distill_run(self, target: str, flow_run_id: str | None) -> int:
        """A run of this process, begun; the target's runs still `running` on record whose
        process on this machine is dead are marked interrupted (call it holding the guard)."""
        with self.session() as db:
            query = select(DistillRunRow).where(
                DistillRunRow.target == target, DistillRunRow.status == RunOutcome.RUNNING
            )
            for dead in (r for r in db.scalars(query) if r.holder_gone()):
                dead.status = RunOutcome.INTERRUPTED
                dead.message = f"its process ({dead.host}:{dead.pid}) died before it finished"
                dead.finished_at = now()
            row = DistillRunRow(
                target=target,
                flow_run_id=flow_run_id,
                started_at=now(),
                host=socket.gethostname(),
                pid=os.getpid(),
            )
            db.add(row)
            db.flush()
            return row.id

    def finish_distill_run(
        self,
        run_id: int,
        status: str,
        *,
        message: str | None = None,
        proposal_id: int | None = None,
        summary: dict[str, Any] | None = None,
    ) -> None:
        with self.session() as db:
            row = db.get(DistillRunRow, run_id)
            if row is not None:
                row.status, row.message, row.proposal_id = status, message, proposal_id
                row.summary = summary or {}
                row.finished_at = now()

    def last_distill_run(self, target: str | None = None) -> DistillRunRow | None:
        with self.session() as db:
            query = select(DistillRunRow)
            if target is not None:
                query = query.where(DistillRunRow.target == target)
            return db.scalars(query.order_by(DistillRunRow.id.desc()).limit(1)).first()

    def tokens_since(self, since: datetime) -> int:
        """Tokens (in, out, cache read and write) spent by extract runs started since."""
        run = ExtractRunRow
        total = run.input_tokens + run.output_tokens + run.cache_read_tokens
        query = select(func.coalesce(func.sum(total + run.cache_write_tokens), 0))
        with self.session() as db:
            return int(db.scalar(query.where(run.started_at >= since)) or 0)

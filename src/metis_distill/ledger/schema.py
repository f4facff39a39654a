"""The ledger's tables: one row class each, times stored as UTC.

The alembic revisions in `migrations/` build exactly these (a test checks for drift).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from metis_distill.statuses import (
    BatchStatus,
    DistillStatus,
    ExtractionStatus,
    ItemDecision,
    LessonStatus,
    ProposalOrigin,
    ProposalState,
)


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
    status: Mapped[str] = mapped_column(String, default=LessonStatus.ACTIVE.value)
    severity: Mapped[int] = mapped_column(Integer, default=1)
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    extractor: Mapped[str] = mapped_column(String, default="rules")
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # curation: why and when a lesson was retired (never deleted), and what replaced it
    retired_reason: Mapped[str | None] = mapped_column(String, nullable=True)  # RetiredReason
    retired_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # a failure's remedy, when a run showed it causing success (what earns an unseen-twice line)
    fix: Mapped[str | None] = mapped_column(Text, nullable=True)


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
    shows_fix: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ProposalRow(Base):
    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String, index=True)
    base_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String, default=ProposalState.PENDING.value)
    folder: Mapped[str] = mapped_column(String)
    lesson_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # item-by-item review (issue 5): what made it, and the block's lines with their items
    origin: Mapped[str] = mapped_column(String, default=ProposalOrigin.DISTILL.value)
    layout: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ProposalItemRow(Base):
    """One numbered change of a proposal (a line added, reworded or removed) and its decision."""

    __tablename__ = "proposal_items"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    change: Mapped[str] = mapped_column(String)  # Change
    lesson_id: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str] = mapped_column(Text, default="")  # the wording it replaces
    decision: Mapped[str] = mapped_column(String, default=ItemDecision.PENDING.value)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WordingRow(Base):
    """A lesson's wording changed by a person (a hand edit kept, a rewording refused)."""

    __tablename__ = "lesson_wordings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lesson_id: Mapped[str] = mapped_column(String(10), index=True)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(String)  # WordingSource
    target: Mapped[str] = mapped_column(String, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VersionRow(Base):
    """Every version of every context file written, so any past state can be rebuilt."""

    __tablename__ = "versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String)  # VersionReason
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


class RefusalRow(Base):
    """A lesson a person refused for one context file while another file keeps it: never
    proposed again for that file (refused everywhere, a lesson is rejected instead)."""

    __tablename__ = "refusals"
    target: Mapped[str] = mapped_column(String, primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)
    how: Mapped[str] = mapped_column(String)  # Refusal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExtractionRow(Base):
    """One model answer for one span, validated: the cache that makes a re-run free."""

    __tablename__ = "extractions"
    span_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    prompt_version: Mapped[str] = mapped_column(String, primary_key=True)
    model: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String, default=ExtractionStatus.OK.value)
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
    # US dollars at list price, each call priced as sent (a Message Batch's at half)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # the most the calls in flight may still cost: held before a call goes out, released
    # when it returns (a cap counts them; a crashed run's are ignored with the run)
    reserved_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reserved_usd: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
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
    status: Mapped[str] = mapped_column(String, default=BatchStatus.SUBMITTED.value)
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


class DistillRunRow(Base):
    """One distill of one target, from start to outcome: what `metis status` reports."""

    __tablename__ = "distill_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String, index=True)
    status: Mapped[str] = mapped_column(String, default=DistillStatus.RUNNING.value)
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
        if self.status != DistillStatus.RUNNING or self.pid is None:
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


def now() -> datetime:
    return datetime.now(UTC)

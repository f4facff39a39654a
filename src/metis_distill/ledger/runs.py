"""Runs: the extraction cache and token use, Message Batches, the failures' recoveries, the
counts kept between runs and each distill's outcome."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Executable, Row, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from metis_distill.ledger.base import Repository, upsert_all
from metis_distill.ledger.glance import QuietRun
from metis_distill.ledger.schema import (
    DistillRunRow,
    ExtractBatchRow,
    ExtractionRow,
    ExtractQueueRow,
    ExtractRunRow,
    MetaRow,
    RecoveryRow,
    now,
)
from metis_distill.statuses import BatchStatus, DistillStatus


class RecoveryRecord(NamedTuple):
    """One failure and its recovery as plain data (a row of `recoveries` before it is one)."""

    archive_root: str
    path: str
    line: int  # the failure's first line
    session_id: str
    cwd: str | None
    failure_class: str
    command: str
    failed_at: datetime | None
    recovered_at: datetime | None
    seconds: float | None


Held = tuple[int, float]  # tokens and US dollars held for calls in flight


class SpendCaps(NamedTuple):
    """A run's caps: tokens and dollars per run, dollars per day (None: no cap)."""

    tokens: int | None = None
    usd_per_run: float | None = None
    usd_per_day: float | None = None


class RunRepository(Repository):
    def extraction(self, span_sha256: str, prompt_version: str, model: str) -> ExtractionRow | None:
        with self.session() as db:
            return db.get(ExtractionRow, (span_sha256, prompt_version, model))

    def store_extraction(self, row: ExtractionRow) -> None:
        """Insert or replace one cached answer: a single statement, so two processes
        storing the same excerpt's answer at once both succeed (the last one stays)."""
        values = {column.key: getattr(row, column.key) for column in _EXTRACTION.columns}
        with self.session() as db:
            upsert = _upsert(db.get_bind().dialect.name, values)
            if upsert is None:
                db.merge(row)
            else:
                db.execute(upsert)

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

    def add_usage(
        self, run_id: int, usage: ExtractionRow, cost_usd: float = 0.0, released: Held = (0, 0.0)
    ) -> int:
        """Add one call's tokens and cost to the run and give back what was held for it
        (`released`: tokens, dollars), in one atomic UPDATE; the run's total tokens so far."""
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
                cost_usd=run.cost_usd + cost_usd,
                reserved_tokens=run.reserved_tokens - released[0],
                reserved_usd=run.reserved_usd - released[1],
            )
        )
        with self.session() as db:
            db.execute(query)
        row = self.extract_run(run_id)
        return 0 if row is None else row.tokens

    def reserve(self, run_id: int, held: Held, caps: SpendCaps, since: datetime) -> bool:
        """Hold `held` (tokens, dollars) for a call about to go out when the run's spend, what
        it already holds and this stay within every cap (the day's: runs started since
        `since`). One UPDATE, atomic between the run's threads and processes."""
        run, other = ExtractRunRow, aliased(ExtractRunRow)
        tokens, usd = held
        spent_tokens = run.input_tokens + run.output_tokens + run.cache_read_tokens
        within = [run.id == run_id]
        if caps.tokens is not None:
            total = spent_tokens + run.cache_write_tokens + run.reserved_tokens + tokens
            within.append(total <= caps.tokens)
        if caps.usd_per_run is not None:
            within.append(run.cost_usd + run.reserved_usd + usd <= caps.usd_per_run)
        if caps.usd_per_day is not None:
            today = select(func.coalesce(func.sum(other.cost_usd), 0.0))
            today_usd = today.where(other.started_at >= since).scalar_subquery()
            within.append(today_usd + run.reserved_usd + usd <= caps.usd_per_day)
        query = (
            update(run)
            .where(*within)
            .values(
                reserved_tokens=run.reserved_tokens + tokens, reserved_usd=run.reserved_usd + usd
            )
        )
        with self.session() as db:
            return bool(db.execute(query).rowcount == 1)  # type: ignore[attr-defined]

    def release(self, run_id: int, held: Held) -> None:
        """Give back what was held for calls that were not made."""
        run = ExtractRunRow
        query = (
            update(run)
            .where(run.id == run_id)
            .values(
                reserved_tokens=run.reserved_tokens - held[0],
                reserved_usd=run.reserved_usd - held[1],
            )
        )
        with self.session() as db:
            db.execute(query)

    def record_batch(self, row: ExtractBatchRow) -> None:
        with self.session() as db:
            db.merge(row)

    def open_batches(self, prompt_version: str, model: str) -> list[ExtractBatchRow]:
        """Batches submitted with these prompts and model and not yet collected, oldest first."""
        return self._batches(BatchStatus.SUBMITTED, prompt_version, model)

    def intents(self, prompt_version: str, model: str) -> list[ExtractBatchRow]:
        """Batches about to be submitted when a run stopped: created at the API or not."""
        return self._batches(BatchStatus.SUBMITTING, prompt_version, model)

    def _batches(
        self, status: BatchStatus, prompt_version: str, model: str
    ) -> list[ExtractBatchRow]:
        row = ExtractBatchRow
        query = (
            select(row)
            .where(row.status == status, row.prompt_version == prompt_version)
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
                    status=BatchStatus.SUBMITTED,
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
                row.status = BatchStatus.COLLECTED
                row.collected_at = now()

    def finish_extract_run(self, run_id: int, stats: dict[str, Any]) -> ExtractRunRow | None:
        with self.session() as db:
            row = db.get(ExtractRunRow, run_id)
            if row is not None:
                row.stats = stats
                row.finished_at = now()
                row.reserved_tokens, row.reserved_usd = 0, 0.0  # nothing is in flight now
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

    def record_recoveries(self, rows: Iterable[RecoveryRecord]) -> None:
        with self.session() as db:
            upsert_all(db, RecoveryRow, (row._asdict() for row in rows))

    def recoveries(self) -> Sequence[Row[Any]]:
        """Every failure's recovery, as rows of the table's columns (read by name, like the
        model's attributes), not ORM objects: a large archive has thousands (3,500 for 1 GB
        of transcripts), which as ORM objects grew a publish's peak with the archive."""
        with self.session() as db:
            query = select(*RecoveryRow.__table__.columns)
            return db.execute(query.order_by(RecoveryRow.failed_at, RecoveryRow.path)).all()

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
                DistillRunRow.target == target, DistillRunRow.status == DistillStatus.RUNNING
            )
            for dead in (r for r in db.scalars(query) if r.holder_gone()):
                dead.status = DistillStatus.INTERRUPTED
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
        status: DistillStatus,
        *,
        message: str | None = None,
        proposal_id: int | None = None,
        summary: dict[str, int | float | str] | None = None,
    ) -> None:
        with self.session() as db:
            row = db.get(DistillRunRow, run_id)
            if row is not None:
                row.status, row.message, row.proposal_id = status.value, message, proposal_id
                row.summary = summary or {}
                row.finished_at = now()

    def last_distill_run(
        self, target: str | None = None, *, nothing_new: bool = True
    ) -> DistillRunRow | None:
        """The last run (of the target); with `nothing_new=False`, the last that read."""
        with self.session() as db:
            query = select(DistillRunRow)
            if target is not None:
                query = query.where(DistillRunRow.target == target)
            if not nothing_new:
                query = query.where(DistillRunRow.status != DistillStatus.NOTHING_NEW)
            return db.scalars(query.order_by(DistillRunRow.id.desc()).limit(1)).first()

    def record_nothing_new(self, run: QuietRun) -> None:
        """A run that found nothing new, on record as done."""
        with self.session() as db:
            db.add(
                DistillRunRow(
                    target=run.target,
                    status=DistillStatus.NOTHING_NEW.value,
                    message=run.message,
                    flow_run_id=run.flow_run_id,
                    summary=dict(run.summary),
                    started_at=run.at,
                    finished_at=run.at,
                    host=run.host,
                    pid=run.pid,
                )
            )

    def cost_since(self, since: datetime) -> float:
        """US dollars spent by extract runs started since (a run counts on its start day)."""
        run = ExtractRunRow
        query = select(func.coalesce(func.sum(run.cost_usd), 0.0)).where(run.started_at >= since)
        with self.session() as db:
            return float(db.scalar(query) or 0.0)

    def extract_runs_since(self, since: datetime) -> list[ExtractRunRow]:
        """The extract runs started since, oldest first (for spend by day)."""
        run = ExtractRunRow
        with self.session() as db:
            query = select(run).where(run.started_at >= since).order_by(run.started_at)
            return list(db.scalars(query))

    def tokens_since(self, since: datetime) -> int:
        """Tokens (in, out, cache read and write) spent by extract runs started since."""
        run = ExtractRunRow
        total = run.input_tokens + run.output_tokens + run.cache_read_tokens
        query = select(func.coalesce(func.sum(total + run.cache_write_tokens), 0))
        with self.session() as db:
            return int(db.scalar(query.where(run.started_at >= since)) or 0)


_EXTRACTION = ExtractionRow.__table__


def _upsert(dialect: str, values: dict[str, Any]) -> Executable | None:
    """INSERT … ON CONFLICT (the key) DO UPDATE of one extraction row, where the database has
    it (SQLite, PostgreSQL)."""
    keys = [column.key for column in _EXTRACTION.primary_key]
    changed = {k: v for k, v in values.items() if k not in keys}
    if dialect == "sqlite":
        lite = sqlite_insert(ExtractionRow).values(values)
        return lite.on_conflict_do_update(index_elements=keys, set_=changed)
    if dialect == "postgresql":
        pg = postgresql_insert(ExtractionRow).values(values)
        return pg.on_conflict_do_update(index_elements=keys, set_=changed)
    return None

"""What the check of a run with nothing new reads from the ledger (`unchanged.nothing_new`):
the target's last distill run that read, its pending proposals, and the size and mtime of
every file copied and read; and the one row it writes, the run that found nothing new (so
`metis status` shows the schedule alive). A SQLite ledger is read and written with the
standard library's sqlite3: importing SQLAlchemy costs more than the whole check. The
connection may write, as `Ledger.reading`'s does, but never creates the file (`mode=rw`): a
read-only one would leave the WAL's `-wal` and `-shm` files behind, since only a connection
that may write removes them as it closes last. Other databases, or a file sqlite3 refuses,
are read through `Ledger.reading` (and written through `Ledger`); `tests/test_unchanged.py`
compares the two readings, and the two writings.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metis_distill.ledger.where import head_revision, read_only_uri, sqlite_file, writable
from metis_distill.statuses import DistillStatus, ProposalState

if TYPE_CHECKING:
    from metis_distill.ledger.core import Ledger


@dataclass(frozen=True)
class Copied:
    archive_path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Glance:
    last_status: str | None  # of the target's last distill run; None: never run
    last_summary: Mapping[str, Any]
    last_proposal: int | None
    pending: frozenset[int]  # the target's proposals waiting for review
    copies: Mapping[str, Copied]  # source path -> its copy in the archive
    files: Mapping[str, tuple[int, int]]  # archive path -> (size, mtime_ns) when read


@dataclass(frozen=True)
class QuietRun:
    """A distill that found nothing new: done as soon as it began."""

    target: str
    message: str
    summary: Mapping[str, int | str]
    at: datetime  # aware UTC
    host: str
    pid: int
    flow_run_id: str | None = None


def glance(url: str, target: str, archive_root: str) -> Glance | None:
    """The ledger's facts for the check; None when the ledger cannot be read as it is (its
    schema is not the newest, or the database refuses)."""
    path = sqlite_file(url)
    if path is not None:
        if not path.exists():
            return Glance(None, {}, None, frozenset(), {}, {})
        try:
            return _from_sqlite(path, target, archive_root)
        except sqlite3.Error:
            pass  # the full reader decides
    return _from_ledger(url, target, archive_root)


def _connect(path: Path) -> sqlite3.Connection:
    """The existing ledger file, opened so that it may be written but never created."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)


def _from_sqlite(path: Path, target: str, archive_root: str) -> Glance | None:
    connection = _connect(path)
    try:
        versions = [v for (v,) in connection.execute("SELECT version_num FROM alembic_version")]
        if versions != [head_revision()]:
            return None
        last = connection.execute(
            "SELECT status, summary, proposal_id FROM distill_runs WHERE target = ?"
            " AND status != ? ORDER BY id DESC LIMIT 1",
            (target, DistillStatus.NOTHING_NEW.value),
        ).fetchone()
        pending = connection.execute(
            "SELECT id FROM proposals WHERE status = ? AND target = ?",
            (ProposalState.PENDING.value, target),
        )
        copies = connection.execute(
            "SELECT source, archive_path, size, mtime_ns FROM archive_copies"
        )
        files = connection.execute(
            "SELECT path, size, mtime_ns FROM files WHERE archive_root = ?", (archive_root,)
        )
        return Glance(
            last_status=last[0] if last else None,
            last_summary=(json.loads(last[1]) or {}) if last and last[1] else {},
            last_proposal=last[2] if last else None,
            pending=frozenset(p for (p,) in pending),
            copies={s: Copied(a, size, mtime) for s, a, size, mtime in copies},
            files={p: (size, mtime) for p, size, mtime in files},
        )
    finally:
        connection.close()


def _from_ledger(url: str, target: str, archive_root: str) -> Glance | None:
    from sqlalchemy.exc import SQLAlchemyError

    from metis_distill.ledger.core import Ledger
    from metis_distill.ledger.engine import LedgerError

    try:
        return _read(Ledger.reading(url), target, archive_root)
    except (SQLAlchemyError, LedgerError):
        return None


def _read(ledger: Ledger, target: str, archive_root: str) -> Glance:
    with ledger:
        last = ledger.last_distill_run(target, nothing_new=False)
        return Glance(
            last_status=last.status if last else None,
            last_summary=last.summary if last else {},
            last_proposal=last.proposal_id if last else None,
            pending=frozenset(p.id for p in ledger.pending_proposals(target)),
            copies={
                s: Copied(c.archive_path, c.size, c.mtime_ns) for s, c in ledger.copies().items()
            },
            files={p: (f.size, f.mtime_ns) for p, f in ledger.file_rows(archive_root).items()},
        )


def serves(url: str, data_dir: Path) -> bool:
    """Whether a SQLite ledger is known to serve `data_dir` (its paths point into it), or does
    not exist yet; False when unsure (then `ledger.moves.follow_move` decides)."""
    path = sqlite_file(url)
    if path is None:
        return False
    if not path.exists():
        return True
    try:
        connection = (
            _connect(path)
            if writable(path.parent)
            else sqlite3.connect(read_only_uri(path), uri=True)  # a read-only disk
        )
        try:
            row = connection.execute("SELECT value FROM meta WHERE key = 'data_dir'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return row is not None and json.loads(row[0]) == str(data_dir.expanduser().resolve())


def record_nothing_new(url: str, run: QuietRun) -> bool:
    """Put the run on record as the target's last; False when the ledger refuses (the run
    itself is not the worse for it: nothing is left half written)."""
    path = sqlite_file(url)
    if path is not None and path.exists():
        try:
            _insert_sqlite(path, run)
            return True
        except sqlite3.Error:
            pass  # the full writer tries
    return _insert_ledger(url, run)


def _insert_sqlite(path: Path, run: QuietRun) -> None:
    connection = _connect(path)
    try:
        with connection:
            connection.execute(
                "INSERT INTO distill_runs (target, status, message, flow_run_id, summary,"
                " started_at, finished_at, host, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.target,
                    DistillStatus.NOTHING_NEW.value,
                    run.message,
                    run.flow_run_id,
                    json.dumps(dict(run.summary)),
                    _stored_time(run.at),
                    _stored_time(run.at),
                    run.host,
                    run.pid,
                ),
            )
    finally:
        connection.close()


def _stored_time(moment: datetime) -> str:
    """As SQLAlchemy stores a UTC time in SQLite (naive, with microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert_ledger(url: str, run: QuietRun) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    from metis_distill.ledger.core import Ledger
    from metis_distill.ledger.engine import LedgerError

    try:
        with Ledger(url) as ledger:
            ledger.record_nothing_new(run)
    except (SQLAlchemyError, LedgerError):
        return False
    return True

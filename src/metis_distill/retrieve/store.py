"""A consistent, read-only snapshot of the ledger's lessons and their evidence.

The ledger is opened with SQLite's `mode=ro`: nothing is created, migrated or written, and a
distill writing at the same time (WAL) is neither blocked nor seen half-way. Lessons and
evidence are read in one transaction, so they come from the same committed state.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from metis_distill.errors import MetisError
from metis_distill.ledger import EvidenceRow, LessonRow, LessonView

LEDGER_FILE = "ledger.sqlite"


class RetrieveError(MetisError):
    """The lessons cannot be read (no ledger yet, or one this version cannot read)."""


@dataclass(frozen=True)
class Snapshot:
    """Every lesson (any status) with all its evidence, earliest first, as of one instant."""

    lessons: tuple[LessonView, ...]

    def get(self, lesson_id: str) -> LessonView | None:
        return next((v for v in self.lessons if v.id == lesson_id), None)


def ledger_path(data_dir: Path) -> Path:
    return data_dir / LEDGER_FILE


def read_only_engine(path: Path) -> Engine:
    """An engine on an existing SQLite file that can only read it (`mode=ro`)."""
    if not path.is_file():
        raise RetrieveError(
            f"no ledger at {path}: nothing has been distilled into this data dir yet",
            hint="run `metis distill` first, or pass the --data-dir it used",
        )
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
        connection.execute("PRAGMA query_only=ON")
        return connection

    engine = create_engine("sqlite://", creator=connect)
    # pysqlite would not start a transaction before a SELECT: say BEGIN ourselves, so that
    # every query of one session reads the same committed state.
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def load_snapshot(engine: Engine) -> Snapshot:
    """All lessons and evidence, read in one transaction."""
    try:
        with Session(engine, expire_on_commit=False) as db, db.begin():
            lessons = list(db.scalars(select(LessonRow).order_by(LessonRow.id)))
            evidence = db.scalars(
                select(EvidenceRow).order_by(EvidenceRow.timestamp, EvidenceRow.id)
            )
            by_lesson: dict[str, list[EvidenceRow]] = defaultdict(list)
            for row in evidence:
                by_lesson[row.lesson_id].append(row)
    except DBAPIError as e:
        raise RetrieveError(
            f"cannot read the ledger: {e.orig}",
            hint="run `metis distill` once with this version of metis to bring it up to date",
        ) from e
    return Snapshot(tuple(_view(row, by_lesson[row.id]) for row in lessons))


def _view(row: LessonRow, evidence: list[EvidenceRow]) -> LessonView:
    return LessonView(
        row.id,
        row.kind,
        row.text,
        row.status,
        row.severity,
        row.first_seen,
        row.last_seen,
        tuple(evidence),
    )


class LessonStore:
    """Snapshots of one data dir's ledger, read-only; a fresh snapshot per call."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.engine = read_only_engine(ledger_path(data_dir))

    def snapshot(self) -> Snapshot:
        return load_snapshot(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> LessonStore:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

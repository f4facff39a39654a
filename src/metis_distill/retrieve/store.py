"""A consistent, read-only snapshot of the ledger's lessons and their evidence.

A SQLite ledger is opened with SQLite's `mode=ro` and `query_only`: nothing is created,
migrated or written, and a distill writing at the same time (WAL) is neither blocked nor seen
half-way. Lessons and evidence are read in one transaction, so they come from the same
committed state; `PRAGMA data_version` tells when another process has committed since, so a
long-lived reader re-reads only then. A ledger on a database server (`ledger_url`) is read
through SQLAlchemy, in one REPEATABLE READ transaction, and compared with the last read.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from metis_distill.conversations import support
from metis_distill.errors import MetisError
from metis_distill.ledger.where import read_only_uri, sqlite_file
from metis_distill.linked_evidence import strongest

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

LEDGER_FILE = "ledger.sqlite"
LESSON_COLUMNS = (
    "id",
    "kind",
    "text",
    "status",
    "severity",
    "first_seen",
    "last_seen",
    "scope",
    "fix",
)
EVIDENCE_COLUMNS = (
    "id",
    "lesson_id",
    "archive_root",
    "path",
    "line_start",
    "line_end",
    "native_id",
    "quote",
    "session_id",
    "cwd",
    "timestamp",
    "shows_fix",
)


class RetrieveError(MetisError):
    """The lessons cannot be read (no ledger yet, or one this version cannot read)."""


@dataclass(frozen=True)
class Evidence:
    """A row of the ledger's `evidence` table, as read (plain data: no ORM on this path)."""

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
    shows_fix: bool = False  # its span shows the fix the lesson states


@dataclass(frozen=True)
class Lesson:
    """A row of the `lessons` table with all its evidence, earliest first."""

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

    @property
    def support(self) -> int:
        """Distinct sessions that taught it (contract 3)."""
        return support(self.evidence)

    @property
    def strongest(self) -> Evidence | None:
        """The evidence its rendered line links to (None for a lesson with none)."""
        return strongest(self.text, self.evidence) if self.evidence else None


@dataclass(frozen=True)
class Snapshot:
    """Every lesson (any status) with all its evidence, earliest first, as of one instant."""

    lessons: tuple[Lesson, ...]
    version: int = 0  # a new number whenever the snapshot was read again after a change

    def get(self, lesson_id: str) -> Lesson | None:
        return next((v for v in self.lessons if v.id == lesson_id), None)


def ledger_path(data_dir: Path) -> Path:
    return data_dir / LEDGER_FILE


Rows = tuple[Any, Sequence[Any], Sequence[Any]]  # what tells a change, the lessons, their evidence


class LedgerRows(Protocol):
    """Where the rows come from: `read` gives None when nothing changed since `since`."""

    def read(self, since: Any) -> Rows | None: ...

    def close(self) -> None: ...


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection to an existing SQLite file that can only read it."""
    if not path.is_file():
        raise RetrieveError(
            f"no ledger at {path}: nothing has been distilled into this data dir yet",
            hint="run `metis distill` first, or pass the --data-dir it used",
        )
    connection = sqlite3.connect(
        read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA busy_timeout=30000")
    connection.execute("PRAGMA query_only=ON")
    return connection


class SqliteRows:
    """A SQLite ledger read with sqlite3 alone (no SQLAlchemy on the search path)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = connect_read_only(path)

    def read(self, since: Any) -> Rows | None:
        db = self._connection
        try:
            db.execute("BEGIN")  # both SELECTs read the same committed state
            try:
                version = int(db.execute("PRAGMA data_version").fetchone()[0])
                if version == since:
                    return None
                lessons = db.execute(
                    f"SELECT {', '.join(LESSON_COLUMNS)} FROM lessons ORDER BY id"
                ).fetchall()
                evidence = db.execute(
                    f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM evidence ORDER BY timestamp, id"
                ).fetchall()
            finally:
                db.execute("COMMIT")
        except sqlite3.Error as e:
            raise RetrieveError(
                f"cannot read the ledger at {self.path}: {e}",
                hint="run `metis distill` once with this version of metis to update it",
            ) from e
        return version, lessons, evidence

    def close(self) -> None:
        self._connection.close()


class DatabaseRows:
    """A ledger on a database server (`ledger_url`), read through SQLAlchemy: its schema
    checked, never migrated or written."""

    def __init__(self, url: str) -> None:
        from metis_distill.ledger.engine import check_schema, connect, reaching, shown_url

        self.url = url
        self._engine: Engine = connect(url)
        with reaching(url):
            check_schema(self._engine, f"at {shown_url(url)}")

    def read(self, since: Any) -> Rows | None:
        from sqlalchemy import select

        from metis_distill.ledger.engine import reaching
        from metis_distill.ledger.schema import Base

        lessons, evidence = Base.metadata.tables["lessons"], Base.metadata.tables["evidence"]
        with reaching(self.url), self._engine.connect() as connection:
            snapshot = connection.execution_options(isolation_level="REPEATABLE READ")
            with snapshot.begin():  # both SELECTs read the same committed state
                rows = (
                    snapshot.execute(
                        select(*(lessons.c[n] for n in LESSON_COLUMNS)).order_by(lessons.c.id)
                    ).all(),
                    snapshot.execute(
                        select(*(evidence.c[n] for n in EVIDENCE_COLUMNS)).order_by(
                            evidence.c.timestamp.nulls_first(), evidence.c.id
                        )
                    ).all(),
                )
        return None if rows == since else (rows, *rows)

    def close(self) -> None:
        self._engine.dispose()


class LessonStore:
    """Snapshots of one ledger, read-only, re-read only after a commit."""

    def __init__(self, ledger_url: str) -> None:
        path = sqlite_file(ledger_url)
        self._rows: LedgerRows = SqliteRows(path) if path is not None else DatabaseRows(ledger_url)
        self._lock = threading.Lock()
        self._cached: tuple[Any, Snapshot] | None = None
        self._reads = 0

    @classmethod
    def at(cls, data_dir: Path) -> LessonStore:
        """The store of a data dir's own SQLite ledger."""
        return cls(f"sqlite:///{ledger_path(data_dir)}")

    def snapshot(self) -> Snapshot:
        with self._lock:
            cached = self._cached
            read = self._rows.read(cached[0] if cached is not None else None)
            if read is None and cached is not None:
                return cached[1]
            assert read is not None
            since, lessons, evidence = read
            self._reads += 1
            snapshot = Snapshot(_lessons(lessons, evidence), self._reads)
            self._cached = (since, snapshot)
            return snapshot

    def close(self) -> None:
        self._rows.close()

    def __enter__(self) -> LessonStore:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def _lessons(lessons: Sequence[Any], evidence: Sequence[Any]) -> tuple[Lesson, ...]:
    by_lesson: dict[str, list[Evidence]] = defaultdict(list)
    for row in evidence:
        values = dict(zip(EVIDENCE_COLUMNS, row, strict=True))
        values["timestamp"] = _time(values["timestamp"])
        values["shows_fix"] = bool(values["shows_fix"])
        by_lesson[values["lesson_id"]].append(Evidence(**values))
    return tuple(
        Lesson(
            id,
            kind,
            text,
            status,
            severity,
            _time(first),
            _time(last),
            tuple(by_lesson[id]),
            _scope(scope),
            fix,
        )
        for id, kind, text, status, severity, first, last, scope, fix in lessons
    )


def _time(value: str | datetime | None) -> datetime | None:
    """Times are stored as naive UTC (see `ledger.UTCDateTime`): text, as SQLite gives them."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value else None


def _scope(value: str | list[str] | None) -> tuple[str, ...]:
    """A JSON list: text, as SQLite gives it."""
    return tuple(json.loads(value) if isinstance(value, str) else value or ())

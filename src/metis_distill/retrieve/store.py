"""A consistent, read-only snapshot of the ledger's lessons and their evidence.

The ledger is opened with SQLite's `mode=ro` and `query_only`: nothing is created, migrated
or written, and a distill writing at the same time (WAL) is neither blocked nor seen
half-way. Lessons and evidence are read in one transaction, so they come from the same
committed state; `PRAGMA data_version` tells when another process has committed since, so a
long-lived reader re-reads only then.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from metis_distill.conversations import support
from metis_distill.errors import MetisError

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


@dataclass(frozen=True)
class Snapshot:
    """Every lesson (any status) with all its evidence, earliest first, as of one instant."""

    lessons: tuple[Lesson, ...]
    version: int = 0  # a new number whenever the snapshot was read again after a change

    def get(self, lesson_id: str) -> Lesson | None:
        return next((v for v in self.lessons if v.id == lesson_id), None)


def ledger_path(data_dir: Path) -> Path:
    return data_dir / LEDGER_FILE


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection to an existing SQLite file that can only read it."""
    if not path.is_file():
        raise RetrieveError(
            f"no ledger at {path}: nothing has been distilled into this data dir yet",
            hint="run `metis distill` first, or pass the --data-dir it used",
        )
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=30000")
    connection.execute("PRAGMA query_only=ON")
    return connection


class LessonStore:
    """Snapshots of one data dir's ledger, read-only, re-read only after a commit."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._connection = connect_read_only(ledger_path(data_dir))
        self._lock = threading.Lock()
        self._cached: tuple[int, Snapshot] | None = None
        self._reads = 0

    def snapshot(self) -> Snapshot:
        with self._lock:
            try:
                return self._snapshot()
            except sqlite3.Error as e:
                raise RetrieveError(
                    f"cannot read the ledger at {ledger_path(self.data_dir)}: {e}",
                    hint="run `metis distill` once with this version of metis to update it",
                ) from e

    def _snapshot(self) -> Snapshot:
        db = self._connection
        db.execute("BEGIN")  # both SELECTs read the same committed state
        try:
            version = int(db.execute("PRAGMA data_version").fetchone()[0])
            if self._cached is not None and self._cached[0] == version:
                return self._cached[1]
            lessons = db.execute(
                f"SELECT {', '.join(LESSON_COLUMNS)} FROM lessons ORDER BY id"
            ).fetchall()
            evidence = db.execute(
                f"SELECT {', '.join(EVIDENCE_COLUMNS)} FROM evidence ORDER BY timestamp, id"
            ).fetchall()
        finally:
            db.execute("COMMIT")
        self._reads += 1
        snapshot = Snapshot(_lessons(lessons, evidence), self._reads)
        self._cached = (version, snapshot)
        return snapshot

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> LessonStore:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def _lessons(lessons: list[Any], evidence: list[Any]) -> tuple[Lesson, ...]:
    by_lesson: dict[str, list[Evidence]] = defaultdict(list)
    for row in evidence:
        values = dict(zip(EVIDENCE_COLUMNS, row, strict=True))
        values["timestamp"] = _time(values["timestamp"])
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
            tuple(json.loads(scope)) if scope else (),
            fix,
        )
        for id, kind, text, status, severity, first, last, scope, fix in lessons
    )


def _time(value: str | None) -> datetime | None:
    """Times are stored as naive UTC text (see `ledger.UTCDateTime`)."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None

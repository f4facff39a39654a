"""The ledger: one object over the four repositories, opened to write (its schema upgraded
first) or to read (never created, migrated or written)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from metis_distill.faults import checkpoint
from metis_distill.ledger.engine import check_schema, connect, migrate, reaching, shown_url
from metis_distill.ledger.files import FileRepository
from metis_distill.ledger.lessons import LessonRepository
from metis_distill.ledger.proposals import ProposalRepository
from metis_distill.ledger.runs import RunRepository
from metis_distill.ledger.schema import MetaRow
from metis_distill.ledger.where import sqlite_file

SCHEMA_VERSION = 1
MEMORY = "sqlite://"


class Ledger(FileRepository, LessonRepository, ProposalRepository, RunRepository):
    """Typed access to the ledger's tables. `Ledger(url)` opens it to write: the schema is
    upgraded first. `Ledger.reading(url)` opens it to read only. Either is a context manager
    that closes it."""

    def __init__(self, url: str, *, upgrade: bool = True) -> None:
        self.url = url
        path = sqlite_file(url)
        if path is not None and upgrade:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = connect(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        with reaching(url):  # the first connection: a server that is down is said here
            if not upgrade:
                check_schema(self.engine, str(path) if path is not None else f"at {shown_url(url)}")
                return
            migrate(self.engine)
            with self.session() as db:
                if db.get(MetaRow, "schema_version") is None:
                    db.add(MetaRow(key="schema_version", value=json.dumps(SCHEMA_VERSION)))

    @classmethod
    def at(cls, data_dir: Path) -> Ledger:
        return cls(f"sqlite:///{data_dir / 'ledger.sqlite'}")

    @classmethod
    def reading(cls, url: str) -> Ledger:
        """The ledger to read: its schema must be the newest (reading never migrates). A
        SQLite ledger not created yet reads as an empty one, held in memory."""
        path = sqlite_file(url)
        if path is not None and not path.exists():
            return cls(MEMORY)
        return cls(url, upgrade=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as db, db.begin():
            yield db
        checkpoint("ledger:committed")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

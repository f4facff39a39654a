"""The ledger: one object over the four repositories, opened to write (its schema upgraded
first) or to read (never created, migrated or written)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from metis_distill.faults import checkpoint
from metis_distill.ledger.engine import (
    check_schema,
    connect,
    connect_read_only,
    migrate,
    reaching,
    shown_url,
)
from metis_distill.ledger.files import FileRepository
from metis_distill.ledger.lessons import LessonRepository
from metis_distill.ledger.proposals import ProposalRepository
from metis_distill.ledger.runs import RunRepository
from metis_distill.ledger.schema import MetaRow
from metis_distill.ledger.where import read_only_uri, sqlite_file, writable

SCHEMA_VERSION = 1
MEMORY = "sqlite://"


class Ledger(FileRepository, LessonRepository, ProposalRepository, RunRepository):
    """Typed access to the ledger's tables. `Ledger(url)` opens it to write: the schema is
    upgraded first. `Ledger.reading(url)` opens it to read only. Either is a context manager
    that closes it."""

    def __init__(self, url: str, *, upgrade: bool = True, engine: Engine | None = None) -> None:
        self.url = url
        path = sqlite_file(url)
        if path is not None and upgrade and engine is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = engine or (
            connect_read_only(path)  # opened read-write, SQLite could not make the WAL's files
            if path is not None and not upgrade and not writable(path.parent)
            else connect(url)
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if engine is not None:  # a copy of the ledger at `url` (its schema checked already)
            return
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

    def copied(self) -> Ledger:
        """This SQLite ledger copied into memory: what is written to the copy (a reading
        command's paths re-pointed into a data dir that was moved) never reaches the file."""
        path = sqlite_file(self.url)
        assert path is not None, "only a SQLite ledger is copied"
        memory = sqlite3.connect(":memory:", check_same_thread=False)
        with closing(sqlite3.connect(read_only_uri(path), uri=True)) as source:
            source.backup(memory)
        engine = create_engine("sqlite://", creator=lambda: memory, poolclass=StaticPool)
        return Ledger(self.url, engine=engine)

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

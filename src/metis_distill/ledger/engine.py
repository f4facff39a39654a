"""Connecting to the ledger: the engine, and its schema brought to the newest alembic revision
(by the commands that write) or only checked (by the commands that read)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine

from metis_distill.errors import MetisError
from metis_distill.ledger.where import MIGRATIONS, head_revision, read_only_uri

UPGRADING = "`metis distill` or `metis archive`"  # the commands that bring a ledger up to date


class LedgerError(MetisError):
    """The ledger cannot be read as it is (its schema is older or newer than this metis)."""


def connect(url: str) -> Engine:
    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def connect_read_only(path: Path) -> Engine:
    """A SQLite ledger opened so that it can only be read (it may be on a read-only disk)."""
    engine = create_engine(f"sqlite:///{read_only_uri(path)}&uri=true")
    event.listen(engine, "connect", _sqlite_read_only_pragmas)
    return engine


def shown_url(url: str) -> str:
    """The URL as a message may show it: without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def reaching(url: str) -> Iterator[None]:
    """A database server that does not answer (a nightly while it is down) is an ordinary
    event: one line saying which ledger and what to do, not a traceback. SQLite's own
    operational errors are not about reaching anything and go on as they are."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        yield
    except (OperationalError, InterfaceError) as e:
        if url.startswith("sqlite"):
            raise
        reason = str(e.orig or e).strip().splitlines()[0]
        raise LedgerError(
            f"cannot reach the ledger at {shown_url(url)}: {reason}",
            hint="start its database server, or correct ledger_url (METIS_LEDGER_URL)",
        ) from e


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def current_revision(engine: Engine) -> str | None:
    """The ledger's revision, read from alembic's table (as alembic reads it, without
    importing alembic); None for a ledger without a schema."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        versions = list(found)
    if len(versions) > 1:  # branches: alembic says what it makes of them
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    return versions[0] if versions else None


def migrate(engine: Engine) -> None:
    """Bring the ledger's schema to the newest alembic revision (a no-op when it is there),
    in one transaction with its version record: a kill leaves the old schema or the new."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    if current_revision(engine) == head:  # read without a lock: the usual case
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection, _schema_transaction(connection):
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:  # another process upgraded it while this one waited
            return
        if current is None and connection.dialect.name == "sqlite":
            _drop_an_unfinished_setup(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _schema_transaction(connection: Connection) -> Iterator[None]:
    """A transaction that holds DDL. pysqlite begins none before a CREATE TABLE, so each table
    would commit alone, and a kill between two left tables without their revision (every later
    run then stopped on `table … already exists`). On SQLite it is begun by hand, IMMEDIATE:
    a second process setting up the same ledger waits, then finds it done."""
    if connection.dialect.name != "sqlite":
        with connection.begin():
            yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    level = driver.isolation_level
    driver.isolation_level = None  # pysqlite begins and commits nothing by itself
    try:
        with connection.begin():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
    finally:
        driver.isolation_level = level


def _drop_an_unfinished_setup(connection: Connection) -> None:
    """A SQLite ledger with tables but no revision is a first set-up an older metis was killed
    in (its tables were committed one by one): they hold no row, and are made again."""
    from metis_distill.ledger.schema import Base

    tables = [t for t in inspect(connection).get_table_names() if t in Base.metadata.tables]
    for table in tables:
        if connection.exec_driver_sql(f'SELECT 1 FROM "{table}" LIMIT 1').first() is not None:
            raise LedgerError(
                f"the ledger {connection.engine.url.database} has rows in table {table} but"
                " no schema revision",
                hint="move ledger.sqlite aside and run again: a new ledger is made",
            )
    for table in tables:
        connection.exec_driver_sql(f'DROP TABLE "{table}"')


def check_schema(engine: Engine, where: str) -> None:
    """Refuse to read a ledger whose schema is not the newest: reading never migrates."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    state = f"at schema revision {current}" if current else "without a schema"
    raise LedgerError(
        f"the ledger {where} is {state}; this version of metis reads revision {head}",
        hint=f"run {UPGRADING} once: they upgrade the ledger (reading commands never change it)",
    )

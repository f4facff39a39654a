"""Connecting to the ledger: the engine, and its schema brought to the newest alembic revision
(by the commands that write) or only checked (by the commands that read)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine

from metis_distill.errors import MetisError
from metis_distill.ledger.where import MIGRATIONS, head_revision

UPGRADING = "`metis distill` or `metis archive`"  # the commands that bring a ledger up to date


class LedgerError(MetisError):
    """The ledger cannot be read as it is (its schema is older or newer than this metis)."""


def connect(url: str) -> Engine:
    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
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
    """Bring the ledger's schema to the newest alembic revision (a no-op when it is there)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = head_revision()
    with engine.begin() as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


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

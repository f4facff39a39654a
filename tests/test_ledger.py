from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from metis_distill.ledger import Base, Ledger


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    ledger = Ledger.at(tmp_path)
    with ledger.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == [], "a model changed without a migration: add an alembic revision"
        assert MigrationContext.configure(connection).get_current_revision() is not None
    assert {"files", "lessons", "evidence", "proposals", "versions"} <= set(
        inspect(ledger.engine).get_table_names()
    )


def test_reopening_an_existing_ledger_keeps_its_data(tmp_path: Path) -> None:
    ledger = Ledger.at(tmp_path)
    ledger.add_version("/t/CLAUDE.md", "text", "abc", "accepted")
    ledger.close()
    again = Ledger.at(tmp_path)
    assert [v.content for v in again.versions("/t/CLAUDE.md")] == ["text"]

"""Alembic environment for the ledger: run programmatically by `Ledger`, never by hand."""

from __future__ import annotations

from alembic import context

from metis_distill.ledger import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()

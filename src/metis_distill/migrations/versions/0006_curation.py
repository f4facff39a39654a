"""curation: retired lessons keep why and what replaced them; recovery metrics

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import metis_distill.ledger

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(sa.Column("retired_reason", sa.String(), nullable=True))
        batch.add_column(sa.Column("retired_by", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("retired_at", metis_distill.ledger.UTCDateTime(), nullable=True))
    op.create_table(
        "recoveries",
        sa.Column("archive_root", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("cwd", sa.String(), nullable=True),
        sa.Column("failure_class", sa.String(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("failed_at", metis_distill.ledger.UTCDateTime(), nullable=True),
        sa.Column("recovered_at", metis_distill.ledger.UTCDateTime(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("archive_root", "path", "line"),
    )
    with op.batch_alter_table("recoveries") as batch:
        batch.create_index(batch.f("ix_recoveries_failure_class"), ["failure_class"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recoveries") as batch:
        batch.drop_index(batch.f("ix_recoveries_failure_class"))
    op.drop_table("recoveries")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_column("retired_at")
        batch.drop_column("retired_by")
        batch.drop_column("retired_reason")

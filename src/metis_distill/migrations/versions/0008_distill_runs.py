"""distill runs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 16:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import metis_distill.ledger

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "distill_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("flow_run_id", sa.String(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("started_at", metis_distill.ledger.UTCDateTime(), nullable=False),
        sa.Column("finished_at", metis_distill.ledger.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("distill_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_distill_runs_target"), ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("distill_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distill_runs_target"))
    op.drop_table("distill_runs")

"""extract queue: the requests of a run's one Message Batch

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-24 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import metis_distill.ledger

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extract_queue",
        sa.Column("custom_id", sa.String(), nullable=False),
        sa.Column("span_sha256", sa.String(length=64), nullable=False),
        sa.Column("prompt_version", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", metis_distill.ledger.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("custom_id"),
    )


def downgrade() -> None:
    op.drop_table("extract_queue")

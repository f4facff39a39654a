"""refusals: a lesson refused for one context file while another keeps it

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-05 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import metis_distill.ledger

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refusals",
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("lesson_id", sa.String(length=10), nullable=False),
        sa.Column("how", sa.String(), nullable=False),
        sa.Column("created_at", metis_distill.ledger.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("target", "lesson_id"),
    )
    op.create_index("ix_refusals_lesson_id", "refusals", ["lesson_id"])


def downgrade() -> None:
    op.drop_index("ix_refusals_lesson_id", table_name="refusals")
    op.drop_table("refusals")

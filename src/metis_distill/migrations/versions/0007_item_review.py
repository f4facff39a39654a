"""item-by-item review: proposal items, layouts, learned wordings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import metis_distill.ledger

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(), nullable=False, server_default="distill")
        )
        batch_op.add_column(sa.Column("layout", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "proposal_items",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("lesson_id", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("decided_at", metis_distill.ledger.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.PrimaryKeyConstraint("proposal_id", "number"),
    )
    with op.batch_alter_table("proposal_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_items_lesson_id"), ["lesson_id"], unique=False
        )
    op.create_table(
        "lesson_wordings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("lesson_id", sa.String(length=10), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("how", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("created_at", metis_distill.ledger.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lesson_wordings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lesson_wordings_lesson_id"), ["lesson_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lesson_wordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_wordings_lesson_id"))
    op.drop_table("lesson_wordings")
    with op.batch_alter_table("proposal_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_items_lesson_id"))
    op.drop_table("proposal_items")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("layout")
        batch_op.drop_column("origin")

"""each extract run's spend held for calls in flight (a cap counts a call before it is sent)

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("extract_runs") as batch:
        batch.add_column(
            sa.Column("reserved_tokens", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("reserved_usd", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("extract_runs") as batch:
        batch.drop_column("reserved_usd")
        batch.drop_column("reserved_tokens")

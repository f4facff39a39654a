"""each extract run's cost in US dollars, summed as calls return (USD caps, spend by day)

Revision ID: 0050
Revises: 0033
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("extract_runs") as batch:
        batch.add_column(sa.Column("cost_usd", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("extract_runs") as batch:
        batch.drop_column("cost_usd")

"""lesson fix: a failure's remedy, when a run showed it causing success; which evidence shows it

Revision ID: 0020
Revises: 0011
Create Date: 2026-12-02 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(sa.Column("fix", sa.Text(), nullable=True))
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(
            sa.Column("shows_fix", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("shows_fix")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_column("fix")

"""article.date_only: the source gave only the day of publication (no time), so it is shown
as a date, never with an invented 00:00

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not a batch: on SQLite a batch would copy the table and lose the
# full-text search triggers on `article`.
def upgrade() -> None:
    op.add_column(
        "article",
        sa.Column("date_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("article", "date_only")

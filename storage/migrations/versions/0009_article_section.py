"""article_section: the news sections of each article (technology, sport, ...) with the
classifier's confidence, indexed by (section, article_id) for section subscriptions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_section",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "section"),
    )
    op.create_index(
        "ix_article_section_section", "article_section", ["section", "article_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_article_section_section", table_name="article_section")
    op.drop_table("article_section")

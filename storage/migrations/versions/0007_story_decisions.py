"""article.story_terms / story_similarity / story_why: what the story clustering saw in an
article (its weighted terms, the index's input) and why it joined or started its story

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("story_terms", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("story_similarity", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("story_why", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("story_why")
        batch_op.drop_column("story_similarity")
        batch_op.drop_column("story_terms")

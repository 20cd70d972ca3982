"""sent_story: keyed by (chat_id, story_id), without the surrogate id (WITHOUT ROWID on
SQLite): a tick writes a million of these rows, and each had two b-trees to update

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "chat_id, story_id, digest_id, sent_at"


def _foreign_keys() -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(["chat_id"], ["chat.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["digest_id"], ["digest.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], ondelete="CASCADE"),
    ]


def upgrade() -> None:
    op.create_table(
        "sent_story_new",
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint("chat_id", "story_id", name="pk_sent_story"),
        sqlite_with_rowid=False,
    )
    op.execute(f"INSERT INTO sent_story_new ({_COLUMNS}) SELECT {_COLUMNS} FROM sent_story")
    op.drop_table("sent_story")
    op.rename_table("sent_story_new", "sent_story")


def downgrade() -> None:
    op.create_table(
        "sent_story_old",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "story_id", name="uq_sent_story"),
    )
    op.execute(f"INSERT INTO sent_story_old ({_COLUMNS}) SELECT {_COLUMNS} FROM sent_story")
    op.drop_table("sent_story")
    op.rename_table("sent_story_old", "sent_story")

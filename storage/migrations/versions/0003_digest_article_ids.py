"""digest: the articles a digest showed and held back for /more become two id lists on the
digest row (article_ids, more_ids) instead of digest_item rows; index digests by chat

A tick writes 100 000 digests; a row per item was about two million rows a tick, for lists
that are only ever read whole (/more, history).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("article_ids", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("more_ids", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index("ix_digest_chat", ["chat_id", "id"], unique=False)
    for column, shown in (("article_ids", True), ("more_ids", False)):
        if op.get_bind().dialect.name == "postgresql":
            ids = (
                "SELECT string_agg(i.article_id::text, ',' ORDER BY i.rank) FROM digest_item i "
                f"WHERE i.digest_id = digest.id AND i.shown = {str(shown).lower()}"
            )
        else:
            ids = (
                "SELECT group_concat(article_id, ',') FROM (SELECT i.article_id FROM digest_item "
                f"i WHERE i.digest_id = digest.id AND i.shown = {int(shown)} ORDER BY i.rank)"
            )
        op.execute(f"UPDATE digest SET {column} = coalesce(({ids}), '')")
    op.drop_table("digest_item")


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, article_ids, more_ids FROM digest")).all()
    existing = {int(r[0]) for r in bind.execute(sa.text("SELECT id FROM article")).all()}
    # columns first: SQLite rebuilds the table, which would cascade to digest_item rows
    with op.batch_alter_table("digest", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_chat")
        batch_op.drop_column("more_ids")
        batch_op.drop_column("article_ids")
    op.create_table(
        "digest_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["digest_id"], ["digest.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest_id", "article_id", name="uq_digest_item"),
    )
    items = []
    for digest_id, shown_ids, more_ids in rows:
        ids = [(int(a), True) for a in shown_ids.split(",") if a] + [
            (int(a), False) for a in more_ids.split(",") if a
        ]
        items += [
            {"digest_id": digest_id, "article_id": a, "rank": rank, "shown": shown}
            for rank, (a, shown) in enumerate(ids)
            if a in existing
        ]
    if items:
        bind.execute(
            sa.text(
                "INSERT INTO digest_item (digest_id, article_id, rank, shown) "
                "VALUES (:digest_id, :article_id, :rank, :shown)"
            ),
            items,
        )

"""chat.managing_chat_id: the channel a private chat manages (/channel), kept in the database
instead of the process's memory, so a restart (or another poller) keeps the link

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat", schema=None) as batch_op:
        batch_op.add_column(sa.Column("managing_chat_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_chat_managing_chat_id", "chat", ["managing_chat_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("chat", schema=None) as batch_op:
        batch_op.drop_constraint("fk_chat_managing_chat_id", type_="foreignkey")
        batch_op.drop_column("managing_chat_id")

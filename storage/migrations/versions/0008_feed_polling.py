"""feed.check_interval: how often this feed is checked, in seconds (`digestbot feeds set ID
--every 5m`; NULL keeps the global DIGESTBOT_FEED_INTERVAL); feed.hub_url, hub_topic,
websub_until, websub_requested_at: WebSub push from the hub a feed announces

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_interval", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hub_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("hub_topic", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("websub_until", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("websub_requested_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.drop_column("websub_requested_at")
        batch_op.drop_column("websub_until")
        batch_op.drop_column("hub_topic")
        batch_op.drop_column("hub_url")
        batch_op.drop_column("check_interval")

"""What was sent to whom, for operators: digests per chat, the outbox with its reasons, and
the counts `/stats` and `digestbot stats` both show. Read-only queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import articles as article_store
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage import subscriptions as sub_store
from storage.models import Chat, ChatState, Delivery, DeliveryStatus, Digest, Feed, FeedState


@dataclass(frozen=True)
class DigestLine:
    digest: Digest
    chat: Chat
    parts: dict[str, int]  # status → parts of this digest
    error: str | None  # the last reason a part of it failed or waits


async def digests_since(
    session: AsyncSession,
    *,
    since: datetime | None = None,
    chat_id: int | None = None,
    limit: int = 200,
) -> list[DigestLine]:
    """Digests built since `since` (of one chat), newest first, with their parts' outcome."""
    statement = select(Digest, Chat).join(Chat, col(Chat.id) == col(Digest.chat_id))
    if since is not None:
        statement = statement.where(col(Digest.created_at) >= since)
    if chat_id is not None:
        statement = statement.where(col(Digest.chat_id) == chat_id)
    rows = (await session.exec(statement.order_by(col(Digest.id).desc()).limit(limit))).all()
    ids = [digest.id for digest, _chat in rows if digest.id is not None]
    parts: dict[int, dict[str, int]] = {i: {} for i in ids}
    errors: dict[int, str] = {}
    if ids:
        outcomes = await session.exec(
            select(Delivery.digest_id, Delivery.status, Delivery.error).where(
                col(Delivery.digest_id).in_(ids)
            )
        )
        for digest_id, status, error in outcomes.all():
            if digest_id is None:
                continue
            parts[digest_id][status] = parts[digest_id].get(status, 0) + 1
            if error and status != DeliveryStatus.SENT:
                errors[digest_id] = error
    return [
        DigestLine(digest, chat, parts.get(digest.id or 0, {}), errors.get(digest.id or 0))
        for digest, chat in rows
    ]


async def outbox(
    session: AsyncSession, *, statuses: Sequence[str] = (), limit: int = 50
) -> list[tuple[Delivery, Chat]]:
    """Parts in the outbox, newest first (of these statuses)."""
    statement = select(Delivery, Chat).join(Chat, col(Chat.id) == col(Delivery.chat_id))
    if statuses:
        statement = statement.where(col(Delivery.status).in_(list(statuses)))
    rows = await session.exec(statement.order_by(col(Delivery.id).desc()).limit(limit))
    return [(delivery, chat) for delivery, chat in rows.all()]


@dataclass(frozen=True)
class Stats:
    chats: dict[str, int]  # active/paused/blocked
    subscriptions: int
    articles: int
    digests: int
    deliveries: dict[str, int]  # every delivery status
    feeds: dict[str, int]  # total/failing/erroring
    failure_reasons: list[tuple[str, int]] = field(default_factory=list)


async def stats(session: AsyncSession) -> Stats:
    chats = {state.value: await chat_store.count_chats(session, state=state) for state in ChatState}
    feeds_total = int((await session.exec(select(func.count()).select_from(Feed))).one())
    failing = await session.exec(
        select(func.count()).select_from(Feed).where(Feed.state == FeedState.FAILING)
    )
    erroring = await session.exec(
        select(func.count())
        .select_from(Feed)
        .where(Feed.state == FeedState.OK, col(Feed.error_count) > 0)
    )
    digests = int((await session.exec(select(func.count()).select_from(Digest))).one())
    return Stats(
        chats=chats,
        subscriptions=await sub_store.count_subscriptions(session),
        articles=await article_store.count_articles(session),
        digests=digests,
        deliveries=await delivery_store.delivery_counts(session),
        feeds={"total": feeds_total, "failing": int(failing.one()), "error": int(erroring.one())},
        failure_reasons=await delivery_store.failure_reasons(session, limit=3),
    )


def stats_lines(figures: Stats) -> list[str]:
    """The figures as plain lines (the CLI prints them; `/stats` escapes and bolds a title)."""
    delivery_states = ("pending", "sending", "sent", "failed", "parked")
    lines = [
        "Subscribers: "
        + ", ".join(f"{figures.chats.get(s, 0)} {s}" for s in ("active", "paused", "blocked")),
        f"Subscriptions: {figures.subscriptions}",
        f"Articles: {figures.articles}",
        f"Digests: {figures.digests}",
        "Deliveries: " + ", ".join(f"{figures.deliveries.get(k, 0)} {k}" for k in delivery_states),
        f"Feeds: {figures.feeds['total']}, {figures.feeds['failing']} failing, "
        f"{figures.feeds['error']} with an error",
    ]
    if figures.failure_reasons:
        lines.append(
            "Failed because: " + "; ".join(f"{r} ×{n}" for r, n in figures.failure_reasons)
        )
    return lines

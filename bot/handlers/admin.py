"""Admin-only commands (DIGESTBOT_ADMIN_IDS): /addfeed, /feeds, /removefeed, /stats."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from telegram import Update

from bot.context import CustomContext
from bot.handlers.common import args_text, esc, reply, usage
from ingest.fetch import FetchError, InvalidURLError, UnsafeURLError, check_url
from storage import articles as article_store
from storage import chats as chat_store
from storage import deliveries as delivery_store
from storage import feeds as feed_store
from storage import subscriptions as sub_store
from storage.models import ChatState, Feed, FeedCreate, FeedState

MAX_URL = 2000


async def _is_admin(update: Update, context: CustomContext) -> bool:
    user = update.effective_user
    if context.settings.is_admin(user.id if user else None):
        return True
    await reply(update, "That command is for the bot's admins.")
    return False


async def addfeed(update: Update, context: CustomContext) -> None:
    """Add a feed by URL (admins)."""
    if not await _is_admin(update, context):
        return
    url = args_text(context)
    try:
        if not url or len(url) > MAX_URL:
            raise InvalidURLError("no URL")
        await check_url(url, allow_private=context.settings.allow_private_urls)
    except InvalidURLError:
        await usage(update, "/addfeed <url>", "Give the feed's http(s) address.")
        return
    except UnsafeURLError as exc:
        await usage(update, "/addfeed <url>", f"I won't fetch that address: {exc}")
        return
    except FetchError as exc:  # e.g. a host name that does not resolve
        await usage(update, "/addfeed <url>", f"I can't reach that address: {exc}")
        return
    user = update.effective_user
    async with context.services.session() as session:
        feed, created = await feed_store.add_feed(
            session, data=FeedCreate(url=url, added_by=user.id if user else None)
        )
        await session.commit()
    if created:
        await reply(update, f"Added feed #{feed.id}: {esc(url)}\nIt is fetched within a minute.")
    else:
        await reply(update, f"That feed is already here as #{feed.id}.")


async def feeds(update: Update, context: CustomContext) -> None:
    """List feeds with their health (admins)."""
    if not await _is_admin(update, context):
        return
    async with context.services.session() as session:
        rows = await feed_store.list_feeds(session)
    if not rows:
        await reply(update, "No feeds yet. Add one with /addfeed <url>.")
        return
    lines = [f"<b>{len(rows)} feeds</b>"]
    for feed in rows[:50]:
        health = "✅ ok" if feed.state == FeedState.OK else f"⚠️ failing ×{feed.error_count}"
        line = f"#{feed.id} {esc(feed.title or feed.url)} — {health}"
        if feed.last_error and feed.state != FeedState.OK:
            line += f": {esc(feed.last_error[:120])}"
        lines.append(line)
    if len(rows) > 50:
        lines.append(f"… and {len(rows) - 50} more")
    await reply(update, "\n".join(lines))


async def removefeed(update: Update, context: CustomContext) -> None:
    """Remove a feed by id (admins)."""
    if not await _is_admin(update, context):
        return
    text = args_text(context).lstrip("#")
    if not text.isdigit():
        await usage(update, "/removefeed <id>", "Give the feed's number from /feeds.")
        return
    async with context.services.session() as session:
        removed = await feed_store.remove_feed(session, feed_id=int(text))
        await session.commit()
    if removed:
        await reply(update, f"Removed feed #{int(text)}.")
    else:
        await usage(update, "/removefeed <id>", f"There is no feed #{int(text)}.")


async def stats(update: Update, context: CustomContext) -> None:
    """Subscribers, articles, deliveries and feed errors (admins)."""
    if not await _is_admin(update, context):
        return
    async with context.services.session() as session:
        active = await chat_store.count_chats(session, state=ChatState.ACTIVE)
        paused = await chat_store.count_chats(session, state=ChatState.PAUSED)
        blocked = await chat_store.count_chats(session, state=ChatState.BLOCKED)
        subscriptions = await sub_store.count_subscriptions(session)
        articles = await article_store.count_articles(session)
        deliveries = await delivery_store.delivery_counts(session)
        reasons = await delivery_store.failure_reasons(session, limit=3)
        feeds_total = int((await session.exec(select(func.count()).select_from(Feed))).one())
        failing = await session.exec(
            select(func.count()).select_from(Feed).where(Feed.state == FeedState.FAILING)
        )
        feeds_failing = int(failing.one())
    lines = [
        "<b>Stats</b>",
        f"Subscribers: {active} active, {paused} paused, {blocked} blocked",
        f"Subscriptions: {subscriptions}",
        f"Articles: {articles}",
        "Deliveries: "
        + ", ".join(
            f"{deliveries.get(k, 0)} {k}"
            for k in ("pending", "sending", "sent", "failed", "parked")
        ),
        f"Feeds: {feeds_total}, {feeds_failing} failing",
    ]
    if reasons:
        lines.append("Failed because: " + "; ".join(f"{esc(r)} ×{n}" for r, n in reasons))
    await reply(update, "\n".join(lines))

"""Admin-only commands (DIGESTBOT_ADMIN_IDS): /addfeed, /feeds, /removefeed, /stats.

Their sentences speak the chat's language; the details that come from ingest and storage
(why a fetch failed, a feed's health, the /stats figures) stay English, as in the logs and
the CLI: ingest and storage know no languages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.context import CustomContext
from bot.handlers.common import args_text, esc, reply, speak_chat_language, usage
from bot.ticks import make_fetcher
from digests.i18n import _, ngettext
from ingest.feeds import AddFeedError, RefusedURLError, add_feed, feed_health
from ingest.fetch import Fetcher
from storage import feeds as feed_store
from storage import reports

logger = logging.getLogger(__name__)

MAX_URL = 2000


async def _is_admin(update: Update, context: CustomContext) -> bool:
    """Whether an admin sent the command (the others are told); either way the answer speaks
    the chat's language from here on."""
    await speak_chat_language(update, context)
    user = update.effective_user
    if context.settings.is_admin(user.id if user else None):
        return True
    await reply(update, _("That command is for the bot's admins."))
    return False


async def addfeed(update: Update, context: CustomContext) -> None:
    """Add a feed by its URL or its site's (admins): fetched once, the announced feed found."""
    if not await _is_admin(update, context):
        return
    url = args_text(context)
    if not url or len(url) > MAX_URL or not url.lower().startswith(("http://", "https://")):
        await usage(update, "/addfeed <url>", _("Give the feed's (or its site's) http(s) address."))
        return
    user = update.effective_user
    async with _fetcher(context) as fetcher, context.services.session() as session:
        try:
            added = await add_feed(
                session,
                url=url,
                fetcher=fetcher,
                now=context.services.now(),
                added_by=user.id if user else None,
            )
        except RefusedURLError as exc:
            # Translators: the reason is a technical detail, in English.
            problem = _("I won't fetch that address: %(reason)s", reason=exc.reason)
            await usage(update, "/addfeed <url>", problem)
            return
        except AddFeedError as exc:
            # Translators: the reason is a technical detail, in English.
            await reply(update, _("Not added: %(reason)s", reason=esc(str(exc))))
            return
        await session.commit()
    feed = added.feed
    logger.info("feed added feed=%s url=%s created=%s", feed.id, feed.url, added.created)
    lines = [_("The page announces %(url)s.", url=esc(feed.url))] if added.announced_by else []
    if not added.created:
        lines.append(_("That feed is already here as #%(id)s.", id=feed.id))
        await reply(update, "\n".join(lines))
        return
    title = esc(feed.title or feed.url)
    if added.entries is not None:
        lines.append(
            ngettext(
                "Added feed #%(id)s: <b>%(title)s</b>, %(num)d entry now.",
                "Added feed #%(id)s: <b>%(title)s</b>, %(num)d entries now.",
                added.entries,
                id=feed.id,
                title=title,
            )
        )
    else:
        lines.append(_("Added feed #%(id)s: <b>%(title)s</b>.", id=feed.id, title=title))
    lines.append(_("Its articles arrive with the next ingest tick."))
    await reply(update, "\n".join(lines))


@asynccontextmanager
async def _fetcher(context: CustomContext) -> AsyncIterator[Fetcher]:
    """The ticks' fetcher when this process runs them, else one for this command."""
    ticks = context.services.ticks
    if ticks is not None and ticks.fetcher is not None:
        yield ticks.fetcher
        return
    async with make_fetcher(context.settings) as fetcher:
        yield fetcher


async def feeds(update: Update, context: CustomContext) -> None:
    """List feeds with their health and last error (admins)."""
    if not await _is_admin(update, context):
        return
    async with context.services.session() as session:
        rows = await feed_store.list_feeds(session)
    if not rows:
        await reply(update, _("No feeds yet. Add one with /addfeed <url>."))
        return
    lines = [ngettext("<b>%(num)d feed</b>", "<b>%(num)d feeds</b>", len(rows))]
    for feed in rows[:50]:
        health = feed_health(feed)
        name = esc(feed.title or feed.url)
        lines.append(f"#{feed.id} {name} — {health.icon} {esc(health.describe())}")
    if len(rows) > 50:
        lines.append(ngettext("… and %(num)d more", "… and %(num)d more", len(rows) - 50))
    await reply(update, "\n".join(lines))


async def removefeed(update: Update, context: CustomContext) -> None:
    """Remove a feed by id (admins)."""
    if not await _is_admin(update, context):
        return
    text = args_text(context).lstrip("#")
    if not text.isdigit():
        await usage(update, "/removefeed <id>", _("Give the feed's number from /feeds."))
        return
    async with context.services.session() as session:
        removed = await feed_store.remove_feed(session, feed_id=int(text))
        await session.commit()
    if removed:
        await reply(update, _("Removed feed #%(id)s.", id=int(text)))
    else:
        await usage(update, "/removefeed <id>", _("There is no feed #%(id)s.", id=int(text)))


async def stats(update: Update, context: CustomContext) -> None:
    """Subscribers, articles, deliveries and feed errors (admins): as `digestbot stats`."""
    if not await _is_admin(update, context):
        return
    async with context.services.session() as session:
        figures = await reports.stats(session)
    lines = [_("<b>Stats</b>"), *(esc(line) for line in reports.stats_lines(figures))]
    await reply(update, "\n".join(lines))

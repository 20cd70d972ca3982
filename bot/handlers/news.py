"""/digest, /more, /latest and /search: news on demand."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from bot.context import CustomContext
from bot.handlers.common import args_text, chat_command, esc, reply, usage
from digests.commands import build_digest_now, build_more
from digests.i18n import _
from digests.query import QueryError, parse_query
from digests.render import ItemView, isolated
from digests.results import first_story_ids, reported_at, story_items
from storage import articles as article_store
from storage import subscriptions as sub_store
from storage.models import Article, Chat
from storage.search import search_articles

RESULTS = 10
#: /search ranks this many of the newest matching stories by relevance (news, not an archive:
#: a word in most of 100 000 stories would otherwise rank them all, about 100 ms each time)
SEARCH_WINDOW = 2_000
#: /latest: the stories among this many newest articles (or newest matches of a topic), in
#: the order they were reported
LATEST_WINDOW = 200


async def digest(update: Update, context: CustomContext) -> None:
    """Send my digest now (in a group anyone may ask: it reads, it changes no setting)."""
    async with chat_command(update, context, changes=False) as command:
        if command is None or command.chat.id is None:
            return
        session, chat_id = command.session, command.chat.id
        if not await sub_store.count_subscriptions(session, chat_id=chat_id):
            command.reply(_("Follow a topic first: /topics or /subscribe <i>words</i>."))
            return
        built = await build_digest_now(
            session,
            chat_id=chat_id,
            now=context.now(),
            kind="manual",
            renderer=context.services.renderer,
        )
        if built is None:
            command.reply(context.services.renderer.render_nothing_new())


async def more(update: Update, context: CustomContext) -> None:
    """The rest of the last digest (anyone in a group may ask)."""
    await send_more(update, context)


async def send_more(update: Update, context: CustomContext) -> None:
    """Queue the next page of the last digest (the /more command and the More button)."""
    async with chat_command(update, context, changes=False) as command:
        if command is None or command.chat.id is None:
            return
        built = await build_more(
            command.session,
            chat_id=command.chat.id,
            now=context.now(),
            renderer=context.services.renderer,
        )
        if built is None:
            command.reply(_("Nothing more: your last digest showed everything."))


async def latest(update: Update, context: CustomContext) -> None:
    """The newest stories, on a topic or overall."""
    topic = args_text(context)
    if len(topic) > context.settings.max_query_length:
        await usage(update, "/latest [topic]", _("That topic is too long."))
        return
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        session, chat = command.session, command.chat
        if topic:
            try:
                query = parse_query(topic)
            except QueryError as exc:
                command.usage("/latest [topic]", str(exc))
                return
            hits = await search_articles(session, query, limit=LATEST_WINDOW, newest=LATEST_WINDOW)
            matches = await _in_order(session, [h.article_id for h in hits])
        else:
            matches = list(
                await article_store.latest_articles(session, limit=LATEST_WINDOW, with_text=False)
            )
        # newest first by when each was reported, not in the order feeds were fetched
        matches.sort(key=lambda a: (reported_at(a), a.id or 0), reverse=True)
        items = await _stories(session, matches)
    # the title is plain text (the template escapes it); `empty` is HTML; what the user typed
    # keeps its own direction in a right-to-left chat
    title = _("Latest on %(topic)s", topic=isolated(topic)) if topic else _("Latest stories")
    empty = (
        _("No stories on %(topic)s yet.", topic=isolated(esc(topic)))
        if topic
        else _("No stories stored yet.")
    )
    await _send_list(update, context, chat, title, items, empty=empty)


async def search(update: Update, context: CustomContext) -> None:
    """Search stored stories."""
    words = args_text(context)
    if not words:
        await usage(update, "/search <words>", _("What should I look for?"))
        return
    if len(words) > context.settings.max_query_length:
        await usage(update, "/search <words>", _("That search is too long."))
        return
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        session, chat = command.session, command.chat
        # the best matches decide which stories are listed; the list shows them newest first
        hits = await search_articles(session, words, limit=RESULTS * 4, newest=SEARCH_WINDOW)
        items = await _stories(session, await _in_order(session, [h.article_id for h in hits]))
    await _send_list(
        update,
        context,
        chat,
        _("Search: %(words)s", words=isolated(words)),
        items,
        empty=_("Nothing found for %(words)s.", words=isolated(esc(words))),
    )


async def _stories(session: AsyncSession, matches: Sequence[Article]) -> list[ItemView]:
    """The first RESULTS stories among `matches`, each once with its other outlets."""
    story_ids = first_story_ids(matches, limit=RESULTS)
    outlets = await article_store.story_articles(session, story_ids=story_ids)
    return story_items(matches, outlets=outlets, limit=RESULTS)


async def _in_order(session: AsyncSession, ids: list[int]) -> list[Article]:
    found = await article_store.articles_by_ids(session, ids=ids, with_text=False)
    rows = {a.id: a for a in found}
    return [rows[i] for i in ids if i in rows]


async def _send_list(
    update: Update,
    context: CustomContext,
    chat: Chat,
    title: str,
    items: Sequence[ItemView],
    *,
    empty: str,
) -> None:
    if not items:
        await reply(update, empty)
        return
    html_text = context.services.renderer.render_results(
        title=title,
        articles=list(items),
        timezone=chat.timezone,
        language=chat.language,
    )
    await reply(update, html_text)

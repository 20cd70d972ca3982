"""/digest, /more, /latest and /search: news on demand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from bot.context import CustomContext
from bot.handlers.common import ChatCommand, args_text, chat_command, esc, reply, usage
from digests.commands import build_digest_now, build_more
from digests.i18n import _
from digests.query import QueryError, parse_query
from digests.render import ItemView, isolated
from digests.results import first_story_ids, reported_at, story_items
from storage import articles as article_store
from storage import subscriptions as sub_store
from storage.models import Article
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

    async def find(command: ChatCommand) -> list[Article] | None:
        session = command.session
        if topic:
            try:
                query = parse_query(topic)
            except QueryError as exc:
                command.usage("/latest [topic]", str(exc))
                return None
            hits = await search_articles(session, query, limit=LATEST_WINDOW, newest=LATEST_WINDOW)
            matches = await _in_order(session, [h.article_id for h in hits])
        else:
            matches = list(
                await article_store.latest_articles(session, limit=LATEST_WINDOW, with_text=False)
            )
        # newest first by when each was reported, not in the order feeds were fetched
        matches.sort(key=lambda a: (reported_at(a), a.id or 0), reverse=True)
        return matches

    def texts() -> tuple[str, str]:
        # the title is plain text (the template escapes it); the empty answer is HTML; what
        # the user typed keeps its own direction in a right-to-left chat
        if not topic:
            return _("Latest stories"), _("No stories stored yet.")
        return (
            _("Latest on %(topic)s", topic=isolated(topic)),
            _("No stories on %(topic)s yet.", topic=isolated(esc(topic))),
        )

    await _story_list(
        update, context, topic, ("/latest [topic]", _("That topic is too long.")), find, texts
    )


async def search(update: Update, context: CustomContext) -> None:
    """Search stored stories."""
    words = args_text(context)
    if not words:
        await usage(update, "/search <words>", _("What should I look for?"))
        return

    async def find(command: ChatCommand) -> list[Article]:
        # the best matches decide which stories are listed; the list shows them newest first
        hits = await search_articles(
            command.session, words, limit=RESULTS * 4, newest=SEARCH_WINDOW
        )
        return await _in_order(command.session, [h.article_id for h in hits])

    def texts() -> tuple[str, str]:
        return (
            _("Search: %(words)s", words=isolated(words)),
            _("Nothing found for %(words)s.", words=isolated(esc(words))),
        )

    await _story_list(
        update, context, words, ("/search <words>", _("That search is too long.")), find, texts
    )


async def _story_list(
    update: Update,
    context: CustomContext,
    text: str,
    too_long: tuple[str, str],
    find: Callable[[ChatCommand], Awaitable[list[Article] | None]],
    texts: Callable[[], tuple[str, str]],
) -> None:
    """/latest and /search: refuse a `text` over the query limit (`too_long`: the usage line
    and the problem), else list the first stories of what `find` returns (None: it answered
    already). `texts` gives the title and the answer when nothing is found, called once the
    chat's language is known."""
    if len(text) > context.settings.max_query_length:
        await usage(update, *too_long)
        return
    async with chat_command(update, context, changes=False) as command:
        if command is None:
            return
        matches = await find(command)
        if matches is None:
            return
        items = await _stories(command.session, matches)
    chat = command.chat
    title, empty = texts()
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


async def _stories(session: AsyncSession, matches: Sequence[Article]) -> list[ItemView]:
    """The first RESULTS stories among `matches`, each once with its other outlets."""
    story_ids = first_story_ids(matches, limit=RESULTS)
    outlets = await article_store.story_articles(session, story_ids=story_ids)
    return story_items(matches, outlets=outlets, limit=RESULTS)


async def _in_order(session: AsyncSession, ids: list[int]) -> list[Article]:
    found = await article_store.articles_by_ids(session, ids=ids, with_text=False)
    rows = {a.id: a for a in found}
    return [rows[i] for i in ids if i in rows]

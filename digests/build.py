"""Build digests for claimed schedules: select what is new for each chat, render it, write its
parts to the outbox, record what was sent and advance the schedule.

One path for the tick and the commands (`DigestBuilder`): a tick (`digests.tick`) claims many
schedules and builds them in batches, one transaction per batch; every topic query is matched
once per tick, and a selection shared by many chats is rendered once. /digest and /more:
`digests.commands`; what a batch carries: `digests.batch`. One class, the builder's shared
per-tick caches, keeps this module a little over 500 lines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.backlog import FOLD_THRESHOLD, fold_backlog
from digests.batch import Built, Prepared, Subscribed
from digests.i18n import N_, _, use_language
from digests.query import (
    MuteMatcher,
    Prominent,
    QueryError,
    parse_query,
    parse_section_topic,
)
from digests.render import DigestView, ItemView, Renderer, TopicGroup, item_view
from digests.schedule import next_due, quiet_of, spec_of
from digests.select import (
    Candidate,
    Entry,
    Ranked,
    Selection,
    grouped,
    normalized,
    score_matches,
    select_stories,
)
from storage import deliveries as delivery_store
from storage import digests as store
from storage import sections as section_store
from storage.models import Chat, ChatState, ScheduleKind, SubscriptionKind
from storage.rows import (
    ChatRow,
    DigestIn,
    OutboxPart,
    ScheduleAdvance,
    ScheduleRow,
    SentStoryIn,
    Watermark,
)
from storage.search import SearchQuery, search_articles

#: A batch commits in well under a second; a dead process's claim waits this long
#: (the tick's is DIGESTBOT_DIGEST_LEASE, the same by default)
LEASE = timedelta(minutes=2)
SETTLE = timedelta(seconds=10)  # articles younger than this wait: their insert may not be visible
MAX_LOOKBACK = timedelta(days=3)  # a first digest, or one after a long pause, looks this far back
MAX_CANDIDATES = 20_000
CATCHUP_AFTER = timedelta(hours=1)  # a digest this late (downtime) is a catch-up digest
#: Building is CPU work on the event loop the delivery worker and command handlers share: give
#: them a turn every this many chats (a stalled loop sends its reserved turns late, in a burst)
YIELD_EVERY = 50
CACHE_LIMIT = 20_000  # selections and renders kept per tick for chats that share them

#: A digest's first line by its kind (English here, shown in the chat's language)
TITLES = {
    "scheduled": N_("Your digest"),
    "catchup": N_("Your digest (catching up)"),
    "manual": N_("Your digest"),
    "realtime": N_("New on your topics"),
    "more": N_("More stories"),
}
#: The one topic heading of a /more digest (a group key here, shown in the chat's language)
MORE_GROUP = N_("From your last digest")

_default_renderer: Renderer | None = None


def default_renderer() -> Renderer:
    global _default_renderer
    if _default_renderer is None:
        _default_renderer = Renderer()
    return _default_renderer


class DigestBuilder:
    """One tick's (or one command's) worth of digests, sharing matches and renders."""

    def __init__(
        self,
        session: AsyncSession | None,
        *,
        now: datetime,
        renderer: Renderer,
        lease: timedelta = LEASE,
    ) -> None:
        self._session = session
        self.now = now
        self.lease = lease
        self.until = now - SETTLE
        self.renderer = renderer
        renderer.forget_stories()  # keyed by the views of a builder; this one has new views
        self.window: Watermark | None = None
        self.articles: dict[int, Candidate] = {}
        self.by_feed: dict[int, list[int]] = {}
        self.stories: dict[int, list[Candidate]] = {}
        self.newest: Watermark | None = None
        self.matches: dict[str, dict[int, float]] = {}
        self.sections: dict[int, dict[str, float]] | None = None  # of the candidates, lazily
        self.languages: set[str] | None = None  # of the candidates, lazily (their stems)
        self.prominent_words: dict[int, Prominent] = {}
        self.scored: dict[tuple[str, object], list[Entry]] = {}
        self.selections: dict[tuple[object, ...], Selection] = {}
        self.renders: dict[tuple[object, ...], list[str]] = {}
        self.keys: dict[int, tuple[Selection, tuple[object, ...]]] = {}
        self.older_unsent: bool | None = None
        self.views: dict[int, ItemView] = {}
        self.dues: dict[tuple[str | None, ...], datetime | None] = {}

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "the builder has no session"
        return self._session

    @session.setter
    def session(self, session: AsyncSession) -> None:
        self._session = session

    # --- shared state ---------------------------------------------------------------------

    def effective_watermark(self, schedule: ScheduleRow) -> Watermark:
        floor = (self.now - MAX_LOOKBACK, 0)
        if schedule.watermark_stored_at is None:
            return floor
        mark = (schedule.watermark_stored_at, schedule.watermark_article_id)
        return max(mark, floor)

    async def load_candidates(self, schedules: Sequence[ScheduleRow]) -> None:
        """The articles stored since the oldest watermark of these schedules (once a tick)."""
        oldest = min(self.effective_watermark(s) for s in schedules)
        if self.window is not None and oldest >= self.window:
            return
        rows = await store.articles_stored_between(
            self.session, after=oldest, until=self.until, limit=MAX_CANDIDATES
        )
        self.window = oldest
        self.matches.clear()
        self.sections = None
        self.languages = None
        self.scored.clear()
        self.selections.clear()
        fresh = rows
        for article in fresh:
            self.articles[article.id] = article
        self.by_feed = {}
        for article in self.articles.values():
            if article.feed_id is not None:
                self.by_feed.setdefault(article.feed_id, []).append(article.id)
        if self.articles:
            self.newest = max(a.mark for a in self.articles.values())
        story_ids = sorted({a.story_id for a in fresh if a.story_id is not None})
        for article in await store.articles_of_stories(
            self.session, story_ids=story_ids, until=self.until
        ):
            story = self.stories.setdefault(article.story_key, [])
            if all(a.id != article.id for a in story):
                story.append(article)
        for article in fresh:
            self.stories.setdefault(article.story_key, [article])

    async def match(self, target: str) -> dict[int, float]:
        """A topic's matches among the candidates, scores normalized (once per tick)."""
        return await self._memo(target, partial(self._match, target))

    async def _memo(
        self, key: str, compute: Callable[[], Awaitable[dict[int, float]]]
    ) -> dict[int, float]:
        """`compute()`'s matches, computed once per tick under `key`."""
        known = self.matches.get(key)
        if known is None:
            known = self.matches[key] = await compute()
        return known

    async def _match(self, target: str) -> dict[int, float]:
        try:
            query = parse_query(target, max_length=10_000)
        except QueryError:
            return {}
        hits = await self.search(query)
        return normalized(
            {
                article_id: score
                for article_id, score in hits.items()
                if self.prominent(query, self.articles[article_id])
            }
        )

    def prominent(self, query: SearchQuery, article: Candidate) -> bool:
        """A keyword topic matches what the article is about (title, summary, keyphrases),
        not a word deep in a long page (the search engine looked at every word)."""
        words = self.prominent_words.get(article.id)
        if words is None:
            words = Prominent.of(
                article.title, article.summary, article.keyphrases, language=article.language
            )
            self.prominent_words[article.id] = words
        return words.matches(query)

    async def search(self, query: SearchQuery) -> dict[int, float]:
        """The candidates a keyword query matches, with their raw scores."""
        if self.window is None or not self.articles:
            return {}
        if self.languages is None:
            self.languages = {a.language for a in self.articles.values() if a.language}
        hits = await search_articles(
            self.session,
            query,
            limit=len(self.articles) + 1000,
            stored_after=self.window[0] - timedelta(microseconds=1),
            languages=self.languages,
        )
        return {h.article_id: h.score for h in hits if h.article_id in self.articles}

    async def match_section(self, target: str) -> dict[int, float]:
        """A section subscription's candidates (stored sections), scored by the classifier's
        confidence; narrowing words keep only articles that match them, -words drop those
        that have them (once per tick)."""
        return await self._memo("section:" + target, partial(self._match_section, target))

    async def _match_section(self, target: str) -> dict[int, float]:
        try:
            topic = parse_section_topic(target, max_length=10_000)
        except QueryError:
            return {}
        if topic is None or not self.articles:
            return {}
        if self.sections is None:
            self.sections = await section_store.sections_of(
                self.session, article_ids=sorted(self.articles)
            )
        found = {
            article_id: scores[topic.section]
            for article_id, scores in self.sections.items()
            if topic.section in scores
        }
        narrow = topic.narrow
        if found and narrow is not None and narrow.groups:
            wanted = await self.search(SearchQuery(narrow.groups))
            found = {a: score for a, score in found.items() if a in wanted}
        if found and narrow is not None and narrow.exclude:
            unwanted = await self.search(SearchQuery(tuple((t,) for t in narrow.exclude)))
            found = {a: score for a, score in found.items() if a not in unwanted}
        return found

    def next_due(self, schedule: ScheduleRow, chat: ChatRow) -> datetime | None:
        key = (
            schedule.kind,
            schedule.time,
            schedule.weekday,
            schedule.cron,
            chat.timezone,
            chat.quiet_start,
            chat.quiet_end,
        )
        if key not in self.dues:
            spec = spec_of(
                schedule.kind, time=schedule.time, weekday=schedule.weekday, cron=schedule.cron
            )
            self.dues[key] = next_due(
                spec, chat.timezone, self.now, quiet_of(chat.quiet_start, chat.quiet_end)
            )
        return self.dues[key]

    def view(self, ranked: Ranked) -> ItemView:
        key = ranked.article.id if not ranked.update else -ranked.article.id
        cached = self.views.get(key)
        if cached is None:
            cached = item_view(ranked.article, also=ranked.also, update=ranked.update)
            self.views[key] = cached
        return cached

    def render(
        self, selection: Selection, chat: ChatRow, kind: str, order: Sequence[str]
    ) -> list[str]:
        """The parts of a digest: chats with the same stories (and zone, language) share them."""
        memo = self.keys.get(id(selection))
        if memo is None or memo[0] is not selection:
            memo = (selection, selection.key())
            self.keys[id(selection)] = memo
        labels = {r.topic for r in selection.shown}
        order = [label for label in order if label in labels]
        key = (memo[1], chat.timezone, chat.language, kind, tuple(order))
        parts = self.renders.get(key)
        if parts is None:
            with use_language(chat.language):
                title = _(TITLES.get(kind, TITLES["scheduled"]))
                more_heading = _(MORE_GROUP)
            groups = tuple(
                TopicGroup(
                    more_heading if kind == "more" and label == MORE_GROUP else label,
                    tuple(self.view(r) for r in items),
                )
                for label, items in grouped(selection.shown, order)
            )
            view = DigestView(
                groups=groups,
                created=self.now,
                timezone=chat.timezone,
                language=chat.language,
                more=len(selection.hidden),
                kind=kind,
                title=title,
            )
            parts = self.renderer.digest_parts(view)
            if len(self.renders) >= CACHE_LIMIT:  # bounded memory; popular ones come back
                self.renders.clear()
                self.keys.clear()
            self.renders[key] = parts
        return parts

    # --- one batch ---------------------------------------------------------------------------

    async def prepare(
        self,
        schedules: Sequence[ScheduleRow],
        *,
        owner: str,
        advance_due: bool = True,
        kind: str | None = None,
        include_paused: bool = False,
    ) -> Prepared:
        """Select and render these schedules' digests, reading only (`commit` writes them)."""
        chat_ids = [s.chat_id for s in schedules]
        chats = {row.id: row for row in await store.chat_rows(self.session, ids=chat_ids)}
        subs: dict[int, list[Subscribed]] = {}
        for sub in await store.subscriptions_of(self.session, chat_ids=chat_ids):
            subs.setdefault(sub.chat_id, []).append(
                Subscribed(sub.kind, sub.target, sub.query or sub.target, sub.feed_id)
            )
        mutes = await store.mutes_of(self.session, chat_ids=chat_ids)
        await self.load_candidates(schedules)
        sent = await store.sent_stories(
            self.session,
            chat_ids=chat_ids,
            story_ids=sorted({a.story_id for a in self.articles.values() if a.story_id}),
        )
        prepared = Prepared([s.id for s in schedules], [], [])
        for index, schedule in enumerate(schedules):
            if index % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)  # let the process's sends and replies run meanwhile
            chat = chats.get(schedule.chat_id)
            if chat is None:
                continue
            due = self.next_due(schedule, chat) if advance_due else schedule.next_due_at
            watermark = (
                (schedule.watermark_stored_at, schedule.watermark_article_id)
                if schedule.watermark_stored_at is not None
                else None
            )
            chat_subs = subs.get(schedule.chat_id, [])
            active = chat.state == ChatState.ACTIVE or (
                include_paused and chat.state == ChatState.PAUSED
            )
            if active and chat_subs:
                this_kind = kind or self.kind_of(schedule)
                selection = await self.select(
                    schedule,
                    chat_subs,
                    mutes.get(schedule.chat_id),
                    sent.get(schedule.chat_id),
                    chat,
                )
                if self.newest is not None and (watermark is None or self.newest > watermark):
                    watermark = self.newest
                if not selection.empty:
                    order = [s.label for s in chat_subs]
                    parts = self.render(selection, chat, this_kind, order)
                    prepared.built.append(
                        (schedule.id, Built.of(chat, this_kind, selection, parts))
                    )
            prepared.advances.append(
                ScheduleAdvance(schedule.id, owner, due, self.now, chat.timezone, watermark)
            )
        return prepared

    async def commit(self, session: AsyncSession, prepared: Prepared, *, owner: str) -> list[Built]:
        """Write prepared digests for the schedules `owner` still holds, in `session`'s
        transaction (re-taking their leases first), and advance those schedules."""
        held = await store.confirm_leases(
            session, ids=prepared.schedule_ids, owner=owner, now=self.now, lease=self.lease
        )
        built = [b for schedule_id, b in prepared.built if schedule_id in held]
        await self.write(built, session=session)
        await store.advance_schedules(session, rows=[a for a in prepared.advances if a.id in held])
        return built

    def kind_of(self, schedule: ScheduleRow) -> str:
        if schedule.kind == ScheduleKind.REALTIME:
            return "realtime"
        if schedule.next_due_at is not None and self.now - schedule.next_due_at > CATCHUP_AFTER:
            return "catchup"
        return "scheduled"

    async def scored_topic(self, target: str, kind: str = SubscriptionKind.TOPIC) -> list[Entry]:
        known = self.scored.get((kind, target))
        if known is None:
            matches = (
                await self.match_section(target)
                if kind == SubscriptionKind.SECTION
                else await self.match(target)
            )
            known = score_matches(
                matches,
                articles=self.articles,
                story_articles=self.stories,
                now=self.now,
                list_id=len(self.scored),
            )
            self.scored[(kind, target)] = known
        return known

    def scored_feed(self, feed_id: int) -> list[Entry]:
        known = self.scored.get(("feed", feed_id))
        if known is None:
            known = score_matches(
                dict.fromkeys(self.by_feed.get(feed_id, []), 1.0),
                articles=self.articles,
                story_articles=self.stories,
                now=self.now,
                list_id=len(self.scored),
            )
            self.scored[("feed", feed_id)] = known
        return known

    async def select(
        self,
        schedule: ScheduleRow,
        chat_subs: Sequence[Subscribed],
        muted: list[str] | None,
        sent: set[int] | None,
        chat: ChatRow,
    ) -> Selection:
        watermark = self.effective_watermark(schedule)
        topics: list[tuple[str, list[Entry]]] = []
        for sub in chat_subs:
            if sub.kind in (SubscriptionKind.TOPIC, SubscriptionKind.SECTION):
                known = self.scored.get((sub.kind, sub.target))  # no coroutine when known
                if known is None:
                    known = await self.scored_topic(sub.target, sub.kind)
                topics.append((sub.label, known))
            elif sub.kind == SubscriptionKind.FEED and sub.feed_id is not None:
                topics.append((sub.label, self.scored_feed(sub.feed_id)))
        key: tuple[object, ...] | None = None
        if not muted and not sent:  # the common case: chats alike in these share a selection
            # topics with nothing new do not change the selection; lists are per-tick objects
            key = (
                tuple((label, id(m)) for label, m in topics if m),
                watermark,
                chat.max_items,
            )
            shared = self.selections.get(key)
            if shared is not None:
                return shared
        selection = select_stories(
            topics=topics,
            # every candidate is newer than a watermark at or before the window's start
            watermark=None if self.window is not None and watermark <= self.window else watermark,
            mutes=MuteMatcher(muted) if muted else None,
            sent_stories=sent or frozenset(),
            max_items=chat.max_items,
        )
        if key is not None:
            if len(self.selections) >= CACHE_LIMIT:
                self.selections.clear()
            self.selections[key] = selection
        return selection

    async def write(
        self, built: Sequence[Built], *, session: AsyncSession | None = None
    ) -> list[int]:
        """Digest rows, their items, sent stories and outbox parts, in bulk."""
        if not built:
            return []
        session = session or self.session
        digest_ids = await store.insert_digests(
            session,
            rows=[
                DigestIn(
                    chat_id=b.chat.id,
                    kind=b.kind,
                    created_at=self.now,
                    article_ids=tuple(article_id for article_id, _ in b.shown),
                    more_ids=b.hidden,
                )
                for b in built
            ],
        )
        sent: list[SentStoryIn] = []
        outbox: list[OutboxPart] = []
        for digest_id, b in zip(digest_ids, built, strict=True):
            b.digest_id = digest_id
            chat = b.chat
            for _topic, story_id in b.shown:
                if story_id is not None:
                    sent.append(SentStoryIn(chat.id, story_id, digest_id))
            blocked = chat.state == ChatState.BLOCKED
            outbox.extend(
                OutboxPart(
                    digest_id,
                    part_no,
                    chat.id,
                    chat.telegram_id,
                    chat.thread_id,
                    text,
                    blocked,
                    self.now,
                )
                for part_no, text in enumerate(b.parts)
            )
        # chats that already wait for FOLD_THRESHOLD digests: with this one, fold them
        chats = {b.chat.id: b.chat for b in built}
        if self.older_unsent is None:  # once a tick: an outbox with nothing waiting has no backlog
            self.older_unsent = await delivery_store.any_unsent_before(session, before=self.now)
        backlog = (
            await delivery_store.chats_with_backlog(
                session, chat_ids=list(chats), threshold=FOLD_THRESHOLD - 1, before=self.now
            )
            if self.older_unsent
            else []
        )
        await store.insert_sent_stories(session, rows=sent, sent_at=self.now)
        await delivery_store.insert_parts(session, parts=outbox)
        for chat_id in backlog:
            chat_row = await session.get(Chat, chat_id)
            if chat_row is not None:
                await fold_backlog(session, chat=chat_row, now=self.now)
        return digest_ids

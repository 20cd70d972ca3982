"""/digest and /more through the tick's path: what is new for one chat now, and the next page
of the stories its last digest held back."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.batch import Built
from digests.build import LEASE, MORE_GROUP, DigestBuilder, default_renderer
from digests.render import Renderer
from digests.select import Candidate, Ranked, Selection
from storage import digests as store
from storage import schedules as schedule_store
from storage.models import Chat, Digest, Schedule, ScheduleKind
from storage.rows import ChatRow, ScheduleRow


async def _lease_for_command(
    session: AsyncSession, *, chat: Chat, now: datetime
) -> tuple[Schedule, str] | None:
    """The chat's schedule leased to this command (created, switched off, if it has none)."""
    assert chat.id is not None
    schedule = await schedule_store.get_schedule(session, chat_id=chat.id)
    if schedule is None:
        schedule = await schedule_store.set_schedule(
            session,
            chat_id=chat.id,
            kind=ScheduleKind.OFF,
            timezone=chat.timezone,
            next_due_at=None,
        )
    assert schedule.id is not None
    owner = f"command-{chat.id}-{now.timestamp()}"
    if not await schedule_store.take_lease(
        session, schedule_id=schedule.id, owner=owner, now=now, lease=LEASE
    ):
        return None  # the tick is building this chat's digest right now
    await session.refresh(schedule)
    return schedule, owner


async def build_digest_now(
    session: AsyncSession,
    *,
    chat_id: int,
    now: datetime,
    kind: str = "manual",
    renderer: Renderer | None = None,
) -> Digest | None:
    """/digest: what is new for the chat since its last digest, through the tick's path (it
    works while paused: the chat asked); the schedule's next due time is kept. None when there
    is nothing new. The caller commits."""
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return None
    leased = await _lease_for_command(session, chat=chat, now=now)
    if leased is None:
        return None
    schedule, owner = leased
    builder = DigestBuilder(session, now=now, renderer=renderer or default_renderer())
    prepared = await builder.prepare(
        [ScheduleRow.of(schedule)], owner=owner, advance_due=False, kind=kind, include_paused=True
    )
    built = await builder.commit(session, prepared, owner=owner)
    if not built or built[0].digest_id is None:
        return None
    return await session.get(Digest, built[0].digest_id)


async def build_more(
    session: AsyncSession,
    *,
    chat_id: int,
    now: datetime,
    renderer: Renderer | None = None,
) -> Digest | None:
    """/more: the next page of the stories the chat's last digest held back (the rest travel on
    as this digest's "+N more"). None when there are none left. The caller commits."""
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return None
    source = await store.latest_digest_with_more(session, chat_id=chat_id)
    if source is None or source.id is None:
        return None
    hidden = store.parse_ids(source.more_ids)
    await store.take_more(session, digest_id=source.id)
    rows = {a.id: a for a in await store.articles_by_ids(session, ids=hidden)}
    story_ids = sorted({a.story_id for a in rows.values() if a.story_id is not None})
    sent = await store.sent_stories(session, chat_ids=[chat_id], story_ids=story_ids)
    already = sent.get(chat_id, set())
    fresh = [rows[article_id] for article_id in hidden if article_id in rows]
    fresh = [a for a in fresh if a.story_id is None or a.story_id not in already]
    if not fresh:
        return None
    stories: dict[int, list[Candidate]] = {}
    for article in await store.articles_of_stories(session, story_ids=story_ids, until=now):
        stories.setdefault(article.story_key, []).append(article)
    ranked = [
        Ranked(
            a, MORE_GROUP, float(-i), tuple(o for o in stories.get(a.story_key, []) if o.id != a.id)
        )
        for i, a in enumerate(fresh)
    ]
    cap = max(1, chat.max_items)
    selection = Selection(
        tuple(ranked[:cap]), tuple(ranked[cap:]), overflow=max(0, len(ranked) - cap)
    )
    builder = DigestBuilder(session, now=now, renderer=renderer or default_renderer())
    chat_row = ChatRow.of(chat)
    parts = builder.render(selection, chat_row, "more", [MORE_GROUP])
    built = Built.of(chat_row, "more", selection, parts)
    await builder.write([built])
    return await session.get(Digest, built.digest_id) if built.digest_id else None

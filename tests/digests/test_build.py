"""The digest tick, /digest and /more on SQLite and PostgreSQL: selection by watermark, merging,
mutes, "+N more", catch-up after downtime, and two processes racing for the same schedules."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from digests.commands import build_digest_now, build_more
from digests.tick import build_due_digests
from ingest.pipeline import ingest_document
from storage import digests as digest_store
from storage import schedules as schedule_store
from storage import subscriptions as sub_store
from storage.models import ChatState, Delivery, Digest, SentStory
from telegram_emulator.html import parse_html
from tests.support.digests import DUE, T0, make_article, make_chat, parts_of, texts
from tests.support.languages import ES, RU, UK


async def test_tick_builds_due_digest_once_and_advances(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(
            session, telegram_id=-100, topics=["solar power"], now=T0, thread_id=7
        )
        await make_article(session, title="Solar power record", stored_at=T0)
        await make_article(session, title="Football results", stored_at=T0)
        await session.commit()
        chat_id = chat.id
    assert chat_id is not None
    assert await build_due_digests(sessionmaker, now=DUE - timedelta(minutes=1), owner="a") == 0
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 1
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 0
    async with sessionmaker() as session:
        parts = await parts_of(session, chat_id)
        assert len(parts) == 1
        assert parts[0].telegram_chat_id == -100 and parts[0].thread_id == 7
        assert "Solar power record" in texts(parts) and "Football" not in texts(parts)
        schedule = await schedule_store.get_schedule(session, chat_id=chat_id)
        assert schedule is not None
        assert schedule.next_due_at == DUE + timedelta(days=1)
        assert schedule.lease_owner is None
        assert schedule.watermark_stored_at == T0


async def test_late_dated_article_is_not_lost_and_nothing_is_sent_twice(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=1, topics=["volcano"], now=T0)
        await make_article(session, title="Volcano erupts", stored_at=T0)
        await session.commit()
        chat_id = chat.id
    assert chat_id is not None
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 1
    # stored after the first digest, but published (dated) two days earlier
    async with sessionmaker() as session:
        await make_article(
            session,
            title="Volcano: the week before",
            stored_at=DUE + timedelta(hours=3),
            published_at=T0 - timedelta(days=2),
        )
        await session.commit()
    assert await build_due_digests(sessionmaker, now=DUE + timedelta(days=1), owner="a") == 1
    async with sessionmaker() as session:
        digests = await digest_store.digests_of(session, chat_id=chat_id)
        assert len(digests) == 2
        # the late-dated one, and not the first article again
        assert len(digest_store.parse_ids(digests[1].article_ids)) == 1
        parts = await parts_of(session, chat_id)
        assert "the week before" in parse_html(parts[-1].text)[0]
    # nothing new: no digest, but the schedule moves on
    assert await build_due_digests(sessionmaker, now=DUE + timedelta(days=2), owner="a") == 0
    async with sessionmaker() as session:
        schedule = await schedule_store.get_schedule(session, chat_id=chat_id)
        assert schedule is not None and schedule.next_due_at == DUE + timedelta(days=3)


async def test_downtime_gives_one_catch_up_digest(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=2, topics=["rain"], schedule="hourly", now=T0)
        for hour in range(6):
            await make_article(
                session, title=f"Rain update {hour}", stored_at=T0 + timedelta(hours=hour)
            )
        await session.commit()
        chat_id = chat.id
    back = T0 + timedelta(hours=6, minutes=20)  # five hourly slots missed
    assert await build_due_digests(sessionmaker, now=back, owner="a") == 1
    assert await build_due_digests(sessionmaker, now=back, owner="a") == 0
    async with sessionmaker() as session:
        digests = await digest_store.digests_of(session, chat_id=chat_id or 0)
        assert [d.kind for d in digests] == ["catchup"]
        assert digests[0].items_count == 6
        schedule = await schedule_store.get_schedule(session, chat_id=chat_id or 0)
        assert schedule is not None and schedule.next_due_at == T0 + timedelta(hours=7)


async def test_near_duplicates_merge_with_their_other_sources(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=3, topics=["merger"], now=T0)
        first = await make_article(
            session, title="Big merger announced", stored_at=T0, source="Alpha"
        )
        await make_article(
            session,
            title="Merger: the details",
            stored_at=T0,
            story_id=first.story_id,
            source="Beta",
        )
        await make_article(session, title="Another merger elsewhere", stored_at=T0, source="Gamma")
        await session.commit()
        chat_id = chat.id
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 1
    async with sessionmaker() as session:
        text = texts(await parts_of(session, chat_id or 0))
        # one item for the story (its best match), the other outlet named under it
        assert ("Merger: the details" in text) != ("Big merger announced" in text)
        assert "Another merger elsewhere" in text
        assert "Also reported by" in text
        sent = (await session.exec(select(SentStory).where(SentStory.chat_id == chat_id))).all()
        assert len(sent) == 2


async def test_mute_words_hide_stories(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=4, topics=["markets"], now=T0)
        assert chat.id is not None
        await sub_store.add_mute(session, chat_id=chat.id, word="Crypto")
        await make_article(session, title="Markets rally", stored_at=T0)
        await make_article(session, title="Crypto markets crash", stored_at=T0)
        await session.commit()
        chat_id = chat.id
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 1
    async with sessionmaker() as session:
        text = texts(await parts_of(session, chat_id))
        assert "Markets rally" in text and "Crypto" not in text


async def test_cap_more_and_digest_now(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=5, topics=["robots"], now=T0, max_items=3)
        for i in range(7):
            await make_article(
                session, title=f"Robots story {i}", stored_at=T0 + timedelta(minutes=i)
            )
        await session.commit()
        chat_id = chat.id
    assert chat_id is not None
    async with sessionmaker() as session:
        digest = await build_digest_now(session, chat_id=chat_id, now=DUE - timedelta(minutes=30))
        await session.commit()
        assert digest is not None and digest.kind == "manual"
        # three shown, one more page held back for /more, the lowest-ranked one not offered
        assert (digest.items_count, digest.overflow_count) == (3, 3)
        assert "+3 more" in texts(await parts_of(session, chat_id))
        # the schedule keeps its time; the watermark moved: the tick finds nothing new
        nothing = await build_digest_now(session, chat_id=chat_id, now=DUE - timedelta(minutes=29))
        assert nothing is None
        await session.commit()
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 0
    async with sessionmaker() as session:
        more = await build_more(session, chat_id=chat_id, now=DUE)
        await session.commit()
        assert more is not None and (more.items_count, more.overflow_count) == (3, 0)
        assert await build_more(session, chat_id=chat_id, now=DUE) is None
        text = texts(await parts_of(session, chat_id))
        assert "more" not in parse_html((await parts_of(session, chat_id))[-1].text)[0]
        assert sorted(text.count(f"Robots story {i}") for i in range(7)) == [0] + [1] * 6
        assert await digest_store.latest_digest_with_more(session, chat_id=chat_id) is None


async def test_paused_chats_are_skipped_but_advanced(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=6, topics=["snow"], now=T0)
        chat.state = ChatState.PAUSED
        session.add(chat)
        await make_article(session, title="Snow falls", stored_at=T0)
        await session.commit()
        chat_id = chat.id
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 0
    async with sessionmaker() as session:
        schedule = await schedule_store.get_schedule(session, chat_id=chat_id or 0)
        assert schedule is not None and schedule.next_due_at == DUE + timedelta(days=1)
        assert await parts_of(session, chat_id or 0) == []


async def _tides_followed_by(
    sessionmaker: async_sessionmaker[AsyncSession], chats: int, *, first: int
) -> list[int]:
    """`chats` chats (Telegram ids from `first`) following "tides", one article on it; their
    database ids."""
    async with sessionmaker() as session:
        rows = [
            await make_chat(session, telegram_id=first + n, topics=["tides"], now=T0)
            for n in range(chats)
        ]
        await make_article(session, title="Tides are high", stored_at=T0)
        await session.commit()
    return [row.id for row in rows if row.id is not None]


async def test_two_processes_racing_build_each_digest_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _tides_followed_by(sessionmaker, 30, first=1000)

    async def run(owner: str) -> int:
        total = 0
        for _ in range(4):
            total += await build_due_digests(sessionmaker, now=DUE, owner=owner, limit=8, batch=3)
        return total

    first, second = await asyncio.gather(run("one"), run("two"))
    assert first + second == 30
    async with sessionmaker() as session:
        digests = (await session.exec(select(Digest))).all()
        assert len(digests) == 30
        assert len({d.chat_id for d in digests}) == 30
        assert len((await session.exec(select(Delivery))).all()) == 30


async def _ticks(
    sessionmaker: async_sessionmaker[AsyncSession], start: datetime, hours: int
) -> int:
    built = 0
    for step in range(hours * 12):  # every five minutes
        now = start + timedelta(minutes=5 * step)
        async with sessionmaker() as session:
            await make_article(session, title=f"Harbour news {step}", stored_at=now)
            await session.commit()
        built += await build_due_digests(sessionmaker, now=now + timedelta(seconds=30), owner="a")
    return built


async def test_daily_0230_across_both_dst_changes_is_sent_once_each_day(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    spring = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # Berlin skips 02:00-03:00 on the 29th
    fall = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # Berlin repeats 02:00-03:00 on the 25th
    async with sessionmaker() as session:
        chat = await make_chat(
            session,
            telegram_id=77,
            topics=["harbour"],
            schedule="daily 02:30",
            timezone="Europe/Berlin",
            now=spring - timedelta(hours=1),
        )
        await session.commit()
        chat_id = chat.id or 0
    assert await _ticks(sessionmaker, spring, 4) == 1
    async with sessionmaker() as session:
        schedule = await schedule_store.get_schedule(session, chat_id=chat_id)
        assert schedule is not None
        schedule.next_due_at = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
        session.add(schedule)
        await session.commit()
    assert await _ticks(sessionmaker, fall, 5) == 1
    async with sessionmaker() as session:
        digests = await digest_store.digests_of(session, chat_id=chat_id)
        assert [d.created_at.strftime("%m-%d %H") for d in digests] == ["03-29 01", "10-25 00"]


async def test_an_unsent_backlog_is_folded_by_the_tick(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=9, topics=["comet"], schedule="hourly", now=T0)
        await session.commit()
        chat_id = chat.id or 0
    for hour in range(5):  # nothing is delivered meanwhile (the chat is flood-limited, say)
        now = T0 + timedelta(hours=hour + 1)
        async with sessionmaker() as session:
            await make_article(
                session, title=f"Comet sighting {hour}", stored_at=now - timedelta(minutes=5)
            )
            await session.commit()
        assert await build_due_digests(sessionmaker, now=now, owner="a") == 1
    async with sessionmaker() as session:
        parts = await parts_of(session, chat_id)
        digests = {p.digest_id for p in parts}
        assert len(digests) < 5  # folded into a catch-up digest
        text = texts(parts)
        assert all(text.count(f"Comet sighting {h}") == 1 for h in range(5))
        assert "digests while you were away" in text


async def test_feed_subscriptions_take_every_new_article_of_the_feed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from storage import feeds as feed_store
    from storage.models import FeedCreate

    async with sessionmaker() as session:
        feed, _ = await feed_store.add_feed(
            session, data=FeedCreate(url="https://wire.example/feed.xml", title="The Wire")
        )
        other, _ = await feed_store.add_feed(
            session, data=FeedCreate(url="https://other.example/feed.xml")
        )
        assert feed.id is not None
        chat = await make_chat(
            session, telegram_id=11, topics=[], now=T0, feeds=[(feed.id, "The Wire")]
        )
        assert chat.id is not None
        await make_article(session, title="Anything at all", stored_at=T0, feed_id=feed.id)
        await make_article(session, title="Not this one", stored_at=T0, feed_id=other.id)
        await session.commit()
        chat_id = chat.id
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 1
    async with sessionmaker() as session:
        text = texts(await parts_of(session, chat_id))
        assert "The Wire" in text and "Anything at all" in text and "Not this one" not in text


async def test_tick_claims_again_until_every_due_schedule_is_built(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A tick with a claim size of 4 still builds all 11 digests due at 08:00, not 4 per tick."""
    await _tides_followed_by(sessionmaker, 11, first=3000)
    assert await build_due_digests(sessionmaker, now=DUE, owner="a", limit=4) == 4
    built = await build_due_digests(sessionmaker, now=DUE, owner="a", limit=4, until_done=True)
    assert built == 7
    async with sessionmaker() as session:
        assert len((await session.exec(select(Digest))).all()) == 11


async def test_schedules_claimed_by_a_dead_process_are_built_after_the_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    chat_ids = await _tides_followed_by(sessionmaker, 1, first=3100)
    async with sessionmaker() as session:
        # a process claimed the schedule, then died before building it
        claimed = await schedule_store.claim_due_schedule_rows(
            session, now=DUE, owner="dead", limit=10, lease=timedelta(seconds=30)
        )
        await session.commit()
    assert [s.chat_id for s in claimed] == chat_ids
    later = DUE + timedelta(seconds=20)
    assert await build_due_digests(sessionmaker, now=later, owner="b", until_done=True) == 0
    later = DUE + timedelta(seconds=31)
    assert await build_due_digests(sessionmaker, now=later, owner="b", until_done=True) == 1
    async with sessionmaker() as session:
        digests = (await session.exec(select(Digest))).all()
        assert [d.chat_id for d in digests] == chat_ids


async def test_rendered_stories_are_not_kept_from_one_tick_to_the_next(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The soak's slow memory growth: each tick's story cache must go with its tick."""
    from digests.render import Renderer

    renderer = Renderer()
    async with sessionmaker() as session:
        await make_chat(session, telegram_id=3200, topics=["tides"], schedule="hourly", now=T0)
        await make_article(session, title="Tides are high", stored_at=T0)
        await session.commit()
    assert await build_due_digests(sessionmaker, now=DUE, owner="a", renderer=renderer) == 1
    assert len(renderer._stories) == 1
    async with sessionmaker() as session:
        await make_article(session, title="Tides are low", stored_at=DUE)
        await session.commit()
    later = DUE + timedelta(hours=1)
    assert await build_due_digests(sessionmaker, now=later, owner="a", renderer=renderer) == 1
    assert len(renderer._stories) == 1  # only the story of this tick's digest


async def test_keyword_topics_match_articles_in_their_own_language(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Stored through the pipeline, a Russian article is found by another form of its word
    ("выборов" for "выборы", "выборах"), a Spanish one by "sequías" for "sequía"; a Ukrainian
    one (no stemmer) by its exact word only; English topics still match by their own rules."""
    documents = {
        "ru": "# Итоги голосования в Молдове\n\n" + RU,
        "es": "# Sequía en España\n\n" + ES,
        "uk": "# Вибори в Києві\n\n" + UK,
        "en": "# Elections in Moldova\n\nVoters in Moldova went to the polls on Sunday. "
        "The governing party won a majority, officials said on Monday.",
    }
    async with sessionmaker() as session:
        stored = {
            language: await ingest_document(session, content=content, url=None, now=T0, kind="text")
            for language, content in documents.items()
        }
        assert {a.language for a in stored.values()} == set(documents)
        assert stored["ru"].stems and stored["es"].stems
        assert stored["uk"].stems is None and stored["en"].stems is None
        topics = {"выборов": 11, "sequías": 12, "вибори": 13, "виборів": 14}
        topics["election"] = 15
        chats = {
            topic: await make_chat(session, telegram_id=number, topics=[topic], now=T0)
            for topic, number in topics.items()
        }
        await session.commit()
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == len(topics) - 1
    async with sessionmaker() as session:

        async def digest(topic: str) -> str:
            chat_id = chats[topic].id
            assert chat_id is not None
            return texts(await parts_of(session, chat_id))

        assert "Итоги голосования в Молдове" in await digest("выборов")
        assert "Sequía en España" in await digest("sequías")
        assert "Вибори в Києві" in await digest("вибори")
        assert await digest("виборів") == ""  # another form, and nothing to stem it with
        english = await digest("election")
        assert "Elections in Moldova" in english and "Молдове" not in english

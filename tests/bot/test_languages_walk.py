"""A subscriber in each shipped language walks the bot end to end through the emulator —
/start, /help, /subscribe, /list, a button's notice, a digest and a feed notice — with the real
catalogs: every message is accepted by the emulator's Telegram rules, and none of the bot's
English source texts is left in a translated chat."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

import pytest
from babel.messages.pofile import read_po
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import FEED_URL, sample_feed
from digests import i18n
from digests.query import SECTION_ALIASES
from digests.schedule import SYNTAX, WEEKDAYS
from digests.trending import SUGGESTED_TOPICS
from ingest.health import RefreshResult
from tests.support.harness import (
    ADMIN,
    NOW,
    Clock,
    add_sample_feed,
    fetching,
    make_emulator,
    sqlite_sessionmaker,
)

__all__ = ["sqlite_sessionmaker"]

USER = 5150
# Not prose: placeholders, tags, and what a user types — a command with its arguments, and
# the examples of input the texts show in italics or quotes ("science space", "sport -cricket")
_NOT_PROSE = re.compile(
    r"%\(\w+\)[sd]|<i>.*?</i>|<code>.*?</code>|\"[^\"]*\"|/\w+[^,.;:()<>\n]*|<[^>]*>|\{[^}]*\}"
)
_WORDS = re.compile(r"[A-Za-z]{3,}(?:[ ,'’-]+[A-Za-z]{2,})+")


@cache
def english_phrases() -> frozenset[str]:
    """Runs of two or more English words from the bot's source texts (placeholders, tags,
    commands and examples of input taken out): any of them in a translated chat is English left
    behind."""
    with (i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot").open("rb") as source:
        template = read_po(source)
    phrases: set[str] = set()
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in ids:
            for piece in _NOT_PROSE.split(str(text)):
                phrases.update(m.group(0) for m in _WORDS.finditer(piece))
    return frozenset(p for p in phrases if not _is_input(p))


def _is_input(phrase: str) -> bool:
    """A run of words a user types rather than reads: a query ("climate OR energy") or only
    schedule words, weekdays, section names and suggested topics ("hourly, realtime, off")."""
    words = re.findall(r"[A-Za-z]+", phrase)
    return "OR" in words or all(w.lower() in INPUT_WORDS for w in words)


#: The words of the bot's input language, which every catalog keeps as typed.
INPUT_WORDS = frozenset(
    {*re.findall(r"[a-z]+", SYNTAX), *WEEKDAYS, *SECTION_ALIASES, *SUGGESTED_TOPICS, "cron"}
)


def english_left(text: str, exempt: set[str]) -> list[str]:
    """The English source phrases found in `text`, beyond those the articles themselves hold."""
    return sorted(p for p in english_phrases() if p in text and not any(p in e for e in exempt))


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
async def test_a_subscriber_walks_the_bot_in_their_language(
    language: str, sqlite_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    feed = await add_sample_feed(sqlite_sessionmaker, title="The Demo Newsroom")
    clock = Clock(NOW)
    emulator = make_emulator()
    emulator.user(USER, "Sam", language_code=language.replace("_", "-"))
    emulator.private_chat(ADMIN)  # the bot's admin hears of a failing feed too
    notices: list[str] = []
    async with fetching(sqlite_sessionmaker, emulator=emulator, clock=clock) as bot:
        assert await bot.ticks.ingest() > 0
        clock.now += timedelta(minutes=5)
        commands = ("/start", "/help", "/subscribe climate", f"/subscribe {FEED_URL}", "/list")
        for command in (*commands, "/topics"):
            await bot.say(USER, command)
        topics = emulator.chat(USER).messages[-1]
        first_button = topics.buttons()[0]["text"]
        notice = await bot.press(USER, first_button)
        assert notice
        notices.append(notice)
        await bot.say(USER, "/digest", replies=0)
        assert await bot.deliver() >= 1
        assert feed.id is not None
        failing = RefreshResult(feed.id, FEED_URL, became_failing=True, error="HTTP 500")
        await bot.ticks.notify_feed_changes([failing])
        assert await bot.deliver() >= 1
    messages = [m for m in emulator.chat(USER).messages if m.from_bot]
    assert len(messages) >= 8
    # every message was accepted: the emulator refused nothing (HTML, limits, markup)
    assert not emulator.stats.errors
    texts = [m.text for m in messages] + notices
    digest = next(t for t in texts if "Offshore wind farm" in t or "Glacier melt" in t)
    assert digest
    if language == "en":
        assert any("Subscribed" in t for t in texts)
        return
    # the articles' own words (titles, summaries, the outlet) stay as published
    exempt = {sample_feed(NOW).decode(), first_button}
    left = {text[:60]: english_left(text, exempt) for text in texts}
    assert {k: v for k, v in left.items() if v} == {}

"""Digests in the chat's language: every text of the templates, titles, headings, errors and
schedule descriptions goes through gettext (a pseudo-translation leaves no English behind),
each language gets its own renders from the shared caches, and right-to-left digests read
right to left with article titles kept as published."""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from digests import i18n
from digests.backlog import catchup_header
from digests.build import MORE_GROUP
from digests.commands import build_digest_now, build_more
from digests.query import QueryError, parse_query
from digests.render import FSI, PDI, DigestView, ItemView, Renderer, SourceView, TopicGroup
from digests.schedule import ScheduleError, parse_schedule
from digests.tick import build_due_digests
from storage.models import Chat
from telegram_emulator.entities import parse_message
from telegram_emulator.html import utf16_len
from tests.support.digests import DUE, T0, make_article, make_chat, parts_of

#: The letter every Latin letter of a msgid becomes, by language (fa: a right-to-left script).
LETTERS = {"ru": "ж", "de": "ß", "fa": "ب"}
_KEPT = re.compile(r"(%\(\w+\)[sd]|<[^>]*>|&\w+;|/\w+)|[A-Za-z]")
_COMMAND = re.compile(r"/\w+")
_LATIN = re.compile(r"[A-Za-z]")
CREATED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def pseudo(message: str, letter: str) -> str:
    """A translation that keeps placeholders, tags, entities and /commands, and no English."""
    return _KEPT.sub(lambda m: m.group(1) or letter, message)


class Pseudo(gettext.NullTranslations):
    def __init__(self, letter: str) -> None:
        super().__init__()
        self.letter = letter

    def gettext(self, message: str) -> str:
        return pseudo(message, self.letter)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2, self.letter)


@pytest.fixture(autouse=True)
def translated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every message of ru, de and fa translated (English reads the source texts)."""

    def catalog(language: str) -> gettext.NullTranslations:
        return Pseudo(LETTERS[language]) if language in LETTERS else gettext.NullTranslations()

    monkeypatch.setattr(i18n, "translations", catalog)
    yield


def visible(html: str, *data: str) -> str:
    """What a reader sees of a message, without the article data and /commands."""
    text = parse_message(html)[0]
    for value in data:
        text = text.replace(value, "")
    return _COMMAND.sub("", text)


def stories(count: int = 2, title: str = "Bridge reopens?") -> tuple[ItemView, ...]:
    outlets = (SourceView("Wire", "https://wire.example/b"), SourceView("", None))
    first = ItemView(
        1,
        title,
        "https://a.example/1",
        "Ledger",
        CREATED,
        "Crews finished.\nTraffic next.",
        outlets,
    )
    more = [
        ItemView(i, f"{title} {i}", f"https://a.example/{i}", "Ledger", CREATED, "x " * 200)
        for i in range(2, count + 1)
    ]
    untitled = ItemView(count + 1, "", None, "", None, "", update=True)
    return (first, *more, untitled)


ARTICLE_DATA = ("Bridge reopens?", "Ledger", "Wire", "Crews finished.", "Traffic next.", "x")


def digest(language: str, **overrides: object) -> DigestView:
    items = stories()
    values: dict[str, object] = {
        "groups": (TopicGroup("", items), TopicGroup("bridges", items[:1])),
        "created": CREATED,
        "timezone": "Europe/Berlin",
        "language": language,
        "more": 3,
    }
    values.update(overrides)
    return DigestView(**values)  # type: ignore[arg-type]


def test_a_digest_in_a_translated_language_has_no_english_text_left() -> None:
    renderer = Renderer()
    english = renderer.render_digest(digest("en"))
    for text in ("Your digest", "Update:", "(untitled)", "Also reported by", "+3 more stories"):
        assert text in parse_message(english)[0]
    for part in renderer.digest_parts(digest("ru")):
        seen = visible(part, *ARTICLE_DATA, "bridges")
        assert not _LATIN.search(seen), seen
    assert "марта" in renderer.render_digest(digest("ru"))  # dates in the language too


def test_result_lists_and_nothing_new_in_a_translated_language() -> None:
    renderer = Renderer()
    pages = [
        renderer.render_results(title="Т", articles=stories(), language="ru"),
        renderer.render_results(title="Т", articles=[], language="ru"),
        renderer.render_nothing_new(since=CREATED, language="ru"),
        renderer.render_nothing_new(language="ru"),
    ]
    for page in pages:
        seen = visible(page, *ARTICLE_DATA)
        assert not _LATIN.search(seen), seen
    english = renderer.render_results(title="Latest", articles=[], language="en")
    assert "Nothing found." in english


def test_errors_and_schedules_speak_the_current_language() -> None:
    with i18n.use_language("ru"):
        with pytest.raises(QueryError) as query_error:
            parse_query("cats OR")
        with pytest.raises(ScheduleError) as schedule_error:
            parse_schedule("weekly funday 09:00")
        weekly = parse_schedule("weekly mon 09:00").describe()
        daily = parse_schedule("daily 08:00").describe()
    assert not _LATIN.search(_COMMAND.sub("", str(query_error.value)))
    reason, usage = str(schedule_error.value).split("\n")
    assert reason == schedule_error.value.reason and "funday" in reason
    assert not _LATIN.search(reason.replace("funday", "").replace("mon", "").replace("sun", ""))
    # the syntax of the command is typed as is in every language
    assert usage.endswith(
        "/schedule <realtime | hourly | daily 08:00 | weekdays 07:30 | weekly mon 09:00 | off>"
    )
    assert "понедельник" in weekly and "09:00" in weekly  # the day by Babel's name
    assert "08:00" in daily and not _LATIN.search(daily)
    with i18n.use_language("fa"):
        assert "دوشنبه" in parse_schedule("weekly mon 09:00").describe()
    assert parse_schedule("weekly mon 09:00").describe() == "weekly mon 09:00"


def test_catch_up_header_counts_in_the_language() -> None:
    with i18n.use_language("ru"):
        russian = catchup_header(5)
    assert russian.startswith("<b>📬 5 ") and not _LATIN.search(visible(russian))
    assert catchup_header(1) == "<b>📬 1 digest while you were away</b>"
    assert catchup_header(4) == "<b>📬 4 digests while you were away</b>"


async def _set_language(session: AsyncSession, chat: Chat, language: str) -> None:
    chat.language = language
    session.add(chat)
    await session.flush()


async def test_chats_in_different_languages_share_a_tick_but_not_its_texts(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chats = {}
        for telegram_id, language in ((31, "ru"), (32, "en"), (33, "ru")):
            chat = await make_chat(session, telegram_id=telegram_id, topics=["lighthouse"], now=T0)
            await _set_language(session, chat, language)
            chats[telegram_id] = chat.id or 0
        await make_article(session, title="Lighthouse relit", stored_at=T0)
        await session.commit()
    assert await build_due_digests(sessionmaker, now=DUE, owner="a") == 3
    async with sessionmaker() as session:
        shown = {tid: [p.text for p in await parts_of(session, cid)] for tid, cid in chats.items()}
    assert "Your digest" in shown[32][0] and "Lighthouse relit" in shown[32][0]
    for russian in (shown[31], shown[33]):
        assert russian == shown[31]  # chats in the same language share the render
        seen = visible(russian[0], "Lighthouse relit", "Wire", "lighthouse")
        assert not _LATIN.search(seen), seen


async def test_digest_now_and_more_are_titled_in_the_chats_language(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=34, topics=["robots"], now=T0, max_items=2)
        await _set_language(session, chat, "ru")
        for i in range(4):
            await make_article(session, title=f"Robots {i}", stored_at=T0 + timedelta(minutes=i))
        await session.commit()
        chat_id = chat.id or 0
    async with sessionmaker() as session:
        assert await build_digest_now(session, chat_id=chat_id, now=DUE) is not None
        assert await build_more(session, chat_id=chat_id, now=DUE) is not None
        await session.commit()
        now_part, more_part = [p.text for p in await parts_of(session, chat_id)]
    with i18n.use_language("ru"):
        assert i18n.gettext("Your digest") in now_part
        assert i18n.gettext("More stories") in more_part
        assert i18n.gettext(MORE_GROUP) in more_part and MORE_GROUP not in more_part
    for part in (now_part, more_part):
        seen = visible(part, *(f"Robots {i}" for i in range(4)), "Wire", "robots")
        assert not _LATIN.search(seen), seen


async def test_a_folded_backlog_is_headed_in_the_chats_language(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        chat = await make_chat(session, telegram_id=35, topics=["comet"], schedule="hourly", now=T0)
        await _set_language(session, chat, "ru")
        await session.commit()
        chat_id = chat.id or 0
    for hour in range(5):
        now = T0 + timedelta(hours=hour + 1)
        async with sessionmaker() as session:
            await make_article(session, title=f"Comet {hour}", stored_at=now - timedelta(minutes=5))
            await session.commit()
        assert await build_due_digests(sessionmaker, now=now, owner="a") == 1
    async with sessionmaker() as session:
        first = (await parts_of(session, chat_id))[0].text
    assert first.startswith("<b>📬 ") and "while you were away" not in first
    with i18n.use_language("ru"):
        assert first.startswith(catchup_header(5)) or first.startswith(catchup_header(4))


# --- right to left ------------------------------------------------------------------------------


def direction(text: str) -> str | None:
    """The paragraph direction Telegram gives a message: its first strong character's, text
    inside isolates (U+2066..U+2069) skipped, as the Unicode bidi algorithm's rule P2 says."""
    depth = 0
    for char in text:
        if char in "\u2066\u2067\u2068":
            depth += 1
        elif char == "\u2069":
            depth = max(0, depth - 1)
        elif not depth:
            kind = unicodedata.bidirectional(char)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return None


def _entity_text(text: str, entity: dict[str, object]) -> str:
    units = text.encode("utf-16-le")
    start, length = int(str(entity["offset"])), int(str(entity["length"]))
    return units[2 * start : 2 * (start + length)].decode("utf-16-le")


@pytest.mark.parametrize("title", ["Will the bridge reopen?", "Bridge: 2 lanes… and more"])
def test_a_right_to_left_digest_reads_right_to_left_with_titles_as_published(title: str) -> None:
    long = digest("fa", groups=(TopicGroup("bridges", stories(40, title)),))
    parts = Renderer().digest_parts(long)
    assert len(parts) > 1
    titles = 0
    for part in parts:
        text, entities = parse_message(part)  # Telegram keeps the isolates
        assert utf16_len(text) <= 4096
        assert direction(text) == "rtl", text[:80]
        for entity in entities:
            linked = _entity_text(text, entity)
            if entity["type"] == "text_link" and linked != f"{FSI}Wire{PDI}":  # an outlet
                # the whole title, as published, isolated inside its link
                assert linked.startswith(FSI + title) and linked.endswith(PDI)
                titles += 1
    assert titles == 40
    english = Renderer().render_digest(digest("en", groups=long.groups))
    assert FSI not in english and PDI not in english
    assert direction(parse_message(english)[0]) == "ltr"

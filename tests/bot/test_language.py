"""The bot speaks each chat's language: a private chat starts in its user's Telegram language,
/language changes it (a keyboard of the languages in their own names, or `/language ru`; in a
group only admins), every update is answered in the chat's language, and the command menu is
set in each shipped language. The sentences are looked up in a small Russian test catalog
(the real translations come from translators)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import BotCommandScope, BotCommandScopeChat

from bot.demo import LocalBot
from bot.handlers.language import parse_language
from digests import i18n
from ingest.health import RefreshResult
from storage import chats as chat_store
from storage import feeds as feed_store
from storage.models import FeedCreate
from tests.support.harness import ADMIN, labels, make_emulator, running, sqlite_sessionmaker

__all__ = ["sqlite_sessionmaker"]

RU_USER, EN_USER, GROUP, OWNER, MEMBER = 31, 32, -100777, 41, 42
HI_RU = "<b>Привет!</b>"
#: English source -> the test catalog's Russian
RUSSIAN = {
    "<b>Hi!</b>": HI_RU,
    "welcome and quick setup": "приветствие и быстрая настройка",
    "I only understand commands. Here is what I can do:": (
        "Я понимаю только команды. Вот что я умею:"
    ),
    "From now on I speak <b>%(language)s</b> here.": "Теперь я говорю здесь: <b>%(language)s</b>.",
    "From now on I speak <b>%(language)s</b> in this group.": (
        "Теперь я говорю в этой группе: <b>%(language)s</b>."
    ),
    "Schedule for this chat: <b>%(schedule)s</b>.": "Расписание этого чата: <b>%(schedule)s</b>.",
    "When should digests arrive?": "Когда присылать дайджесты?",
    "⚠️ The source <b>%(name)s</b> is failing (%(reason)s); I keep trying.": (
        "⚠️ Источник <b>%(name)s</b> не работает (%(reason)s); я пробую дальше."
    ),
}


@pytest.fixture
def russian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Russian catalog holding `RUSSIAN`, in place of the shipped ones."""
    catalog = Catalog(locale="ru", domain=i18n.DOMAIN)
    for source, translation in RUSSIAN.items():
        catalog.add(source, translation)
    path = tmp_path / "locale" / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        write_po(out, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


async def stored_language(sessionmaker: async_sessionmaker[AsyncSession], telegram_id: int) -> str:
    async with sessionmaker() as session:
        chat = await chat_store.get_chat_by_telegram_id(session, telegram_id=telegram_id)
    assert chat is not None
    return chat.language


@pytest.mark.parametrize(
    ("text", "language"),
    [("ru", "ru"), ("pt-BR", "pt_BR"), ("pt", "pt_BR"), ("Deutsch", "de"), ("EN", "en")],
)
def test_language_is_named_by_code_or_own_name(text: str, language: str) -> None:
    assert parse_language(text) == language


@pytest.mark.parametrize("text", ["klingon", "xx", "english please"])
def test_an_unknown_language_is_not_taken_for_english(text: str) -> None:
    assert parse_language(text) is None


@pytest.mark.usefixtures("russian")
async def test_a_private_chat_speaks_its_users_telegram_language(bot: LocalBot) -> None:
    emulator = bot.emulator
    emulator.user(RU_USER, "Аня", language_code="ru")
    emulator.user(EN_USER, "Ann", language_code="en-GB")
    [welcome] = await bot.say(RU_USER, "/start")
    assert welcome.text.startswith("Привет!")
    [english] = await bot.say(EN_USER, "/start")
    assert english.text.startswith("Hi!")
    # a handler that does not load the chat still answers in its language
    [answer] = await bot.say(RU_USER, "hello")
    assert answer.text.startswith("Я понимаю только команды.")
    assert "/start — приветствие и быстрая настройка" in answer.text
    assert await stored_language(bot.sessionmaker, RU_USER) == "ru"
    assert await stored_language(bot.sessionmaker, EN_USER) == "en"


@pytest.mark.usefixtures("russian")
async def test_language_keyboard_and_argument_change_what_the_chat_reads(bot: LocalBot) -> None:
    [menu] = await bot.say(EN_USER, "/language")
    assert labels(menu) == ["✅ English", *list(i18n.LANGUAGES.values())[1:]]
    assert await bot.press(EN_USER, "Русский") == "Русский"
    changed = bot.emulator.chat(EN_USER).messages[-1]
    assert changed.text == "Теперь я говорю здесь: Русский."
    [reply] = await bot.say(EN_USER, "/schedule hourly")
    assert reply.text.startswith("Расписание этого чата:")
    # answered before the handler loads the chat: the language it was last seen in
    [reply] = await bot.say(EN_USER, "/schedule")
    assert reply.text.startswith("Когда присылать дайджесты?")
    assert await stored_language(bot.sessionmaker, EN_USER) == "ru"
    [back] = await bot.say(EN_USER, "/language en")
    assert back.text == "From now on I speak English here."
    [refused] = await bot.say(EN_USER, "/language klingon")
    assert "I don't speak klingon yet." in refused.text and "/language <en |" in refused.text
    assert await stored_language(bot.sessionmaker, EN_USER) == "en"


@pytest.mark.usefixtures("russian")
async def test_only_a_groups_admins_change_its_language(bot: LocalBot) -> None:
    emulator = bot.emulator
    emulator.user(OWNER, "Olga", language_code="ru")
    emulator.user(MEMBER, "Mark", language_code="en")
    emulator.group(GROUP, "Читатели", members=[MEMBER], admins=[OWNER])
    # the group starts in the language of whoever first gives the bot a command there
    [welcome] = await bot.say(OWNER, "/start", chat_id=GROUP)
    assert welcome.text.startswith("Привет!")
    [menu] = await bot.say(MEMBER, "/language", chat_id=GROUP)  # anyone may look
    assert "✅ Русский" in labels(menu)
    assert await bot.press(MEMBER, "English", chat_id=GROUP) == (
        "Only this group's admins can change its settings."
    )
    [refused] = await bot.say(MEMBER, "/language de", chat_id=GROUP)
    assert "Only this group's admins" in refused.text
    assert await stored_language(bot.sessionmaker, GROUP) == "ru"
    [done] = await bot.say(OWNER, "/language en", chat_id=GROUP)
    assert done.text == "From now on I speak English in this group."
    assert await stored_language(bot.sessionmaker, GROUP) == "en"


@pytest.mark.usefixtures("russian")
async def test_command_menu_is_set_in_every_language(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    emulator = make_emulator()
    emulator.user(ADMIN).send("/start")  # an admin the bot can reach (its menu adds theirs)
    async with running(sqlite_sessionmaker, emulator=emulator) as bot:
        telegram = bot.application.bot

        async def menu(
            code: str | None = None, scope: BotCommandScope | None = None
        ) -> dict[str, str]:
            got = await telegram.get_my_commands(language_code=code, scope=scope)
            return {c.command: c.description for c in got}

        default, russian, portuguese = await menu(), await menu("ru"), await menu("pt")
        admins = await menu("ru", BotCommandScopeChat(ADMIN))
    assert default["start"] == "welcome and quick setup"
    assert "language" in default
    assert russian["start"] == "приветствие и быстрая настройка"
    assert russian.keys() == default.keys()
    assert portuguese.keys() == default.keys()  # pt_BR is "pt" to Telegram
    assert admins["start"] == "приветствие и быстрая настройка" and "stats" in admins


@pytest.mark.usefixtures("russian")
async def test_a_failing_feed_is_told_to_each_chat_in_its_language(
    sqlite_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    url = "https://wire.example/rss"
    async with sqlite_sessionmaker() as session:
        feed, _created = await feed_store.add_feed(session, data=FeedCreate(url=url, title="Wire"))
        await session.commit()
    emulator = make_emulator()
    emulator.user(RU_USER, language_code="ru")
    emulator.private_chat(ADMIN)
    async with running(sqlite_sessionmaker, emulator=emulator) as bot:
        for user in (RU_USER, EN_USER):
            await bot.say(user, f"/subscribe {url}")
        assert feed.id is not None
        failing = RefreshResult(feed.id, url, became_failing=True, error="HTTP 500")
        await bot.ticks.notify_feed_changes([failing])
        await bot.deliver()
        russian = bot.emulator.chat(RU_USER).messages[-1].text
        english = bot.emulator.chat(EN_USER).messages[-1].text
        [admin] = bot.emulator.chat(ADMIN).messages  # never wrote to the bot: English
    assert russian == "⚠️ Источник Wire не работает (HTTP 500); я пробую дальше."
    assert english == "⚠️ The source Wire is failing (HTTP 500); I keep trying."
    assert admin.text == english

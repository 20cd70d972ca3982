"""The real python-telegram-bot 22 Application runs against both front ends of the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from telegram_emulator import Emulator


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Subscribe", callback_data="sub:ai")]])
    await context.bot.send_message(
        update.effective_chat.id,
        "Hello, <b>subscriber</b>!",
        parse_mode="HTML",
        reply_markup=keyboard,
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Subscribed")
    await query.edit_message_text(f"Subscribed to <i>{query.data}</i>", parse_mode="HTML")


def build(builder: ApplicationBuilder) -> Application:  # type: ignore[type-arg]
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    return app


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[None]:  # type: ignore[type-arg]
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


async def conversation(emulator: Emulator) -> None:
    emulator.user(42, "Ada").send("/start")
    [message] = await emulator.wait_for_messages(42, 1, timeout=20)
    assert message.text == "Hello, subscriber!"
    assert message.entities == [{"type": "bold", "offset": 7, "length": 10}]
    emulator.user(42).press("Subscribe")
    await emulator.wait_for(lambda: emulator.chat(42).last.edit_date is not None, timeout=20)
    assert emulator.chat(42).last.text == "Subscribed to sub:ai"
    [answer] = emulator.callback_answers.values()
    assert answer == {"text": "Subscribed", "show_alert": False, "url": None}
    assert "Hello" not in emulator.chat(42).transcript()
    assert "Ada:\n/start" in emulator.chat(42).transcript()


async def test_application_in_process() -> None:
    emulator = Emulator(token="123:ABC")
    app = build(
        ApplicationBuilder()
        .token(emulator.token)
        .request(emulator.request())
        .get_updates_request(emulator.request())
    )
    async with running(app):
        await conversation(emulator)
    assert emulator.stats.requests["getUpdates"] >= 2
    assert emulator.pending_updates == []


async def test_application_over_http() -> None:
    emulator = Emulator(token="123:ABC")
    async with emulator.serve() as url:
        app = build(ApplicationBuilder().token(emulator.token).base_url(f"{url}/bot"))
        async with running(app):
            await conversation(emulator)
    assert emulator.pending_updates == []

"""The composition root of the bot: `build_application()` wires the handlers, the typed
context, the error handler and the ticks; `serve()` runs it until asked to stop.

Roles: `all` receives updates and runs the ticks; `poller` only receives updates (polling or
the webhook); `worker` only runs the ingest, digest and delivery ticks."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import metrics
from bot.context import AppType, BotData, CustomContext, Services
from bot.delivery import process_limiter
from bot.handlers import (
    admin,
    broadcast,
    buttons,
    channel,
    language,
    membership,
    news,
    preferences,
    start,
    subscriptions,
)
from bot.handlers.common import update_language
from bot.handlers.ordering import PerChatUpdateProcessor
from bot.limits import COMMAND, TAP, CommandThrottle, SharedRateLimiter
from bot.settings import Settings
from bot.ticks import Ticks
from bot.transport import AiohttpRequest
from digests.i18n import DEFAULT, LANGUAGES, _, set_language, use_language
from digests.render import Renderer
from ingest.fetch import Fetcher
from storage.types import utcnow

logger = logging.getLogger(__name__)

Role = Literal["all", "poller", "worker"]
Handler = Callable[[Update, CustomContext], Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
NEW = filters.UpdateType.MESSAGE  # new messages only: an edited command is not run again

# command name -> handler, in the order /help lists them
COMMAND_HANDLERS: dict[str, Handler] = {
    "start": start.start,
    "help": start.help_command,
    "topics": subscriptions.topics,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "list": subscriptions.list_command,
    "schedule": preferences.schedule,
    "timezone": preferences.timezone,
    "quiet": preferences.quiet,
    "max": preferences.max_items,
    "digest": news.digest,
    "latest": news.latest,
    "search": news.search,
    "more": news.more,
    "mute": preferences.mute,
    "unmute": preferences.unmute,
    "pause": preferences.pause,
    "resume": preferences.resume,
    "channel": channel.channel,
    "language": language.language,
    "stop": preferences.stop,
    "addfeed": admin.addfeed,
    "feeds": admin.feeds,
    "removefeed": admin.removefeed,
    "stats": admin.stats,
    "broadcast": broadcast.broadcast,
}


def default_owner() -> str:
    """A lease owner name unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def build_application(
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    delivery_request: BaseRequest | None = None,
    clock: Callable[[], datetime] = utcnow,
    role: Role = "all",
    owner: str | None = None,
    run_ticks: bool = True,
    fetcher: Fetcher | None = None,
    token: str | None = None,
) -> AppType:
    """The bot, ready for `serve()` (or `async with` in tests). `run_ticks=False` leaves the
    ticks to the caller (`services.ticks`), for tests that drive time themselves."""
    token = token or settings.token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    services = Services(
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
        owner=owner or default_owner(),
        throttle=CommandThrottle(settings.commands_per_minute),
        renderer=Renderer(settings.templates_dir),
    )
    context_types = ContextTypes(context=CustomContext, bot_data=BotData)
    limiter = process_limiter(settings, clock=clock)
    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(context_types)
        # replies and deliveries share one budget (bot/limits/replies.py)
        .rate_limiter(SharedRateLimiter(limiter))
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    # Replies go through aiohttp as deliveries do: under a few dozen commands a second httpx's
    # pool bookkeeping cost more CPU than the handlers (benchmarks/load.py). Long polling
    # keeps PTB's default client.
    builder = builder.request(request if request is not None else AiohttpRequest())
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if role == "worker":
        builder = builder.updater(None)
    application: AppType = builder.build()  # type: ignore[assignment]
    application.bot_data.services = services
    services.ticks = Ticks(
        services,
        bot=application.bot,
        role=role,
        fetcher=fetcher,
        delivery_request=delivery_request or request,
        token=token,
        limiter=limiter,
    )
    if role != "worker":
        _add_handlers(application)
    application.add_error_handler(on_error)

    async def post_init(app: AppType) -> None:
        if role != "worker":
            await _set_commands(app)
        await services.ticks.start(app, schedule=run_ticks)

    async def post_stop(app: AppType) -> None:
        await services.ticks.stop()
        await limiter.close()

    application.post_init = post_init
    application.post_stop = post_stop
    return application


def _add_handlers(application: AppType) -> None:
    application.add_handler(TypeHandler(Update, throttle), group=-1)
    for name, handler in COMMAND_HANDLERS.items():
        application.add_handler(CommandHandler(name, measured(name, handler), filters=NEW))
    application.add_handler(
        CallbackQueryHandler(
            measured("broadcast_button", broadcast.confirm), pattern=broadcast.PATTERN
        )
    )
    application.add_handler(CallbackQueryHandler(measured("button", buttons.button)))
    application.add_handler(
        ChatMemberHandler(
            measured("membership", membership.my_membership), ChatMemberHandler.MY_CHAT_MEMBER
        )
    )
    application.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, measured("migrate", membership.migrated))
    )
    application.add_handler(
        MessageHandler(
            NEW & (filters.COMMAND | (filters.TEXT & filters.ChatType.PRIVATE)),
            measured("unknown", start.unknown),
        )
    )


def measured(name: str, handler: Handler) -> Handler:
    """Record how long a command took to answer (`digestbot_command_latency_seconds`)."""

    async def timed(update: Update, context: CustomContext) -> None:
        started = asyncio.get_running_loop().time()
        context.services.busy += 1
        try:
            await handler(update, context)
        finally:
            context.services.busy -= 1
            elapsed = asyncio.get_running_loop().time() - started
            metrics.COMMAND_LATENCY.labels(name).observe(elapsed)
            chat, user = update.effective_chat, update.effective_user
            logger.info(  # one line per command handled (issue 19)
                "command=%s chat=%s user=%s ms=%.0f",
                name,
                chat.id if chat else None,
                user.id if user else None,
                elapsed * 1000,
            )

    timed.__doc__ = handler.__doc__
    return timed


async def throttle(update: Update, context: CustomContext) -> None:
    """Per-chat command rate limit: a polite reply once, then silence, until the minute passes.
    Runs first for every update, so it also sets the language the update is answered in until
    a handler loads the chat's own setting (`update_language`: no query here)."""
    set_language(update_language(update, context))
    chat, message = update.effective_chat, update.message
    # What gets an answer counts: commands, button presses, and any text in a private chat.
    answered = update.callback_query is not None or (
        message is not None
        and message.text is not None
        and (message.text.startswith("/") or message.chat.type == ChatType.PRIVATE)
    )
    if chat is None or not answered:
        return
    services = context.services
    now = services.clock()
    cost = TAP if update.callback_query is not None else COMMAND
    if services.throttle.allow(chat.id, now, cost=cost):
        return
    if update.callback_query is not None:
        await update.callback_query.answer(_("Too many requests — please wait a minute."))
    elif services.throttle.should_warn(chat.id, now) and message is not None:
        await message.reply_text(
            _(
                "You're sending commands faster than I can keep up with. "
                "Please wait a minute and try again."
            ),
            do_quote=False,
        )
    raise ApplicationHandlerStop


async def on_error(update: object, context: CustomContext) -> None:
    """Log every error with its traceback (the token is redacted by bot.logs)."""
    logger.error("error handling update=%s", _update_id(update), exc_info=context.error)
    if isinstance(update, Update) and update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(_("Something went wrong. Please try again."))
    elif isinstance(update, Update) and update.effective_message is not None:
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(
                _("Sorry, something went wrong on my side. Please try again later."),
                do_quote=False,
            )


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else type(update).__name__


async def _set_commands(application: AppType) -> None:
    """The command menu, in each shipped language (Telegram picks the list by the user's app
    language: a two-letter code, "pt" for pt_BR) and by default in English: everyone's
    commands, plus the admin commands in each admin's chat (an admin who never wrote to the
    bot has no chat yet; that one is skipped)."""
    admin_ids = sorted(application.bot_data.services.settings.admin_ids)
    unreachable: set[int] = set()  # admins without a chat: not asked again in each language
    for spoken in LANGUAGES:
        code = None if spoken == DEFAULT else telegram_language_code(spoken)
        with use_language(spoken):
            commands = [BotCommand(*pair) for pair in start.described(admin=False)]
            admin_commands = commands + [BotCommand(*pair) for pair in start.described(admin=True)]
        try:
            await application.bot.set_my_commands(commands, language_code=code)
        except TelegramError:
            logger.warning("set_my_commands failed language=%s", spoken, exc_info=True)
        for admin_id in admin_ids:
            if admin_id in unreachable:
                continue
            try:
                await application.bot.set_my_commands(
                    admin_commands, scope=BotCommandScopeChat(admin_id), language_code=code
                )
            except TelegramError as exc:
                unreachable.add(admin_id)
                logger.info("no admin command menu for admin=%s: %s", admin_id, exc)


def telegram_language_code(language: str) -> str:
    """The two-letter ISO 639-1 code Telegram takes for a shipped language: "pt_BR" -> "pt"."""
    return language.split("_")[0].lower()


# --- running ---------------------------------------------------------------------------------


async def serve(
    application: AppType, *, role: Role, stop: asyncio.Event, poll_timeout: float = 10.0
) -> None:
    """Run until `stop` is set: initialize (retrying while the Bot API is unreachable),
    post_init, receive updates (unless a worker); on stop, or if starting fails: stop
    receiving, stop the ticks (releasing in-flight work), shut down."""
    settings = application.bot_data.services.settings
    if not await _initialize(application, stop):
        return
    webhook: web.AppRunner | None = None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if role != "worker":
            if settings.webhook_url:
                webhook = await start_webhook(application, settings)
            elif application.updater is not None:
                await application.updater.start_polling(
                    poll_interval=0.0,
                    timeout=timedelta(seconds=poll_timeout),
                    bootstrap_retries=-1,
                    allowed_updates=Update.ALL_TYPES,
                    error_callback=PollingErrors(settings.on_conflict, stop),
                )
        await application.start()
        logger.info("digestbot running role=%s mode=%s", role, _mode(settings, role))
        await stop.wait()
    finally:
        logger.info("stopping")
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if webhook is not None:
            await webhook.cleanup()
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()


class PollingErrors:
    """What polling says when getUpdates fails (python-telegram-bot backs off itself, from 1 s
    up to 30 s): one line per back-off step, no traceback; another instance polling with the
    same token (409 Conflict) is said once, clearly, and then either waited out or, with
    `on_conflict="exit"`, the bot stops (`conflicted` is then True)."""

    def __init__(self, on_conflict: Literal["wait", "exit"], stop: asyncio.Event) -> None:
        self.on_conflict = on_conflict
        self.stop = stop
        self.conflicts = 0
        self.conflicted = False

    def __call__(self, error: TelegramError) -> None:
        if isinstance(error, Conflict):
            self.conflicts += 1
            if self.on_conflict == "exit":
                if not self.conflicted:
                    logger.error(
                        "another instance is polling with this bot token (409 Conflict): "
                        "stopping (DIGESTBOT_ON_CONFLICT=exit)"
                    )
                self.conflicted = True
                self.stop.set()
            elif self.conflicts == 1:
                logger.warning(
                    "another instance is polling with this bot token (409 Conflict): backing "
                    "off and retrying until it stops (DIGESTBOT_ON_CONFLICT=exit stops this one)"
                )
            else:
                logger.debug("still in conflict with another instance count=%s", self.conflicts)
            return
        self.conflicts = 0  # a different problem: a later conflict is news again
        logger.warning("polling failed (%s: %s); backing off", type(error).__name__, error)


async def _initialize(application: AppType, stop: asyncio.Event) -> bool:
    """`initialize()` (it calls getMe), retried with backoff while the Bot API cannot be
    reached; False when asked to stop first. A refused token is raised (InvalidToken)."""
    delay = 1.0
    started = False
    try:
        while not stop.is_set():
            try:
                await application.initialize()
                started = True
                return True
            except (InvalidToken, BadRequest):  # BadRequest is a NetworkError: not retried
                raise
            except NetworkError as exc:  # includes TimedOut
                logger.warning("cannot reach the Bot API (%s); retrying in %.0f s", exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 60.0)
        return False
    finally:
        if not started:  # refused, stopped or cancelled: PTB leaves the client open
            await application.bot.request.shutdown()


def _mode(settings: Settings, role: Role) -> str:
    if role == "worker":
        return "ticks"
    return "webhook" if settings.webhook_url else "polling"


async def start_webhook(application: AppType, settings: Settings) -> web.AppRunner:
    """An aiohttp endpoint at `webhook_path` that checks the secret token header and queues
    the update; then `setWebhook` tells Telegram where it is."""
    # Without a configured secret, a random one for this run: requests are always checked.
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    path = "/" + settings.webhook_path.strip("/")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except Exception:
            return web.Response(status=400, text="bad update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
    await site.start()
    assert settings.webhook_url is not None
    await application.bot.set_webhook(
        settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
    )
    logger.info(
        "webhook listening on %s:%s%s", settings.webhook_listen, settings.webhook_port, path
    )
    return runner

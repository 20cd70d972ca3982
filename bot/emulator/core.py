"""The emulator's state machine: chats, messages, the update queue and Telegram's checks.

`Emulator.call(method, params)` is the one entry point both front ends use (the in-process
`BaseRequest` and the HTTP server); it runs a method of `bot.emulator.methods` and answers
`(http_status, json_body)` as Telegram does. The driver methods (`user()`, `chat()`, `group()`,
`set_chat_state()`...) play the people.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.emulator.entities import EmptyTextError, fix_formatted_text, limit_entities
from bot.emulator.errors import ApiError, InjectedFault, bad_request
from bot.emulator.html import EntityParseError, parse_html, utf16_len
from bot.emulator.limits import Faults, FloodControl, Limits
from bot.emulator.methods import METHODS
from bot.emulator.state import JSON, Chat, Message, User
from bot.emulator.webhook import Webhook

if TYPE_CHECKING:
    from bot.emulator.driver import ChatView, UserDriver
    from bot.emulator.request import EmulatorRequest

logger = logging.getLogger(__name__)

Clock = Callable[[], float]

__all__ = ["ApiError", "Clock", "Emulator", "InjectedFault", "ManualClock", "Stats", "bad_request"]

MAX_TEXT_LENGTH = 4096
# telegram-bot-api Client.cpp `get_formatted_text`: `text.size() > (1 << 15)` is refused with
# "Text is too long" before any parsing; the size is the raw parameter's, in UTF-8 bytes.
MAX_TEXT_BYTES = 1 << 15
MAX_CALLBACK_DATA = 64
NO_METHOD = "Not Found: method not found"
# tdlib's bot command pattern: not glued to a word character or to / < >.
_BOT_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
_TEXT_BUTTONS = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
        "reply_to_message_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "allow_paid_broadcast",
        "show_alert",
        "disable_web_page_preview",
    }
)


class ManualClock:
    """A clock for tests: starts at `start` (epoch seconds) and moves only with `advance()`."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Stats:
    """Counters other tests read: what was sent where and when, and what was refused."""

    requests: Counter[str] = field(default_factory=Counter)
    sent_per_chat: Counter[int] = field(default_factory=Counter)
    send_times: dict[int, list[float]] = field(default_factory=dict)
    too_many_requests: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    faults: int = 0

    def to_json(self) -> JSON:
        return {
            "requests": dict(self.requests),
            "sent_per_chat": {str(k): v for k, v in self.sent_per_chat.items()},
            "too_many_requests": self.too_many_requests,
            "errors": {str(k): v for k, v in self.errors.items()},
            "faults": self.faults,
        }


def _command_entities(text: str) -> list[JSON]:
    """`bot_command` entities, as Telegram marks them in a user's message."""
    result = []
    for match in _BOT_COMMAND_RE.finditer(text):
        offset = utf16_len(text[: match.start()])
        result.append({"type": "bot_command", "offset": offset, "length": utf16_len(match[0])})
    return result


def coerce_params(raw: dict[str, Any]) -> JSON:
    """Turn form/JSON parameters (as python-telegram-bot sends them) into typed values."""
    params: JSON = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _INT_PARAMS or key == "chat_id":
                try:
                    value = int(value)
                except ValueError:
                    if key != "chat_id":
                        raise bad_request(f"invalid {key} specified") from None
            elif key in _BOOL_PARAMS:
                value = value.strip().lower() in ("true", "1")
            elif value[:1] in ("{", "["):
                try:
                    value = json.loads(value)
                except ValueError:
                    # Client.cpp names the reply markup's JSON in its own words
                    name = "reply keyboard markup" if key == "reply_markup" else key
                    raise bad_request(f"can't parse {name} JSON object") from None
        params[key] = value
    return params


class Emulator:
    """A local Telegram Bot API for one bot: state, rules, updates, faults and a driver.

    ```python
    emulator = Emulator(token="123:ABC", clock=ManualClock())
    app = ApplicationBuilder().token(emulator.token).request(emulator.request())
        .get_updates_request(emulator.request()).build()
    emulator.user(42).send("/start")
    await emulator.wait_for_messages(42, 1)
    print(emulator.chat(42).transcript())
    ```
    """

    def __init__(
        self,
        *,
        token: str = "123:ABC",
        bot_username: str = "digest_test_bot",
        bot_name: str = "Digest Bot",
        clock: Clock = time.time,
        limits: Limits | None = None,
        privacy_mode: bool = True,
        allow_local_webhooks: bool = False,
    ) -> None:
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123
        self.token = token
        self.clock = clock
        self.bot = User(id=bot_id, first_name=bot_name, username=bot_username, is_bot=True)
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        # Group privacy mode (Telegram's default): in groups a bot that is not an administrator
        # gets only commands (not addressed to another bot) and replies to its own messages.
        self.privacy_mode = privacy_mode
        # Telegram accepts only HTTPS webhooks on ports 80/88/443/8443 at public addresses;
        # this lets a local bot receive updates on a loopback URL (plain HTTP, any port).
        self.allow_local_webhooks = allow_local_webhooks
        self.flood = FloodControl(limits or Limits())
        self.faults: Faults | None = None
        self.stats = Stats()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook: Webhook | None = None
        # Update types getUpdates delivers (Telegram remembers the last `allowed_updates`).
        self.allowed_updates: frozenset[str] | None = None
        # How long a request given a "timeout" fault hangs on the HTTP front end.
        self.fault_hang_seconds = 30.0
        self.callback_answers: dict[str, JSON | None] = {}
        self._callbacks: dict[str, tuple[int, int]] = {}
        self._presses: dict[str, JSON] = {}
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._waiters: set[asyncio.Future[None]] = set()
        self._observers: list[Callable[[Message], None]] = []
        self._callback_ids = itertools.count(1)
        self.closed = False

    # ----- configuration -------------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        return self.flood.limits

    def inject_faults(
        self,
        kind: str = "500",
        *,
        next_n: int = 0,
        fraction: float = 0.0,
        applied: bool = False,
        methods: Iterable[str] | None = None,
        seed: int | None = None,
    ) -> Faults:
        """Make the next `next_n` requests (or a `fraction` of them) fail with `kind`."""
        self.faults = Faults(
            kind=kind,
            next_n=next_n,
            fraction=fraction,
            applied=applied,
            methods=frozenset(methods) if methods is not None else None,
            seed=seed,
        )
        return self.faults

    def clear_faults(self) -> None:
        self.faults = None

    def reset_stats(self) -> None:
        """Start the counters afresh (e.g. after a benchmark's warm-up)."""
        self.stats = Stats()

    # ----- front ends -----------------------------------------------------------------------

    def request(self) -> EmulatorRequest:
        """A `telegram.request.BaseRequest` that talks to this emulator in-process."""
        from bot.emulator.request import EmulatorRequest

        return EmulatorRequest(self)

    @asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the Bot API over HTTP; yields the base URL (`base_url=f"{url}/bot"` for PTB)."""
        from bot.emulator.server import serve

        async with serve(self, host=host, port=port) as url:
            yield url

    # ----- the one entry point -----------------------------------------------------------------

    async def call(self, method: str, raw_params: dict[str, Any] | None = None) -> tuple[int, JSON]:
        """Run one Bot API method: (HTTP status, JSON body). Raises `InjectedFault`."""
        self.stats.requests[method] += 1
        fault = self.faults.pick(method) if self.faults else None
        if fault is not None:
            self.stats.faults += 1
            if self.faults is not None and self.faults.applied:
                await self._run(method, raw_params)
            if fault in ("timeout", "drop"):
                raise InjectedFault(fault)
            code = int(fault)
            phrase = "Internal Server Error" if code == 500 else "Bad Gateway"
            return code, {"ok": False, "error_code": code, "description": phrase}
        return await self._run(method, raw_params)

    async def _run(self, method: str, raw_params: dict[str, Any] | None) -> tuple[int, JSON]:
        handler = METHODS.get(method.lower())
        if handler is None:  # Client.cpp `on_cmd`
            self.stats.errors[404] += 1
            return 404, {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        try:
            params = coerce_params(raw_params or {})
            result = await handler(self, params)
        except ApiError as exc:
            self.stats.errors[exc.code] += 1
            if exc.code == 429:
                self.stats.too_many_requests += 1
            return exc.code, exc.to_json()
        return 200, {"ok": True, "result": result}

    def check_token(self, token: str) -> bool:
        return token == self.token

    # ----- updates ---------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def add_update(self, kind: str, payload: JSON) -> JSON:
        """Queue an update of `kind` ("message", "callback_query"...) and wake long polls."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._notify()
        return update

    @property
    def pending_updates(self) -> list[JSON]:
        return list(self._updates)

    def _notify(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.get_loop().call_soon_threadsafe(_wake, waiter)

    def deliverable_updates(self) -> list[JSON]:
        """Queued updates of the allowed types, oldest first."""
        from bot.emulator.methods import deliverable

        return deliverable(self)

    def confirm_update(self, update_id: int) -> None:
        """Forget updates up to `update_id` (what a getUpdates offset or a webhook 2xx does)."""
        self._updates = [u for u in self._updates if u["update_id"] > update_id]

    @property
    def webhook_url(self) -> str:
        return self.webhook.url if self.webhook else ""

    async def remove_webhook(self) -> None:
        """Stop webhook delivery (deleteWebhook, or the end of `serve()`)."""
        hook, self.webhook = self.webhook, None
        if hook is not None and hook.task is not None:
            hook.task.cancel()
            if hook.task.get_loop() is asyncio.get_running_loop():
                await asyncio.wait([hook.task])  # let it close its HTTP client

    async def wait_change(self, seconds: float) -> None:
        """Wait until something changes (a new update, a sent message...) or `seconds` pass."""
        await self._wait_change(seconds)

    async def _wait_change(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    def observe(self, callback: Callable[[Message], None]) -> Callable[[], None]:
        """Call `callback(message)` for every message stored from now on (the bot's and
        people's) as it is stored, without waking anyone; returns a function that stops it.
        For drivers following many chats at once (benchmarks); `callback` must not raise."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback)

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait (real time) until `predicate()` holds; TimeoutError after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"emulator: condition not met within {timeout} s")
            await self._wait_change(min(left, 0.5))

    async def wait_for_messages(
        self,
        chat_id: int,
        n: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[Message]:
        """Wait until the bot has sent at least `n` messages to `chat_id`; return them."""
        await self.wait_for(lambda: self._bot_count(chat_id) >= n, timeout)
        return self._bot_messages(chat_id)

    def notices(self, chat_id: int) -> list[JSON]:
        """The button taps in `chat_id`, oldest first, each with the notice the bot answered
        (`text`, `show_alert`, `url`; `answered` false while the bot has not answered)."""
        result = []
        for query_id, press in self._presses.items():
            if press["chat_id"] != chat_id:
                continue
            answer = self.callback_answers.get(query_id)
            answered = query_id in self.callback_answers
            result.append({**press, "answered": answered, **(answer or {})})
        return result

    def _bot_count(self, chat_id: int) -> int:
        chat = self.chats.get(chat_id)
        return chat.bot_count if chat else 0

    def _bot_messages(self, chat_id: int) -> list[Message]:
        chat = self.chats.get(chat_id)
        return chat.bot_messages() if chat else []

    # ----- driver ----------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> UserDriver:
        """The driver for a person (created on first use)."""
        from bot.emulator.driver import UserDriver

        if user_id not in self.users:
            self.users[user_id] = User(
                id=user_id,
                first_name=first_name or f"User{user_id}",
                last_name=last_name,
                username=username,
                language_code=language_code,
            )
        return UserDriver(self, self.users[user_id])

    def chat(self, chat_id: int) -> ChatView:
        """A view of one chat: `.messages` the bot sent, `.transcript()`, `.state`."""
        from bot.emulator.driver import ChatView

        return ChatView(self, chat_id)

    def private_chat(self, user_id: int) -> Chat:
        user = self.user(user_id).person
        chat = self.chats.get(user_id)
        if chat is None:
            chat = Chat(
                id=user_id,
                type="private",
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
                members={user_id},
            )
            self.chats[user_id] = chat
        return chat

    def group(
        self,
        chat_id: int,
        title: str = "Group",
        *,
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        creator: int | None = None,
        forum: bool = False,
        topics: dict[int, str] | None = None,
        bot_is_admin: bool = False,
        username: str | None = None,
        supergroup: bool | None = None,
        added_by: int | None = None,
    ) -> Chat:
        """Create a group (ids -100… are supergroups unless told) with the bot as a member.

        `added_by` queues the `my_chat_member` update Telegram sends when someone adds the bot.
        """
        is_super = supergroup if supergroup is not None else str(chat_id).startswith("-100")
        admins = list(admins)
        for uid in [*members, *admins, *([creator] if creator else [])]:
            self.user(uid)
        chat = Chat(
            id=chat_id,
            type="supergroup" if is_super or forum else "group",
            title=title,
            username=username,
            is_forum=forum,
            topics=dict(topics or ({1: "General"} if forum else {})),
            members={*members, *admins, *([creator] if creator else [])},
            admins=set(admins),
            creator=creator if creator is not None else (admins[0] if admins else None),
            bot_is_admin=bot_is_admin,
        )
        self.chats[chat_id] = chat
        if added_by is not None:
            self._member_update(chat, self.user(added_by).person, "left", self._bot_status(chat))
        return chat

    def channel(
        self,
        chat_id: int,
        title: str = "Channel",
        *,
        admins: Iterable[int] = (),
        username: str | None = None,
        bot_is_admin: bool = True,
    ) -> Chat:
        """Create a channel where the bot (an administrator by default) may post."""
        admins = list(admins)
        for uid in admins:
            self.user(uid)
        chat = Chat(
            id=chat_id,
            type="channel",
            title=title,
            username=username,
            members=set(admins),
            admins=set(admins),
            creator=admins[0] if admins else None,
            bot_is_admin=bot_is_admin,
        )
        self.chats[chat_id] = chat
        return chat

    def set_chat_state(
        self,
        chat_id: int,
        *,
        blocked: bool | None = None,
        deactivated: bool | None = None,
        kicked: bool | None = None,
        migrate_to_chat_id: int | None = None,
        exists: bool | None = None,
    ) -> Chat:
        """Set what Telegram will answer for `chat_id` (created as a private chat if unknown).

        Blocking/unblocking and kicking queue the `my_chat_member` update Telegram sends;
        migrating creates the supergroup and queues both migration service messages.
        """
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id < 0:
                chat = self.group(chat_id, f"Group {chat_id}")
            else:
                chat = self.private_chat(chat_id)
        if exists is not None:
            chat.exists = exists
        if deactivated is not None:
            chat.deactivated = deactivated
        if blocked is not None and blocked != chat.blocked:
            chat.blocked = blocked
            person = self.users.get(chat.id) or self.user(chat.id).person
            old, new = ("member", "kicked") if blocked else ("kicked", "member")
            self._member_update(chat, person, old, new)
        if kicked is not None and kicked != chat.kicked:
            old_status = self._bot_status(chat)
            chat.kicked = kicked
            actor = chat.creator or next(iter(chat.admins), None) or next(iter(chat.members), None)
            person = self.user(actor).person if actor is not None else self.bot
            self._member_update(chat, person, old_status, self._bot_status(chat))
        if migrate_to_chat_id is not None and chat.migrated_to is None:
            self._migrate(chat, migrate_to_chat_id)
        return chat

    def _migrate(self, chat: Chat, new_id: int) -> None:
        chat.migrated_to = new_id
        new = Chat(
            id=new_id,
            type="supergroup",
            title=chat.title,
            members=set(chat.members),
            admins=set(chat.admins),
            creator=chat.creator,
            bot_is_admin=chat.bot_is_admin,
        )
        self.chats[new_id] = new
        actor = self.user(chat.creator).person if chat.creator else self.bot
        for where, key, value in (
            (chat, "migrate_to_chat_id", new_id),
            (new, "migrate_from_chat_id", chat.id),
        ):
            service = self._store(where, actor, text="", entities=[], from_bot=False)
            payload = self._message_api(where, service)
            payload.pop("text", None)
            payload[key] = value
            self.add_update("message", payload)

    def _bot_status(self, chat: Chat) -> str:
        if chat.kicked:
            return "kicked"
        return "administrator" if chat.bot_is_admin else "member"

    def _member_update(self, chat: Chat, actor: User, old: str, new: str) -> None:
        self.add_update(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": actor.to_api(),
                "date": self.now(),
                "old_chat_member": self._member_api(chat, self.bot, old),
                "new_chat_member": self._member_api(chat, self.bot, new),
            },
        )

    def _member_api(self, chat: Chat, user: User, status: str) -> JSON:
        data: JSON = {"status": status, "user": user.to_api()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": user.id == chat.creator,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
            if chat.type == "channel":
                data.update({"can_post_messages": True, "can_edit_messages": True})
            if chat.type == "supergroup":
                data["can_pin_messages"] = True
                data["can_manage_topics"] = chat.is_forum
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def _member_status(self, chat: Chat, user_id: int) -> str:
        if user_id == self.bot.id:
            return self._bot_status(chat)
        if chat.type == "private":
            return "member" if user_id == chat.id else "left"
        if user_id == chat.creator:
            return "creator"
        if user_id in chat.admins:
            return "administrator"
        return "member" if user_id in chat.members else "left"

    # ----- messages --------------------------------------------------------------------------

    def _store(
        self,
        chat: Chat,
        sender: User,
        *,
        text: str,
        entities: list[JSON],
        from_bot: bool,
        parse_mode: str | None = None,
        reply_markup: JSON | None = None,
        thread_id: int | None = None,
        link_preview_options: JSON | None = None,
    ) -> Message:
        message = Message(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            date=self.now(),
            text=text,
            entities=entities,
            sender_id=sender.id,
            from_bot=from_bot,
            parse_mode=parse_mode,
            reply_markup=reply_markup,
            message_thread_id=thread_id,
            link_preview_options=link_preview_options,
        )
        chat.next_message_id += 1
        chat.add(message)
        for observer in self._observers:
            observer(message)
        return message

    def _message_api(self, chat: Chat, message: Message, *, with_reply: bool = True) -> JSON:
        sender = self.bot if message.from_bot else self.users.get(message.sender_id, self.bot)
        data: JSON = {"message_id": message.message_id}
        if chat.type == "channel":
            data["sender_chat"] = chat.to_api()
        else:
            data["from"] = sender.to_api()
        data.update({"chat": chat.to_api(), "date": message.date, "text": message.text})
        if message.entities:
            data["entities"] = message.entities
        if message.message_thread_id is not None:
            data["message_thread_id"] = message.message_thread_id
            if chat.is_forum:
                data["is_topic_message"] = True
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.link_preview_options:
            data["link_preview_options"] = message.link_preview_options
        replied = chat.find(message.reply_to) if message.reply_to is not None else None
        if with_reply and replied is not None:
            data["reply_to_message"] = self._message_api(chat, replied, with_reply=False)
        return data

    def user_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """A person writes `text` in a chat (their private chat by default); queue the update.

        Writing to a bot one has blocked unblocks it first, as Telegram does.
        """
        person = self.user(user_id).person
        if chat_id is None or chat_id == user_id:
            chat = self.private_chat(user_id)
            if chat.deactivated:
                raise ValueError(f"user {user_id} is deactivated")
            if chat.blocked:
                self.set_chat_state(chat.id, blocked=False)
        else:
            chat = self.chats.get(chat_id) or self._new_chat(chat_id, chat_type, user_id)
            chat.members.add(user_id)
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was upgraded to {chat.migrated_to}")
        entities = _command_entities(text)
        message = self._store(
            chat, person, text=text, entities=entities, from_bot=False, thread_id=message_thread_id
        )
        if reply_to_message_id is not None:
            if chat.find(reply_to_message_id) is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat.id}")
            message.reply_to = reply_to_message_id
        payload = self._message_api(chat, message)
        if not self._delivered(chat, message):
            return {"update_id": None, "message": payload}  # seen by people, not by the bot
        return self.add_update("channel_post" if chat.type == "channel" else "message", payload)

    def _delivered(self, chat: Chat, message: Message) -> bool:
        """Whether Telegram would deliver a person's message in `chat` to the bot."""
        if chat.kicked:
            return False
        if not self.privacy_mode or chat.type not in ("group", "supergroup") or chat.bot_is_admin:
            return True
        replied = chat.find(message.reply_to) if message.reply_to is not None else None
        if replied is not None and replied.from_bot:
            return True
        for entity in message.entities:
            if entity["type"] == "bot_command":
                units = message.text.encode("utf-16-le", "surrogatepass")
                start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
                command = units[start:end].decode("utf-16-le", "surrogatepass")
                _, _, addressee = command.partition("@")
                bot_name = (self.bot.username or "").lower()
                return not addressee or addressee.lower() == bot_name
        return False

    def _new_chat(self, chat_id: int, chat_type: str | None, user_id: int) -> Chat:
        if chat_type == "channel":
            return self.channel(chat_id, f"Channel {chat_id}", admins=[user_id])
        if chat_type == "private" or (chat_type is None and chat_id > 0):
            raise ValueError("a private chat's id is its user's id")
        return self.group(
            chat_id,
            f"Group {chat_id}",
            members=[user_id],
            supergroup=None if chat_type is None else chat_type == "supergroup",
        )

    def callback_press(self, user_id: int, chat_id: int, message_id: int, data: str) -> JSON:
        """A person presses an inline button with `data` under a message; queue the update."""
        person = self.user(user_id).person
        chat = self.chats.get(chat_id)
        if chat is None:
            raise LookupError(f"unknown chat {chat_id}")
        message = chat.find(message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        query_id = str(next(self._callback_ids) * 1_000_003 + user_id)
        self._callbacks[query_id] = (chat_id, message_id)
        self._presses[query_id] = {
            "callback_query_id": query_id,
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "data": data,
        }
        return self.add_update(
            "callback_query",
            {
                "id": query_id,
                "from": person.to_api(),
                "message": self._message_api(chat, message),
                "chat_instance": str(abs(chat_id) * 7 + 1),
                "data": data,
            },
        )

    # ----- checks shared by the sending methods ----------------------------------------------

    def _chat_for_bot(self, chat_ref: Any) -> Chat:
        """The chat a method addresses, or Telegram's error for it."""
        if chat_ref is None or chat_ref == "":
            raise bad_request("chat_id is empty")
        chat: Chat | None = None
        if isinstance(chat_ref, str) and chat_ref.startswith("@"):
            name = chat_ref[1:].lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == name), None
            )
        elif isinstance(chat_ref, int):
            chat = self.chats.get(chat_ref)
        if chat is None or not chat.exists:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _check_can_write(self, chat: Chat) -> None:
        if chat.type == "private":
            if chat.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat.kicked:
            if chat.type == "channel":
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        elif chat.type == "channel" and not chat.bot_is_admin:
            raise bad_request("need administrator rights in the channel chat")

    def formatted(self, params: JSON, key: str = "text") -> tuple[str, list[JSON], str | None]:
        """The text, entities and parse mode Telegram stores for `params`, or its refusal."""
        text = params.get(key)
        if text is None or text == "":
            raise bad_request("message text is empty")
        text = str(text)
        if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
            raise bad_request("text is too long")
        mode = params.get("parse_mode")
        mode_name = str(mode).lower() if mode else ""
        if mode_name == "html":
            try:
                text, entities = parse_html(text)
            except EntityParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif mode_name == "":
            entities = self._given_entities(params.get("entities"))
        else:
            if mode_name in ("markdown", "markdownv2"):
                # Valid for Telegram, but not emulated: say so instead of pretending.
                raise ApiError(501, f"Not Implemented: the emulator does not parse {mode}")
            raise bad_request("unsupported parse_mode")
        try:
            text, entities = fix_formatted_text(text, entities)
        except EmptyTextError:  # blank once parsed: tdlib's fix_formatted_text
            raise bad_request("text must be non-empty") from None
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, limit_entities(entities), (str(mode) if mode else None)

    @staticmethod
    def _given_entities(entities: Any) -> list[JSON]:
        if not entities:
            return []
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad_request("can't parse entities JSON object")
        return [
            dict(e)
            for e in entities
            if int(e.get("length", 0)) > 0 and e.get("type") not in _DETECTED_ENTITY_TYPES
        ]

    @staticmethod
    def _markup(markup: Any) -> JSON | None:
        """An inline keyboard as Telegram keeps it; other keyboards are kept as given.

        Each button is parsed as telegram-bot-api's `get_inline_keyboard_button` does (Client.cpp:
        an empty `url` or `callback_data` counts as absent, so a button left with neither is a
        "text button"); then tdlib's `get_reply_markup` (td/telegram/ReplyMarkup.cpp) skips
        buttons with empty text, checks URL buttons, and keeps at most 12 buttons a row and 300
        in all, silently dropping the rest; a keyboard left empty is no keyboard."""
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise bad_request("object expected as reply markup")
        if "inline_keyboard" not in markup:
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                _parse_inline_button(button)
        kept_rows: list[list[JSON]] = []
        total = 0
        for row in rows:
            kept: list[JSON] = []
            for button in row:
                if not button["text"]:
                    continue
                _check_inline_button(button)
                kept.append(button)
                total += 1
                if len(kept) >= MAX_ROW_BUTTONS or total >= MAX_BUTTONS:
                    break
            if kept:
                kept_rows.append(kept)
            if total >= MAX_BUTTONS:
                break
        return {"inline_keyboard": kept_rows} if kept_rows else None

    def _thread(self, chat: Chat, params: JSON) -> int | None:
        thread = params.get("message_thread_id")
        if thread is None:
            return None
        if chat.is_forum and int(thread) not in chat.topics:
            raise bad_request("message thread not found")
        return int(thread)

    def _flood(self, chat: Chat, *, paid: bool) -> None:
        wait = self.flood.check(
            chat.id, is_private=chat.type == "private", paid=paid, now=self.clock()
        )
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _bot_message(self, params: JSON) -> tuple[Chat, Message | None]:
        chat = self._chat_for_bot(params.get("chat_id"))
        message_id = params.get("message_id")
        message = chat.find(int(message_id)) if message_id is not None else None
        return chat, message


# Entity types Telegram finds by itself: given ones are ignored (telegram-bot-api Client.cpp,
# `get_text_entity_type` returns nullptr for them).
_DETECTED_ENTITY_TYPES = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number"}
    | {"bank_card_number"}
)

MAX_ROW_BUTTONS = 12  # ReplyMarkup.cpp: `row_button_count >= 12`
MAX_BUTTONS = 300  # ReplyMarkup.cpp: `total_button_count >= 300`
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite"})


def _parse_inline_button(button: Any) -> None:
    """Client.cpp `get_inline_keyboard_button`: the errors it answers for one button."""
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(_TEXT_BUTTONS)
    if button.get("url") or button.get("callback_data"):
        return
    if not any(k in button for k in _OTHER_BUTTON_KINDS):
        raise bad_request(_TEXT_BUTTONS)


def _check_inline_button(button: JSON) -> None:
    """tdlib's checks of a button kept in the keyboard (ReplyMarkup.cpp, LinkManager.cpp)."""
    if button.get("url"):
        url = str(button["url"])
        reason = _link_problem(url)
        if reason is not None:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: {reason}")
    elif len(str(button.get("callback_data") or "").encode("utf-8")) > MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")


def _link_problem(url: str) -> str | None:
    """Why tdlib's `LinkManager::check_link` refuses `url` (a scheme-less link is http)."""
    scheme, sep, rest = url.partition(":")
    if not sep or "/" in scheme or "." in scheme:
        scheme, rest = "http", "//" + url
    if scheme.lower() not in _LINK_SCHEMES:
        return "Unsupported URL protocol"
    if scheme.lower() in ("http", "https"):
        host = rest.removeprefix("//").split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
        if not host.split(":", 1)[0]:
            return "URL host is empty"
    return None


_OTHER_BUTTON_KINDS = (
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)

"""The people side of the emulator: users, groups and channels, what they write and press, and
the messages every chat holds.

`People` is the base of `Emulator`: the driver methods (`user()`, `group()`, `channel()`,
`set_chat_state()`, `user_message()`, `callback_press()`) play the people and queue the updates
Telegram would send; `store()` and `message_api()` keep and show messages, the bot's included.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Unpack

from telegram_emulator.clock import Clock
from telegram_emulator.html import utf16_len
from telegram_emulator.state import JSON, Chat, Message, SendOptions, User
from telegram_emulator.updates import UpdateQueue

if TYPE_CHECKING:
    from telegram_emulator.driver import ChatView, UserDriver

# tdlib's bot command pattern: not glued to a word character or to / < >.
_BOT_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")


def command_entities(text: str) -> list[JSON]:
    """`bot_command` entities, as Telegram marks them in a user's message."""
    result = []
    for match in _BOT_COMMAND_RE.finditer(text):
        offset = utf16_len(text[: match.start()])
        result.append({"type": "bot_command", "offset": offset, "length": utf16_len(match[0])})
    return result


class People:
    """Users, chats and messages, and the driver that plays the people (see `Emulator`)."""

    def __init__(self, *, bot: User, clock: Clock, privacy_mode: bool) -> None:
        self.bot = bot
        self.clock = clock
        # Group privacy mode (Telegram's default): in groups a bot that is not an administrator
        # gets only commands (not addressed to another bot) and replies to its own messages.
        self.privacy_mode = privacy_mode
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.updates = UpdateQueue()
        self.callback_answers: dict[str, JSON | None] = {}
        self._presses: dict[str, JSON] = {}
        self._observers: list[Callable[[Message], None]] = []
        self._callback_ids = itertools.count(1)

    def now(self) -> int:
        return int(self.clock())

    def add_update(self, kind: str, payload: JSON) -> JSON:
        """Queue an update of `kind` ("message", "callback_query"...) and wake long polls."""
        return self.updates.add(kind, payload)

    def observe(self, callback: Callable[[Message], None]) -> Callable[[], None]:
        """Call `callback(message)` for every message stored from now on (the bot's and
        people's) as it is stored, without waking anyone; returns a function that stops it.
        For drivers following many chats at once (benchmarks); `callback` must not raise."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback)

    def is_open_query(self, query_id: str) -> bool:
        """Whether `query_id` is a button press the bot has not answered yet."""
        return query_id in self._presses and query_id not in self.callback_answers

    def answer_query(self, query_id: str, answer: JSON) -> None:
        """Record the bot's answer (`text`, `show_alert`, `url`) to a button press."""
        self.callback_answers[query_id] = answer
        self.updates.notify()

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
        first_name: str = "",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> UserDriver:
        """The driver for a person (created on first use; named "User<id>" unless `first_name`)."""
        from telegram_emulator.driver import UserDriver

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
        from telegram_emulator.driver import ChatView

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
        chat = Chat(
            id=chat_id,
            type="supergroup" if is_super or forum else "group",
            title=title,
            username=username,
            is_forum=forum,
            topics=dict(topics or ({1: "General"} if forum else {})),
            bot_is_admin=bot_is_admin,
        )
        return self._add_chat(
            chat, members=members, admins=admins, creator=creator, added_by=added_by
        )

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
        chat = Chat(
            id=chat_id, type="channel", title=title, username=username, bot_is_admin=bot_is_admin
        )
        return self._add_chat(chat, admins=admins)

    def _add_chat(
        self,
        chat: Chat,
        *,
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        creator: int | None = None,
        added_by: int | None = None,
    ) -> Chat:
        """Keep a new group or channel with its people: the admins, the creator (the first
        admin unless told) and the other members, each a user. `added_by` queues the
        `my_chat_member` update Telegram sends when someone adds the bot."""
        admins = list(admins)
        if creator is None and admins:
            creator = admins[0]
        people = [*members, *admins, *([creator] if creator is not None else [])]
        for uid in people:
            self.user(uid)
        chat.members, chat.admins, chat.creator = set(people), set(admins), creator
        self.chats[chat.id] = chat
        if added_by is not None:
            self._member_update(chat, self.user(added_by).person, "left", self._bot_status(chat))
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
        new = Chat(id=new_id, type="supergroup", title=chat.title, bot_is_admin=chat.bot_is_admin)
        self._add_chat(new, members=chat.members, admins=chat.admins, creator=chat.creator)
        actor = self.user(chat.creator).person if chat.creator else self.bot
        for where, key, value in (
            (chat, "migrate_to_chat_id", new_id),
            (new, "migrate_from_chat_id", chat.id),
        ):
            service = self.store(where, actor, text="", entities=[], from_bot=False)
            payload = self.message_api(where, service)
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
                "old_chat_member": self.member_api(chat, self.bot, old),
                "new_chat_member": self.member_api(chat, self.bot, new),
            },
        )

    def member_api(self, chat: Chat, user: User, status: str) -> JSON:
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

    def member_status(self, chat: Chat, user_id: int) -> str:
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

    def store(
        self,
        chat: Chat,
        sender: User,
        *,
        text: str,
        entities: list[JSON],
        from_bot: bool,
        **options: Unpack[SendOptions],
    ) -> Message:
        message = Message(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            date=self.now(),
            text=text,
            entities=entities,
            sender_id=sender.id,
            from_bot=from_bot,
            **options,
        )
        chat.next_message_id += 1
        chat.add(message)
        for observer in self._observers:
            observer(message)
        return message

    def message_api(self, chat: Chat, message: Message, *, with_reply: bool = True) -> JSON:
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
            data["reply_to_message"] = self.message_api(chat, replied, with_reply=False)
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
        entities = command_entities(text)
        message = self.store(
            chat,
            person,
            text=text,
            entities=entities,
            from_bot=False,
            message_thread_id=message_thread_id,
        )
        if reply_to_message_id is not None:
            if chat.find(reply_to_message_id) is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat.id}")
            message.reply_to = reply_to_message_id
        payload = self.message_api(chat, message)
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
                "message": self.message_api(chat, message),
                "chat_instance": str(abs(chat_id) * 7 + 1),
                "data": data,
            },
        )

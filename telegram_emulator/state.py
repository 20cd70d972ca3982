"""The emulator's records: users, chats (with members, admins, threads, states) and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

JSON = dict[str, Any]


@dataclass
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


class SendOptions(TypedDict, total=False):
    """What a sender may add to a message's text (`Message`'s fields of the same names)."""

    parse_mode: str | None
    reply_markup: JSON | None
    message_thread_id: int | None
    link_preview_options: JSON | None


@dataclass
class Message:
    """One message in a chat, sent by the bot (`from_bot`) or by a user through the driver."""

    message_id: int
    chat_id: int
    date: int
    text: str
    entities: list[JSON]
    sender_id: int
    from_bot: bool
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    message_thread_id: int | None = None
    link_preview_options: JSON | None = None
    edit_date: int | None = None
    reply_to: int | None = None
    deleted: bool = False
    extra: JSON = field(default_factory=dict)

    def to_driver(self) -> JSON:
        """The record the driver API shows for a message the bot sent."""
        data: JSON = {
            "message_id": self.message_id,
            "date": self.date,
            "text": self.text,
            "entities": self.entities,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
        }
        if self.message_thread_id is not None:
            data["message_thread_id"] = self.message_thread_id
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        return data

    def buttons(self) -> list[JSON]:
        """The inline keyboard's buttons, row by row."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class Chat:
    """A chat as the bot sees it, with the state a test can set."""

    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    creator: int | None = None
    bot_is_admin: bool = False
    messages: list[Message] = field(default_factory=list)
    by_id: dict[int, Message] = field(default_factory=dict)
    bot_count: int = 0  # the bot's messages here, not deleted (kept for cheap waiting)
    actions: list[str] = field(default_factory=list)
    next_message_id: int = 1
    # States a test can set.
    exists: bool = True
    blocked: bool = False
    deactivated: bool = False
    kicked: bool = False
    migrated_to: int | None = None

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data["title"] = self.title or ""
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data

    def to_full_api(self) -> JSON:
        """`ChatFullInfo` as getChat returns it."""
        data = self.to_api()
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return data

    def state(self) -> JSON:
        """The driver's view of the chat's state."""
        return {
            "chat_id": self.id,
            "type": self.type,
            "exists": self.exists,
            "blocked": self.blocked,
            "deactivated": self.deactivated,
            "kicked": self.kicked,
            "migrate_to_chat_id": self.migrated_to,
        }

    def bot_messages(self) -> list[Message]:
        """What the bot sent here and has not deleted, in order."""
        return [m for m in self.messages if m.from_bot and not m.deleted]

    def add(self, message: Message) -> None:
        self.messages.append(message)
        self.by_id[message.message_id] = message
        if message.from_bot:
            self.bot_count += 1

    def delete(self, message: Message) -> None:
        if not message.deleted:
            message.deleted = True
            if message.from_bot:
                self.bot_count -= 1

    def find(self, message_id: int) -> Message | None:
        message = self.by_id.get(message_id)
        return None if message is None or message.deleted else message

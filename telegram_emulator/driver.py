"""The Python driver: people who write to the bot and press its buttons, and views of chats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, Unpack

from telegram_emulator.state import JSON, Chat, Message, User
from telegram_emulator.transcript import render_html, render_text

if TYPE_CHECKING:
    from telegram_emulator.people import People


class Where(TypedDict, total=False):
    """Where a person writes (see `People.user_message`): their private chat unless `chat_id`
    (created as a `chat_type` chat if unknown), in a forum topic, in reply to a message."""

    chat_id: int | None
    chat_type: str | None
    message_thread_id: int | None
    reply_to_message_id: int | None


@dataclass
class UserDriver:
    """One person: `send()` text (commands get their `bot_command` entity), `press()` buttons."""

    emulator: People
    person: User

    @property
    def id(self) -> int:
        return self.person.id

    def send(self, text: str, **where: Unpack[Where]) -> JSON:
        """Write `text` in the private chat (or `chat_id`); returns the queued update."""
        return self.emulator.user_message(self.person.id, text, **where)

    def press(self, button_text: str, *, chat_id: int | None = None) -> JSON:
        """Press the inline button labelled `button_text` on the newest bot message having it.

        Raises LookupError when no message in the chat has such a callback button.
        """
        chat = self.emulator.chats.get(chat_id if chat_id is not None else self.person.id)
        if chat is None:
            raise LookupError("no such chat")
        for message in reversed(chat.bot_messages()):
            for button in message.buttons():
                if button.get("text") == button_text and "callback_data" in button:
                    return self.emulator.callback_press(
                        self.person.id, chat.id, message.message_id, str(button["callback_data"])
                    )
        raise LookupError(f"no message in chat {chat.id} has a button {button_text!r}")

    def press_data(self, message_id: int, data: str, *, chat_id: int | None = None) -> JSON:
        """Press a button by its callback data (what a client sends; not validated)."""
        target = chat_id if chat_id is not None else self.person.id
        return self.emulator.callback_press(self.person.id, target, message_id, data)


@dataclass
class ChatView:
    """What one chat holds, as a subscriber would see it."""

    emulator: People
    chat_id: int

    @property
    def record(self) -> Chat | None:
        return self.emulator.chats.get(self.chat_id)

    @property
    def messages(self) -> list[Message]:
        """The bot's messages here (deleted ones left out), oldest first."""
        chat = self.record
        return chat.bot_messages() if chat else []

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages]

    @property
    def history(self) -> list[Message]:
        """Everything said here, by the bot and by people."""
        chat = self.record
        return [m for m in chat.messages if not m.deleted] if chat else []

    @property
    def last(self) -> Message:
        messages = self.messages
        if not messages:
            raise LookupError(f"the bot sent nothing to chat {self.chat_id}")
        return messages[-1]

    @property
    def notices(self) -> list[JSON]:
        """Button taps here and the notices the bot answered them with, oldest first."""
        return self.emulator.notices(self.chat_id)

    @property
    def actions(self) -> list[str]:
        chat = self.record
        return list(chat.actions) if chat else []

    def transcript(self, *, html: bool = False) -> str:
        """The chat as text (or HTML rendering the entities), one block per message."""
        names = {uid: u.first_name for uid, u in self.emulator.users.items()}
        if html:
            return render_html(self.history, names=names, bot_name=self.emulator.bot.first_name)
        return render_text(self.history, names=names, bot_name=self.emulator.bot.first_name)

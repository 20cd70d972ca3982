"""A faithful local Telegram Bot API emulator for tests, demos and other tools.

One state machine (`Emulator`) enforces Telegram's rules with Telegram's error texts; two front
ends serve it: `emulator.request()` (an in-process `telegram.request.BaseRequest`) and
`emulator.serve()` (an aiohttp server for `/bot<token>/<method>` plus the `/_emulator/` driver).
`telegram_emulator.html.parse_html` parses HTML parse mode exactly as tdlib does, and
`parse_message` gives the text and entities Telegram finally stores.

The package stands alone: it imports python-telegram-bot, aiohttp and httpx, never the bot
that uses it (a test walks its import graph). Modules:

- `core`: `Emulator`, its configuration and its one entry point `call()`;
- `updates`: the update queue and long polling;
- `checks`: Telegram's checks of what the bot sends (text, entities, keyboards, threads);
- `people`: users, groups and channels, what they write and press, the messages kept;
- `methods`: the Bot API methods; `html`, `entities`: HTML parse mode and entity fixing;
- `limits`: flood control (`ApiLimits`) and fault injection; `webhook`: webhook delivery;
- `request`, `server`: the two front ends; `driver`, `transcript`: views for tests and people.
"""

from telegram_emulator.clock import ManualClock
from telegram_emulator.core import ApiError, Emulator, Stats
from telegram_emulator.driver import ChatView, UserDriver, Where
from telegram_emulator.entities import EmptyTextError, parse_message
from telegram_emulator.html import EntityParseError, parse_html, utf16_len
from telegram_emulator.limits import ApiLimits, Faults
from telegram_emulator.state import Chat, Message, User

__all__ = [
    "ApiError",
    "ApiLimits",
    "Chat",
    "ChatView",
    "EmptyTextError",
    "Emulator",
    "EntityParseError",
    "Faults",
    "ManualClock",
    "Message",
    "Stats",
    "User",
    "UserDriver",
    "Where",
    "parse_html",
    "parse_message",
    "utf16_len",
]

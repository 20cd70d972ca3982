"""A faithful local Telegram Bot API emulator for tests, the demo and other tools.

One state machine (`Emulator`) enforces Telegram's rules with Telegram's error texts; two front
ends serve it: `emulator.request()` (an in-process `telegram.request.BaseRequest`) and
`emulator.serve()` (an aiohttp server for `/bot<token>/<method>` plus the `/_emulator/` driver).
`bot.emulator.html.parse_html` parses HTML parse mode exactly as tdlib does, and
`parse_message` gives the text and entities Telegram finally stores.
"""

from bot.emulator.core import ApiError, Emulator, ManualClock, Stats
from bot.emulator.driver import ChatView, UserDriver
from bot.emulator.entities import EmptyTextError, parse_message
from bot.emulator.html import EntityParseError, parse_html, utf16_len
from bot.emulator.limits import Faults, Limits
from bot.emulator.state import Chat, Message, User

__all__ = [
    "ApiError",
    "Chat",
    "ChatView",
    "EmptyTextError",
    "Emulator",
    "EntityParseError",
    "Faults",
    "Limits",
    "ManualClock",
    "Message",
    "Stats",
    "User",
    "UserDriver",
    "parse_html",
    "parse_message",
    "utf16_len",
]

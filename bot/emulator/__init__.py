"""A faithful local Telegram Bot API emulator for tests, the demo and other tools.

`bot.emulator.html` parses Telegram's HTML parse mode exactly as tdlib does.
"""

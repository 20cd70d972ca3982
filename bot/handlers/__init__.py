"""Thin command, button and message handlers; `bot.app.build_application` wires them."""

"""Reading one line of a JSONL input (`summarize`, `classify`, `stories`): every problem is a
`UserError` naming the line, so a script's bad line stops the run with one clear message."""

from __future__ import annotations

import json
from typing import Any

from bot.cli.common import UserError


def json_object(number: int, line: str) -> dict[str, Any]:
    """The line as a JSON object with an `"id"`."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"line {number}: not valid JSON ({exc.msg})") from None
    if not isinstance(item, dict):
        raise UserError(f"line {number}: expected a JSON object")
    if "id" not in item:
        raise UserError(f'line {number}: missing "id"')
    return item


def text_field(number: int, item: dict[str, Any], name: str, *, null_is_empty: bool) -> str:
    """A string field, "" when absent (or null, where `null_is_empty`)."""
    value = item.get(name, "")
    if value is None and null_is_empty:
        value = ""
    if not isinstance(value, str):
        raise UserError(f'line {number}: "{name}" must be a string')
    return value

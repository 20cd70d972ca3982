"""The Bot API's error answers, and the faults the emulator injects into a front end."""

from __future__ import annotations

from telegram_emulator.state import JSON


class ApiError(Exception):
    """A Bot API error answer: Telegram's envelope with `error_code`, `description`, parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        data: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad_request(text: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", parameters)


class InjectedFault(Exception):
    """Raised to a front end when fault injection decides this request fails ("timeout"/"drop")."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind

"""`digestbot emulator` runs as a process; the HTTP driver API and Bot API work over loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.cli import run_here

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server_url() -> Iterator[str]:
    """Start `digestbot emulator --port 0` and read its URL from the first line it prints."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "emulator",
            "--port",
            "0",
            "--token",
            "123:ABC",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
        assert match, f"unexpected first line: {line!r}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_http_driver_and_bot_api(server_url: str) -> None:
    with httpx.Client(base_url=server_url, timeout=10) as client:
        api = "/bot123:ABC"
        # A chat nobody wrote in does not exist yet.
        answer = client.post(f"{api}/sendMessage", data={"chat_id": "42", "text": "hi"})
        assert answer.status_code == 400
        assert answer.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: chat not found",
        }

        update = client.post("/_emulator/updates", json={"user_id": 42, "text": "/start"}).json()
        assert update["result"]["message"]["entities"] == [
            {"type": "bot_command", "offset": 0, "length": 6}
        ]
        updates = client.post(f"{api}/getUpdates", data={"timeout": "0"}).json()["result"]
        assert [u["message"]["text"] for u in updates] == ["/start"]

        markup = '{"inline_keyboard": [[{"text": "More", "callback_data": "more"}]]}'
        sent = client.post(
            f"{api}/sendMessage",
            data={
                "chat_id": "42",
                "text": "<b>Digest</b>",
                "parse_mode": "HTML",
                "reply_markup": markup,
            },
        ).json()["result"]
        as_json = client.post(f"{api}/sendMessage", json={"chat_id": 42, "text": "plain"}).json()
        assert as_json["result"]["text"] == "plain"

        messages = client.get("/_emulator/chats/42/messages").json()["result"]
        assert [(m["text"], m["parse_mode"]) for m in messages] == [
            ("Digest", "HTML"),
            ("plain", None),
        ]
        assert messages[0]["entities"] == [{"type": "bold", "offset": 0, "length": 6}]
        assert messages[0]["reply_markup"] == {
            "inline_keyboard": [[{"text": "More", "callback_data": "more"}]]
        }

        press = client.post(
            "/_emulator/updates",
            json={
                "user_id": 42,
                "chat_id": 42,
                "callback_data": "more",
                "message_id": sent["message_id"],
            },
        ).json()
        assert press["result"]["callback_query"]["data"] == "more"

        state = client.post("/_emulator/chats/42/state", json={"blocked": True}).json()
        assert state["result"]["blocked"] is True
        refused = client.post(f"{api}/sendMessage", data={"chat_id": "42", "text": "x"})
        assert (refused.status_code, refused.json()["description"]) == (
            403,
            "Forbidden: bot was blocked by the user",
        )

        assert client.post(f"{api}/noSuchMethod").json() == {  # Client.cpp `on_cmd`
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        assert client.post("/botWRONG:TOKEN/getMe").status_code == 401
        assert client.get("/_emulator/chats/777/messages").status_code == 404


def test_cli_rejects_bad_options(tmp_path: Path) -> None:
    result = run_here("emulator", "--token", "nope", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "digestbot: invalid --token 'nope': expected digits, a colon, then letters"
    )
    assert "Traceback" not in result.stderr

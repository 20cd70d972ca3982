"""The HTTP front end: `/bot<token>/<method>` as Telegram serves it, and the `/_emulator/` driver.

The unmodified python-telegram-bot client works against it with `base_url=f"{url}/bot"`.
Driver endpoints (all JSON):
- `POST /_emulator/updates` — `{"user_id", "chat_id"?, "chat_type"?, "text",
  "message_thread_id"?, "reply_to_message_id"?}` or
  `{"user_id", "chat_id", "callback_data", "message_id"}`: inject an update;
- `GET /_emulator/chats/{chat_id}/messages` — what the bot sent there;
- `POST /_emulator/chats/{chat_id}/state` — `{"blocked"|"deactivated"|"kicked": bool}`,
  `{"migrate_to_chat_id": -100…}` or `{"exists": false}`;
- `GET /_emulator/chats/{chat_id}/notices` — button taps there with the bot's answers
  (answerCallbackQuery `text`, `show_alert`, `url`, `answered`);
- `GET /_emulator/chats/{chat_id}/transcript` (JSON; `?format=html` is a `text/html` page),
  `GET /_emulator/stats`,
  `POST /_emulator/faults` (`{"kind", "next_n"?, "fraction"?, "applied"?, "methods"?}`),
  `POST /_emulator/groups` (`{"chat_id", "title", "type"?: "group"|"supergroup"|"channel",
  "admins"?, "members"?, "forum"?, "username"?, "bot_is_admin"?}`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from aiohttp import web

from telegram_emulator.errors import InjectedFault

if TYPE_CHECKING:
    from telegram_emulator.core import Emulator

logger = logging.getLogger(__name__)

EMULATOR_KEY: web.AppKey[Emulator] = web.AppKey("emulator")


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def _driver_error(text: str, status: int = 400) -> web.Response:
    return _json({"ok": False, "error_code": status, "description": text}, status)


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return params
        if isinstance(body, dict):
            params.update(body)
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
    return params


async def bot_api(request: web.Request) -> web.StreamResponse:
    emulator = request.app[EMULATOR_KEY]
    if not emulator.check_token(request.match_info["token"]):
        return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
    params = await _params(request)
    try:
        status, body = await emulator.call(request.match_info["method"], params)
    except InjectedFault as fault:
        if fault.kind == "timeout":
            await asyncio.sleep(emulator.fault_hang_seconds)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)
    return _json(body, status)


def _refused(text: str, error: type[web.HTTPError] = web.HTTPBadRequest) -> web.HTTPError:
    """A driver error as an exception, for the helpers that refuse a request for a handler."""
    body = {"ok": False, "error_code": error.status_code, "description": text}
    return error(text=json.dumps(body), content_type="application/json")


def _chat_id(request: web.Request) -> int:
    try:
        return int(request.match_info["chat_id"])
    except ValueError:
        raise _refused("bad chat id") from None


def _known_chat(request: web.Request) -> tuple[Emulator, int]:
    """The emulator and the chat the path names; 404 when the emulator has no such chat."""
    emulator = request.app[EMULATOR_KEY]
    chat_id = _chat_id(request)
    if chat_id not in emulator.chats:
        raise _refused("chat not found", web.HTTPNotFound)
    return emulator, chat_id


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _refused("body must be JSON") from None
    if not isinstance(body, dict):
        raise _refused("body must be an object")
    return body


async def post_update(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    body = await _body(request)
    try:
        user_id = int(body["user_id"])
        chat_id = int(body["chat_id"]) if body.get("chat_id") is not None else None
        if "callback_data" in body:
            if chat_id is None or body.get("message_id") is None:
                return _driver_error("callback_data needs chat_id and message_id")
            update = emulator.callback_press(
                user_id, chat_id, int(body["message_id"]), str(body["callback_data"])
            )
        elif isinstance(body.get("text"), str):
            thread = body.get("message_thread_id")
            reply = body.get("reply_to_message_id")
            update = emulator.user_message(
                user_id,
                body["text"],
                chat_id=chat_id,
                chat_type=body.get("chat_type"),
                message_thread_id=int(thread) if thread is not None else None,
                reply_to_message_id=int(reply) if reply is not None else None,
            )
        else:
            return _driver_error("give text, or callback_data with message_id")
    except KeyError as exc:
        return _driver_error(f"missing field {exc}")
    except (LookupError, ValueError, TypeError) as exc:
        return _driver_error(str(exc))
    return _json({"ok": True, "result": update})


async def get_messages(request: web.Request) -> web.Response:
    emulator, chat_id = _known_chat(request)
    messages = [m.to_driver() for m in emulator.chat(chat_id).messages]
    return _json({"ok": True, "result": messages})


async def get_transcript(request: web.Request) -> web.Response:
    emulator, chat_id = _known_chat(request)
    if request.query.get("format") == "html":  # a page to open in a browser
        page = emulator.chat(chat_id).transcript(html=True)
        return web.Response(text=page, content_type="text/html", charset="utf-8")
    return _json({"ok": True, "result": emulator.chat(chat_id).transcript()})


async def get_notices(request: web.Request) -> web.Response:
    emulator, chat_id = _known_chat(request)
    return _json({"ok": True, "result": emulator.notices(chat_id)})


_STATE_FIELDS = ("blocked", "deactivated", "kicked", "exists")


async def post_state(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    chat_id = _chat_id(request)
    body = await _body(request)
    unknown = set(body) - {*_STATE_FIELDS, "migrate_to_chat_id"}
    if unknown:
        return _driver_error(f"unknown state fields: {', '.join(sorted(unknown))}")
    flags = {k: bool(body[k]) for k in _STATE_FIELDS if k in body}
    migrate = body.get("migrate_to_chat_id")
    try:
        chat = emulator.set_chat_state(
            chat_id, migrate_to_chat_id=int(migrate) if migrate is not None else None, **flags
        )
    except (ValueError, TypeError) as exc:
        return _driver_error(str(exc))
    return _json({"ok": True, "result": chat.state()})


async def get_stats(request: web.Request) -> web.Response:
    return _json({"ok": True, "result": request.app[EMULATOR_KEY].stats.to_json()})


async def post_faults(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    body = await _body(request)
    if body.get("kind") in (None, "none"):
        emulator.clear_faults()
        return _json({"ok": True, "result": None})
    try:
        faults = emulator.inject_faults(
            str(body["kind"]),
            next_n=int(body.get("next_n", 0)),
            fraction=float(body.get("fraction", 0.0)),
            applied=bool(body.get("applied", False)),
            methods=body.get("methods"),
            seed=body.get("seed"),
        )
    except (ValueError, TypeError) as exc:
        return _driver_error(str(exc))
    return _json({"ok": True, "result": {"kind": faults.kind, "next_n": faults.next_n}})


async def post_group(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    body = await _body(request)
    kind = body.get("type")
    if kind not in (None, "group", "supergroup", "channel"):
        return _driver_error("bad group: type must be group, supergroup or channel")
    username = str(body["username"]).lstrip("@") if body.get("username") else None
    try:
        chat_id = int(body["chat_id"])
        title = str(body.get("title", "Channel" if kind == "channel" else "Group"))
        admins = [int(u) for u in body.get("admins", [])]
        if kind == "channel":  # the bot posts there, so it is an administrator by default
            chat = emulator.channel(
                chat_id,
                title,
                admins=admins,
                username=username,
                bot_is_admin=bool(body.get("bot_is_admin", True)),
            )
        else:
            chat = emulator.group(
                chat_id,
                title,
                members=[int(u) for u in body.get("members", [])],
                admins=admins,
                forum=bool(body.get("forum", False)),
                bot_is_admin=bool(body.get("bot_is_admin", False)),
                username=username,
                supergroup=None if kind is None else kind == "supergroup",
            )
    except (KeyError, ValueError, TypeError) as exc:
        return _driver_error(f"bad group: {exc}")
    return _json({"ok": True, "result": chat.to_api()})


async def not_found(request: web.Request) -> web.Response:
    return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)


def make_app(emulator: Emulator) -> web.Application:
    """The aiohttp application serving `emulator`."""
    app = web.Application()
    app[EMULATOR_KEY] = emulator
    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_post("/_emulator/updates", post_update)
    app.router.add_get("/_emulator/chats/{chat_id}/messages", get_messages)
    app.router.add_get("/_emulator/chats/{chat_id}/transcript", get_transcript)
    app.router.add_get("/_emulator/chats/{chat_id}/notices", get_notices)
    app.router.add_post("/_emulator/chats/{chat_id}/state", post_state)
    app.router.add_get("/_emulator/stats", get_stats)
    app.router.add_post("/_emulator/faults", post_faults)
    app.router.add_post("/_emulator/groups", post_group)
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app


@asynccontextmanager
async def serve(
    emulator: Emulator, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Run the server while the block runs; yields `http://host:port`."""
    runner = web.AppRunner(make_app(emulator), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        bound = runner.addresses[0]
        yield f"http://{host}:{bound[1]}"
    finally:
        emulator.closed = True
        emulator.changed()
        await emulator.remove_webhook()
        await runner.cleanup()
        emulator.closed = False


async def run_forever(
    emulator: Emulator, *, host: str, port: int, ready: asyncio.Event | None = None
) -> None:
    """Serve until cancelled (the CLI's loop)."""
    async with serve(emulator, host=host, port=port) as url:
        logger.info("emulator listening url=%s", url)
        print(f"Bot API emulator on {url} (base_url={url}/bot, token {emulator.token})", flush=True)
        if ready is not None:
            ready.set()
        await asyncio.Event().wait()

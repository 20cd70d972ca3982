"""The Bot API methods the emulator serves, each checking Telegram's rules in Telegram's words.

Each method takes the emulator and the typed parameters and returns the `result`, or raises
`ApiError`; `METHODS` maps lower-cased method names to them (Telegram ignores the case).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram_emulator.checks import check_can_write, formatted_text, inline_markup, thread_id
from telegram_emulator.errors import ApiError, bad_request
from telegram_emulator.html import utf16_len
from telegram_emulator.state import JSON, Chat, Message
from telegram_emulator.webhook import NOT_LOOPBACK, Webhook, deliver, is_loopback, reserved_address

if TYPE_CHECKING:
    from telegram_emulator.core import Emulator

MAX_CALLBACK_ANSWER = 200
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
# a bot's per-language setting: empty or two lowercase letters (TDLib validate_bot_language_code)
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

Handler = Callable[["Emulator", JSON], Awaitable[Any]]


async def get_me(em: Emulator, params: JSON) -> Any:
    # telegram-bot-api Client.cpp `JsonUser` with `full_bot_info`: a bot's own record carries
    # these four flags, in this order, and nothing more (the stored 2024 source writes no
    # `has_main_web_app`).
    data = em.bot.to_api()
    data.update(
        {
            "can_join_groups": True,
            "can_read_all_group_messages": not em.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
        }
    )
    return data


async def get_updates(em: Emulator, params: JSON) -> Any:
    if em.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    em.updates.set_allowed(params.get("allowed_updates"))
    return await em.poll_updates(
        offset=int(params.get("offset") or 0),
        limit=min(max(int(params.get("limit") or 100), 1), 100),
        timeout=max(float(params.get("timeout") or 0), 0.0),
    )


async def set_webhook(em: Emulator, params: JSON) -> Any:
    url = str(params.get("url") or "").strip()
    if not url:
        return await delete_webhook(em, params)
    _check_webhook_url(em, url)
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("secret token contains unallowed characters")
    await em.remove_webhook()
    if params.get("drop_pending_updates"):
        em.updates.drop_pending()
    em.updates.set_allowed(params.get("allowed_updates"))
    hook = Webhook(
        url=url,
        secret_token=str(secret) if secret is not None else None,
        max_connections=int(params.get("max_connections") or 40),
    )
    em.webhook = hook
    if is_loopback(url):
        hook.task = asyncio.get_running_loop().create_task(deliver(em, hook))
    else:
        hook.last_error_date, hook.last_error_message = em.now(), NOT_LOOPBACK
    em.changed()  # a long poll in progress ends with a conflict
    return True


_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})


def _check_webhook_url(em: Emulator, url: str) -> None:
    """Telegram's rules for a webhook URL (telegram-bot-api Client.cpp, WebhookActor.cpp): HTTPS
    only, on ports 80, 88, 443 or 8443, never a reserved (loopback, private) address. With
    `Emulator(allow_local_webhooks=True)` loopback URLs may use plain HTTP and any port, for
    local testing; nothing else is relaxed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad_request("can't parse URL") from None
    if em.allow_local_webhooks and is_loopback(url) and parts.scheme.lower() in ("http", "https"):
        return
    if parts.scheme.lower() != "https":
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    if port is not None and port not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    reserved = reserved_address(url)
    if reserved is not None:
        raise bad_request(f"bad webhook: IP address {reserved} is reserved")


async def delete_webhook(em: Emulator, params: JSON) -> Any:
    await em.remove_webhook()
    if params.get("drop_pending_updates"):
        em.updates.drop_pending()
    return True


async def get_webhook_info(em: Emulator, params: JSON) -> Any:
    pending = len(em.deliverable_updates())
    if em.webhook is None:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
    return em.webhook.info(pending)


def _commands_key(params: JSON) -> tuple[str, str]:
    """Command lists are kept per scope and per language: `language_code` is empty (everyone
    in the scope whose language has no list of its own) or a two-letter ISO 639-1 code;
    getMyCommands answers for exactly the scope and language asked."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    language = str(params.get("language_code") or "")
    if language and not _LANGUAGE_RE.fullmatch(language):  # "pt_BR", "zh-hans": refused
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


async def set_my_commands(em: Emulator, params: JSON) -> Any:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).lower()
        description = str(command.get("description", "")).strip()
        if not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    em.commands[_commands_key(params)] = cleaned
    return True


async def get_my_commands(em: Emulator, params: JSON) -> Any:
    return em.commands.get(_commands_key(params), [])


async def delete_my_commands(em: Emulator, params: JSON) -> Any:
    em.commands.pop(_commands_key(params), None)
    return True


async def send_message(em: Emulator, params: JSON) -> Any:
    chat = em.chat_for_bot(params.get("chat_id"))
    check_can_write(chat)
    text, entities, mode = formatted_text(params)
    markup = inline_markup(params.get("reply_markup"))
    thread = thread_id(chat, params)
    reply_to = _reply_target(chat, params)
    em.check_flood(chat, paid=bool(params.get("allow_paid_broadcast")))
    preview = params.get("link_preview_options")
    message = em.store(
        chat,
        em.bot,
        text=text,
        entities=entities,
        from_bot=True,
        parse_mode=mode,
        reply_markup=markup,
        message_thread_id=thread,
        link_preview_options=preview if isinstance(preview, dict) else None,
    )
    message.reply_to = reply_to
    now = em.clock()
    em.stats.sent_per_chat[chat.id] += 1
    em.stats.send_times.setdefault(chat.id, []).append(now)
    em.changed()
    return em.message_api(chat, message)


def _reply_target(chat: Chat, params: JSON) -> int | None:
    """The message a send replies to, or Telegram's error when it is gone."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        message_id, allow = reply.get("message_id"), bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.get("reply_to_message_id")
        allow = str(params.get("allow_sending_without_reply", "")).lower() in ("true", "1")
    if message_id is None:
        return None
    if chat.find(int(message_id)) is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def _editable(em: Emulator, params: JSON, not_found: str) -> tuple[Chat, Message]:
    if params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    if params.get("chat_id") in (None, "") and not params.get("message_id"):
        # Client.cpp: no chat_id and no message_id means an inline message, and there is none
        raise bad_request("message identifier is not specified")
    chat, message = em.find_bot_message(params)
    if message is None:
        raise bad_request(not_found)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


async def edit_message_text(em: Emulator, params: JSON) -> Any:
    # Client.cpp `process_edit_message_text_query`: the text and the markup are checked first
    text, entities, mode = formatted_text(params)
    markup = inline_markup(params.get("reply_markup"))
    chat, message = _editable(em, params, "message to edit not found")
    check_can_write(chat)
    if text == message.text and entities == message.entities and markup == message.reply_markup:
        raise bad_request(_NOT_MODIFIED)
    message.text, message.entities, message.parse_mode = text, entities, mode
    message.reply_markup = markup
    message.edit_date = em.now()
    em.changed()
    return em.message_api(chat, message)


async def edit_message_reply_markup(em: Emulator, params: JSON) -> Any:
    chat, message = _editable(em, params, "message to edit not found")
    markup = inline_markup(params.get("reply_markup"))
    if markup == message.reply_markup:
        raise bad_request(_NOT_MODIFIED)
    message.reply_markup = markup
    message.edit_date = em.now()
    em.changed()
    return em.message_api(chat, message)


async def delete_message(em: Emulator, params: JSON) -> Any:
    # Client.cpp `process_delete_message_query`: both identifiers are checked before the chat
    if params.get("chat_id") in (None, ""):
        raise bad_request("chat identifier is not specified")
    if not params.get("message_id"):
        raise bad_request("message identifier is not specified")
    chat, message = em.find_bot_message(params)
    if message is None:
        raise bad_request("message to delete not found")
    if not message.from_bot and chat.type != "private" and not chat.bot_is_admin:
        raise bad_request("message can't be deleted")
    chat.delete(message)
    em.changed()
    return True


async def answer_callback_query(em: Emulator, params: JSON) -> Any:
    query_id = str(params.get("callback_query_id") or "")
    if not em.is_open_query(query_id):
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER:
        # The Bot API documents 0-200 characters; Telegram's answer to more is the server's
        # MESSAGE_TOO_LONG, passed through verbatim (Client.cpp `fail_query_with_error` keeps an
        # upper-case error as it is).
        raise bad_request("MESSAGE_TOO_LONG")
    em.answer_query(
        query_id,
        {"text": text, "show_alert": bool(params.get("show_alert")), "url": params.get("url")},
    )
    return True


async def send_chat_action(em: Emulator, params: JSON) -> Any:
    chat = em.chat_for_bot(params.get("chat_id"))
    check_can_write(chat)
    action = str(params.get("action") or "")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    return True


async def get_chat(em: Emulator, params: JSON) -> Any:
    chat = em.chat_for_bot(params.get("chat_id"))
    return chat.to_full_api()


async def get_chat_member(em: Emulator, params: JSON) -> Any:
    chat = em.chat_for_bot(params.get("chat_id"))
    user_id = params.get("user_id")
    if not isinstance(user_id, int) or user_id <= 0:  # Client.cpp `get_user_id`
        raise bad_request("invalid user_id specified")
    user = em.bot if user_id == em.bot.id else em.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    if chat.type == "channel" and not chat.bot_is_admin:
        raise bad_request("member list is inaccessible")
    return em.member_api(chat, user, em.member_status(chat, user.id))


async def get_chat_administrators(em: Emulator, params: JSON) -> Any:
    chat = em.chat_for_bot(params.get("chat_id"))
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    result = []
    ids = ([chat.creator] if chat.creator else []) + sorted(chat.admins - {chat.creator})
    for uid in ids:
        result.append(em.member_api(chat, em.users[uid], em.member_status(chat, uid)))
    if chat.bot_is_admin and not chat.kicked:
        result.append(em.member_api(chat, em.bot, "administrator"))
    return result


async def close(em: Emulator, params: JSON) -> Any:
    return True


async def log_out(em: Emulator, params: JSON) -> Any:
    return True


METHODS: dict[str, Handler] = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
    "sendchataction": send_chat_action,
    "getchat": get_chat,
    "getchatmember": get_chat_member,
    "getchatadministrators": get_chat_administrators,
    "close": close,
    "logout": log_out,
}

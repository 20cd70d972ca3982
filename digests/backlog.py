"""A backlog folded: a chat with more than `FOLD_THRESHOLD` whole digests waiting (a long
outage, a flood wait, a block) gets them as one catch-up digest, their parts packed into as few
messages as Telegram's limits allow (`digests.split`), in order, instead of queueing many."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.i18n import ngettext, use_language
from digests.split import pack_blocks
from storage import deliveries as delivery_store
from storage.models import Chat

#: A chat with more unsent digests than this gets them folded into one catch-up digest.
FOLD_THRESHOLD = 3


def catchup_header(digests: int) -> str:
    """The first line of a catch-up digest, in the current language."""
    return ngettext(
        "<b>📬 %(num)d digest while you were away</b>",
        "<b>📬 %(num)d digests while you were away</b>",
        digests,
    )


async def fold_backlog(
    session: AsyncSession, *, chat: Chat, now: datetime, threshold: int = FOLD_THRESHOLD
) -> int:
    """Fold the chat's waiting digests into one catch-up digest when there are more than
    `threshold`; digests already started or in flight are left alone. Returns the digests
    folded (0 when under the threshold). The caller commits."""
    assert chat.id is not None
    waiting = await delivery_store.waiting_digests(
        session, chat_id=chat.id, now=now, more_than=threshold
    )
    if len(waiting) <= threshold:
        return 0
    parts = [p for digest_parts in waiting.values() for p in digest_parts]
    if any(p.parse_mode != "HTML" for p in parts):
        return 0
    # each part is valid HTML on its own and fits alone: whole parts are packed, none is cut
    with use_language(chat.language):
        header = catchup_header(len(waiting))
    texts = pack_blocks([header, *(p.text for p in parts)])
    await delivery_store.replace_with_digest(
        session, chat=chat, parts=parts, texts=texts, kind="catchup", now=now
    )
    return len(waiting)


async def revive_chat(session: AsyncSession, *, chat: Chat, now: datetime) -> int:
    """The chat is back (/start, re-added): its parked parts are due again and a stale backlog
    is folded into one digest. Returns the parts revived. The caller commits."""
    revived = await delivery_store.unpark_chat_parts(session, chat=chat, now=now)
    if revived:
        await fold_backlog(session, chat=chat, now=now)
    return revived

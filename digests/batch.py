"""What a batch of digests carries from preparing (reading, rendering; possibly in a helper
process) to writing: the chats' subscriptions, the built digests, the schedules' advances."""

from __future__ import annotations

from dataclasses import dataclass

from digests.select import Selection
from storage.rows import ChatRow, ScheduleAdvance


@dataclass
class Subscribed:
    kind: str
    target: str
    label: str
    feed_id: int | None


@dataclass
class Prepared:
    schedule_ids: list[int]
    built: list[tuple[int, Built]]  # (schedule id, digest)
    advances: list[ScheduleAdvance]


@dataclass
class Built:
    """A digest ready to write: what `write` needs and no more (helper processes send these
    back to the tick's process, so they stay small)."""

    chat: ChatRow
    kind: str
    shown: tuple[tuple[int, int | None], ...]  # (article id, story id), in digest order
    hidden: tuple[int, ...]  # article ids kept for /more
    parts: list[str]
    digest_id: int | None = None

    @classmethod
    def of(cls, chat: ChatRow, kind: str, selection: Selection, parts: list[str]) -> Built:
        return cls(
            chat,
            kind,
            tuple([(r.article.id, r.article.story_id) for r in selection.shown]),
            tuple([r.article.id for r in selection.hidden]),
            parts,
        )

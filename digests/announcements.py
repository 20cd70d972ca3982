"""An operator's announcement as one Telegram message: shared by /broadcast and
`digestbot broadcast FILE`, so both send exactly the same thing."""

from __future__ import annotations

import html

from digests.i18n import _, ngettext
from digests.split import MAX_TEXT_UTF16


class AnnouncementError(ValueError):
    """The announcement cannot be sent as one message; `str()` says why (plain text, in the
    language current when it was raised: the /broadcast sender's, English in the CLI)."""


def announcement_html(text: str) -> str:
    """The announcement as one Telegram message: plain text (escaped), lines kept."""
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not text:
        raise AnnouncementError(_("The announcement is empty."))
    length = len(text.encode("utf-16-le")) // 2
    if length > MAX_TEXT_UTF16:
        raise AnnouncementError(
            ngettext(
                "The announcement has %(num)d character; one message holds %(most)d.",
                "The announcement has %(num)d characters; one message holds %(most)d.",
                length,
                most=MAX_TEXT_UTF16,
            )
        )
    return html.escape(text, quote=False)

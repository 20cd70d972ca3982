"""Texts that hold a number, in one place, with their plural forms through gettext's
`ngettext` (a null catalog for now: English forms; a catalog per language can replace it)."""

from __future__ import annotations

import gettext

#: The catalog every plural goes through (templates get it through jinja2's i18n extension).
CATALOG: gettext.NullTranslations = gettext.NullTranslations()


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for `n`; both forms may hold `%(num)d`, replaced by `n`."""
    return CATALOG.ngettext(singular, plural, n) % {"num": n}


def stories(n: int) -> str:
    """ "1 story", "2 stories"."""
    return ngettext("%(num)d story", "%(num)d stories", n)


def topics(n: int) -> str:
    """ "1 topic", "2 topics"."""
    return ngettext("%(num)d topic", "%(num)d topics", n)


def words(n: int) -> str:
    """ "1 word", "2 words"."""
    return ngettext("%(num)d word", "%(num)d words", n)


def chats(n: int) -> str:
    """ "1 chat", "2 chats"."""
    return ngettext("%(num)d chat", "%(num)d chats", n)

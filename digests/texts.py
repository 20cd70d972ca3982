"""Texts that hold a number, in one place, with their plural forms in the current language
(`digests.i18n.ngettext`)."""

from __future__ import annotations

from digests.i18n import ngettext


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

"""The bot's languages: every text a chat reads goes through a gettext catalog here.

Sources are English in the code (`_("…")`, `ngettext(…)`, `N_("…")` for texts defined before
they are shown) and in the templates (jinja2's i18n extension). `digests/locale/<lang>/
LC_MESSAGES/digestbot.po` holds each language's translations; they are compiled in memory the
first time a process needs that language (no `.mo` files to build or ship). `tools/i18n.py`
extracts the template (`digestbot.pot`), updates the catalogs and checks that each is complete.

Which language is spoken is the current context's (`use_language`, a context variable): every
update is handled in a task of its own, which sets it from the chat's setting, and digest
rendering sets it per chat. Placeholders are named (`%(topic)s`) so translators may move them;
values are escaped by the caller before they are put in, as for any HTML text.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "digestbot"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"

#: The shipped languages, each by its own name (what /language shows), in the order shown.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "de": "Deutsch",
    "fa": "فارسی",
    "ar": "العربية",
}

#: Languages written right to left.
RTL = frozenset({"fa", "ar"})

_current: ContextVar[str] = ContextVar("digestbot_language", default=DEFAULT)


def supported(code: str | None) -> str:
    """The shipped language for a Telegram `language_code` or a stored setting: "pt-br",
    "pt_BR" and "pt" give "pt_BR", "en-US" gives "en", anything unknown gives English."""
    if not code:
        return DEFAULT
    if code in LANGUAGES:  # a stored setting: the common case, on every render
        return code
    code = code.strip().replace("-", "_")
    if code in LANGUAGES:
        return code
    base, _sep, region = code.partition("_")
    base = base.lower()
    if region and f"{base}_{region.upper()}" in LANGUAGES:
        return f"{base}_{region.upper()}"
    if base in LANGUAGES:
        return base
    for language in LANGUAGES:  # "pt" -> "pt_BR": the one shipped variant of that language
        if language.split("_")[0] == base:
            return language
    return DEFAULT


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalog of a shipped language, compiled from its `.po` on first use (English, or a
    language without a catalog, reads the source texts)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT or not path.is_file():
        return _gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


@cache
def locale_of(language: str | None) -> Locale:
    """Babel's locale data (dates, day names) for a language code, English when unknown."""
    try:
        return Locale.parse((language or DEFAULT).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT)


def current() -> str:
    """The language the current update or digest is handled in."""
    return _current.get()


def set_language(language: str | None) -> None:
    """Speak `language` (a code, made `supported`) for the rest of the current task."""
    _current.set(supported(language))


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Speak `language` inside the block, then what was spoken before."""
    token = _current.set(supported(language))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str, /, **values: object) -> str:
    """`message` in the current language, with its named placeholders filled from `values`."""
    text = translations(_current.get()).gettext(message)
    return text % values if values else text


_ = gettext


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form of a message for the number `n` in the current language's plural rules;
    `%(num)d` stands for `n`."""
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def listed(items: Iterable[str]) -> str:
    """Items joined as the current language writes a list ("A, B, C"; "A، B، C" in Arabic)."""
    # Translators: separates the items of a list ("A, B, C")
    return gettext(", ").join(items)


def N_(message: str, /) -> str:
    """Mark a text for extraction where it is defined; `_()` translates it where it is shown."""
    return message


def template_gettext(message: str) -> str:
    """For jinja2's i18n extension (newstyle: it fills the placeholders and escapes)."""
    return translations(_current.get()).gettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)

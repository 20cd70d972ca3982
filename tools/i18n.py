#!/usr/bin/env python3
"""The bot's message catalogs: extract, update, check.

    python tools/i18n.py extract        # digests/locale/digestbot.pot from the code and templates
    python tools/i18n.py update         # extract, then merge the template into every language's .po
    python tools/i18n.py init LANG      # start a new language's catalog (then add it to LANGUAGES)
    python tools/i18n.py check          # exit 1 when a catalog is stale, incomplete or broken

Texts are taken from `bot/` and `digests/` (`_`, `gettext`, `ngettext`, `N_`) and from the Jinja2
templates (`_`, `gettext`, `ngettext`, `{% trans %}`). `check` is what CI runs (through
tests/test_i18n.py): every message of the fresh extraction is in every shipped catalog,
translated (every plural form), not fuzzy, with the same placeholders and the same HTML tags.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digests.i18n import DEFAULT, DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
SOURCES = ("bot", "digests")
METHODS = [
    ("**/tests/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.j2", "jinja2"),
]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdfr]")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every translatable text of the bot, with where it stands."""
    catalog = Catalog(project="digestbot", domain=DOMAIN, charset="utf-8")
    for source in SOURCES:
        found = extract_from_dir(
            ROOT / source,
            method_map=METHODS,
            options_map={"**/templates/**.j2": JINJA_OPTIONS},
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            location = (f"{source}/{filename}", lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, omit_header=False)
    path.write_bytes(buffer.getvalue())


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def update() -> None:
    template = extract()
    _write(template, TEMPLATE)
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        path = po_path(language)
        catalog = (
            _read(path, language)
            if path.exists()
            else Catalog(locale=language, domain=DOMAIN, project="digestbot")
        )
        catalog.update(template, no_fuzzy_matching=True)
        _write(catalog, path)
        print(f"{language}: {len(catalog)} messages")


def init(language: str) -> None:
    path = po_path(language)
    if path.exists():
        sys.exit(f"{path} exists")
    catalog = Catalog(locale=language, domain=DOMAIN, project="digestbot")
    catalog.update(extract(), no_fuzzy_matching=True)
    _write(catalog, path)
    print(f"{path}: now add {language!r} to LANGUAGES in digests/i18n.py and translate it")


def _ids(message: Message) -> tuple[str, ...]:
    if isinstance(message.id, tuple | list):
        return tuple(message.id)
    return (str(message.id),)


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, tuple | list):
        return tuple(message.string)
    return (message.string or "",)


def _placeholders(text: str) -> set[str]:
    return {m.group(1) or m.group(0) for m in PLACEHOLDER.finditer(text)}


def _tags(text: str) -> list[str]:
    return sorted(m.group(0).lower() for m in TAG.finditer(text))


def problems(language: str, template: Catalog) -> Iterable[str]:
    """What is wrong with one language's catalog against the fresh extraction."""
    path = po_path(language)
    if not path.exists():
        yield f"{language}: no catalog at {path.relative_to(ROOT)}"
        return
    catalog = _read(path, language)
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id, wanted.context)
        shown = _ids(wanted)[0][:60]
        if message is None:
            yield f"{language}: missing {shown!r} (run tools/i18n.py update)"
            continue
        strings = _strings(message)
        if message.fuzzy or not all(strings):
            yield f"{language}: untranslated {shown!r}"
            continue
        if wanted.pluralizable and len(strings) != catalog.num_plurals:
            wants = catalog.num_plurals
            yield f"{language}: {shown!r} has {len(strings)} plural forms, wants {wants}"
        source_marks = set().union(*(_placeholders(i) for i in _ids(wanted)))
        for string in strings:
            marks = _placeholders(string)
            # a plural form may leave out %(num)d ("one story" for 1), nothing else
            if marks - source_marks or (source_marks - {"num"}) - marks:
                yield f"{language}: placeholders differ in {shown!r}: {string!r}"
            if _tags(string) != _tags(_ids(wanted)[0]):
                yield f"{language}: HTML tags differ in {shown!r}: {string!r}"
    extra = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    extra -= {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for stale in sorted(extra):
        yield f"{language}: stale message {stale[:60]!r} (run tools/i18n.py update)"


def check() -> list[str]:
    template = extract()
    found: list[str] = []
    if not TEMPLATE.exists() or {m.id for m in _read(TEMPLATE) if m.id} != {
        m.id for m in template if m.id
    }:
        found.append("digestbot.pot is out of date (run tools/i18n.py update)")
    for language in LANGUAGES:
        if language != DEFAULT:
            found.extend(problems(language, template))
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command == "extract":
        _write(extract(), TEMPLATE)
    elif command == "update":
        update()
    elif command == "init" and len(argv) == 2:
        init(argv[1])
    elif command == "check":
        found = check()
        for line in found:
            print(line)
        print(f"{len(found)} problems in {len(LANGUAGES) - 1} catalogs")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

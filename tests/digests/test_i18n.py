"""The language machinery: Telegram's language codes map to shipped languages, a catalog is
compiled from its .po on first use, plural forms follow the language's rules, and the
current language is the context's own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from digests import i18n
from digests.render import Renderer
from tests.support.render import sample_digest


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ru", "ru"),
        ("en-US", "en"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("de-AT", "de"),
        ("zz", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_codes_map_to_shipped_languages(code: str | None, language: str) -> None:
    assert i18n.supported(code) == language


@pytest.fixture
def russian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    catalog = Catalog(locale="ru", domain=i18n.DOMAIN)
    catalog.add("Hello, %(name)s", "Привет, %(name)s")
    catalog.add(
        ("%(num)d story", "%(num)d stories"), ("%(num)d сюжет", "%(num)d сюжета", "%(num)d сюжетов")
    )
    catalog.add(
        (
            "<i>+%(num)d more story</i> — send /more to see it.",
            "<i>+%(num)d more stories</i> — send /more to see them.",
        ),
        (
            "<i>ещё %(num)d сюжет</i> — отправьте /more, чтобы увидеть его.",
            "<i>ещё %(num)d сюжета</i> — отправьте /more, чтобы увидеть их.",
            "<i>ещё %(num)d сюжетов</i> — отправьте /more, чтобы увидеть их.",
        ),
    )
    path = tmp_path / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        write_po(out, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


@pytest.mark.usefixtures("russian")
def test_a_catalog_translates_with_named_placeholders_and_plural_rules() -> None:
    with i18n.use_language("ru"):
        assert i18n.gettext("Hello, %(name)s", name="Аня") == "Привет, Аня"
        forms = [i18n.ngettext("%(num)d story", "%(num)d stories", n) for n in (1, 3, 5, 21, 11)]
        assert forms == ["1 сюжет", "3 сюжета", "5 сюжетов", "21 сюжет", "11 сюжетов"]
        assert i18n.gettext("Not in the catalog") == "Not in the catalog"
    assert i18n.gettext("Hello, %(name)s", name="Ann") == "Hello, Ann"


@pytest.mark.usefixtures("russian")
def test_templates_speak_the_digests_language() -> None:
    html = Renderer().render_digest(sample_digest(more=5, language="ru"))
    assert "ещё 5 сюжетов" in html
    english = Renderer().render_digest(sample_digest(more=5, language="en"))
    assert "+5 more stories" in english


@pytest.mark.usefixtures("russian")
async def test_each_task_keeps_its_own_language() -> None:
    async def speak(language: str) -> str:
        i18n.set_language(language)
        await asyncio.sleep(0)
        return i18n.gettext("Hello, %(name)s", name="x")

    assert list(await asyncio.gather(speak("ru"), speak("en"))) == ["Привет, x", "Hello, x"]
    assert i18n.current() == "en"

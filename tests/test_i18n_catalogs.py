"""Every shipped language's catalog is complete (CI runs the same check as
`tools/i18n.py check`): each text of the code and templates is there, translated in every
plural form, with the same placeholders and HTML tags; and the template is current."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_catalog_is_complete_and_well_formed() -> None:
    problems = _tool().check()
    assert problems == [], "\n".join(problems[:40])


def test_the_check_catches_a_broken_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = _tool()
    template = tool.extract()
    message = next(m for m in template if m.id and "%(" in str(m.id) and not m.pluralizable)
    catalog = Catalog(locale="de", domain="digestbot")
    catalog.add(message.id, "ohne Platzhalter")
    path = tmp_path / "de" / "LC_MESSAGES" / "digestbot.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as out:
        write_po(out, catalog)
    monkeypatch.setattr(tool, "LOCALE_DIR", tmp_path)
    found = list(tool.problems("de", template))
    assert any("placeholders differ" in p for p in found)
    assert any("missing" in p for p in found)

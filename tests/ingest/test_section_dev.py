"""The weakly-labelled dev set's rule: a URL's directories name its section, or it has none."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))

from section_dev import section_of_url

from tests.support.cases import parametrize


@parametrize("ingest/section_dev", "one_section", ("url", "section"))
def test_a_url_naming_one_section_gets_it(url: str, section: str) -> None:
    assert section_of_url(url) == section


@parametrize("ingest/section_dev", "no_section", "url")
def test_a_url_naming_none_or_several_sections_gets_none(url: str) -> None:
    assert section_of_url(url) is None

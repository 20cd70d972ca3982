"""The weakly-labelled dev set's rule: a URL's directories name its section, or it has none."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))

from section_dev import section_of_url


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("https://www.example.com/2021/10/18/politics/budget-vote/index.html", "politics"),
        ("http://news.example.co.uk/0200sport/0100news/tm_headline=derby.html", "sport"),
        ("https://sports.example.com/story/12345", "sport"),
        ("https://www.example.com/world/europe/italy-vote.html", "world"),
        ("https://www.example.com/entertainment-arts/story/2019-11-19/film", "culture"),
        ("https://www.example.com/business/markets/stocks-fall", "business"),
    ],
)
def test_a_url_naming_one_section_gets_it(url: str, section: str) -> None:
    assert section_of_url(url) == section


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/science-and-health/2019/11/8/air-pollution",  # two sections
        "https://www.example.com/sport/business/club-sold",  # two sections
        "https://www.example.com/2021/05/01/us/sport-politics-business-slug.html",  # slug only
        "https://www.example.com/entry/budget-vote_n_12345",  # none
        "",
    ],
)
def test_a_url_naming_none_or_several_sections_gets_none(url: str) -> None:
    assert section_of_url(url) is None

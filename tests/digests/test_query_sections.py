"""What a subscriber types: section names and aliases (any case) are sections, optionally
narrowed or with words excluded; quoted, anything is a keyword. Keyword topics match what an
article is about, with conservative stemming."""

from __future__ import annotations

import pytest

from digests.query import (
    QueryError,
    matches_prominently,
    parse_query,
    parse_section_topic,
    stem,
)


@pytest.mark.parametrize(
    ("typed", "section"),
    [
        ("technology", "technology"),
        ("Tech", "technology"),
        ("TECHNOLOGY", "technology"),
        ("economy", "business"),
        ("climate change", "climate"),
        ("Climate Change", "climate"),
        ("sports", "sport"),
        ("arts & culture", "culture"),
        ("world news", "world"),
    ],
)
def test_section_names_and_aliases(typed: str, section: str) -> None:
    topic = parse_section_topic(typed)
    assert topic is not None and topic.section == section and topic.narrow is None
    assert topic.target == section


@pytest.mark.parametrize(
    "typed", ['"technology"', "“tech”", "space", "solar power", "tech OR science", "-sport"]
)
def test_anything_else_is_a_keyword_topic(typed: str) -> None:
    assert parse_section_topic(typed) is None


def test_a_section_narrowed_and_with_exclusions() -> None:
    narrowed = parse_section_topic("Science  Space")
    assert narrowed is not None and narrowed.section == "science"
    assert narrowed.target == "science space"
    excluded = parse_section_topic("sports -cricket")
    assert excluded is not None and excluded.section == "sport"
    assert excluded.target == "sport -cricket"
    assert excluded.narrow is not None and not excluded.narrow.groups
    both = parse_section_topic("tech apple -fruit")
    assert both is not None and both.target == "technology apple -fruit"
    # the target reads back as the same topic (what the digest builder does)
    for topic in (narrowed, excluded, both):
        assert parse_section_topic(topic.target) == topic


def test_bad_narrowing_words_are_explained() -> None:
    with pytest.raises(QueryError, match="closing"):
        parse_section_topic('science "space')


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("elections", "election"),
        ("election", "election"),
        ("elect", "elect"),
        ("spaces", "space"),
        ("companies", "company"),
        ("taxes", "tax"),
        ("news", "new"),  # harmless: both sides are stemmed alike
        ("virus", "virus"),
        ("business", "business"),
        ("apple's", "apple"),
    ],
)
def test_conservative_stemming(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_prominent_matching_ignores_deep_words_and_keeps_plurals() -> None:
    query = parse_query("election")
    assert matches_prominently(query, "Elections called for May", "", "")
    assert not matches_prominently(query, "President-elect names cabinet", "", "")
    assert not matches_prominently(parse_query("elect"), "The election is near", "", "")
    assert matches_prominently(parse_query('"interest rates"'), "", "Interest rates rise.", "")
    assert not matches_prominently(parse_query("rocket -toy"), "Toy rocket sold out", "", "")
    assert matches_prominently(parse_query("cats OR dogs"), "Dogs rescued", "", "")

"""Topic queries: parsed into search queries or refused with a readable reason."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digests.query import MuteMatcher, QueryError, normalize_query, parse_query
from storage.search import SearchQuery, Term


def test_words_phrases_or_and_exclusions() -> None:
    query = parse_query('"ai safety" OR alignment -crypto')
    assert query.groups == ((Term(("ai", "safety")),), (Term(("alignment",)),))
    assert query.exclude == (Term(("crypto",)),)


def test_lowercase_or_and_smart_quotes() -> None:
    query = parse_query("cats or “big dogs”")
    assert query.groups == ((Term(("cats",)),), (Term(("big", "dogs")),))


def test_normalized_target_is_order_and_case_insensitive() -> None:
    assert normalize_query("Energy  OR climate -Oil") == normalize_query("climate or ENERGY -oil")
    assert normalize_query('"AI Safety"') == '"ai safety"'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "at least one word"),
        ("   ", "at least one word"),
        ("-crypto -nft", "not only -excluded"),
        ('"ai safety', "not closed"),
        ("cats OR", "both sides"),
        ("OR dogs", "both sides"),
        ("🚀 !!!", "no words"),
        ("x" * 201, "too long"),
        (" ".join(f"w{i}" for i in range(40)), "too many"),
        ("ai -ai", "both looked for and -excluded"),
    ],
)
def test_malformed_queries_explain_themselves(text: str, reason: str) -> None:
    with pytest.raises(QueryError, match=reason):
        parse_query(text)


def test_a_dangling_quote_without_words_is_harmless() -> None:
    assert parse_query('climate "').groups == ((Term(("climate",)),),)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=250))
def test_any_text_gives_a_query_or_a_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as exc:
        assert str(exc)
        return
    assert isinstance(query, SearchQuery) and not query.is_empty
    assert parse_query(normalize_query(text)) == parse_query(normalize_query(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab "-OR|x\u200b'), max_size=40))
def test_query_syntax_soup_never_raises_anything_else(text: str) -> None:
    with contextlib.suppress(QueryError):
        normalize_query(text)


def test_mutes_match_whole_words_and_phrases() -> None:
    mutes = MuteMatcher(["ai", "Bitcoin price"])
    assert mutes.matches("New AI model")
    assert not mutes.matches("He said hello")
    assert mutes.matches("title", "The bitcoin price fell")
    assert not mutes.matches("price of bitcoin")
    assert not MuteMatcher([])

"""Strings that break naive code: NUL, lone surrogates, entities out of range, markup, bidi;
text made of them, and the settings of the properties that store it in both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

Test = TypeVar("Test", bound=Callable[..., Any])

NASTY = [
    "\x00",
    "\ud800",
    "\udfff",
    "\ud83d\ude00",
    "&#0;",
    "&#x0;",
    "&#xD800;",
    "&#1114112;",
    "&#99999999999999999999;",
    "&#65;",
    "&amp;",
    "&",
    "<",
    "<b>",
    "]]>",
    "\ufffe",
    "\x1b",
    "\u202e",
]


def hostile_text(*, piece: int, pieces: int) -> st.SearchStrategy[str]:
    """1 to `pieces` pieces joined: any character, a NASTY string or up to `piece` characters."""
    return st.lists(
        st.one_of(st.characters(codec=None), st.sampled_from(NASTY), st.text(max_size=piece)),
        min_size=1,
        max_size=pieces,
    ).map("".join)


def on_both_databases(examples: int) -> Callable[[Test], Test]:
    """A property that stores each example on SQLite and PostgreSQL (a module fixture kept
    across examples): `examples` of them, no deadline, marked to need PostgreSQL."""
    checked = settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )

    def apply(test: Test) -> Test:
        marked: Test = pytest.mark.postgres(checked(test))
        return marked

    return apply

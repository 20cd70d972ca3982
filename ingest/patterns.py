"""Pieces of regular expressions the cleaners share (clean, summarize, titles): the one way
their word and phrase families are compiled, and the words a date is written with."""

from __future__ import annotations

import re


def caseless(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled to ignore case: a family of words or phrases ("Sign up", "SIGN UP",
    "sign up") is one family however a page capitalises it."""
    return re.compile(pattern, re.IGNORECASE)


WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"  # "Mon", "Tues", "Wednesday"
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"  # "Jan.", "March"
LIST_ITEM = re.compile(r"^[-•*·]\s")  # a list's item, as trafilatura writes it ("- First")

"""Boilerplate removal for extracted article text: account and status messages, calls to act,
cookie and paywall notices, link teasers and duplicated bylines, rights notices, contributor
lines, picture credits and captions, closing credit, contact and bio lines, closing notes
about the article itself ("This article originally appeared on …"), numbered source notes
and closing lists about other things go; paragraphs stay (a dateline's paragraph glued
to a short line is split from it first). `drop_edge_lines`, run last on the extracted text,
takes the names, repeated title and reader prompts ("Leave a comment below.") left at its
edges; `reader_prompt` tells the summaries which sentences are such prompts.

Over 500 lines on purpose: every pass judges the same line blocks (`_Block`) with the same
vocabulary families and shape tests (closing punctuation, imperatives, list items); split
apart, the modules would share those private patterns and the block model both ways."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlsplit

from ingest.patterns import LIST_ITEM, MONTH, WEEKDAY, caseless
from ingest.text import (
    STOPWORDS,
    content_words,
    normalize_whitespace,
    split_sentences,
    words,
    wordset,
)

# Vocabulary families. A line is judged by its shape (short, imperative, label-like) together
# with how much of this vocabulary it carries — never by one exact phrase.
_ACCOUNT = caseless(
    r"\b(sign(?:ed|ing)?[ -]?(?:up|in|out)|log(?:ged|ging)?[ -]?(?:in|out)|register(?:ed|ing)?|"
    r"registration|subscri(?:be[ds]?|ber?s?|bing|ptions?)|unsubscribe|newsletters?|billing|"
    r"payment|account|password|inbox|e-?mail address|verif(?:y|ied|ication)|confirm(?:ed|ation)?|"
    r"membership|members?[- ]only|premium|free trial|trial|profile|preferences|settings|"
    r"notifications?|alerts?|saved (?:articles?|stories)|reading list|bookmark(?:ed|s)?)\b",
)
_STATUS_OPENER = caseless(
    r"^(success|thank(?:s| you)|welcome(?: back)?|great|oops|almost (?:done|there)|done|"
    r"you(?:'|’)re (?:all set|in|subscribed|signed)|you have (?:been|successfully)|"
    r"your (?:\w+ ){0,3}(?:has|have) been|check your (?:inbox|email)|sorry|error|please)\b",
)
_SOCIAL = caseless(
    r"(\b(?:follow(?:ing)? (?:us|me|him|her|them|the)|share (?:this|on|via|the)|twitter|facebook|"
    r"instagram|linkedin|whatsapp|tiktok|youtube|telegram|pinterest|reddit|flipboard|threads|"
    r"mastodon|bluesky|like us|tweet|podcast|rss|app store|google play)\b|(?<!\w)@\w{2,})",
)
_NOTICE = caseless(
    r"\b(cookies?|privacy (?:policy|settings|notice|statement)|consent|gdpr|terms (?:of|and) "
    r"(?:use|service|conditions)|ad[ -]?blocker|paywall|free articles?|"
    r"articles? (?:left|remaining)|"
    r"continue reading|unlimited (?:digital )?access|subscribers? only|already (?:a subscriber|"
    r"have an account|registered)|javascript)\b|"
    r"[$£€]\s?\d[\d.,]*\s*(?:/|a|per)\s*(?:month|week|year|mo)\b",  # a price per period
)
_CALL_VERBS = (
    r"click|tap|sign(?: up| in)?|subscribe|follow|share|join|download|get|register|log ?in|"
    r"read|watch|listen|support|donate|like|tweet|email|e-mail|contact|send|try|discover|explore|"
    r"find out|learn more|see|view|enable|allow|accept|manage|update|create|start|upgrade|"
    r"become|don't miss|never miss|stay (?:up to date|informed|tuned)|leave a (?:comment|reply)"
)
_IMPERATIVE = caseless(rf"^({_CALL_VERBS})\b")
# Verbs that open a call to act and hardly ever a sentence of news ("Like many towns, ..." and
# "Support for the plan ..." do).
_STRONG_IMPERATIVE = caseless(
    r"^(click|tap|download|subscribe|sign (?:up|in)|log ?in|register|follow|share|join|watch|"
    r"listen|learn more|find out|discover|explore|don't miss|never miss|get (?:the|our)|"
    r"leave a (?:comment|reply))\b",
)
# "Click here ..." as one of the sentences of a short line.
_CLICK_HERE = caseless(r"(?:^|[.!?]\s+)(?:click|tap|press) (?:here|below|on (?:the|this) link)\b")
# What a call to act points at: the link, the app, more updates.
_CTA_OBJECT = caseless(
    r"\b(here|below|link|app|apps|headlines|updates|alerts|newsletters?|inbox|podcasts?|"
    r"videos?|gallery|comments?|feed|notifications?)\b",
)
# A sentence that sends its reader to a part of the page that is not the article ("Feel free
# to start below in our comments section.", "Click below to view a gallery", "Read our review
# here."): a call to act opening it, perhaps after a reminder, a courtesy or a condition ("Be
# sure to", "Feel free to", "You can", "If you missed it, "), and a pointer at the page: a
# place word closing a phrase ("here.", "below to …"; "above your wrists" is a preposition's),
# a part of the page named as ours, this or more ("more photos", "our video"), one that is
# only ever the page's (the comments, a gallery, a poll), or scrolling. A sentence about a
# gallery ("The gallery opens on Monday") has its subject first.
_PROMPT_LEAD = (
    r"(?:(?:please|so|and|now|also|then|simply|just|why not|do|be sure to|make sure (?:to|you)|"
    r"don['’]t forget(?: to)?|remember to|feel free to|you can|you could|you may|you might|"
    r"you['’]ll|you will|we invite you to|we encourage you to)\s+"
    r"|(?:if you|to|for more)\b[^,.;:!?]{1,60},\s+)*"
)
_PROMPT_VERBS = (
    r"press|check(?: out)?|scroll|take a (?:look|peek|moment)|vote|leave|tell us|let us know|"
    r"look|browse|flip|sound off|weigh in|chime in|have your say|add|post|fill|submit|enter|go|"
    r"head|visit|play|hit|find|jump|comment|catch"
)
_PROMPT_OPENING = caseless(rf"^{_PROMPT_LEAD}(?:{_CALL_VERBS}|{_PROMPT_VERBS})\b")
_PAGE_PART = (
    r"(?:comments?(?: section| thread| box)?|discussion|forums?|message boards?|galler(?:y|ies)|"
    r"slide ?shows?|photos?|pictures|images|videos?|clips?|player|polls?|quiz(?:zes)?|survey|"
    r"form)"
)
_PAGE_POINTER = caseless(
    r"\b(?:below|above|here)(?=\s*(?:[.,;:!?()…]|$)|\s+(?:for|to|and|or|if|in|on|by|now|from|"
    r"with|at)\b)"
    rf"|\b(?:our|this|these|the following|more)\s+(?:[\w'’-]+\s+){{0,2}}?{_PAGE_PART}\b"
    r"|\b(?:comments?|discussion|galler(?:y|ies)|slide ?shows?|polls?|quiz(?:zes)?)\b"
    r"|\bscroll(?:ing)? (?:down|up)\b"
)
# The opening word as a noun, a subject before its verb: "Email alerts were triggered …",
# "Share prices have fallen …" tell, they do not call.
_SUBJECT_OPENING = caseless(
    r"^[\w'’-]+(?: [\w'’-]+)? (?:is|are|was|were|has|have|had|will|would|could|should|must)\b"
)
_PART_NAME = caseless(rf"^{_PAGE_PART}$")  # "Comments", "Video": a widget's heading alone
PROMPT_WORDS = 30  # a reader prompt is at most this long
HOOK_WORDS = 12  # and a question or exclamation before it, its hook, this
# Links written as bracketed words and nothing else: a feed item's "[link] [comments]".
_BRACKETED_MENU = re.compile(r"^(?:\[[^\[\]\d]{1,20}\]\s*){2,4}$")
# Markers an ad slot leaves in the text.
_AD_MARKER = caseless(
    r"^(?:advertisements?|advertising|sponsored(?: by| content| links?)?|ad|paid content|"
    r"(?:story|article) continues (?:below|after)(?: (?:this )?(?:advertisement|ad))?|"
    r"continue reading (?:below|the main story)|scroll to continue(?: with content)?|"
    r"\(?continued)\W*$",
)
_TEASER_LABEL = caseless(
    r"^(?:[\W_]*)(read more|read next|read also|also read|related(?: stories| articles| coverage| "
    r"content| links?| reading)?|see also|more(?: from| on| about)? [\w .'’-]{0,40}?(?=:)|more|"
    r"recommended(?: for you| reading)?|you (?:may|might) also (?:like|be interested in)|"
    r"don't miss|most (?:read|popular|viewed)|trending(?: now)?|editor'?s picks?|watch|listen|"
    r"top stories|further reading|also on [\w .]+|in (?:other|related) news|more stories|"
    r"popular|latest)\b\s*(?:[:|»›>\-–—]|$)",
)
_DATELINE = caseless(
    r"^(?:published|updated|last updated|posted|submitted by|first published|modified)\b[\s:]"
)
_BYLINE = re.compile(
    r"^[Bb][Yy]:?\s+(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:January|February|March|"
    r"April|May|June|July|August|September|October|November|December|Christmas|Easter|"
    r"Contrast|Comparison|Law|Then|Now)\b)"
    r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|van|von|de|der|da|and|&))*\s*(?:[,|•·\-–—]|$)"
)
_PICTURE = r"(?:photo(?:graph)?|image|picture|illustration)s?"  # what a credit is for
_CREDIT = caseless(
    r"^(?:photo(?:graph)?|image|picture|video|illustration|credit|source|graphic)s?"
    r"(?: (?:copyright|credit|courtesy))?\s*[:/©]"
    rf"|^\((?:all )?{_PICTURE}(?: credit)?\s*[:/]"
    r"|^(?:photo(?:graph)?|image|picture|illustration|graphic)s? (?:by|courtesy|copyright|©)\s",
)
# A picture's caption or credit closing on its agency or photographer in brackets ("…
# gather in the square on Monday [EPA]", "… at the launch. (Jane Doe/Canadian Press)"): a
# name of one to three capitalised words in square brackets (no page or verse numbers), or a
# name and its agency split by a slash in parentheses, after a sentence of four words or more
# (a headline in Title Case with its source, "… Her Own Songs [Bloomberg]", is a link).
_NAME_SLASH_AGENCY = r"\((?:[A-Z][\w.&'’-]*\s?){1,4}/\s?[A-Z][\w.&'’ -]{1,40}\)"
_BRACKETED_CREDIT = re.compile(
    rf"\s(?:\[[A-Z][^\W\d_][\w.&'’-]*(?: [A-Z][\w.&'’-]*){{0,2}}\]|{_NAME_SLASH_AGENCY})$"
)
_SLASH_CREDIT = re.compile(rf"^{_NAME_SLASH_AGENCY}$")  # "(Jane Doe/Canadian Press)" alone
CAPTION_WORDS = 40  # a caption is at most this long
# Who else reported or wrote the story, a line of its own anywhere in the text: "With files
# from …", "The Daily Courier with files from …", "Additional reporting by …", "…
# contributed to this report" at the line's end ("who contributed reporting on …" stays).
_CONTRIBUTED = (
    r"\bcontributed (?:reporting|to (?:this|the) (?:report|story|article))"
    r"(?: (?:from|in) [^.;]{1,60})?\W*$"
)
_CONTRIBUTOR = caseless(
    r"^\W*(?:with (?:files|reporting|additional reporting|contributions?) (?:from|by)\b|"
    r"(?:additional|with) reporting (?:by|from)\b)|"
    rf"(?:[;,]\s*|\b(?-i:[A-Z])[\w.'’-]*\s)with files from\b|{_CONTRIBUTED}"
)
# A line that is only a date and/or time ("Wednesday, January 09, 2008", "8:43 AM GMT").
_DATE_WORD = (
    rf"{WEEKDAY}|{MONTH}|\d{{1,4}}(?:st|nd|rd|th)?|[ap]\.?m\.?|utc|gmt|[ecmp][sd]t|bst|cet|et|at|on"
)
_DATE_LINE = caseless(rf"^(?:(?:{_DATE_WORD})[\s,./:|–-]*)+$")
# ... naming a month or weekday and a year, as a page's date line does ("Tuesday, 1 March"
# heading a list of fixtures, "2000 GMT" or "78,000" alone belong to the article).
_DATE_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_DATE_NAME = caseless(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
)
# A page's time stamp, with at most a short source or label beside it ("01/09 18:48:47 ET",
# "2008-01-01 17:15:00.0", "Associated Press - January 10, 2008 3:23 PM ET", "Sunday,
# January 6, 2008; Page A04", "Fri Dec 28, 7:05 AM ET"): a day (a numeric date, a month's
# name and a year, or a month's name and day beside a clock time) and a clock time or a year,
# and hardly any other words.
_CLOCK = re.compile(r"\b\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?|\b\d{4} ?hrs\b", re.IGNORECASE)
_NUMERIC_DAY = re.compile(r"\b(?:\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|\d{4}-\d\d-\d\d)\b")
# A month's name and its day, either way round ("Dec 28", "28 December"): a day when a clock
# time stands beside it ("Fri Dec 28, 7:05 AM ET").
_MONTH_DAY = caseless(rf"\b{MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{MONTH}(?!\w)")
_STAMP_WORD = re.compile(
    rf"^(?:{_DATE_WORD}|\d[\d:./-]*|hrs|ist|est|edt|pst|pdt|cst|cdt|page|[a-z]?\d+)$",
    re.IGNORECASE,
)
STAMP_WORDS = 12  # a time-stamp line is at most this long
STAMP_OTHER = 3  # ... with at most this many words that are not parts of a date or time


def _is_time_stamp(text: str) -> bool:
    tokens = words(text)
    if not tokens or len(tokens) > STAMP_WORDS or _TERMINAL.search(text) or LIST_ITEM.match(text):
        return False
    clock = _CLOCK.search(text)
    day = (
        bool(_NUMERIC_DAY.search(text))
        or (bool(_DATE_NAME.search(text)) and bool(_DATE_YEAR.search(text)))
        or (clock is not None and _MONTH_DAY.search(text) is not None)
    )
    if not day or not (clock or _DATE_YEAR.search(text)):
        return False
    other = sum(1 for t in tokens if not _STAMP_WORD.match(t))
    return other <= STAMP_OTHER and other < len(tokens) / 2


_TOKEN_START = re.compile(r"(?<!\S)\S")
GLUED_WORDS = 24  # a line this short may carry a time stamp glued to its start or end


def _unstamped(block: _Block) -> str:
    """A short line without a time stamp glued to it (two of the page's blocks joined without
    a break): "'No exceptions to settlement freeze' Sat, 29 Dec 2007 17:50:54" is the repeated
    headline, "Jan 14 2008 by Jane Doe, Western Mail" a byline (the text as it is, else)."""
    text = block.text
    if block.words > GLUED_WORDS or block.words <= 2:
        return text
    starts = [m.start() for m in _TOKEN_START.finditer(text)]
    for start in starts[1:]:  # the longest stamp at the end, with a clock time
        if _CLOCK.search(text[start:]) and _only_stamp(text[start:]):
            return text[:start]
    for start in reversed(starts[1:]):  # the longest stamp at the start, followed by "by"
        if text[start : start + 3].lower() == "by " and _only_stamp(text[:start]):
            return text[start:]
    return text


def _only_stamp(text: str) -> bool:
    """A time stamp and nothing else (`_is_time_stamp` with no other words)."""
    return _is_time_stamp(text) and all(_STAMP_WORD.match(t) for t in words(text))


_SEPARATORS = re.compile(r"[|•·,—–/]|\s-\s|\d{1,2}:\d\d|\d{4}")
_TERMINAL = re.compile(r"[.!?…:;\"'”’)]$")
# A sentence's end: closing punctuation, perhaps inside closing quotes or brackets (unlike
# `_TERMINAL`, a line that only closes a quote or bracket has not ended a sentence).
_TERMINAL_END = re.compile(r"[.!?:;…](?:[\"'”’»)\]])*$")


LINK_SHARE = 0.6  # a line with this share of its words in link texts points elsewhere
_LINK_MIN_CHARS = 8


def _points_elsewhere(block: _Block, key: str, links: frozenset[str]) -> bool:
    """A line made mostly of the page's link texts (`LINK_SHARE`): a list of other stories or
    a menu, unless it is a sentence naming linked names (`_names_linked`)."""
    return _link_share(key, links) >= LINK_SHARE and not _names_linked(block, key, links)


SENTENCE_WORDS = 8  # a line this long, closed as a sentence, ...
ONE_LINK_SHARE = 0.5  # ... whose longest link covers less than this share is a sentence


def _names_linked(block: _Block, key: str, links: frozenset[str]) -> bool:
    """A sentence whose names are links ("<a>James Van Der Beek</a> has been eliminated from
    <a>Dancing with the Stars</a>."): one sentence (`_one_sentence`) of `SENTENCE_WORDS` or
    more, closed, and no one link covering half of it, as a headline's link covers its teaser
    line. (A paragraph that runs on into the headlines of a name's card is not one sentence.)"""
    if (
        block.words < SENTENCE_WORDS
        or not _TERMINAL_END.search(block.text)
        or not _one_sentence(block)
    ):
        return False
    longest = max((len(link) for link in links if link in key), default=0)
    return longest < ONE_LINK_SHARE * len(key)


def link_texts(anchors: Iterable[str]) -> frozenset[str]:
    """The page's link texts, folded for `clean_text(links=...)` (short ones left out)."""
    found = (_key(a) for a in anchors)
    return frozenset(k for k in found if len(k) >= _LINK_MIN_CHARS and " " in k)


def _link_share(key: str, links: frozenset[str]) -> float:
    """Share of a line's characters that lie in the page's link texts."""
    if len(key) < _LINK_MIN_CHARS:
        return 0.0
    if key in links:
        return 1.0
    covered = sum(len(link) for link in links if link in key)
    return min(1.0, covered / len(key))


@dataclass
class _Block:
    text: str
    paragraph: int
    words: int
    keep: bool = True


def clean_text(
    text: str,
    *,
    title: str | None = None,
    author: str | None = None,
    links: frozenset[str] = frozenset(),
) -> str:
    """Article text without boilerplate, whitespace normalised, paragraphs joined by "\\n\\n".

    `links` are the page's link texts (`link_texts`): a line made mostly of them is a list
    of other stories or a menu ("most read", "related", navigation), whatever it says, unless
    it is a sentence naming linked names (`_points_elsewhere`); a table's row
    dropped so comes back when its table stays (`_keep_table_rows`).

    Each line is judged on its own shape and vocabulary (account/status messages, calls to act,
    notices, duplicated title/byline); link teasers are judged together with their neighbours
    (a label or a headline-shaped line, plus one sentence about something else)."""
    blocks = _blocks(_rejoin_wrapped(normalize_whitespace(text)))
    if not blocks:
        return ""
    title_key = _key(title or "")
    author_parts = _author_parts(author)
    linked: set[int] = set()  # lines dropped as links
    for index, block in enumerate(blocks):
        key = _key(_unstamped(block))
        duplicate_title = index < 4 and bool(title_key) and key == title_key
        if (
            duplicate_title
            or (block.words == 0 and not _RULE_ROW.match(block.text))  # rules, ornaments,
            # the ":" left of a label cell, an empty row ("| | |"); a table's "|---|" row
            # stays with its table
            or _is_byline(block, author_parts)
            or _is_noise(block)
        ):
            block.keep = False
        elif links and _points_elsewhere(block, key, links):
            block.keep = False
            linked.add(index)
    _keep_table_rows(blocks, linked)
    _drop_edge_furniture(blocks, title_key)
    _drop_reader_status(blocks)
    _drop_teasers(blocks)
    _drop_glued_cards(blocks)
    _drop_tail(blocks)
    _drop_footnotes(blocks)
    _drop_notices_and_credits(blocks)
    _drop_closing_run(blocks)
    return _join(blocks)


_RULE_ROW = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+$")  # a table's header rule, "|---|---|"
_TABLE_ROW = re.compile(r"^\|.*\|$")  # a table's row, as trafilatura writes it ("| a | b |")


def _keep_table_rows(blocks: list[_Block], linked: set[int]) -> None:
    """Rows dropped for their links (`linked`: a film's title linked in a list of films) come
    back when most of the other rows of their table, rows of as many cells, stay: the table
    is the article's, and its rows name things. A table of other stories' links has most of
    its rows dropped, and stays dropped."""
    index = 0
    while index < len(blocks):
        end = index
        while end < len(blocks) and _TABLE_ROW.match(blocks[end].text):
            end += 1
        rows = range(index + 1, end)  # the first row is the table's header
        kept = {i for i in rows if blocks[i].keep}
        for i in linked.intersection(rows):
            cells = blocks[i].text.count("|")
            alike = [j for j in rows if j != i and blocks[j].text.count("|") == cells]
            if 2 * sum(1 for j in alike if j in kept) > len(alike):
                blocks[i].keep = True
        index = max(end, index + 1)


TOOL_WORDS = 3  # a toolbar's or menu's entry, or a label over one, is at most this long
MENU_ENTRIES = 2  # a run at the text's edge with this many entries ("Digg |") is furniture
_LABEL_END = re.compile(r"^[^.!?;:|]+:$")


def drop_edge_furniture(text: str, *, title: str | None = None) -> str:
    """`text` without a toolbar or a menu left at its start or end (`_drop_edge_furniture`);
    for the text's final edges, once the passes by page structure have taken what lay beyond
    them. Paragraphs joined by "\\n\\n" as `clean_text` does."""
    blocks = _blocks(text)
    _drop_edge_furniture(blocks, _key(title or ""))
    return _join(blocks)


def _entry(block: _Block) -> bool:
    """A menu's or a toolbar's entry: a few words and the bar after them ("ePaper |", "A |")."""
    text = block.text
    return block.words <= TOOL_WORDS and text.endswith("|") and not text.startswith("|")


def _label(block: _Block) -> bool:
    """A short label, over a menu or over nothing: "News:", "text size:", "Next story:"."""
    return 0 < block.words <= TOOL_WORDS and _LABEL_END.match(block.text) is not None


def _tool(block: _Block) -> bool:
    """A tool's or a section's name, a few words that are not a sentence ("Print", "Printer
    friendly", "E-mail"), not an item of a list nor an address; or a call to act ("Send this
    article to Friends by E-Mail")."""
    text = block.text
    if _call_to_act(text):
        return True
    return (
        0 < block.words <= TOOL_WORDS
        and not _TERMINAL.search(text)
        and not text[:1].isdigit()
        and not LIST_ITEM.match(text)
        and not _INNER_DOT.search(text)
    )


def _drop_edge_furniture(blocks: list[_Block], title_key: str) -> None:
    """A toolbar or a menu left at the text's start or end: a run of short lines that are its
    entries (`_entry`), labels (`_label`) and tools' names (`_tool`), with `MENU_ENTRIES`
    entries or more ("text size:" / "A |" / "A |" / "A", "Digg |" / "Facebook |" / "Print").
    A label with a value under it ("Director:" / "Jane Doe") is the article's: the run stops
    before it. Two labels or more closing the text over nothing ("Previous story:" / "Next
    story:") go too, and the title repeated right under a dropped opening run."""
    live = [b for b in blocks if b.keep]
    if not live:
        return
    shaped = [_entry(b) or _label(b) or _tool(b) for b in live]
    end = _opening_run(live, shaped)
    if end < len(live) and sum(_entry(b) for b in live[:end]) >= MENU_ENTRIES:
        for b in live[:end]:
            b.keep = False
        if _key(live[end].text) == title_key:
            live[end].keep = False
    start = _closing_run(live, shaped, end)
    tail = live[start:]
    if start > 0 and sum(_entry(b) for b in tail) >= MENU_ENTRIES:
        for b in tail:
            b.keep = False
        return
    labels = 0
    while labels < len(tail) and _label(tail[-1 - labels]):
        labels += 1
    if labels >= MENU_ENTRIES:  # labels over nothing ("Previous story:" / "Next story:"); one
        # alone may head a part of the article that cleaning took away ("On the Net:")
        for b in tail[len(tail) - labels :]:
            b.keep = False


def _opening_run(live: list[_Block], shaped: list[bool]) -> int:
    """Where the run of furniture opening the text ends: before a label with a value."""
    end = 0
    while end < len(live) and shaped[end]:
        if _label(live[end]) and end + 1 < len(live) and shaped[end + 1]:
            following = live[end + 1]
            if not (_entry(following) or _label(following)):
                break
        end += 1
    return end


def _closing_run(live: list[_Block], shaped: list[bool], end: int) -> int:
    """Where the run of furniture closing the text starts, after the opening run's `end`: a
    label with a value keeps its value (the run starts after it)."""
    start = len(live)
    while start > end and shaped[start - 1]:
        block = live[start - 1]
        if _label(block) and start < len(live) and not (_entry(live[start]) or _label(live[start])):
            return start + 1  # the value stays with its label
        start -= 1
    return start


# A news dateline opening the article's first paragraph: the place in capitals, perhaps a
# region, a day and the agency, and a dash ("DETROIT - ", "ALBANY, N.Y. (AP) - ", "OSLO, Dec.
# 10 — "), then a sentence.
_DATELINE_OPENING = re.compile(
    r"(?:(?<=[a-z.!?\"”’')])|\s)(?=[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+){0,3}"
    r"(?:, [A-Z][\w.]*(?: [A-Z][\w.]*){0,2}){0,2}"
    rf"(?:, {MONTH} \d{{1,2}})?(?: ?\([^()]{{2,30}}\))? ?(?:--|[-–—―]) [A-Z\"“'‘])"
)
_JOINING = wordset("a an the and or but of in on at to for with by from as than")
GLUED_HEAD_WORDS = 16  # a dateline's paragraph glued to a line this short is split from it


# A call to click opening a paragraph of the article ("Click here to bet on football with Sky
# Bet! Watford have rejected …"), and a page's "Continued..." closing one: a promotion's or a
# pager's line glued to the text.
_CALL_OPENING = caseless(r"^(?:click|tap|press) (?:here|below)\b[^.!?]{0,120}[.!?]+\s+(?=\W*[A-Z])")
# A picture's credit closing a paragraph, in brackets or after the caption's last sentence ("…
# a second home. (Photo: Getty Images)", "A train at York. Photograph: Jane Doe/PA").
_CREDIT_END = caseless(
    rf"\s+\({_PICTURE}(?: credit)?\s*[:/]\s*[^()]{{1,60}}\)$"
    rf"|(?<=[.!?])\s+{_PICTURE}(?: by)?:\s*[^.!?]{{1,60}}$"
)
_CONTINUED_END = caseless(r"\s+\(?continued(?:\.\.\.|…|\))$")


def _unglued(line: str) -> list[str]:
    """The line, or a short line (a subheading, a byline, a time) and the dateline's paragraph
    glued to it (two blocks of the page joined without a break), as two lines; so too a call to
    click opening the line and a picture's credit or a "Continued..." closing it, apart from the
    text between."""
    call = _CALL_OPENING.match(line)
    if call is not None:
        return [call.group().strip(), *_unglued(line[call.end() :])]
    credit = _CREDIT_END.search(line)
    if credit is not None and credit.start() > 0:
        return [*_unglued(line[: credit.start()]), credit.group().strip()]
    pager = _CONTINUED_END.search(line)
    if pager is not None and pager.start() > 0:
        return [*_unglued(line[: pager.start()]), pager.group().strip()]
    match = _DATELINE_OPENING.search(line)
    if match is None or match.start() == 0:
        return [line]
    head = line[: match.start()].strip()
    if not head or len(words(head)) > GLUED_HEAD_WORDS or head.endswith((".", "!", "?", ";")):
        return [line]
    last = head.split()[-1]
    if last.lower() in _JOINING or last.isupper() or head.endswith(","):
        return [line]  # "… and the NATO - …" runs on; "NEW YORK -" is one place
    if len(_QUOTES.findall(head)) % 2:
        return [line]  # inside a quotation or a cited title
    return [head, line[match.start() :].strip()]


WRAPPED_CHARS = 30  # a hard-wrapped line is at least this long (a heading may be shorter)


def _rejoin_wrapped(text: str) -> str:
    """Paragraphs that are the lines of hard-wrapped text (a wire story in <pre>, a plain-text
    mail) joined again: a line without closing punctuation runs on into the next when the next
    starts with a lower-case word ("… on Thursday for" / "urinating in public …") or the line
    ends with a joining word ("… according to" / "the Boise Police Department."); and a sentence
    broken around a link (`_split_at_link`) is whole again."""
    paragraphs = text.split("\n\n")
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and _split_at_link(joined[-1], paragraph):
            joined[-1] = f"{joined[-1]}{paragraph}"
        elif joined and _runs_on(joined[-1], paragraph):
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return "\n\n".join(joined)


# A sentence the extractor broke around a link in it: a line ending on a word and an opening
# bracket ("… Entermedia(" / "www.entermedia.co.kr"), or a line of words that starts with the
# punctuation closing a sentence or a bracket, after a line that did not end one ("(NASDAQ:
# MSFT" / ")'s Zune player …"). Code's brackets ("list: [", "))", ");") are left as they are.
_OPENS = re.compile(r"(?:[^\W_]| )\($")
_CLOSES = re.compile(r"^(?:[),;:!?”’]|\.(?!\.))")


def _split_at_link(line: str, following: str) -> bool:
    if "\n" in line or "\n" in following or not following or not line:
        return False
    if _OPENS.search(line):
        return True
    return (
        _CLOSES.match(following) is not None
        and len(words(following)) >= 2
        and not _TERMINAL_END.search(line)
    )


def _runs_on(line: str, following: str) -> bool:
    if "\n" in line or "\n" in following or len(line) < WRAPPED_CHARS or not following:
        return False
    if _TERMINAL_END.search(line):
        return False
    first = following.split(maxsplit=1)[0]
    if first.lower() in _BYLINE_WORDS or _is_time_stamp(following):
        return False  # a byline or a time under a headline ("by The Times-Picayune", "posted …")
    if _BYLINE_OPENING.match(line) or _is_time_stamp(line):
        return False  # a byline or a comment's header above its text ("Posted by: …, 8:21pm")
    # A word in lower case continues the sentence; a site's name or an address ("seattlepi.com
    # serves …", "apedroso@…") starts a line of its own, unless it is a link ("http://…").
    lower_start = (
        first[0].islower()
        and not any(c.isupper() for c in first[1:])
        and (not _INNER_DOT.search(first) or first.startswith(("http", "www.")))
    )
    if lower_start:
        return True
    return line.rsplit(maxsplit=1)[-1].lower() in _JOINING and not _call_to_act(following)


def _call_to_act(line: str) -> bool:
    """Does `line` read as a line of its own, a call to act in three to ten words without a
    sentence's end ("Send this article to Friends by E-Mail"), not the end of a sentence?"""
    return (
        not _TERMINAL_END.search(line)
        and line[:1].isupper()
        and _IMPERATIVE.match(line) is not None
        and 3 <= len(words(line)) <= 10
    )


_INNER_DOT = re.compile(r"\w[.@]\w")
# "by Tim Cashmere - January 16 2008", "Posted by: tom3465, …": a byline's opening, not "updated
# with the latest …" in a sentence.
_BYLINE_OPENING = re.compile(
    r"^(?:[Bb]y|[Pp]osted|[Uu]pdated|[Pp]ublished|[Ff]iled|[Ww]ritten)(?: by)?(?::|\s+[A-Z])"
)
_BYLINE_WORDS = wordset("by posted updated published filed written")


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    for number, paragraph in enumerate(text.split("\n\n")):
        for whole in paragraph.split("\n"):
            for line in _unglued(whole.strip()):
                if line:
                    blocks.append(_Block(line, number, len(words(line))))
    return blocks


def _join(blocks: list[_Block]) -> str:
    paragraphs: dict[int, list[str]] = {}
    for block in blocks:
        if block.keep:
            paragraphs.setdefault(block.paragraph, []).append(block.text)
    return "\n\n".join("\n".join(lines) for lines in paragraphs.values())


def _key(text: str) -> str:
    return " ".join(w.lower() for w in words(text))


def _author_parts(author: str | None) -> list[str]:
    if not author:
        return []
    names = [n.strip() for n in re.split(r",|;|\band\b|&", author) if n.strip()]
    return [n.lower() for n in names if len(n) > 2]


def _is_byline(block: _Block, author_parts: list[str]) -> bool:
    if block.words > 14:
        return False
    text = _unstamped(block)
    if text != block.text and _BYLINE.match(text):
        return True
    lowered = block.text.lower()
    for name in author_parts:
        if name in lowered:
            size = len(name.split())
            if block.words <= size + 1 or lowered.startswith(f"by {name}"):
                return True
            segments = [p.strip(" .:").removeprefix("by ") for p in _SEPARATORS.split(lowered)]
            if block.words <= 2 * size + 6 and name in segments:
                return True
    if _BYLINE.match(block.text):
        return True
    return bool(_DATELINE.match(block.text)) and block.words <= 12


def _vocabulary_hits(text: str) -> int:
    return len(_ACCOUNT.findall(text)) + len(_SOCIAL.findall(text)) + 2 * len(_NOTICE.findall(text))


def _is_noise(block: _Block) -> bool:
    """Account/status messages, calls to act, cookie and paywall notices, credits."""
    text, n = block.text, block.words
    if n > 60 or n == 0:  # separators such as "___" are harmless; leave them
        return False
    hits = _vocabulary_hits(text)
    if n <= 6 and (_AD_MARKER.match(text) or _BRACKETED_MENU.match(text)):
        return True
    if n <= 10 and _DATE_LINE.match(text) and _DATE_YEAR.search(text) and _DATE_NAME.search(text):
        return True
    if n <= STAMP_WORDS and _is_time_stamp(text):
        return True
    if n <= 30:
        if _STATUS_OPENER.match(text) and _ACCOUNT.search(text):
            return True
        if _CLICK_HERE.search(text):
            return True
        if _calls_to_act(text, hits):
            return True
        if hits >= 2 and hits * 6 >= n and not _reported(text, n):
            return True
        if (_CREDIT.match(text) or _SLASH_CREDIT.match(text)) and n <= 15:
            return True
        if n <= CREDIT_WORDS and _CONTRIBUTOR.search(text) and not _QUOTES.search(text):
            return True
    if n <= CAPTION_WORDS and _is_bracketed_caption(block):
        return True
    # Notices run longer; they are dense in their own vocabulary.
    return len(_NOTICE.findall(text)) >= 2 and hits * 8 >= n and not _reported(text, n)


REPORT_WORDS = 15  # a sentence this long about others is reporting, whatever its words


def _reported(text: str, n: int) -> bool:
    """A sentence reporting on others ("Facebook and other tech companies deflect … by
    arguing "consent" …"), not the site speaking to its reader: `REPORT_WORDS` words or more,
    closed, neither addressing the reader nor speaking as "we", and not opening with a call
    to act. A notice's words (cookies, consent, accounts) are then the news's subject."""
    return (
        n >= REPORT_WORDS
        and bool(_TERMINAL_END.search(text))
        and not _SECOND_PERSON.search(text)
        and not _FIRST_PLURAL.search(text)
        and not _IMPERATIVE.match(text)
    )


def _calls_to_act(text: str, hits: int) -> bool:
    """An imperative opening `text` with the vocabulary of an account, a platform or a notice
    (`hits` of it), or a strong one with what it points at ("Download our app")."""
    return _IMPERATIVE.match(text) is not None and (
        hits >= 1 or (_STRONG_IMPERATIVE.match(text) is not None and bool(_CTA_OBJECT.search(text)))
    )


def _is_bracketed_caption(block: _Block) -> bool:
    credit = _BRACKETED_CREDIT.search(block.text)
    if credit is None or _QUOTES.match(block.text):
        return False
    caption = _Block(block.text[: credit.start()], block.paragraph, 0)
    caption.words = len(words(caption.text))
    return caption.words >= 4 and not _title_case_headline(caption)


_READER = caseless(r"^(?:you|your|you['’](?:ve|re|ll|d))\b")
_SECOND_PERSON = caseless(r"\b(?:you|your|yours|you['’](?:ve|re|ll|d))\b")
_QUOTES = re.compile(r"[\"“”«»]")


def _drop_reader_status(blocks: list[_Block]) -> None:
    """Lines the site says to its reader ("You've successfully subscribed to …", "Your billing
    was not updated."): a short paragraph of one sentence whose subject is the reader, about
    their account, not in quotes, in a text that otherwise hardly speaks to the reader (so
    advice columns stay)."""
    kept = [b for b in blocks if b.keep]
    total = sum(b.words for b in kept)
    lines = [
        b
        for b in kept
        if b.words <= 15
        and _READER.match(b.text)
        and _ACCOUNT.search(b.text)
        and not _QUOTES.search(b.text)
        and len(split_sentences(b.text)) == 1
    ]
    if not lines or total == 0:
        return
    rest = sum(len(_SECOND_PERSON.findall(b.text)) for b in kept if b not in lines)
    if rest * 100 <= total - sum(b.words for b in lines):  # under 1 % of the other words
        for block in lines:
            block.keep = False


_COPYRIGHT = caseless(r"^(?:©|\(c\)|copyright\b)")
TAIL_SHARE = 0.4  # what follows the article's end is dropped when it is at most this share
SHARED_VOCABULARY = 0.3  # ... and a closing list sharing less of the article's words than this
FOREIGN_VOCABULARY = 0.15  # a closing list sharing less than this goes whatever its length,
FALLBACK_BODY = 150  # when the article before it has this many words
LISTED = 0.5  # a closing list is the article's own when its words before it are this much lists


def _drop_tail(blocks: list[_Block]) -> None:
    """What follows the article's end: after its copyright line, or a closing list of other
    stories (three or more list items, under a short label, sharing little of the article's
    vocabulary) — as long as that tail is the smaller part of the text, or, for a list that
    shares almost none of it, the article before it has `FALLBACK_BODY` words or more. An
    article that is itself mostly list items (`LISTED`) keeps its closing list."""
    live = [b for b in blocks if b.keep]
    total = sum(b.words for b in live)
    if not live or total == 0:
        return
    for i, block in enumerate(live):
        if i > 0 and block.words <= 25 and _COPYRIGHT.match(block.text):
            tail = live[i:]
            if sum(b.words for b in tail) <= TAIL_SHARE * total:
                for b in tail:
                    b.keep = False
                live = live[:i]
            break
    end = len(live)
    start = end
    while start > 0 and LIST_ITEM.match(live[start - 1].text):
        start -= 1
    if end - start < 3 or start == 0:
        return
    label = start - 1
    if live[label].words > 5 or _TERMINAL.search(live[label].text):
        return  # a list the article introduces ("…, they said:") is the article's
    body = live[:label]
    items = live[start:end]
    tail_words = sum(b.words for b in live[label:])
    listed = sum(b.words for b in body if LIST_ITEM.match(b.text))
    if not body or listed >= LISTED * sum(b.words for b in body):
        return  # an article written as lists (release notes, a roundup) ends in one of its own
    vocabulary = Counter(w for b in body for w in content_words(b.text))
    own = {w for b in items for w in content_words(b.text)}
    shared = sum(1 for w in own if vocabulary[w]) / len(own) if own else 1.0
    # A longer list goes too when it is about other things altogether and the article
    # before it is long enough to stand alone.
    if (shared < SHARED_VOCABULARY and tail_words <= TAIL_SHARE * total) or (
        shared < FOREIGN_VOCABULARY and total - tail_words >= FALLBACK_BODY
    ):
        for b in live[label:]:
            b.keep = False


# A rights notice: the copyright sign (or "(c)" and a year) or "rights reserved", or a ban on
# reproducing the text, the verbs of reproduction near the words of a prohibition.
_RIGHTS_SIGN = caseless(r"©|\(c\)\s*(?:19|20)\d\d|\ball rights reserved\b")
_REPRODUCE = caseless(
    r"\b(?:reproduc\w*|redistribut\w*|republi\w*|rewritten|retransmi\w*|syndicat\w*)\b",
)
_PROHIBIT = caseless(
    r"\b(?:prohibited|forbidden|may not|must not|without (?:the )?(?:\w+ )?(?:\w+ )?"
    r"(?:permission|consent))\b",
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A profile's address on a platform and nothing else ("twitter.com/jdoe", "https://www.
# instagram.com/jdoe/"): the writer's contact, as an e-mail address is.
_PROFILE = caseless(
    r"^(?:https?://)?(?:www\.)?(?:twitter|x|facebook|instagram|linkedin|tiktok|youtube|threads)"
    r"\.(?:com|net)/[\w.@/-]+$"
)
# An address written out against harvesters: "jdoe(at)example.com", "jdoe [at] example [dot]
# com", "jdoe at example dot com" (the spaced form only with a spelled-out "dot").
_DOT = r"(?:\s?\.\s?|\s?[(\[{]\s?(?i:dot)\s?[)\]}]\s?|\s(?i:dot)\s)"
_OBFUSCATED_EMAIL = re.compile(
    rf"[\w.+-]+\s?[(\[{{]\s?(?i:at)\s?[)\]}}]\s?[\w-]+(?:{_DOT}[\w-]+)+"
    rf"|[\w.+-]+\s(?i:at)\s[\w-]+(?:\s(?i:dot)\s[\w-]+)+",
)
# Who else wrote or edited the story: "(Reporting by …; Editing by …)", "X contributed to
# this report" — the wire's credit, a verb of writing and "by" or "contributed".
_CREDIT_LINE = caseless(
    r"^\W*(?:(?:additional )?(?:reporting|writing|editing|compiled|edited|written)\b.{0,40}?"
    rf"\bby\b|.{{0,120}}?{_CONTRIBUTED})",
)
# "With Jane Doe" or "With Jane Doe and John Roe in Paris", closing the text: who helped write it.
_WITH_NAMES = re.compile(
    r"^With (?:[A-Z][\w.'’-]+ ?){1,3}(?:(?:,|and|&) (?:[A-Z][\w.'’-]+ ?){1,3})*"
    r"(?:in [A-Z][\w.'’ -]+)?\.?$"
)
# A contributor's one-line bio: a name and "is a/an/the …", the article's last line.
_BIO = re.compile(r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3} (?:is|was) (?:a|an|the)\b")
_BIO_ROLE = caseless(
    r"\b(?:writer|columnist|correspondent|editor|reporter|author|journalist|contributor|"
    r"commentator|blogger|freelance\w*)\b",
)
# A note about the text itself, not about the news (its subject is the article, its
# publication or the views in it): the article named as the subject of a verb of publishing
# or editing ("This article originally appeared on …", "A version of this story was
# published in …", "This post has been updated to …"), that verb alone with the text as its
# understood subject ("Originally published on …"), a disclaimer of the views expressed in
# it, an editorial note whose label makes it one (a correction, a disclosure) or whose words
# are about the text, and the site asking its reader about the text ("Like this story? Share
# it …"). The text named as an object ("… will update this post if …") or a report in the
# news ("The report was published on Monday") is the article's own sentence.
_TEXT_NOUN = (
    r"(?:(?:blog |guest |news |opinion )?(?:article|story|column|piece|post|essay|interview|"
    r"review|feature|op-?ed|commentary|editorial|transcript|excerpt|content|newsletter|episode))"
)
_THIS_TEXT = rf"\bthis {_TEXT_NOUN}\b"
_ABOUT_TEXT = caseless(
    r"^(?:(?:an? |the )?(?:(?:earlier|previous|original|shorter|longer|different|edited|"
    r"abridged|print) )?version of |(?:portions|parts) of |an? (?:excerpt|extract) (?:of|from) )?"
    rf"this {_TEXT_NOUN}\b"
)
_PUBLISHING = caseless(
    r"\b(?:appear(?:ed|s)|(?:re)?publish(?:ed|es)|(?:re)?post(?:ed|s)|(?:re)?print(?:ed|s)|"
    r"reproduced|syndicated|updated|corrected|amended|edited|adapted|excerpted|translated|"
    r"produced|written|made possible|funded|supported|sponsored|part of|(?:first|originally) ran|"
    r"contains? (?:affiliate )?links)\b",
)
# A feed's footer naming the post by its title ("The post <title> appeared first on <site>.").
_FIRST_APPEARED = caseless(
    r"^the (?:post|article|story)\b.{0,200}?\b(?:appeared first|first appeared) (?:on|at) "
    r"[^,;]{2,60}$"
)
_PUBLISHED_ALONE = caseless(
    r"^(?:(?:originally|first|previously|also) (?:published|posted|appeared|printed|ran)|"
    r"(?:re)?(?:published|printed|posted) (?:with|by|under) (?:\w+ )?permission|"
    r"(?:reprinted|republished|reproduced|syndicated|adapted|excerpted) (?:with|from|by))\b",
)
# ... a clause after the participle makes it a sentence about something else ("First
# published in 1925, the novel …").
_CLAUSE_AFTER = caseless(r",\s(?:the|it|he|she|they|we|his|her|its|their|this)\b")
_VIEWS = caseless(
    r"\b(?:views?|opinions?)(?: (?:and|or|&) (?:views?|opinions?))? (?:expressed|stated)\b"
    rf".*(?:\b(?:author|writer|contributor|columnist|commentator)s?\b|\bnecessarily\b|"
    rf"\bhere(?:in)?\b|{_THIS_TEXT})",
)
_NOTE_LABEL = caseless(
    r"^\W*(?:(?P<meta>corrections?|clarifications?|disclosures?|disclaimers?)|"
    r"editor(?:['’]?s)?['’]? notes?|editorial note|note|update[ds]?)\s*(?::|\s[—–-])\s*",
)
_OUR_TEXTS = caseless(
    rf"{_THIS_TEXT}|\bour (?:articles?|stories|journalism|coverage|reporting|newsletters?)\b"
)
NOTE_ABOUT_WORDS = 50  # a note about the text is at most this long
NOTICE_WORDS = 60  # a rights notice is at most this long
CREDIT_WORDS = 25  # and a closing credit, contact or bio line this
CLOSING_LINES = 4  # the credit lines are among the text's last this many


def _is_rights_notice(block: _Block) -> bool:
    if block.words > NOTICE_WORDS:
        return False
    if _RIGHTS_SIGN.search(block.text):
        return True
    return bool(_REPRODUCE.search(block.text) and _PROHIBIT.search(block.text))


def _is_closing_credit(block: _Block) -> bool:
    """A contact line (an e-mail address, a profile's address), the wire's credit (also in
    parentheses, "… by …"), the contributor's bio or a note about the text (`_about_the_text`)
    — the kinds of line that close an article and are not its text."""
    text = block.text
    if block.words <= NOTE_ABOUT_WORDS and _about_the_text(text):
        return True
    if block.words > CREDIT_WORDS:
        return False
    if _EMAIL.search(text) or _OBFUSCATED_EMAIL.search(text) or _PROFILE.match(text):
        return True
    if _CREDIT_LINE.match(text) or _WITH_NAMES.match(text):
        return True
    if _site_to_reader(text):
        return True
    if (
        text.startswith("(")
        and text.rstrip(" .").endswith(")")
        and block.words <= 15
        and re.search(r"\bby\b", text, re.IGNORECASE)
    ):
        return True  # "(This article provided by …)"
    return bool(_BIO.match(text) and _BIO_ROLE.search(text) and len(split_sentences(text)) <= 2)


def _about_the_text(text: str) -> bool:
    """A note about the text itself rather than the news (`_ABOUT_TEXT`): its first sentence
    has the text as its subject and a verb of publishing or editing, or only that verb, or
    it disclaims the views expressed; an editorial note's label (a correction, a disclosure)
    or words about the text make it one; the site speaks to its reader about the text."""
    label = _NOTE_LABEL.match(text)
    if label is not None and label["meta"]:
        return True
    body = text[label.end() :] if label else text
    body = body.lstrip("(*[–—- ")
    first = (split_sentences(body) or [body])[0]
    if _ABOUT_TEXT.match(first) and _PUBLISHING.search(first):
        return True
    if _PUBLISHED_ALONE.match(first) and not _CLAUSE_AFTER.search(first):
        return True
    if _FIRST_APPEARED.match(body.rstrip(". ")):
        return True
    if _VIEWS.search(first):
        return True
    if label is not None:
        return _OUR_TEXTS.search(body) is not None or "earlier version" in body.lower()
    if _QUOTES.search(text) or not _OUR_TEXTS.search(text):
        return False
    # The site's voice: a call to act, or "we" and "you" together (an interviewer's "What
    # drew you to this story?" is neither).
    return any(_IMPERATIVE.match(s) for s in split_sentences(text)) or bool(
        _SECOND_PERSON.search(text) and _FIRST_PLURAL.search(text)
    )


_FIRST_PLURAL = caseless(r"\b(?:us|our|we|we['’](?:re|ll|ve|d))\b")


def reader_prompt(sentence: str) -> bool:
    """Does `sentence` send its reader to a part of the page that is not the article: the
    comments, a gallery, a video, a poll, "below" or "here" (`_PROMPT_OPENING`,
    `_PAGE_POINTER`), or to a newsletter, an app or a platform (`_calls_to_act`)? Not in
    quotes (a quoted "click here" is someone's words), and not a caption's label before a
    colon ("Look of love: Sarah …")."""
    text = sentence.strip()
    if _PROMPT_OPENING.match(text) is None:  # (nor `_IMPERATIVE`, its verbs are among these)
        return False
    if len(words(text)) > PROMPT_WORDS or _QUOTES.search(text) or "``" in text or "''" in text:
        return False
    if ":" in text.rstrip(" :") or _SUBJECT_OPENING.match(text):
        return False
    return _PAGE_POINTER.search(text) is not None or _calls_to_act(text, _vocabulary_hits(text))


_LABEL_PREFIX = re.compile(r"^[A-Z][\w'’-]*(?: [\w'’-]+){0,3}: ")


def _site_to_reader(text: str) -> bool:
    """The site speaking to its reader, not in quotes: "you" and "us/our" in one short line
    ("Have a view on this story? Send us your feedback!"), or a short label and a call to
    act ("Submit Your Video: Upload your videos …")."""
    if _QUOTES.search(text):
        return False
    if _SECOND_PERSON.search(text) and _FIRST_PLURAL.search(text):
        return True
    label = _LABEL_PREFIX.match(text)
    return label is not None and bool(_IMPERATIVE.match(text[label.end() :]))


def _drop_notices_and_credits(blocks: list[_Block]) -> None:
    """Rights notices anywhere ("© 2008 …, All rights reserved", "may not be republished"),
    and credit, contact and bio lines among the last `CLOSING_LINES` lines, as long as the
    article keeps most of its words."""
    live = [b for b in blocks if b.keep]
    total = sum(b.words for b in live)
    if not live:
        return
    dropped = [b for b in live if _is_rights_notice(b)]
    dropped += [b for b in live[-CLOSING_LINES:] if b not in dropped and _is_closing_credit(b)]
    if sum(b.words for b in dropped) <= TAIL_SHARE * total:
        for b in dropped:
            b.keep = False


# The text's edges after every other pass (`drop_edge_lines`): a line that is only a name — the
# publication's, the agency's, a section's — closing or opening the text next to its prose
# ("- AAP", "The Nation", "Reuters"), and the title repeated at the top, alone or glued to its
# date and byline ("<title> Published on January 12, 2008 by IANS").
_EDGE_MARK = re.compile(r"^[-–—•·|]\s*|^\((?=.*\)$)|^\[(?=.*\]$)")
_NAME_TOKEN = re.compile(r"^[A-Z][\w'’.&/-]*$")
_NAME_JOINING = wordset("of the and & de du la le for on")
NAME_WORDS = 4  # a name line is at most this long
PROSE_WORDS = 8  # the line beside it is prose: a sentence of at least this many words
EDGE_DROPS = 2  # at most this many lines go at each edge
_META_OPENING = caseless(
    r"^(?:by|published|posted|updated|last updated|filed|written|on)\b|^\d|"
    rf"^(?:{MONTH}|{WEEKDAY})\b"
)
_WORD_SPAN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")  # `ingest.text.words`, with positions
# The date, byline and counters glued to a repeated title: at most `META_WORDS` long, with at
# most `META_OTHER` lower-case words besides a date's, a byline's and a counter's ("Viewed 124
# times"); the names in a byline are capitalised, a sentence's words mostly are not.
_META_WORDS = wordset("by posted published updated filed written last viewed views times reads")
META_WORDS = 20
META_OTHER = 1


def drop_edge_lines(
    text: str, *, title: str | None = None, site: str | None = None, url: str | None = None
) -> str:
    """`text` ("\\n\\n" between paragraphs, "\\n" between lines) without the lines at its edges
    that a reader sees as furniture, each a paragraph of its own:

    - a first line repeating `title`, alone or with only its date and byline after it;
    - name lines (`_name_line`) opening the text before its prose (`_opening_name`: one word
      alone only when marked, in capitals or a segment of `url`, the section's name), or
      closing it after its prose ("- AAP" after any long line), as does any word alone there
      (`_STRAY_WORD`: "comments", "More...");
    - the publication's name (`site`, or its host in `url`) at either edge;
    - the title alone after the last line of prose (the headline printed again under it);
    - a part of the page named alone closing it after any line (`_PART_NAME`: "Comments");
    - reader prompts (`reader_prompt`: "Leave a comment below.", "See more photos:") opening
      the first line or closing the last, whole sentences, with a closing prompt's hook."""
    paragraphs = [p.split("\n") for p in text.split("\n\n")]
    lines = [(i, j) for i, p in enumerate(paragraphs) for j, _ in enumerate(p)]
    address = _address_words(url)
    site_keys = {k for k in (_key(site or ""),) if k}

    def line(k: int) -> str:
        i, j = lines[k]
        return paragraphs[i][j]

    def alone(k: int) -> bool:
        return len(paragraphs[lines[k][0]]) == 1

    def own_name(k: int) -> bool:
        key = _key(line(k))
        return key in site_keys or (bool(key) and key.replace(" ", "") in address["host"])

    def opening(k: int) -> bool:
        here = line(k)
        return alone(k) and (
            own_name(k)
            or _opening_name(here)
            or _names_line(here)
            or (_name_line(here) and k + 1 < len(lines) and _credits(line(k + 1), here))
            or (_name_line(here) and set(_key(here).split()) <= address["all"])
        )

    def closing(k: int) -> bool:
        here, before = line(k), line(k - 1)
        if not alone(k):
            return False
        if own_name(k) or (bool(title_key) and _key(here) == title_key and _prose(before)):
            return True  # the site's name, or the headline printed again under the article
        if _STRAY_WORD.match(here):  # after a long line, or after other words alone there
            back = k - 1
            while back > first and _STRAY_WORD.match(line(back)):
                back -= 1
            # A part of the page named alone closes it after any line: a comments box's
            # "Comments" / "comments", a player's "Video".
            parts = all(_PART_NAME.match(line(j)) for j in range(back + 1, k + 1))
            return parts or len(words(line(back))) >= PROSE_WORDS
        marked = bool(_EDGE_MARK.match(here.strip())) and len(words(before)) >= PROSE_WORDS
        return _name_line(here) and (_prose(before) or marked)

    dropped: set[int] = set()
    first, last = 0, len(lines) - 1
    title_key = _key(title or "")
    if title_key and first <= last and _repeats_title(line(first), title_key):
        dropped.add(first)
        first += 1
    run = first
    while run < last and run - first < EDGE_DROPS and opening(run):
        run += 1
    if run > first and (_prose(line(run)) or all(own_name(k) for k in range(first, run))):
        dropped.update(range(first, run))
        first = run
    for _ in range(EDGE_DROPS):
        if not (last > first and closing(last)):
            break
        dropped.add(last)
        last -= 1
    return _without_edge_prompts(_without_lines(paragraphs, lines, dropped) if dropped else text)


def _without_edge_prompts(text: str) -> str:
    """`text` without the reader prompts (`reader_prompt`) that open its first line or close
    its last, whole sentences, at most `EDGE_DROPS` at each edge (a line left empty goes)."""
    head = text.partition("\n")[0]
    cut = _prompts_cut(head, from_end=False) + text[len(head) :]
    last = cut.rpartition("\n")[2]
    cut = cut[: len(cut) - len(last)] + _prompts_cut(last, from_end=True)
    return text if cut == text else cut.strip()


def _prompts_cut(line: str, *, from_end: bool) -> str:
    """`line` without up to `EDGE_DROPS` reader prompts at its end (`from_end`) or start; at
    its end, with their hook, the questions or exclamations right before them in the line
    ("Not registered yet? What are you waiting for! Register by clicking here.")."""
    sentences = split_sentences(line)
    cut = line
    cuts = 0
    while sentences and cuts < EDGE_DROPS:
        sentence = sentences[-1] if from_end else sentences[0]
        at = cut.rfind(sentence) if from_end else cut.find(sentence)
        if at < 0 or not reader_prompt(sentence):
            break
        cut = cut[:at].rstrip() if from_end else cut[at + len(sentence) :].lstrip()
        sentences = sentences[:-1] if from_end else sentences[1:]
        cuts += 1
    hooks = 0
    while from_end and cuts and sentences and hooks < EDGE_DROPS and _hook(sentences[-1]):
        cut = cut[: cut.rfind(sentences.pop())].rstrip()
        hooks += 1
    return cut


def _hook(sentence: str) -> bool:
    """A short question or exclamation, not in quotes: a prompt's hook."""
    return (
        len(words(sentence)) <= HOOK_WORDS
        and sentence.endswith(("?", "!"))
        and not _QUOTES.search(sentence)
    )


def _without_lines(
    paragraphs: list[list[str]], lines: list[tuple[int, int]], dropped: set[int]
) -> str:
    """The paragraphs' text without the lines numbered in `dropped` (a paragraph left with no
    line goes with them)."""
    kept: dict[int, list[str]] = {}
    for k, (i, j) in enumerate(lines):
        if k not in dropped:
            kept.setdefault(i, []).append(paragraphs[i][j])
    return "\n\n".join("\n".join(p) for p in kept.values())


def _address_words(url: str | None) -> dict[str, set[str]]:
    """The words of a page's address: "host", its host's labels ("newsblaze", "thehindu"),
    and "all", those and its path's words ("english", "security")."""
    found: dict[str, set[str]] = {"host": set(), "all": set()}
    if not url:
        return found
    parts = urlsplit(url)
    found["host"] = set((parts.hostname or "").lower().split("."))
    found["all"] = found["host"] | set(re.findall(r"[a-z]+", parts.path.lower()))
    return found


# A word alone, perhaps trailing off ("comments" left of a counter, "One", "More..."): after
# the article's last sentence, a link's or a widget's leftover.
_STRAY_WORD = re.compile(r"^[^\W\d_]+(?:\.\.\.|…)?$")


def _name_line(text: str) -> bool:
    """A short line that is only a name: capitalised words (joined perhaps by "of", "&", "/"),
    no digits, no sentence or list punctuation, perhaps after a dash or in parentheses
    ("- AAP", "(Agencies)", "The Nation", "CanWest News Service", "Reuters/Billboard")."""
    bare = _EDGE_MARK.sub("", text.strip()).rstrip(")]").strip()
    tokens = bare.split()
    if not 0 < len(tokens) <= NAME_WORDS or len(bare) > 40 or re.search(r"[\d,:;!?\"“”|]", bare):
        return False
    if bare.endswith(".") or tokens[0].lower() in STOPWORDS - {"the", "new"}:
        return False  # a name does not open with "To", "Though", "One", "Our"
    return all(
        _NAME_TOKEN.match(t) or (0 < n < len(tokens) - 1 and t.lower() in _NAME_JOINING)
        for n, t in enumerate(tokens)
    )


def _credits(lead: str, name: str) -> bool:
    """The lead's dateline credits `name` in brackets ("NEW YORK (Reuters) - …" below a line
    "Reuters"): the line above is that credit again."""
    opening = " ".join(lead.split()[:8])
    return f"({name.strip()})" in opening


def _names_line(text: str) -> bool:
    """Names only, two to four of them, each of two words or more ("Jane Roe and John Doe,
    CanWest News Service; Ottawa Citizen"): a byline with its services (a kicker's words,
    "Mirror, Mirror", are single)."""
    parts = [p.strip() for p in re.split(r"[,;]|\band\b", text) if p.strip()]
    return (
        2 <= len(parts) <= 4
        and len(words(text)) <= 12
        and all(_name_line(p) and len(p.split()) > 1 for p in parts)
    )


def _opening_name(text: str) -> bool:
    """A name line that may open the text: one word alone is as often the article's own
    heading ("Lorem") as a section's name, so it goes only marked ("(AP)", "- AFP"), in
    capitals ("ITN") or as a byline's remnant ("Posted")."""
    if not _name_line(text):
        return False
    bare = text.strip()
    return (
        len(bare.split()) > 1
        or bool(_EDGE_MARK.match(bare))
        or bare.isupper()
        or bare.lower() in _BYLINE_WORDS
    )


def _prose(text: str) -> bool:
    return len(words(text)) >= PROSE_WORDS and bool(_TERMINAL_END.search(text))


def _repeats_title(text: str, title_key: str) -> bool:
    """The title alone or after a short mark (`_marked`), or the title and then only its date,
    byline or counters ("… Published on January 12, 2008 by IANSViewed 124 times") or a name
    (its source), no sentence."""
    key = _key(text)
    if key == title_key or _marked(key, title_key):
        return True
    if not key.startswith(title_key + " "):
        return False
    tokens = list(_WORD_SPAN.finditer(text))
    size = len(title_key.split())
    rest = text[tokens[size - 1].end() :].lstrip(" |:–—-,")
    if _name_line(rest):
        return True  # the source's name after it (a news aggregator's "<headline> BBC News")
    tokens_left = words(rest)
    other = [
        t
        for t in tokens_left
        if t[0].islower() and not _STAMP_WORD.match(t) and t.lower() not in _META_WORDS
    ]
    return (
        len(tokens_left) <= META_WORDS
        and bool(_META_OPENING.match(rest))
        and len(other) <= META_OTHER
        and not rest.rstrip().endswith(("?", "!"))
    )


MARK_WORDS = 2  # a kicker or a wire's mark before a repeated title ("FACTBOX-", "Exclusive:")


def _marked(key: str, title_key: str) -> bool:
    """The title after a mark of at most `MARK_WORDS` words, glued by a hyphen or not
    ("factbox-angelina jolie …")."""
    key, title_key = key.replace("-", " "), title_key.replace("-", " ")
    head = key.removesuffix(" " + title_key)
    return head != key and 0 < len(head.split()) <= MARK_WORDS


# A numbered note: "(1) …", "[2] …", "3. …".
_NOTE = re.compile(r"^(?:\((\d{1,2})\)|\[(\d{1,2})\]|(\d{1,2})[.)])\s+\S")
_URL = caseless(r"\bhttps?://|\bwww\.")
NOTE_WORDS = 60  # a source note is at most this long
NOTE_LABEL_WORDS = 3  # and the label above the notes ("Notes:", "Sources") this


def _drop_footnotes(blocks: list[_Block]) -> None:
    """Numbered source notes closing the text ("(1) The Two Earthquakes, New York Times, 4
    January 2008"), with their label: a closing run of numbered lines in rising order, each
    either marked in the article before them ("… a hard core (3).") or naming a source (a
    year or a web address) in two or more comma-separated parts, at most the smaller part
    of the text. A numbered list that is the article's own (a top ten) has neither."""
    live = [b for b in blocks if b.keep]
    start = len(live)
    while start > 0 and live[start - 1].words <= NOTE_WORDS and _NOTE.match(live[start - 1].text):
        start -= 1
    if start == 0 or start == len(live):
        return
    numbers = [_note_number(b.text) for b in live[start:]]
    if any(b <= a for a, b in pairwise(numbers)):
        return
    body = " ".join(b.text for b in live[:start])
    cited = all(re.search(rf"[(\[]{n}[)\]]", body) for n in numbers)
    sourced = (
        numbers[0] == 1
        and len(numbers) >= 2
        and all(
            (_DATE_YEAR.search(b.text) or _URL.search(b.text)) and b.text.count(",") >= 1
            for b in live[start:]
        )
    )
    if not (cited or sourced):
        return
    label = live[start - 1]
    if label.words <= NOTE_LABEL_WORDS and (
        label.text.endswith(":") or not _TERMINAL.search(label.text)
    ):
        start -= 1
    total = sum(b.words for b in live)
    if sum(b.words for b in live[start:]) <= TAIL_SHARE * total:
        for b in live[start:]:
            b.keep = False


def _note_number(text: str) -> int:
    match = _NOTE.match(text)
    assert match is not None
    return int(next(g for g in match.groups() if g))


CLOSING_RUN = 5  # this many short lines that are not sentences, closing the text, are a list
RUN_LINE_WORDS = 12  # ... of lines this short, two or more of them headlines of at least
RUN_HEADLINE_WORDS = 4  # this many words (a block of facts, "Tickets", "VIP: 60,000", stays)


def _drop_closing_run(blocks: list[_Block]) -> None:
    """What closes the text about other things altogether (sharing less than
    `FOREIGN_VOCABULARY` of its words with the article before it) and not reading as the
    article: a run of `CLOSING_RUN` or more short lines without closing punctuation, some of
    them headline-long (a teaser list, a menu), or an unlabelled list of three or more items —
    after an article of `FALLBACK_BODY` words or more, and the smaller part of the text."""
    live = [b for b in blocks if b.keep]
    total = sum(b.words for b in live)
    start = len(live)
    while (
        start > 0
        and live[start - 1].words <= RUN_LINE_WORDS
        and not _TERMINAL.search(live[start - 1].text)
    ):
        start -= 1
    headlines = sum(1 for b in live[start:] if b.words >= RUN_HEADLINE_WORDS)
    if len(live) - start < CLOSING_RUN or headlines < 2:
        start = len(live)
        while start > 0 and LIST_ITEM.match(live[start - 1].text):
            start -= 1
        if len(live) - start < 3:
            return
    if start == 0:
        return
    vocabulary = Counter(w for b in live[:start] for w in content_words(b.text))
    own = {w for b in live[start:] for w in content_words(b.text)}
    if not own or sum(1 for w in own if vocabulary[w]) / len(own) >= FOREIGN_VOCABULARY:
        return
    tail = sum(b.words for b in live[start:])
    if total - tail >= FALLBACK_BODY and tail <= TAIL_SHARE * total:
        for b in live[start:]:
            b.keep = False


def _headline_shaped(block: _Block) -> bool:
    """A short line without closing punctuation, mostly capitalised words: a link's headline."""
    if not 2 <= block.words <= 16 or _TERMINAL.search(block.text):
        return False
    tokens = words(block.text)
    capitalised = sum(1 for t in tokens if t[:1].isupper() or t[:1].isdigit())
    return capitalised >= 2 or block.words <= 4


def _one_sentence(block: _Block) -> bool:
    return block.words <= 40 and len(split_sentences(block.text)) == 1


def _drop_teasers(blocks: list[_Block]) -> None:
    live = [b for b in blocks if b.keep]
    vocabulary = [content_words(b.text) for b in live]
    remaining: Counter[str] = Counter(w for found in vocabulary for w in found)

    def drop(index: int) -> None:
        if live[index].keep:
            live[index].keep = False
            remaining.subtract(vocabulary[index])

    def shared_with_rest(*indices: int) -> float:
        """Share of these blocks' content words that the rest of the kept text also uses."""
        own = Counter(w for i in indices for w in vocabulary[i])
        if not own:
            return 1.0
        return sum(1 for w in own if remaining[w] > own[w]) / len(own)

    for i, block in enumerate(live):
        if not block.keep:
            continue
        label = _TEASER_LABEL.match(block.text)
        if label is not None and block.words <= 25:
            drop(i)
            rest = block.text[label.end() :].strip()
            following = i + 1
            if not rest and following < len(live) and _headline_shaped(live[following]):
                drop(following)  # "Related" on its own line, the headline on the next
                rest = live[following].text
                following += 1
            if following < len(live) and rest:
                nxt = live[following]
                if _one_sentence(nxt) and nxt.words <= 30 and not _QUOTES.match(nxt.text):
                    # The teaser's one-line blurb, on-topic or not; a quotation opening the
                    # line is the article's own, its next paragraph ('"…," said …').
                    drop(following)
            continue
        # A teaser card mid-body: a headline line and its one-sentence blurb in one paragraph
        # (a line break between them), prose paragraphs before and after; on-topic or not.
        if 0 < i < len(live) - 2 and _card(live, i):
            drop(i)
            drop(i + 1)
            continue
        # An unlabelled teaser dropped mid-body: a Title Case headline and one sentence about
        # something else, between two paragraphs of prose.
        if 0 < i < len(live) - 2 and _title_case_headline(block):
            before, nxt, after = live[i - 1], live[i + 1], live[i + 2]
            if (
                _one_sentence(nxt)
                and nxt.words <= 35
                and _TERMINAL.search(nxt.text)
                and _TERMINAL.search(before.text)
                and not _headline_shaped(after)
            ) and shared_with_rest(i, i + 1) < 0.2:
                drop(i)
                drop(i + 1)


# A teaser card flattened into one line: a headline, its time stamp and its blurb ("Part 4
# 22/12/2007 11:58:43 360 Degrees is a podcast …"); a stamp in the middle of a line.
_GLUED_CARD = re.compile(
    r"^(?P<head>[^.!?]+?)\s(?:\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{4}-\d\d-\d\d)[ T]"
    r"\d{1,2}:\d\d(?::\d\d)?\s+\S"
)
CARD_HEAD_WORDS = (3, 16)  # the headline of a flattened card is this long
GLUED_CARDS = 2  # a list of other stories has at least this many of them


def _drop_glued_cards(blocks: list[_Block]) -> None:
    """Teaser cards flattened into lines (`_GLUED_CARD`), when the text has `GLUED_CARDS` or
    more of them: a list of other stories, wherever it stands."""
    cards = []
    for block in blocks:
        match = _GLUED_CARD.match(block.text) if block.keep else None
        if match and CARD_HEAD_WORDS[0] <= len(words(match["head"])) <= CARD_HEAD_WORDS[1]:
            cards.append(block)
    if len(cards) >= GLUED_CARDS:
        for block in cards:
            block.keep = False


def _card(live: list[_Block], i: int) -> bool:
    before, block, blurb, after = live[i - 1], live[i], live[i + 1], live[i + 2]
    return (
        block.paragraph == blurb.paragraph != after.paragraph
        and before.paragraph != block.paragraph
        and 4 <= block.words <= 16
        and block.text[:1].isupper()
        and not _TERMINAL.search(block.text)
        and _one_sentence(blurb)
        and blurb.words <= 35
        and bool(_TERMINAL.search(blurb.text))
        and bool(_TERMINAL.search(before.text))
        and not _headline_shaped(after)
    )


def _title_case_headline(block: _Block) -> bool:
    """Headline-shaped with at least four words, most longer words capitalised."""
    if block.words < 4 or not _headline_shaped(block) or block.text.endswith((",", "-")):
        return False
    long_words = [w for w in words(block.text) if len(w) > 3]
    capitalised = sum(1 for w in long_words if w[:1].isupper())
    return bool(long_words) and capitalised >= 0.7 * len(long_words)


def teaser_sentences(text: str) -> set[str]:
    """Single-sentence paragraphs right after a headline-shaped line: link teasers that cleaning
    kept because they are on-topic. Summaries leave them out."""
    blocks = [b for b in _blocks(text) if b.keep]
    found: set[str] = set()
    for i in range(1, len(blocks)):
        previous, block = blocks[i - 1], blocks[i]
        if (
            previous.paragraph != block.paragraph
            and _headline_shaped(previous)
            and _one_sentence(block)
            and i < len(blocks) - 1
            and i > 1
        ):
            found.add(block.text)
    return found

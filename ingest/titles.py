"""Headlines and publication names. Pure: from a parsed page (or a feed's strings) to text.

A page names its article several times — JSON-LD `headline`, `og:title`, `twitter:title`,
Dublin Core, `<title>` and its `h1` — and most of those carry the site's name or a section
(" | WIRED", " - Politics - The Site"). Each candidate loses the end segments that name the
site (by `og:site_name`, the publisher, the host, or the part one variant adds to another);
then the candidate most others agree with wins, in that order of trust. A prompt ("Follow us
on Twitter"), a bare site name or a slogan never wins over a headline.

It runs past 500 lines because the site-name rules and the candidate vote are one decision:
each rule is read against the candidates it removes, and splitting them would split that."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from ingest.patterns import MONTH, WEEKDAY, caseless
from ingest.text import normalize_whitespace, wordset

MAX_TITLE_WORDS = 40
# Separators between a headline and the site's name or section.
# A dash glued to the word before it ("Music- Lavigne lawsuit settled") separates too when
# a capital follows: a suspended hyphen ("pre- and post-war") is followed by a small word.
_SEPARATOR = re.compile(
    r"\s+(?:[|\-–—~»/\\·•:_]{1,2}|>)\s+|\s+_|\s*\|\s*|\s+\[(?=[^\]]+\]$)"
    r"|(?<=\w)[-–—]\s+(?=[A-Z0-9\"'‘“])"
)
_HIERARCHICAL = frozenset("|>»/\\·•_[")
_WORD = re.compile(r"\w+", re.UNICODE)
_HOST_NOISE = frozenset({"www", "com", "co", "org", "net", "news", "uk", "au", "in", "ca", "m"})
# What a page's stray heading says when it is not the headline: a prompt, a control, an error.
_PROMPT = caseless(
    r"^(?:follow (?:us|me)|join (?:the|our|us)|sign (?:up|in)|subscribe|log ?in|register|"
    r"download (?:the|our)|share (?:this|on|via)|leave a (?:reply|comment)|skip to|menu|search|"
    r"home|page not found|404|not found|error|untitled|advertisement)\b"
    r"|\b(?:cancel reply|in your inbox|newsletters?|comments? policy|cookies?|to a friend)\b",
)


# Metadata that names the article, most trusted first (as Mozilla Readability reads them).
_TITLE_METAS = (
    "dc:title",
    "dcterm:title",
    "dcterms.title",
    "dc.title",
    "og:title",
    "twitter:title",
    "parsely-title",
)


@dataclass(frozen=True)
class PageNames:
    title: str  # the headline, "" when the page names none
    site: str | None  # the publication's name


def fold(text: str) -> str:
    """Letters and digits only, lower case: "The Ars-Technica" -> "thearstechnica"."""
    return "".join(_WORD.findall(text.casefold())).replace("_", "")


def page_names(
    root: HtmlElement | None, *, url: str | None, fallback: str = "", first_paragraph: str = ""
) -> PageNames:
    """The headline and site name of a parsed page; `fallback` (e.g. the extractor's title)
    is used when the page itself names no headline. The site's name is the first of
    `og:site_name`, JSON-LD's publisher and `application-name` that is no menu (`is_menu`), else
    the title's end segment that names the host (`_title_site`); None leaves it to the host.
    `first_paragraph` (of the main text) lets a page without title metadata name its headline
    by position: the heading-shaped line right before the article's first paragraph."""
    if root is None:
        return PageNames(clean_title(fallback, sites=_host_names(url)), None)
    meta = _metas(root)
    ld = list(_json_ld(root))
    site = _first(
        [meta.get("og:site_name"), *(_publisher(item) for item in ld), meta.get("application-name")]
    ) or _title_site([_page_title(root), meta.get("og:title", "")], url)
    sites = [s for s in (site, _handle(meta.get("twitter:site"))) if s] + _host_names(url)
    described = [
        *(_unescape(str(item["headline"])) for item in ld if isinstance(item.get("headline"), str)),
        *(meta.get(name, "") for name in _TITLE_METAS),
    ]
    lead = "" if any(described) else lead_in_heading(root, first_paragraph)
    candidates = [
        *described,
        _page_title(root),
        *(_text(h) for h in root.iter("h1")),
        *_marked_headlines(root),
    ]
    # The extractor's own title is only a last resort: it repeats one of these, and counting
    # it would give that one a vote it did not earn.
    sections = path_sections(url)
    title = choose_title(
        candidates,
        sites=sites,
        sections=sections,
        placed=lead,
        text=first_paragraph,
        described=described,
        seen=[_text(h) for h in root.iter("h2", "h3")],
    )
    if title and described and (shown := _shown_without_label(title, root, first_paragraph)):
        title = shown
    return PageNames(title or choose_title([fallback], sites=sites, sections=sections), site)


# One word after the headline and a spaced separator: "… - Analysis", "… | Review".
_LABEL_TAIL = re.compile(r"^(?P<head>.*\S)\s+[|\-–—:·•]\s+(?P<label>[^\W\d_][\w'’.]*)$")


def _shown_without_label(title: str, root: HtmlElement, first_paragraph: str) -> str:
    """The heading the page shows right above its text, when it is `title` without a one-word
    segment after a spaced separator ("Markets tumble - Analysis" over a heading "Markets
    tumble"): that word is a genre or a section the metadata added, not the headline's (a
    headline ending on a name, "McCarthy is not for sale - Hughes", is shown with it)."""
    match = _LABEL_TAIL.match(title)
    if match is None or len(_WORD.findall(match["head"])) < 3:
        return ""
    shown = lead_in_heading(root, first_paragraph)
    return shown if shown and fold(shown) == fold(match["head"]) else ""


def choose_title(
    candidates: Iterable[str],
    *,
    sites: Iterable[str] = (),
    sections: Iterable[str] = (),
    placed: str = "",
    text: str = "",
    described: Iterable[str] = (),
    seen: Iterable[str] = (),
) -> str:
    """The best headline among `candidates` (most trusted first): each cleaned of site names,
    then the one most others agree with; a later candidate only wins by more agreement, or
    on a tie by sharing a word with the article's opening `text`. `placed` is a heading
    found by its place right above the text: it counts as a candidate with one vote more
    when it shares a word with the text or another candidate (a slogan or a section
    name above the article shares none). `described` are the titles the page's metadata
    gives the article: never taken for the site's name. `sections` are the folded segments
    of the page's URL path (`path_sections`). `seen` are the page's lesser headings (h2, h3):
    never candidates; one of three words or more gives a vote to the candidate it repeats,
    and a title segment it repeats is the headline ("Football365.com - SPECIAL CITY KIT FOR
    DERBY GAME - All The News" beside that h2 and an h1 "All The News")."""
    # A title that swallowed markup (a saved page's `<title>` run on into its tags) is none.
    raw = [
        " ".join(c.split())
        for c in [placed, *candidates]
        if c and c.strip() and not _MARKUP_LEFT.search(c)
    ]
    site_keys = {fold(s) for s in sites if fold(s)}
    headlines = {fold(d) for d in described if d}
    site_keys |= _added_suffixes(raw, headlines=headlines)
    sections = frozenset(sections)
    placed_text = " ".join(placed.split())
    # A lesser heading votes when it is headline-shaped: a section's name ("Sports") is not.
    shown = list(
        dict.fromkeys(
            v
            for s in seen
            if (v := " ".join(s.split())) != placed_text and len(_WORD.findall(v)) >= 3
        )
    )
    cleaned: list[str] = []
    for candidate in raw:
        title = clean_title(candidate, sites=site_keys, others=raw + shown, sections=sections)
        named = site_keys - {fold(title)} if fold(title) in headlines else site_keys
        if (
            title
            and _headline_like(title, named, metadata=fold(title) in headlines)
            and (title not in cleaned)
        ):
            cleaned.append(title)
    if not cleaned:
        return ""
    keys = [fold(t) for t in cleaned]
    sizes = [len(_WORD.findall(t)) for t in cleaned]
    # Spellings of one headline ("Dropbox's ATF - an async task framework" in og:title,
    # "Dropbox ATF: an async task framework" in the h1) vote together; the most trusted wins.
    given = [clean_title(c, sites=site_keys, others=raw + shown, sections=sections) for c in raw]
    given += [clean_title(s, sites=site_keys, others=raw, sections=sections) for s in shown]
    votes = [
        sum(1 for c in given if fold(c) == keys[i] or _variants(c, cleaned[i]))
        for i in range(len(cleaned))
    ]

    def core_of(index: int) -> int:
        """How many other candidates contain this one whole: it is their headline."""
        return sum(
            1
            for j, other in enumerate(keys)
            if j != index
            and keys[index] in other
            and sizes[index] >= 3
            and sizes[index] * 5 >= sizes[j] * 2
        )

    placed_key = fold(clean_title(placed, sites=site_keys)) if placed else ""
    opening = _content_words(text)
    others = _content_words(" ".join(c for c in candidates if c))
    placed_agrees = bool(placed_key) and bool(_content_words(placed) & (opening | others))
    bonus = [2 * (key == placed_key and placed_agrees) for key in keys]
    # Trust follows the given order; the placed heading, first only to be cleaned, is last.
    trust = [i if key != placed_key else len(keys) for i, key in enumerate(keys)]
    # On a tie, a brand ("SuperSoccer": one word with a capital inside) loses to words.
    best = max(
        range(len(cleaned)),
        key=lambda i: (2 * votes[i] + core_of(i) + bonus[i], not _brand(cleaned[i]), -trust[i]),
    )
    return cleaned[best]


_MARKUP_LEFT = re.compile(r'/>|="|-->|</')


def _brand(title: str) -> bool:
    """One word written with a capital inside it, as a site's name is: "SuperSoccer",
    "TimesLeader.com", not "Brexit", "NASA" nor "McCarthy"."""
    return len(title.split()) == 1 and bool(re.search(r"[a-z]{2}[A-Z]", title))


def _variants(one: str, other: str) -> bool:
    """Two spellings of one headline: the same words but for one added, dropped or changed
    (punctuation and case aside), none a number ("Issue 84" and "Issue 85" are two)."""
    first, second = Counter(_WORD.findall(one.casefold())), Counter(_WORD.findall(other.casefold()))
    only_first, only_second = first - second, second - first
    if first == second or only_first.total() > 1 or only_second.total() > 1:
        return False
    shared = (first & second).total()
    return shared >= 4 and not any(w.isdigit() for w in [*only_first, *only_second])


_FUNCTION_WORDS = wordset(
    """about after also been before could each from have here into more only over should some
    such than that their them then there they this were what when which will with would your
    page site home news"""
)


def _content_words(text: str) -> set[str]:
    """Folded words of four letters or more that carry meaning: what two texts about one
    thing share."""
    return {
        w
        for w in _WORD.findall(text.casefold())
        if len(w) >= 4 and not w.isdigit() and w not in _FUNCTION_WORDS
    }


def clean_title(
    title: str,
    *,
    sites: Iterable[str] = (),
    others: Iterable[str] = (),
    sections: Iterable[str] = (),
) -> str:
    """The title without the site's name and sections at either end: " | WIRED", "BBC NEWS |
    World |", "- Politics - The Site", "[LWN.net]". A segment goes when it names the site
    (folded equal, or inside the host's name), or when it is a short section after a
    hierarchical separator ("|", ">", "»") behind a longer headline, or a short segment
    between the site's name and the headline, or after the headline, that the URL's path names
    (`sections`: "winnipegsun.com - Other Sports - Podium for Canuck" at /Sports/OtherSports/…,
    "Markets tumble as rates rise - Analysis" at /analysis/…)."""
    title = normalize_whitespace(title).replace("\n", " ").strip()
    title = _LOOSE_SEPARATORS.sub("", _without_date_tail(title)).strip()
    title = _WIRE_PREFIX.sub("", title, count=1)
    if not title:
        return ""
    site_keys = {fold(s) for s in sites if len(fold(s)) >= 2}
    named, colon, rest = title.partition(": ")
    # "NDTV.com: Modi, BJP leaders discuss poll strategies"; not "wjz.com - SFPD: Zoo Attack…",
    # where the colon is the headline's own.
    if (
        colon
        and len(_WORD.findall(rest)) >= 3
        and _names_site(named, site_keys)
        and len(_split(named)[0]) == 1
    ):
        title = rest
    parts, separators = _split(title)
    if len(parts) == 1:
        return _cut_glued_site(title, site_keys)
    others_keys = {fold(o) for o in others if o and fold(o) != fold(title)}
    # A variant that is exactly a run of these segments confirms the headline; of several
    # ("TV3 > News > National News > Story > Officials get down to…" beside the h1s "National
    # News" and "Officials get down to…"), the longest: a section is shorter than its story.
    confirmed = [
        joined
        for start in range(len(parts))
        for end in range(len(parts), start, -1)
        if (start, end) != (0, len(parts))
        and fold(joined := _join(parts[start:end], separators[start : end - 1])) in others_keys
        and len(_WORD.findall(joined)) >= 2
        and not _names_site(joined, site_keys)
    ]
    if confirmed:
        return max(confirmed, key=lambda joined: len(_WORD.findall(joined)))
    start, end = 0, len(parts)
    # The site's name inside the title ends the headline before it ("X - HOOPSWORLD | NBA
    # News, Rumors") or starts it after ("SignOnSanDiego.com > News > World -- X").
    for index in range(1, len(parts)):
        if _size(parts[:index]) >= 3 and _opens_with_site(parts[index], site_keys):
            end = index
            break
    for index in range(end - 2, -1, -1):
        if _size(parts[index + 1 : end]) >= 3 and _names_site(parts[index], site_keys):
            start = index + 1
            break
    # Once the site's name was cut at an end, the short segments next to it are the
    # section path that led to it ("X - Soccer - Sport - Breaking News - Belfast Telegraph").
    path_end, path_start = end < len(parts), start > 0
    changed = True
    while changed and end - start > 1:
        changed = False
        rest_end, rest_start = parts[start : end - 1], parts[start + 1 : end]
        if _names_site(parts[end - 1], site_keys):
            end -= 1
            changed = path_end = True
        elif _names_site(parts[start], site_keys):
            start += 1
            changed = path_start = True
        elif (
            _mentions_site(parts[end - 1], separators[end - 2], site_keys, rest_end)
            or _is_section(parts[end - 1], separators[end - 2], rest_end)
            or (path_end and _is_label(parts[end - 1], rest_end))
            # A section the URL's path names ("… - Analysis" at /analysis/…).
            or (fold(parts[end - 1]) in sections and _is_label(parts[end - 1], rest_end))
        ):
            end -= 1
            changed = True
        elif _is_section(parts[start], separators[start], rest_start) or (
            path_start
            and _is_label(
                parts[start], rest_start, ratio=1 if fold(parts[start]) in sections else 2
            )
        ):
            start += 1
            changed = True
    title = _join(parts[start:end], separators[start : end - 1])
    return _cut_glued_site(title, site_keys) if end == len(parts) else title


# Separators left dangling at an end ("痞客邦 PIXNET ::", "| Home").
# A news agency's handling marks glued before its headline ("UPDATE 2-Storm batters coast",
# "REFILE-UPDATE 1-…", "EXCLUSIVE-…"): the wire's routing, not the headline. A word in capitals
# with a number, or one of the agency's marks; "NATO-Russia talks" and "COVID-19" are headlines.
_WIRE_MARK = (
    r"(?:[A-Z]{3,} \d{1,2}|UPDATE|REFILE|CORRECTED|CORRECTION|EXCLUSIVE|ANALYSIS|FACTBOX|"
    r"WRAPUP|INSIGHT|PREVIEW|TIMELINE|BRIEF|RPT|BREAKINGVIEWS|COLUMN)-"
)
_WIRE_PREFIX = re.compile(rf"^(?:{_WIRE_MARK})+(?=[A-Z\"“‘'])")
_LOOSE_SEPARATORS = re.compile(r"(?:^[|:>»·•~\s]+(?=\S)|(?<=\s)[|:>»/\\·•~_–—-]+\s*$)")
# Separators written without spaces ("…sales_English_Xinhua", "…Airport- Travel-News-The
# Economic Times"): only trusted when what follows the last one is the site's name.
_GLUED = re.compile(r"\s*(?:_|–|—|(?<=\S)-|-(?=\S))\s*")


def path_sections(url: str | None) -> frozenset[str]:
    """The folded segments of a URL's path, "/Sports/OtherSports/2008/x.html" -> {"sports",
    "othersports"}: the sections a page sits in, as its site names them."""
    if not url:
        return frozenset()
    segments = urlsplit(url).path.split("/")[:-1]
    return frozenset(key for s in segments if (key := fold(s)) and not key.isdigit())


# A time stamp put after the headline: "… @ Tuesday 15 January, 06:55 GMT", "… - 15 Jan 2008".
_DATE_TAIL = re.compile(r"^(?P<head>.*\S)\s+(?:@|[|–—-])\s+(?P<tail>.+)$")


def _without_date_tail(title: str) -> str:
    """The title without a date or time after a spaced separator (behind three words or more):
    when it was published is shown beside the title, not in it."""
    match = _DATE_TAIL.match(title)
    if match is None or not is_date_line(match["tail"]) or _size([match["head"]]) < 3:
        return title
    return match["head"]


# A site's name put after the headline by a word: "… on ChicagoSports.com", "… @ SYS-CON Media".
_ON_SITE = re.compile(r"\s+(?:on|@)\s+(\S+(?:\s+\S+){0,2})$")


def _cut_glued_site(title: str, site_keys: set[str]) -> str:
    """ "Kat to go to London... with Sallu-India Buzz-Entertainment-The Times of India" ->
    the headline: a site name glued on by "-" or "_", with the short sections before it, or
    by "on" or "@" ("USC has weakness for Illini duo on ChicagoSports.com")."""
    named = _ON_SITE.search(title)
    if named and _names_site(named.group(1), site_keys) and _size([title[: named.start()]]) >= 3:
        return title[: named.start()]
    cuts = list(_GLUED.finditer(title))
    if not cuts or not _names_site(title[cuts[-1].end() :], site_keys):
        return title
    end = len(cuts) - 1
    while end > 0:
        label = title[cuts[end - 1].end() : cuts[end].start()]
        if not (_is_label(label, [title[: cuts[end - 1].start()]]) and label[:1].isupper()):
            break
        end -= 1
    head = title[: cuts[end].start()].strip()
    return head if len(_WORD.findall(head)) >= 3 else title


def _opens_with_site(part: str, site_keys: set[str]) -> bool:
    """The segment is the site's name, or starts with it ("SJSUSpartans.com—Official Web
    Site of San Jose State Athletics")."""
    key = fold(part)
    return _names_site(part, site_keys) or any(
        len(site) >= 5 and key.startswith(site) for site in site_keys
    )


def _is_label(part: str, rest: list[str], ratio: int = 2) -> bool:
    """A short segment (a section) beside a headline at least twice its length; after the
    site's name at the start ("winnipegsun.com - Other Sports - Podium for Canuck"), a
    breadcrumb's place, only longer (`ratio` 1)."""
    size = len(_WORD.findall(part))
    headline = max((len(_WORD.findall(p)) for p in rest), default=0)
    return 1 <= size <= 3 and headline >= 3 and headline >= ratio * size + (ratio == 1)


def source_name(feed_title: str | None, *, url: str | None = None) -> str | None:
    """A publication's name from a feed's title: "NYT > Business > Economy" -> "NYT", "FT.com -
    Markets" -> "FT.com", "myFT following" -> "FT"; the host when the title names nothing."""
    host = _host(url)
    title = " ".join((feed_title or "").split())
    if not title:
        return host
    parts, separators = _split(title)
    if (
        len(parts) > 1
        and separators
        and all(s.strip() in _HIERARCHICAL | {">", "-", "–", "—", ":"} for s in separators)
    ):
        host_keys = _host_names(url)
        named = [p for p in parts if _names_site(p, {fold(h) for h in host_keys})]
        title = named[0] if named else parts[0]
    # "myFT following", "My Yahoo": a personal view of a publication whose name is in the host.
    personal = re.match(r"^my\s*(\w+)(?:\s+\w+)?$", title, re.IGNORECASE)
    if personal and host and personal.group(1).casefold() in fold(host):
        title = personal.group(1)
    return title[:200] or host


def _split(title: str) -> tuple[list[str], list[str]]:
    parts: list[str] = []
    separators: list[str] = []
    position = 0
    for match in _SEPARATOR.finditer(title):
        piece = title[position : match.start()].strip()
        if piece:
            parts.append(piece)
            separators.append(match.group(0))
        position = match.end()
    tail = title[position:].strip().rstrip("]").strip()
    if tail:
        parts.append(tail)
    separators = separators[: max(0, len(parts) - 1)]
    if not parts:
        return [title], []
    return parts, separators


def _join(parts: list[str], separators: list[str]) -> str:
    out = parts[0]
    for separator, part in zip(separators, parts[1:], strict=False):
        out += separator if separator.strip() else " "
        out += part
        if separator.strip() == "[":  # `_split` took the closing bracket with the tail
            out += "]"
    return out.strip()


def _names_site(part: str, site_keys: set[str]) -> bool:
    key = fold(part)
    if not key or not site_keys:
        return False
    for site in site_keys:
        if key == site or key == "the" + site or site == "the" + key:
            return True
        short = len(_WORD.findall(part)) <= 4
        bare = key.removeprefix("the")
        if len(key) >= 3 and short and (key in site or (len(site) >= 3 and bare.startswith(site))):
            return True
    # A two-word segment that holds the site's name as one of its words: "痞客邦 PIXNET".
    found = [fold(w) for w in _WORD.findall(part)]
    return len(found) <= 2 and any(len(site) >= 4 and site in found for site in site_keys)


def _mentions_site(part: str, separator: str, site_keys: set[str], rest: list[str]) -> bool:
    """A trailing site description ("| Breaking Houston News, Weather from KHOU.com")."""
    if separator.strip()[:1] not in _HIERARCHICAL:
        return False
    key = fold(part)
    headline = max((len(_WORD.findall(p)) for p in rest), default=0)
    return headline >= 3 and any(len(site) >= 3 and site in key for site in site_keys)


def _is_section(part: str, separator: str, rest: list[str]) -> bool:
    """A short label ("World", "Tech News") after a hierarchical separator, behind a headline."""
    if separator.strip()[:1] not in _HIERARCHICAL:
        return False
    size = len(_WORD.findall(part))
    headline = max((len(_WORD.findall(p)) for p in rest), default=0)
    return size <= 3 and headline >= 4 and headline >= 2 * size


def _added_suffixes(raw: list[str], headlines: set[str]) -> set[str]:
    """Segments one variant adds to another ("X | WIRED" beside "X"): the site's name."""
    found: set[str] = set()
    keys = {fold(r) for r in raw}
    for longer in raw:
        parts, _ = _split(longer)
        if len(parts) < 2:
            continue
        for shorter in raw:
            key = fold(shorter)
            if not key or shorter == longer:
                continue
            # What one variant adds is the site ("X | WIRED" beside "X" names WIRED) unless
            # the variant is a word or two beside a longer headline: "Headline · V8" beside
            # an h1 "V8" (a logo) names V8. A metadata title is never the site.
            if fold(parts[0]) == key or fold(" ".join(parts[:-1])) == key:
                kept, added = parts[:-1], parts[-1:]
            elif fold(parts[-1]) == key or fold(" ".join(parts[1:])) == key:
                kept, added = parts[1:], parts[:1]
            else:
                continue
            mutual = fold(" ".join(added)) in keys  # both ends are candidates: the shorter
            if mutual and _size(added) > _size(kept) and key not in headlines:
                continue  # is the site's ("Headline - Long Site Name" beside both)
            if _size(added) <= _size(kept) or _size(kept) > 2 or key in headlines:
                found.add(fold(" ".join(added)))
            else:
                found.add(key)
    return {f for f in found if f}


def _size(parts: list[str]) -> int:
    return sum(len(_WORD.findall(p)) for p in parts)


def _headline_like(title: str, site_keys: set[str], *, metadata: bool = False) -> bool:
    """Words, not markup, a prompt, a date or a credit; not the site's name (a title the
    page's metadata gives the article may lie inside a longer site name)."""
    words = _WORD.findall(title)
    if not words or len(words) > MAX_TITLE_WORDS:
        return False
    if any(mark in title for mark in ("<", "-->", "{", "}", "©")):  # markup, script, credit
        return False
    if fold(title) in site_keys or (not metadata and _names_site(title, site_keys)):
        return False
    if is_date_line(title) or is_credit_line(title) or is_slug(title):
        return False
    return not _PROMPT.search(title) or len(words) > 12


_HYPHEN_JOIN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")


def is_slug(text: str) -> bool:
    """A news agency's slug, not a headline: words joined by hyphens rather than spaces
    ("Thailand-politics 2ndlead-WRAP", "Lifestyle-US-tourism-animal-horses FEATURE"): at most
    three space-separated tokens, two hyphens or more, and more hyphens than spaces (a name,
    "Spider-Man", is no slug)."""
    tokens = text.split()
    hyphens = len(_HYPHEN_JOIN.findall(text))
    return len(tokens) <= 3 and hyphens >= 2 and hyphens > len(tokens) - 1


_DATE = caseless(
    rf"\b(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}"
    r"|\d{1,2}:\d{2}\b|\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago\b)",
)
_DATE_WORDS = caseless(
    rf"\b(?:{MONTH}|{WEEKDAY}|\d+\w*|am|pm|a\.m|p\.m|"
    r"e[sd]?t|p[sd]?t|c[sd]?t|gmt|utc|bst|cet|ist|published|updated|posted|first|last)\b",
)
_CREDIT = caseless(
    r"^(?:\S+\s+){0,4}(?:staff|writers?|reporters?|correspondents?|editors?|service|wire)$",
)


def is_date_line(text: str) -> bool:
    """A date or dateline, not a headline: "Fri Dec 28, 7:05 AM ET", "2 days ago",
    "BEVERLY HILLS, Calif., Jan. 8, 2008" — a day or time with at most three other words,
    none of them a lower-case word (a headline's verb)."""
    if not _DATE.search(text):
        return False
    rest = _WORD.findall(_DATE_WORDS.sub(" ", _DATE.sub(" ", text)))
    return len(rest) <= 3 and not any(w.islower() and len(w) >= 4 for w in rest)


def is_credit_line(text: str) -> bool:
    """A byline's role or an agency credit: "News staff writer", "Express News Service"."""
    return bool(_CREDIT.match(" ".join(_WORD.findall(text))))


_HEADLINE_MARK = re.compile(
    r"headline|(?:article|story|post|entry|news|content|page)[-_]?(?:title|head)\b|^title$", re.I
)


# Headline elements of news markup a page may carry inline: NewsML's <HeadLine>, NITF's <hl1>.
_NEWS_MARKUP_HEADLINES = ("headline", "hl1")


def _marked_headlines(root: HtmlElement, limit: int = 3) -> Iterator[str]:
    """Text of elements the page's markup calls a headline (class/id "headline", "storyTitle",
    or a news agency's own markup: NewsML's <HeadLine>, NITF's <hl1>)."""
    found: list[str] = []
    tags = ("h2", "h3", "div", "span", "td", "p", "header", "strong", "b", *_NEWS_MARKUP_HEADLINES)
    for element in root.iter(*tags):
        mark = _marks(element)
        agency = element.tag in _NEWS_MARKUP_HEADLINES
        if not agency and (not mark.strip() or not _HEADLINE_MARK.search(mark)):
            continue
        text = _text(element)
        # One text marked twice (nested elements, a list of comments' subjects) votes once.
        if 3 <= len(_WORD.findall(text)) <= 30 and text not in found:
            yield text
            found.append(text)
            if len(found) >= limit:
                return


_SKIP = frozenset({"script", "style", "noscript", "title", "head", "template", "select", "option"})
_LINE_END = re.compile(r"[.,;:!]$")
# A heading does not stop on a word that needs another after it ("… is hosted by").
_LOOSE_END = caseless(r"\b(?:by|of|the|and|or|to|a|an|in|for|with|at|from)$")


def lead_in_heading(root: HtmlElement, first_paragraph: str, reach: int = 25) -> str:
    """The heading-shaped text run closest above the first paragraph of the main text: 3 to
    25 words, not a link, not a byline or date line, not ending like a sentence."""
    key = fold(first_paragraph)[:40]
    if len(key) < 12:
        return ""
    runs: list[_Run] = []
    links = skipped = authors = captions = 0
    opening = ""  # a heading the first paragraph may open with, until the next run tells
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            skipped += 1 if event == "start" else -1
            if event == "start":
                continue
        if skipped:
            continue
        marked = bool(tag) and bool(_AUTHOR_MARK.search(_marks(element)))
        caption = tag == "figcaption" or (bool(tag) and bool(_CAPTION_MARK.search(_marks(element))))
        # An element right after a picture is its caption too ("<img><em>Name (AAP)</em>").
        previous = element.getprevious() if tag else None
        caption = caption or (previous is not None and previous.tag == "img")
        step = 1 if event == "start" else -1
        links += step * (tag == "a")
        authors += step * marked
        captions += step * caption
        if event == "start":
            text = " ".join((element.text or "").split())
            whole = len(element) == 0 and links == 0
        else:
            text = " ".join((element.tail or "").split())
            whole = False  # a tail is a piece of its parent's text
        if not text:
            continue
        run_key = fold(text)
        if opening:
            # The paragraph goes on in this run: it opened with that heading. Else the
            # paragraph starts here, and the heading was only like its first words.
            return opening if key.startswith(fold(opening) + run_key[:8]) else ""
        if len(run_key) >= 12 and _starts(key, run_key):
            above = _heading_before(runs, reach, _content_words(first_paragraph))
            # Nothing above, but the paragraph opens with a whole heading-shaped element, its
            # date after it ("<span>'No exceptions to settlement freeze'</span><br><span>Sat,
            # 29 Dec 2007</span> …"): the extractor read the headline into the first paragraph.
            if above or not (whole and len(run_key) < len(key) and _heading_shaped(text)):
                return above
            opening = text
            continue
        if not captions:  # a picture's caption is not the article's heading
            runs.append(_Run(text, whole, author=authors > 0, tag=tag if whole else ""))
    return ""


def _heading_shaped(text: str) -> bool:
    """3 to 25 words starting with a capital, a digit or a quotation mark, not ending like a
    sentence or on a word that needs another, not a date, a credit or a byline."""
    size = len(_WORD.findall(text))
    return (
        3 <= size <= 25
        and (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"'‘“")
        and not _LINE_END.search(text)
        and not _LOOSE_END.search(text)
        and not (is_date_line(text) or is_credit_line(text) or is_byline(text))
    )


class _Run(NamedTuple):
    text: str
    whole: bool  # a whole element's text, not in a link: it may be a heading
    author: bool  # inside an element the markup calls the author's ("byline", "author")
    tag: str = ""  # the element's tag, for a whole element's text


_AUTHOR_MARK = re.compile(r"author|byline|contributor|credit", re.IGNORECASE)
# A picture's caption: class or id "cap", "caption", "photo-caption", "wp-caption-text".
_CAPTION_MARK = re.compile(r"caption|(?:^|[\s_-])cap(?:$|[\s_-])", re.IGNORECASE)


def _marks(element: HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


# "Erin Hitchcock, Burnaby Now", "Murray McCormick, Canwest News Service; Regina Leader-Post":
# a name of two or three words, a comma, then the name of who they write for.
_BYLINE = re.compile(r"^[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){1,2},\s+[A-Z][^,]*$")


def is_byline(text: str) -> bool:
    """A writer's name and their publication, every word capitalised, no headline's verb."""
    words = _WORD.findall(text)
    return (
        bool(_BYLINE.match(text))
        and len(words) <= 10
        and not any(w[:1].islower() and len(w) >= 4 for w in words)
    )


def _starts(key: str, run: str) -> bool:
    return key.startswith(run[:40]) or run.startswith(key)


def _heading_before(runs: list[_Run], reach: int, opening: set[str], sentences: int = 1) -> str:
    """The nearest heading-shaped run above the text. Date, byline and credit lines are
    passed over, and so are up to `sentences` sentences (a lead paragraph the extractor
    left out); a further sentence closer than any heading means none is found. Above a
    passed sentence, a heading must share a word with the `opening` or that sentence (a
    caption, a page's own heading does not). A writer's byline ("Name, Publication", or what
    the markup calls the author) is passed over too."""
    skipped = False
    window = runs[-reach:]
    for index in range(len(window) - 1, -1, -1):
        text, whole, author, tag = window[index]
        size = len(_WORD.findall(text))
        shaped = whole and (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"'‘“")
        if shaped and re.match(r"(?i)^(?:by|posted|updated|published)\b", text):
            continue
        if author or (shaped and is_byline(text)):
            continue
        if size < 3:
            continue
        sentence = size > 25 or bool(_LINE_END.search(text))
        if shaped and (_LOOSE_END.search(text) or is_date_line(text) or is_credit_line(text)):
            continue
        if sentence:
            if sentences <= 0:
                return ""
            sentences -= 1
            skipped = True
            opening = opening | _content_words(text)  # the lead the extractor left out
            continue
        if not shaped or sum(ch.isdigit() for ch in text) * 4 > len(text):
            continue
        if skipped and not _content_words(text) & opening:
            continue
        return _headline_above(window[:index], text, tag, opening) or text
    return ""


_HEADING_RANK = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _headline_above(runs: list[_Run], deck: str, tag: str, opening: set[str]) -> str:
    """The headline over a subheading: the heading element right above the heading found over
    the text, when it is no less prominent (an h2 over an h4 deck, an h1 over an h2) and
    about the same thing (it shares a word with the deck or the text's opening). Bylines,
    credits and date lines between them are passed over; a kicker or a site's logo above
    shares no word."""
    rank = _HEADING_RANK.get(tag, 7)
    for text, whole, author, above in reversed(runs):
        if author or is_byline(text) or is_date_line(text) or is_credit_line(text):
            continue
        size = len(_WORD.findall(text))
        return (
            text
            if whole
            and _HEADING_RANK.get(above, 7) <= min(rank, 3)
            and 3 <= size <= 25
            and not _LINE_END.search(text)
            and bool(_content_words(text) & (_content_words(deck) | opening))
            else ""
        )
    return ""


def _metas(root: HtmlElement) -> dict[str, str]:
    """The page's `<meta>` values by name. An RDFa `property` may hold several names
    ("dc:title og:title"): each gets the value. Entities escaped twice ("&amp;amp;", which
    the parser turns into "&amp;") are unescaped once more."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        names = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").split()
        content = meta.get("content")
        if not names or not content or not content.strip():
            continue
        value = " ".join(_unescape(content).split())
        for name in names:
            found.setdefault(name.lower(), value)
    return found


_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.IGNORECASE)


def _unescape(text: str) -> str:
    return html.unescape(text) if _ENTITY.search(text) else text


def _json_ld(root: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        yield from _objects(data, depth=0)


def _objects(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"], depth + 1)


def _publisher(item: dict[str, Any]) -> str | None:
    publisher = item.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return str(publisher["name"])
    return None


def _handle(value: str | None) -> str | None:
    return value.lstrip("@") if value else None


def _first(values: list[str | None]) -> str | None:
    """The first value that names something: not empty, and not a menu (`is_menu`)."""
    for value in values:
        if value and value.strip() and not is_menu(value):
            return " ".join(value.split())[:200]
    return None


def _title_site(titles: list[str], url: str | None) -> str | None:
    """The site's name as a title writes it at either end, after a separator ("… | WIRED" on
    wired.com, "The Times of India - …" on timesofindia.indiatimes.com): a segment that is the
    host's distinctive label or the host itself, letters and digits folded ("the" aside)."""
    host = _host(url)
    if not host:
        return None
    keys = {fold(label) for label in _host_names(url)} | {fold(host)}
    for title in titles:
        parts, _ = _split(" ".join(title.split()))
        for part in (parts[-1], parts[0]) if len(parts) > 1 else ():
            if fold(part).removeprefix("the") in keys or fold(part) in keys:
                return part.strip(_SEPARATOR_MARKS)[:200]  # not its colon: "Site.com: | …"
    return None


_SEPARATOR_MARKS = " :|-–—·»/~"  # left at a segment's ends when a title is split
MENU_SEPARATORS = 2  # a site's name with this many separators or more is a menu


def is_menu(name: str) -> bool:
    """A navigation string given for a site's name ("Autoracing | F1 | Indy | NASCAR", "Home »
    News » Local"): `MENU_SEPARATORS` separators or more between its entries. A name with one
    ("Aktuálně.cz - Víte, co se právě děje": the name and a slogan) is still a name."""
    _, separators = _split(" ".join(name.split()))
    return len(separators) >= MENU_SEPARATORS


def _page_title(root: HtmlElement) -> str:
    """The document's `<title>`: the first one that says something (a page may carry an empty
    one before its real one), not an SVG image's."""
    for element in root.iter("title"):
        if any(isinstance(a.tag, str) and a.tag.endswith("svg") for a in element.iterancestors()):
            continue
        # A closing tag the parser did not take ("… - CBN News</titlevalue=…") ends it.
        text = _text(element).partition("</")[0].strip()
        if text:
            return text
    return ""


def _text(element: HtmlElement | None) -> str:
    if element is None:
        return ""
    return " ".join(str(element.text_content()).split())


def _host(url: str | None) -> str | None:
    if not url or not url.startswith(("http://", "https://")):
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _host_names(url: str | None) -> list[str]:
    """The host's distinctive labels: "www.wired.co.uk" -> ["wired"]."""
    host = _host(url)
    if not host:
        return []
    return [label for label in host.split(".") if label not in _HOST_NOISE and len(label) >= 2]

"""Topic queries as users type them — words, "quoted phrases", OR, -excluded — parsed into a
`storage.search.SearchQuery`; mute words matched against an article's words.

Any text yields either a `SearchQuery` or a `QueryError` whose message can be shown as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from digests.i18n import _, ngettext
from storage.search import MAX_TERMS, SearchQuery, Term, words
from storage.stems import has_stemmer, stemmer

MAX_QUERY_LENGTH = 200
OR_WORDS = frozenset({"OR", "|", "||"})  # any case: users type "cats or dogs" too
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})
_TOKEN = re.compile(r'(-?)"([^"]*)("?)|(\S+)')


class QueryError(ValueError):
    """Why a topic query cannot be used; `str()` is a sentence to show the user."""


@dataclass(frozen=True)
class _Token:
    term: Term | None
    excluded: bool = False
    is_or: bool = False


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    for match in _TOKEN.finditer(text.translate(_QUOTES)):
        minus, quoted, closing, bare = match.groups()
        if bare is not None:
            if bare.upper() in OR_WORDS:
                found.append(_Token(None, is_or=True))
                continue
            excluded = bare.startswith("-") and len(bare) > 1
            found.append(_Token(Term.of(bare[1:] if excluded else bare), excluded=excluded))
            continue
        if not closing and words(quoted):
            raise QueryError(
                _(
                    'A quotation mark is not closed: add a closing " after “%(words)s”.',
                    words=quoted.strip(),
                )
            )
        found.append(_Token(Term.of(quoted), excluded=bool(minus)))
    return found


def parse_query(
    text: str, *, max_length: int = MAX_QUERY_LENGTH, only_excluded: bool = False
) -> SearchQuery:
    """Parse a topic query: `"ai safety" OR alignment -crypto`. Raises `QueryError`.
    `only_excluded` accepts a query of -excluded words alone (what narrows a section)."""
    text = " ".join(text.split())
    if not text:
        # Translators: "OR" is typed as is (it joins words in a topic query)
        raise QueryError(_("Give at least one word to look for, e.g. climate OR energy."))
    if len(text) > max_length:
        raise QueryError(
            ngettext(
                "That topic is too long: at most %(num)d character.",
                "That topic is too long: at most %(num)d characters.",
                max_length,
            )
        )
    groups: list[list[Term]] = [[]]
    exclude: list[Term] = []
    dangling_or = False
    for token in _tokens(text):
        if token.is_or:
            if not groups[-1]:
                dangling_or = True
            groups.append([])
        elif token.term is None:
            continue
        elif token.excluded:
            if token.term not in exclude:
                exclude.append(token.term)
        elif token.term not in groups[-1]:
            groups[-1].append(token.term)
    if dangling_or or (len(groups) > 1 and not groups[-1]):
        raise QueryError(_("OR needs words on both sides, e.g. cats OR dogs."))
    kept = [tuple(g) for g in dict.fromkeys(tuple(g) for g in groups if g)]
    if not kept:
        if exclude and only_excluded:
            return SearchQuery((), tuple(exclude))
        if exclude:
            raise QueryError(
                _("A topic needs at least one word to look for, not only -excluded words.")
            )
        raise QueryError(_("That topic has no words to look for (letters or digits)."))
    if sum(len(g) for g in kept) + len(exclude) > MAX_TERMS:
        raise QueryError(
            ngettext(
                "That topic has too many words: at most %(num)d.",
                "That topic has too many words: at most %(num)d.",
                MAX_TERMS,
            )
        )
    if any(term in group for term in exclude for group in kept):
        raise QueryError(_("A word cannot be both looked for and -excluded."))
    return SearchQuery(tuple(kept), tuple(exclude))


def _show(term: Term) -> str:
    text = " ".join(term.words)
    return f'"{text}"' if len(term.words) > 1 else text


def format_query(query: SearchQuery) -> str:
    """The canonical text of a query: lower-case, terms and groups sorted, duplicates gone."""
    groups = sorted({" ".join(sorted(_show(t) for t in group)) for group in query.groups if group})
    text = " OR ".join(groups)
    excluded = sorted({"-" + _show(t) for t in query.exclude})
    return " ".join([text, *excluded]) if excluded else text


# --- sections -----------------------------------------------------------------------------------

#: What people type for each news section (any case); `ingest.sections.SECTIONS` are the names.
SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "world": ("world", "world news", "international", "global news", "foreign news"),
    "politics": ("politics", "political news", "government"),
    "business": ("business", "economy", "economics", "finance", "markets", "money"),
    "technology": ("technology", "tech", "tech news", "technology news"),
    "science": ("science", "sciences", "science news"),
    "health": ("health", "medicine", "healthcare", "health news"),
    "climate": ("climate", "climate change", "environment", "global warming"),
    "sport": ("sport", "sports", "sport news", "sports news"),
    "culture": ("culture", "arts", "arts and culture", "entertainment", "art", "the arts"),
}
_ALIASES = {alias: name for name, aliases in SECTION_ALIASES.items() for alias in aliases}
_LONGEST_ALIAS = max(len(alias.split()) for alias in _ALIASES)


@dataclass(frozen=True)
class SectionTopic:
    """A news section, maybe narrowed by words (`science space`) or with words excluded
    (`sport -cricket`); `narrow` holds them as a query whose groups may be empty."""

    section: str
    narrow: SearchQuery | None = None

    @property
    def target(self) -> str:
        """The subscription target: the section's name, then the narrowing query's text."""
        if self.narrow is None:
            return self.section
        return f"{self.section} {format_query(self.narrow).strip()}"

    def describe(self) -> str:
        """How /list shows it (plain text): the section's name as typed, and its narrowing."""
        if self.narrow is None:
            # Translators: a news section followed in /list; the name is what users type
            return _("%(section)s (section)", section=self.section)
        return _(
            "%(section)s (section): %(words)s",
            section=self.section,
            words=format_query(self.narrow).strip(),
        )


def parse_section_topic(text: str, *, max_length: int = MAX_QUERY_LENGTH) -> SectionTopic | None:
    """The section a topic names (its first words are a section's name or alias, any case),
    with the rest as narrowing words; None for any other topic, and for a quoted one
    (`"technology"` is the keyword). Raises `QueryError` for bad narrowing words."""
    text = " ".join(text.translate(_QUOTES).split())
    if not text or text.startswith(('"', "-")):
        return None
    head = text.split(" ")
    for size in range(min(_LONGEST_ALIAS, len(head)), 0, -1):
        section = _ALIASES.get(" ".join(head[:size]).lower().replace("&", "and"))
        if section is None:
            continue
        rest = " ".join(head[size:])
        if not rest:
            return SectionTopic(section)
        if rest.split(" ")[0].upper() in OR_WORDS:
            return None  # "tech OR science": an OR of words, a keyword topic
        return SectionTopic(section, parse_query(rest, max_length=max_length, only_excluded=True))
    return None


def normalize_query(text: str, *, max_length: int = MAX_QUERY_LENGTH) -> str:
    """The subscription `target` of a query: two queries that mean the same give the same
    text (`Climate  OR energy` and `energy OR climate`). Raises `QueryError`."""
    return format_query(parse_query(text, max_length=max_length))


# --- mute words ---------------------------------------------------------------------------------


class MuteMatcher:
    """Does an article mention one of a chat's muted words (or phrases)? Word-wise, so muting
    "ai" does not hide "said"."""

    def __init__(self, muted: Iterable[str]) -> None:
        terms = [Term.of(m) for m in muted]
        self.terms = tuple(dict.fromkeys(t for t in terms if t is not None))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, *texts: str) -> bool:
        if not self.terms:
            return False
        found = words(" \n ".join(texts))
        vocabulary = set(found)
        for term in self.terms:
            if len(term.words) == 1:
                if term.words[0] in vocabulary:
                    return True
            elif all(w in vocabulary for w in term.words) and _has_phrase(found, term.words):
                return True
        return False


def _has_phrase(found: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(found[i : i + n] == phrase for i in range(len(found) - n + 1))


# --- precise keyword matching -------------------------------------------------------------------


def stem(word: str) -> str:
    """A conservative stem: plurals and possessives only ("elections" is "election", but
    "election" is not "elect", nor "spaces" "space" of "spacecraft")."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Prominent:
    """An article's prominent words (title, summary, keyphrases), stemmed: computed once per
    article, matched against many topics. English (and a language without a Snowball stemmer)
    is stemmed conservatively by `stem`; another language by its Snowball stemmer, the
    topic's words too, so "выборы" matches "выборах" in a Russian article."""

    found: tuple[str, ...]
    vocabulary: frozenset[str]
    stem_word: Callable[[str], str] = stem

    @classmethod
    def of(cls, *texts: str, language: str | None = None) -> Prominent:
        stem_ = stemmer(language) if language is not None and has_stemmer(language) else stem
        joined = " \n ".join(texts).replace("\u200c", "")  # Persian's in-word non-joiner
        found = tuple(stem_(w) for w in words(joined))
        return cls(found, frozenset(found), stem_)

    def has(self, term: Term) -> bool:
        phrase = tuple(self.stem_word(w.replace("\u200c", "")) for w in term.words)
        if len(phrase) == 1:
            return phrase[0] in self.vocabulary
        return all(w in self.vocabulary for w in phrase) and _has_phrase(self.found, phrase)

    def matches(self, query: SearchQuery) -> bool:
        if any(self.has(term) for term in query.exclude):
            return False
        return any(all(self.has(t) for t in group) for group in query.groups if group)


def matches_prominently(query: SearchQuery, *texts: str, language: str | None = None) -> bool:
    """Does the query match these texts — an article's title, summary, lead and keyphrases,
    not every word of a long page — with conservative stemming (Snowball's in `language`
    where it has one)?"""
    return Prominent.of(*texts, language=language).matches(query)

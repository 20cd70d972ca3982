"""Full-text search over articles behind one function, on SQLite FTS5 and PostgreSQL tsvector.

Whatever a user typed is reduced to words here and compiled by us; no user text ever reaches
either engine as query syntax, so hostile input (quotes, `NEAR(`, `*`, SQL) cannot raise.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import dialect_name
from storage.stems import query_phrases
from storage.types import UTCDateTime

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
MAX_TERMS = 32
MAX_WORD_LENGTH = 64
# FTS5's rank: title, keyphrases, summary, text, stems (of title, keyphrases and summary).
_BM25 = "-bm25(article_fts, 10.0, 8.0, 4.0, 1.0, 8.0)"


def words(text_: str) -> tuple[str, ...]:
    """The searchable words of any text: letters and digits only, lower-cased, bounded."""
    found = (w.replace("’", "'").lower()[:MAX_WORD_LENGTH] for w in _WORD.findall(text_))
    return tuple(w for w in found if w)


@dataclass(frozen=True)
class Term:
    """One word, or a phrase when it has several words in order."""

    words: tuple[str, ...]

    @classmethod
    def of(cls, text_: str) -> Term | None:
        found = words(text_)
        return cls(found) if found else None


@dataclass(frozen=True)
class SearchQuery:
    """`(a AND b) OR (c AND "d e")`, minus any article that has one of `exclude`."""

    groups: tuple[tuple[Term, ...], ...]
    exclude: tuple[Term, ...] = field(default=())

    @classmethod
    def all_words(cls, text_: str) -> SearchQuery:
        """Plain user text: every word must occur (the `/search` behaviour)."""
        terms = tuple(Term((w,)) for w in dict.fromkeys(words(text_)))[:MAX_TERMS]
        return cls((terms,) if terms else ())

    @property
    def is_empty(self) -> bool:
        return not any(self.groups)


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    score: float  # higher is better, comparable within one result list only


def _fts5_phrase(words_: tuple[str, ...]) -> str:
    # Words hold only letters, digits and apostrophes; quoting makes each one a literal string.
    return '"' + " ".join(words_).replace('"', '""') + '"'


def _fts5_term(term: Term, languages: Collection[str] | None) -> str:
    """The words anywhere, or their stems in a non-English article's stems (storage.stems)."""
    found = [_fts5_phrase(term.words)]
    found.extend(f"stems : {_fts5_phrase(p)}" for p in query_phrases(term.words, languages))
    return found[0] if len(found) == 1 else "(" + " OR ".join(found) + ")"


def compile_fts5(query: SearchQuery, languages: Collection[str] | None = None) -> str:
    """FTS5's MATCH expression; stems are looked up for `languages` only when given."""
    groups = [
        "(" + " AND ".join(_fts5_term(t, languages) for t in group) + ")"
        for group in query.groups
        if group
    ]
    expression = "(" + " OR ".join(groups) + ")"
    for term in query.exclude:
        expression += " NOT " + _fts5_term(term, languages)
    return expression


def _pg_tsquery(
    query: SearchQuery, params: dict[str, object], languages: Collection[str] | None
) -> str:
    def phrase_sql(config: str, words_: tuple[str, ...]) -> str:
        name = f"t{len(params)}"
        params[name] = " ".join(words_)
        return f"phraseto_tsquery('{config}', :{name})"

    def term_sql(term: Term) -> str:
        """The words stemmed as English, or their stems as stored for another language."""
        found = [phrase_sql("english", term.words)]
        found.extend(phrase_sql("simple", p) for p in query_phrases(term.words, languages))
        return found[0] if len(found) == 1 else "(" + " || ".join(found) + ")"

    groups = [
        "(" + " && ".join(term_sql(t) for t in group) + ")" for group in query.groups if group
    ]
    expression = "(" + " || ".join(groups) + ")"
    for term in query.exclude:
        expression = f"({expression} && !!{term_sql(term)})"
    return expression


async def search_articles(
    session: AsyncSession,
    query: SearchQuery | str,
    *,
    limit: int = 20,
    stored_after: datetime | None = None,
    article_ids: Iterable[int] | None = None,
    newest: int | None = None,
    languages: Collection[str] | None = None,
) -> list[SearchHit]:
    """Articles matching `query`, best first; a `str` means all of its words.

    `stored_after` and `article_ids` narrow the candidates (a digest's new articles);
    `newest` ranks only that many of the most recently stored matches (a news search: a word
    in most of 100 000 articles costs a ranking of them all, and old news rarely wins);
    `languages`, when given, are the only ones whose stems are looked up (those of the
    candidates: none at all for English-only news, which then costs what it did before
    stems).
    """
    if isinstance(query, str):
        query = SearchQuery.all_words(query)
    if query.is_empty:
        return []
    ids: Sequence[int] | None = None if article_ids is None else list(article_ids)
    if ids is not None and not ids:
        return []
    params: dict[str, object] = {"limit": max(1, limit)}
    filters: list[str] = []
    if stored_after is not None:
        params["stored_after"] = UTCDateTime().process_bind_param(
            stored_after, session.get_bind().dialect
        )
        filters.append("a.stored_at > :stored_after")
    if ids is not None:
        names = []
        for i, article_id in enumerate(ids):
            params[f"id{i}"] = int(article_id)
            names.append(f":id{i}")
        filters.append(f"a.id IN ({', '.join(names)})")
    where = "".join(f" AND {f}" for f in filters)
    if newest is not None:
        params["newest"] = max(1, newest)
        if dialect_name(session) == "postgresql":
            tsquery = _pg_tsquery(query, params, languages)
            sql = (  # ranked after the cut: only the newest matches are ranked
                "SELECT t.id, ts_rank_cd(t.search_vector, t.q) AS score FROM ("
                f"SELECT a.id, a.search_vector, s.q FROM article a "
                f"CROSS JOIN (SELECT {tsquery} AS q) AS s "
                f"WHERE a.search_vector @@ s.q{where} ORDER BY a.id DESC LIMIT :newest) AS t "
                "ORDER BY score DESC, t.id DESC LIMIT :limit"
            )
        else:
            params["match"] = compile_fts5(query, languages)
            join = " JOIN article a ON a.id = article_fts.rowid" if filters else ""
            sql = (  # FTS5 walks the matches newest first and ranks only those it returns
                "SELECT id, score FROM ("
                f"SELECT article_fts.rowid AS id, {_BM25} AS score "
                f"FROM article_fts{join} WHERE article_fts MATCH :match{where} "
                "ORDER BY article_fts.rowid DESC LIMIT :newest) "
                "ORDER BY score DESC, id DESC LIMIT :limit"
            )
    elif dialect_name(session) == "postgresql":
        tsquery = _pg_tsquery(query, params, languages)
        sql = (
            f"SELECT a.id, ts_rank_cd(a.search_vector, s.q) AS score "
            f"FROM article a CROSS JOIN (SELECT {tsquery} AS q) AS s "
            f"WHERE a.search_vector @@ s.q{where} "
            f"ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    elif filters:
        params["match"] = compile_fts5(query, languages)
        sql = (
            f"SELECT a.id, {_BM25} AS score "
            "FROM article_fts JOIN article a ON a.id = article_fts.rowid "
            f"WHERE article_fts MATCH :match{where} "
            "ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    else:
        # Nothing to filter on the article row: rank the index alone (its rowid is the
        # article's id). Joining every match to its row cost as much again as ranking it, and
        # a broad /search matches most articles.
        params["match"] = compile_fts5(query, languages)
        sql = (
            f"SELECT rowid, {_BM25} AS score "
            "FROM article_fts WHERE article_fts MATCH :match "
            "ORDER BY score DESC, rowid DESC LIMIT :limit"
        )
    result = await session.exec(text(sql).bindparams(**params))  # type: ignore[call-overload]
    return [SearchHit(int(row[0]), float(row[1])) for row in result.all()]

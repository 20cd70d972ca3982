"""De-duplication: canonical URLs without tracking parameters, exact content hashes, a MinHash
signature over word shingles for near-copies (syndication), and the placement of each new
article in a story: a near-copy joins its original's story, anything else goes through the
cross-outlet story index (`ingest.stories`) built from the recent articles' stored terms."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import numpy as np
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.stories import STORY_WINDOW as REPORTING_WINDOW
from ingest.stories import Features, StoryIndex, features
from ingest.text import content_words, words, wordset
from storage import stories as story_rows
from storage.articles import recent_signatures
from storage.models import Story
from storage.rows import RecentValue
from storage.stories import recent_story_terms

# Query parameters that only say how a reader arrived, never which page they get.
_TRACKING_EXACT = wordset(
    """fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id igshid
    mc_cid mc_eid mkt_tok _ga _gl _hsenc _hsmi hsctatracking oly_anon_id oly_enc_id vero_id
    vero_conv rb_clickid s_cid ncid ocid cmpid icid ito sr_share at_medium at_campaign
    at_custom1 at_custom2 at_custom3 at_custom4 smid smtyp fromrss rss ref ref_src ref_url
    referrer source share __twitter_impression spm xtor wt.mc_id cid guccounter guce_referrer
    guce_referrer_sig"""
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ns_", "wt_", "at_", "hmb_", "ga_", "__s")
_DEFAULT_PORTS = {"http": "80", "https": "443"}

SIGNATURE_HASHES = 48  # one byte each; base64 of 48 bytes is 64 characters (the column's size)
STORY_WINDOW = timedelta(days=3)
STORY_THRESHOLD = 0.3  # estimated Jaccard similarity of shingle sets (the method before 0008)
NEAR_COPY = 0.7  # ... above which an article is a copy of another (syndication, a reprint)

_rng = np.random.default_rng(20261126)  # fixed: signatures must compare across processes
_MULTIPLIERS = _rng.integers(1, 2**63, size=SIGNATURE_HASHES, dtype=np.uint64) | np.uint64(1)
_ADDENDS = _rng.integers(0, 2**63, size=SIGNATURE_HASHES, dtype=np.uint64)


def canonicalize_url(url: str) -> str:
    """One spelling per page: https, lower-case host without "www." or default port, no
    fragment, no tracking parameters, remaining parameters sorted."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port is None or str(port) == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=-._~") or "/"
    path = re.sub(r"/{2,}", "/", path)
    params = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    query = urlencode(sorted(params), doseq=True)
    return urlunsplit(("https", netloc, path, query, ""))


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def content_hash(title: str, text: str) -> str:
    """SHA-256 (hex) of the title and text as words: spacing, case and punctuation ignored."""
    normal = (
        " ".join(w.lower() for w in words(title)) + "\n" + " ".join(w.lower() for w in words(text))
    )
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _shingles(title: str, text: str) -> set[str]:
    """Word shingles that survive paraphrase: content words (crudely singularised) of the title
    and text. Unigrams, because two outlets rarely share three words in a row."""
    found: set[str] = set()
    for word in content_words(f"{title}\n{text}"):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.add(word)
    return found


def signature(title: str, text: str) -> str:
    """A 64-character b-bit MinHash (48 hashes × 8 bits, URL-safe base64) of the shingles."""
    shingles = _shingles(title, text)
    if not shingles:
        return ""
    base = np.fromiter(
        (zlib.crc32(s.encode("utf-8")) for s in shingles), dtype=np.uint64, count=len(shingles)
    )
    hashed = base[:, None] * _MULTIPLIERS[None, :] + _ADDENDS[None, :]
    minimum = hashed.min(axis=0)
    return base64.urlsafe_b64encode(
        ((minimum >> np.uint64(24)) & np.uint64(0xFF)).astype(np.uint8).tobytes()
    ).decode()


def _decode(value: str) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return raw if len(raw) == SIGNATURE_HASHES else None


def similarity(first: str, second: str) -> float:
    """Estimated Jaccard similarity of the two signatures' shingle sets (0 when unusable)."""
    a, b = _decode(first), _decode(second)
    if a is None or b is None:
        return 0.0
    equal = sum(1 for x, y in zip(a, b, strict=True) if x == y) / SIGNATURE_HASHES
    return max(0.0, (equal - 1 / 256) / (1 - 1 / 256))


@dataclass
class _Window:
    """The signatures of one session's recent articles, decoded once and topped up with newer
    rows on each look-up (a refresh stores many articles; re-reading the whole window for each
    cost more than everything else the pipeline does)."""

    loaded_since: datetime
    max_id: int = 0
    stories: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    stored: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    matrix: np.ndarray = field(
        default_factory=lambda: np.zeros((0, SIGNATURE_HASHES), dtype=np.uint8)
    )

    def add(self, rows: Sequence[RecentValue]) -> None:
        if not rows:
            return
        stories, stored, matrix = _decode_many(rows)
        self.max_id = max(self.max_id, max(row.article_id for row in rows))
        self.stories = np.concatenate([self.stories, stories])
        self.stored = np.concatenate([self.stored, stored])
        self.matrix = np.concatenate([self.matrix, matrix])


_WINDOW_KEY = "ingest.dedup.window"


async def find_story(
    session: AsyncSession, *, signature: str, now: datetime, threshold: float = STORY_THRESHOLD
) -> int | None:
    """The story of the most similar article stored in the last days, if similar enough."""
    mine = _decode(signature)
    if mine is None:
        return None
    since = now - STORY_WINDOW
    window = session.info.get(_WINDOW_KEY)
    if not isinstance(window, _Window) or since < window.loaded_since:
        window = _Window(loaded_since=since)
        session.info[_WINDOW_KEY] = window
        _forget_on_rollback(session)
    window.add(await recent_signatures(session, since=since, after_id=window.max_id))
    story = _best_story(window, mine, since, threshold)
    if story is not None and await session.get(Story, story) is None:
        # Rolled back since we read it (a savepoint, a failed refresh): start afresh.
        session.info.pop(_WINDOW_KEY, None)
        window = _Window(loaded_since=since)
        window.add(await recent_signatures(session, since=since))
        session.info[_WINDOW_KEY] = window
        story = _best_story(window, mine, since, threshold)
    return story


def _forget_on_rollback(session: AsyncSession) -> None:
    """Any rollback (a savepoint included) may have removed rows we hold: drop the window."""
    sync_session = session.sync_session
    if sync_session.info.get(_WINDOW_KEY + ".listening"):
        return

    def forget(rolled_back: Session, _transaction: object) -> None:
        rolled_back.info.pop(_WINDOW_KEY, None)
        rolled_back.info.pop(_INDEX_KEY, None)

    event.listen(sync_session, "after_soft_rollback", forget)
    sync_session.info[_WINDOW_KEY + ".listening"] = True


def _best_story(window: _Window, mine: bytes, since: datetime, threshold: float) -> int | None:
    current = window.stored >= since.timestamp()
    if not current.any():
        return None
    equal = (window.matrix[current] == np.frombuffer(mine, dtype=np.uint8)[None, :]).mean(axis=1)
    scores = (equal - 1 / 256) / (1 - 1 / 256)
    best = int(np.argmax(scores))
    if float(scores[best]) < threshold:
        return None
    return int(window.stories[current][best])


def _decode_many(
    rows: Sequence[RecentValue],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Story ids, storage times and a (rows × hashes) byte matrix of the well-formed
    signatures, decoded in one call (per-row decoding dominated the look-up)."""
    size = SIGNATURE_HASHES * 4 // 3
    usable = [row for row in rows if len(row.value) == size]
    try:
        raw = base64.urlsafe_b64decode("".join(row.value for row in usable).encode("ascii"))
    except (ValueError, UnicodeEncodeError):  # a damaged row: fall back to one at a time
        usable = [row for row in usable if _decode(row.value) is not None]
        raw = b"".join(_decode(row.value) or b"" for row in usable)
    matrix = np.frombuffer(raw, dtype=np.uint8).reshape(len(usable), SIGNATURE_HASHES)
    return (
        np.array([row.story_id for row in usable], dtype=np.int64),
        np.array([row.stored_at.timestamp() for row in usable], dtype=np.float64),
        matrix,
    )


# --- placing an article in a story -----------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """The story an article joins (None: a story of its own) and what to record about why."""

    story_id: int | None
    terms: str  # the article's features as JSON: stored, so the index can be rebuilt from rows
    similarity: float | None
    why: str  # JSON: {"via": "copy" | "report" | "new", "similarity", "shared": [terms]}


@dataclass
class _Index:
    """One session's story index over the recent articles' stored terms, topped up with newer
    rows on each look-up (as `_Window` is for signatures)."""

    index: StoryIndex
    loaded_since: datetime
    max_id: int = 0


_INDEX_KEY = "ingest.dedup.stories"


async def place_story(
    session: AsyncSession, *, title: str, text: str, fingerprint: str | None, now: datetime
) -> Placement:
    """Where a new article goes: a near-copy joins its original's story; otherwise the most
    similar story of the last days that reports the same event, if any is similar enough."""
    mine = features(title, text)
    terms = json.dumps(mine.to_json(), ensure_ascii=False, separators=(",", ":"))
    if fingerprint:
        copy_of = await find_story(session, signature=fingerprint, now=now, threshold=NEAR_COPY)
        if copy_of is not None:
            why = {"via": "copy", "similarity": 1.0, "shared": []}
            return Placement(copy_of, terms, None, json.dumps(why))
    index = await _story_index(session, now)
    decision = index.best(mine, now)
    if decision.joined and await session.get(Story, decision.story) is None:
        session.info.pop(_INDEX_KEY, None)  # rolled back since we read it: start afresh
        index = await _story_index(session, now)
        decision = index.best(mine, now)
    why = {"via": "report" if decision.joined else "new", **decision.explain()}
    return Placement(
        decision.story if decision.joined else None,
        terms,
        round(decision.similarity, 4),
        json.dumps(why, ensure_ascii=False),
    )


async def _story_index(session: AsyncSession, now: datetime) -> StoryIndex:
    since = now - REPORTING_WINDOW
    cached = session.info.get(_INDEX_KEY)
    if not isinstance(cached, _Index) or since < cached.loaded_since:
        cached = _Index(StoryIndex(), loaded_since=since)
        session.info[_INDEX_KEY] = cached
        _forget_on_rollback(session)
    for article_id, story_id, stored_terms, stored_at in await recent_story_terms(
        session, since=since, after_id=cached.max_id
    ):
        try:
            feats = Features.from_json(json.loads(stored_terms))
        except (ValueError, TypeError):
            feats = Features({})
        cached.index.assign(feats, stored_at, story=story_id)
        cached.max_id = max(cached.max_id, article_id)
    return cached.index


async def rebuild_stories(session: AsyncSession, *, since: datetime, now: datetime) -> int:
    """Re-cluster the articles stored since `since` with today's method, in the order they
    were stored, recording each decision anew; returns the number of stories. Caller commits."""
    index = StoryIndex()
    made: set[int] = set()
    for article in await story_rows.articles_since(session, since=since):
        mine = features(article.title, article.text)
        decision = index.best(mine, article.stored_at)
        if decision.joined:
            story_id = decision.story
            await story_rows.join_story(session, article=article, story_id=story_id, now=now)
        else:
            story_id = await story_rows.new_story(session, article=article, now=now)
            made.add(story_id)
        index.assign(mine, article.stored_at, story=story_id)
        why = {"via": "report" if decision.joined else "new", **decision.explain()}
        await story_rows.record_decision(
            session,
            article=article,
            terms=json.dumps(mine.to_json(), ensure_ascii=False, separators=(",", ":")),
            similarity=round(decision.similarity, 4),
            why=json.dumps(why, ensure_ascii=False),
        )
    session.info.pop(_INDEX_KEY, None)
    session.info.pop(_WINDOW_KEY, None)
    return len(made)

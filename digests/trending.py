"""Topics to suggest: a fixed starter set, and what recent articles talk about most."""

from __future__ import annotations

from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from digests.query import SECTION_ALIASES
from storage import articles as article_store

SUGGESTED_TOPICS = ("technology", "science", "climate", "economy", "health", "space")
TRENDING_FROM = 200  # recent articles whose keyphrases make the trending list
TRENDING_COUNT = 6
MAX_TOPIC = 40  # longer phrases make poor buttons

# a keyphrase such as "sport" or "technology" is better followed as its section (a button)
_SECTION_WORDS = frozenset(alias for aliases in SECTION_ALIASES.values() for alias in aliases)


async def trending_topics(session: AsyncSession, *, limit: int = TRENDING_COUNT) -> list[str]:
    """The keyphrases recent articles share most; ties go to each article's leading phrase,
    newest article first (so a quiet day still shows what is new)."""
    counts: Counter[str] = Counter()
    order: dict[str, tuple[int, int]] = {}
    for age, keyphrases in enumerate(
        await article_store.latest_keyphrases(session, limit=TRENDING_FROM)
    ):
        phrases = [p.strip().lower() for p in keyphrases.split(";") if p.strip()]
        for rank, phrase in enumerate(dict.fromkeys(phrases)):
            counts[phrase] += 1
            order.setdefault(phrase, (rank, age))
    ranked = sorted(counts, key=lambda p: (-counts[p], *order[p]))
    return [
        p
        for p in ranked
        if len(p) <= MAX_TOPIC and p not in SUGGESTED_TOPICS and p not in _SECTION_WORDS
    ][:limit]

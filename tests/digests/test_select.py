"""Selection, the pure core of a digest: one item per story, best first, the chat's cap with
the rest kept for /more, nothing old, muted or already sent — checked against a plain
reference on arbitrary inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from digests.query import MuteMatcher
from digests.select import (
    MORE_PAGES,
    Candidate,
    Entry,
    is_update,
    score_matches,
    select_stories,
)

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def article(
    article_id: int, *, story: int | None = None, title: str = "", hours: float = 1
) -> Candidate:
    stored = NOW - timedelta(hours=hours)
    return Candidate(
        id=article_id,
        story_id=story,
        feed_id=None,
        stored_at=stored,
        published_at=stored,
        title=title or f"Article {article_id}",
        url=f"https://example.com/{article_id}",
        canonical_url=f"https://example.com/{article_id}",
        source_name="Wire",
        summary="",
    )


def ranked_lists(
    topics: dict[str, dict[int, float]], articles: dict[int, Candidate]
) -> list[tuple[str, list[Entry]]]:
    stories: dict[int, list[Candidate]] = {}
    for a in articles.values():
        stories.setdefault(a.story_key, []).append(a)
    return [
        (label, score_matches(m, articles=articles, story_articles=stories, now=NOW, list_id=i))
        for i, (label, m) in enumerate(topics.items())
    ]


def test_one_item_per_story_under_its_best_topic_with_the_other_outlets() -> None:
    articles = {
        1: article(1, story=10, title="Rover lands"),
        2: article(2, story=10, title="Rover has landed"),
        3: article(3, story=11, title="Comet seen"),
    }
    topics = {"space": {1: 0.9, 3: 0.5}, "mars": {2: 1.0}}
    selection = select_stories(topics=ranked_lists(topics, articles), watermark=None)
    assert [(r.article.id, r.topic) for r in selection.shown] == [(2, "mars"), (3, "space")]
    assert [a.id for a in selection.shown[0].also] == [1]


def test_cap_keeps_the_next_page_for_more_and_counts_the_overflow() -> None:
    articles = {i: article(i, hours=i) for i in range(1, 40)}
    topics = {"all": dict.fromkeys(articles, 1.0)}
    selection = select_stories(topics=ranked_lists(topics, articles), watermark=None, max_items=5)
    assert [r.article.id for r in selection.shown] == [1, 2, 3, 4, 5]  # the most recent first
    assert [r.article.id for r in selection.hidden] == list(range(6, 6 + 5 * MORE_PAGES))
    assert selection.overflow == 5 * MORE_PAGES


def test_old_sent_and_muted_stories_are_left_out() -> None:
    articles = {
        1: article(1, story=1, hours=30),  # before the watermark
        2: article(2, story=2, title="Crypto rally"),
        3: article(3, story=3),  # already sent
        4: article(4, story=4),
    }
    topics = {"news": dict.fromkeys(articles, 1.0)}
    selection = select_stories(
        topics=ranked_lists(topics, articles),
        watermark=(NOW - timedelta(hours=24), 0),
        mutes=MuteMatcher(["crypto"]),
        sent_stories={3},
    )
    assert [r.article.id for r in selection.shown] == [4]


def test_a_later_article_of_a_sent_story_is_an_update_the_same_news_again_is_not() -> None:
    articles = {
        1: article(1, story=5, title="Fed holds rates", hours=40),  # sent in an earlier digest
        2: article(2, story=5, title="Fed holds rates, other outlet", hours=36),
        3: article(3, story=5, title="Fed chair testifies a day later", hours=2),
        4: article(4, story=6, title="Storm nears coast", hours=30),  # sent
        5: article(5, story=6, title="Storm nears coast, another outlet", hours=26),
    }
    topics = {"news": dict.fromkeys(articles, 1.0)}
    selection = select_stories(
        topics=ranked_lists(topics, articles),
        watermark=(NOW - timedelta(hours=38), 1),
        sent_stories={5, 6},
    )
    # story 5 comes back once, marked, with its later article; story 6 adds nothing 4 h on
    assert [(r.article.id, r.update) for r in selection.shown] == [(3, True)]


def reference(
    lists: list[tuple[str, list[Entry]]],
    watermark: tuple[datetime, int] | None,
    sent: set[int],
    muted: MuteMatcher | None,
    max_items: int,
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Everything sorted at once, then filtered: what selection must equal."""
    entries = sorted((e, label) for label, m in lists for e in m)
    taken: set[int] = set()
    picked: list[tuple[int, str]] = []
    for (_score, _id, _list, scored), label in entries:
        a = scored.article
        if a.story_key in taken or (a.story_key in sent and not is_update(a, scored.others)):
            continue
        if watermark is not None and a.mark <= watermark:
            continue
        taken.add(a.story_key)
        if muted and muted.matches(a.title, a.summary, a.keyphrases):
            continue
        picked.append((a.id, label))
    cap = max(1, max_items)
    return picked[:cap], picked[cap : cap * (1 + MORE_PAGES)]


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    count=st.integers(1, 60),
    topic_count=st.integers(1, 6),
    max_items=st.integers(1, 12),
)
def test_selection_equals_the_plain_reference(
    data: st.DataObject, count: int, topic_count: int, max_items: int
) -> None:
    # one draw for all the articles (a draw per field was most of the run)
    fields = st.tuples(
        st.one_of(st.none(), st.integers(1, max(1, count // 2))),
        st.sampled_from(["Solar", "Wind", "Crypto coins", "Tides"]),
        st.floats(0, 48),
    )
    drawn = data.draw(st.lists(fields, min_size=count, max_size=count))
    articles = {
        i: article(i, story=story, title=title, hours=hours)
        for i, (story, title, hours) in enumerate(drawn, start=1)
    }
    scores = st.sampled_from([0.5, 0.75, 1.0])  # ties included
    scored = st.dictionaries(st.sampled_from(sorted(articles)), scores)
    topics = {f"topic {t}": data.draw(scored) for t in range(topic_count)}
    lists = ranked_lists(topics, articles)
    sent = set(data.draw(st.lists(st.integers(1, count), max_size=5)))
    watermark = data.draw(st.one_of(st.none(), st.just((NOW - timedelta(hours=24), 0))))
    muted = MuteMatcher(["crypto"]) if data.draw(st.booleans()) else None
    selection = select_stories(
        topics=lists, watermark=watermark, mutes=muted, sent_stories=sent, max_items=max_items
    )
    shown, hidden = reference(lists, watermark, sent, muted, max_items)
    assert [(r.article.id, r.topic) for r in selection.shown] == shown
    assert [(r.article.id, r.topic) for r in selection.hidden] == hidden
    assert all(r.update == (r.article.story_key in sent) for r in selection.shown)

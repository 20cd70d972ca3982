"""A summary never shows an embedded social post's text or its credit: a sentence holding a
tweet's link ("pic.twitter.com/…", "https://t.co/…"), a handle in brackets, two hashtags or
more, or one opening it. Prose that names a handle or a hashtag once is the article's."""

from __future__ import annotations

import pytest

from ingest.summarize import readable, summarize

# Tweets quoted in articles of the extraction set (dawgsbynature.com, mspoweruser.com,
# theparadigmng.com; 2018-2019), and an article's own sentence about one of them.
POSTED = [
    "Who are we as a nation if we respond to threats of political retribution with "
    "retribution ourselves? pic.twitter.com/s96jjh8AlD",
    "Saturday night's Chromecast captures are indeed 30fps, while Chrome browser output seem "
    "to be aiming for 60. pic.twitter.com/4p7SXk7JPW",
    "The 9to5Mac BundleHunt delivers over 40 top apps from just $1 each https://t.co/y5Wn5UBP8S.",
    "#Browns Greedy Williams has been solid in run support and tackling so far this season.",
    "The #Browns highest-graded player on defense vs. #Steelers was Joe Schobert.",
    "Senate resolves to observe a minute silence. — The Nigerian Senate (@NGRSenate) today.",
]
PROSE = [
    "The details of the plenary session were shared on the Twitter handle of the Senate, "
    "@NGRSenate.",
    "Thousands of women shared their stories under the hashtag #MeToo within a day.",
    "The poll by humanitarian Web site Reuters AlertNet (www.alertnet.org) surveyed 606 people.",
]


@pytest.mark.parametrize("sentence", POSTED)
def test_a_posts_sentence_is_not_summary_material(sentence: str) -> None:
    assert not readable(sentence)


@pytest.mark.parametrize("sentence", PROSE)
def test_prose_naming_a_handle_a_hashtag_or_an_address_is(sentence: str) -> None:
    assert readable(sentence)


def test_a_tweet_opening_the_text_is_passed_over() -> None:
    # The shape of the dawgsbynature.com page: the tweet right after a one-line lead-in.
    text = "\n\n".join(
        [
            "Take a look at what PFF said about his performance:",
            "The #Browns highest-graded player on defense vs. #Steelers was Joe Schobert. He "
            "posted an elite 93.2 defensive grade and 91.4 coverage grade. "
            "pic.twitter.com/PQqbN51wBW",
            "Joe Schobert filled up the stat sheet against Pittsburgh on Thursday night, with two "
            "interceptions and a pass defended in the Browns' win.",
            "Sione Takitaki played six snaps on defense, staying ahead of Adarius Taylor on the "
            "depth chart for the third week running.",
        ]
    )
    summary = summarize(text)
    assert summary.startswith("Joe Schobert filled up the stat sheet")
    assert "#" not in summary and "pic.twitter.com" not in summary

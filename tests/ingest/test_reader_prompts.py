"""Sentences that send the reader to a part of the page that is not the article — the comments,
a gallery, a video, a poll, "below", "here", a newsletter — go from the text's edges and are
never a summary's sentence. Someone quoted saying "click here", and sentences about a gallery
rather than to the reader, stay."""

from __future__ import annotations

import pytest

from ingest.clean import drop_edge_lines, reader_prompt
from ingest.summarize import readable, summarize
from tests.support.pages import BODY, article, paragraphs, titled

ARTICLE = "\n\n".join(BODY)
LAST = BODY[-1]


def text(*lines: str) -> str:
    return "\n\n".join(lines)


# Prompts closing articles of the extraction set (a Nollywood gossip page, a gadget roundup, a
# games site, 2019), of a CNN/DailyMail story, and the kinds of the report.
PROMPTS = [
    "See more photos:",
    "Click below to view a gallery",
    "Feel free to start below in our comments section.",
    "Leave a comment and let us know what your favorite gadget of 2019 is.",
    "Read our review-in-progress here.",
    "Be sure to vote in our poll.",
    "Don't forget to check out the slideshow above.",
    "If you missed it, watch the video below.",
    "Sign up for The Daily Brief today to get the free newsletter delivered to your inbox.",
]
# The article's own sentences: quoted, about a gallery or a video, or instructions.
KEPT = [
    '"Click here and you will see the gallery below," she told the council.',
    "The gallery opens on Monday with photos of the flood.",
    "Visitors can view the gallery below the town hall until March.",
    "Start in a neutral position with your shoulders above your wrists.",
    "Here's how to figure out what's best for your wallet.",
    "Look of love: Sarah gazed at her newborn son in this photo she posted on Saturday.",
    # (Google's SRE book, in the Readability set)
    "Email alerts were triggered as the SLO approached, and paging alerts were triggered when "
    "the SLO was exceeded.",
]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_prompt_closing_the_text_goes(prompt: str) -> None:
    assert drop_edge_lines(text(ARTICLE, prompt)) == ARTICLE


@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_prompt_closing_the_last_paragraph_goes_and_the_paragraph_stays(prompt: str) -> None:
    assert drop_edge_lines(f"{ARTICLE} {prompt}") == ARTICLE


def test_a_prompt_opening_the_text_goes() -> None:
    assert drop_edge_lines(f"Scroll down for video. {ARTICLE}") == ARTICLE


def test_a_prompts_hook_goes_with_it() -> None:
    # The shape of a football blog's sign-up line (l3s-gn1).
    closing = "NOT REGISTERED YET? WHAT ARE YOU WAITING FOR! Register by clicking here."
    assert drop_edge_lines(text(ARTICLE, closing)) == ARTICLE


@pytest.mark.parametrize("sentence", KEPT)
def test_the_articles_own_sentence_closing_the_text_stays(sentence: str) -> None:
    assert drop_edge_lines(text(ARTICLE, sentence)) == text(ARTICLE, sentence)
    assert not reader_prompt(sentence)


def test_a_prompt_inside_the_text_is_left_to_the_summary() -> None:
    inside = text(BODY[0], "Watch the video below.", *BODY[1:])
    assert drop_edge_lines(inside) == inside


def test_a_comments_boxs_heading_closes_the_page_no_more() -> None:
    # The shape of a Nigerian news page of the extraction set: a tweet's credit, then the
    # comments box's heading over its counter's label.
    credit = "— The Senate (@Senate) October 9, 2018"
    assert drop_edge_lines(text(ARTICLE, credit, "Comments", "comments")) == text(ARTICLE, credit)


def test_the_writers_profile_address_closing_the_page_goes() -> None:
    page = article(titled("Flood barrier", paragraphs([*BODY, "twitter.com/jroe"])))
    assert page.text == ARTICLE


def test_a_page_closing_on_a_comments_prompt_loses_it() -> None:
    closing = f"{LAST} Feel free to start below in our comments section."
    page = article(titled("Flood barrier", paragraphs([*BODY[:-1], closing])))
    assert page.text == ARTICLE


@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_prompt_is_never_summary_material(prompt: str) -> None:
    assert not readable(prompt)


def test_the_summary_passes_over_a_prompt_among_the_first_sentences() -> None:
    prompt = "Feel free to share your views on the flood barrier below in our comments section."
    summary = summarize(text(BODY[0], prompt, *BODY[1:]), max_sentences=3, max_chars=600)
    assert summary
    assert prompt not in summary

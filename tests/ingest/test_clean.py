"""Cleaning: boilerplate of every kind goes, the article's own paragraphs stay intact."""

from __future__ import annotations

import pytest

from ingest.clean import clean_text
from tests.support.pages import BODY


def with_inserted(*lines: str, at: int = 2) -> str:
    paragraphs = [*BODY[:at], *lines, *BODY[at:]]
    return "\n\n".join(paragraphs)


def test_the_body_alone_comes_back_unchanged() -> None:
    assert clean_text("\n\n".join(BODY)) == "\n\n".join(BODY)


def test_lines_without_a_word_go() -> None:
    """A page's info table read cell by cell ("Posted", ":", the date; earthtimes.org, 2008)
    leaves separators that carry nothing; rules and ornaments likewise."""
    text = with_inserted(":", "* * *", "___", "—", at=0)
    assert clean_text(text) == "\n\n".join(BODY)


def test_hard_wrapped_lines_are_joined_into_their_sentences() -> None:
    """A wire story kept in <pre>, its lines broken at a fixed width (Reuters via L3S-GN1,
    2008): each line came out as a paragraph of its own."""
    wrapped = "\n\n".join(
        [
            "Curry, a 22 year-old guard, was charged with urinating in",
            "public and booked into the county jail on a misdemeanour",
            "charge of resisting and obstructing an officer, according to",
            "the Boise Police Department.",
            "A patrol officer saw Curry relieving himself in an alley",
            "outside a hotel at about 2:30 a.m. on Thursday, police said.",
        ]
    )
    assert clean_text(wrapped) == (
        "Curry, a 22 year-old guard, was charged with urinating in public and booked into the "
        "county jail on a misdemeanour charge of resisting and obstructing an officer, according "
        "to the Boise Police Department.\n\n"
        "A patrol officer saw Curry relieving himself in an alley outside a hotel at about "
        "2:30 a.m. on Thursday, police said."
    )


def test_a_sentence_broken_around_its_links_is_whole_again() -> None:
    """trafilatura breaks a line at a link inside text laid out with <br> (a stock ticker in an
    AP story on L3S-GN1 8198035c, a game's title on 716e8d79, 2008; a site's address in an
    entermedia.co.kr notice, scrapinghub's extraction set)."""
    broken = with_inserted("Apple's iPod and Microsoft Corp. (", "MSFT", ")'s Zune player.")
    assert "Apple's iPod and Microsoft Corp. (MSFT)'s Zune player." in clean_text(broken)
    broken = with_inserted("The Club", ". Bizarre Creations is behind the game.", at=1)
    assert "The Club. Bizarre Creations is behind the game." in clean_text(broken)


def test_code_and_lists_are_not_joined_at_their_brackets() -> None:
    code = ["list: [", "list: [", "(local.get $1)", "));", "Schreiber said:", ". he wants time"]
    cleaned = clean_text(with_inserted(*code, at=1)).split("\n\n")
    # (A line without a word goes, "));" among them, as before.)
    assert all(line in cleaned for line in code if line != "));")


def test_a_call_to_click_and_a_pager_glued_to_a_paragraph_go() -> None:
    """A bookmaker's promotion opening the story's paragraph (TEAMtalk stories on clubcall.com,
    L3S-GN1 2008), and Reuters' "Continued..." under a page's last paragraph (L3S-GN1
    a07b7b8a)."""
    glued = [BODY[0], f"Click here to bet on football with Sky Bet! {BODY[1]}", *BODY[2:]]
    glued[-1] += " Continued..."
    assert clean_text("\n\n".join(glued)) == "\n\n".join(BODY)


def test_an_ad_slots_label_goes() -> None:
    # streetinsider.com via L3S-GN1 (2008): "Sponsored by:" over an advertiser's box.
    for label in ("Sponsored by:", "ADVERTISEMENT", "Story continues below advertisement"):
        assert clean_text(with_inserted(label, at=0)) == "\n\n".join(BODY), label


def test_a_paragraph_about_clicking_stays() -> None:
    told = "Click fraud costs advertisers billions, the report said. Google disputed the figure."
    assert told in clean_text(with_inserted(told))


def test_a_headline_is_not_joined_to_the_byline_under_it() -> None:
    text = with_inserted("Louisiana's new first lady is mom and MBA", "by Jane Doe", at=0)
    assert "MBA by" not in clean_text(text)


def test_a_comments_header_or_a_byline_is_not_run_on_into_the_line_under_it() -> None:
    """A comment's header over its text (Bolton News comments via L3S-GN1 c4957377, 2008) and
    a byline over a photo credit (L3S-GN1 f97fa932) stay lines of their own, though the line
    under them starts in lower case."""
    header = "Posted by: tom3465, farnworth on 8:21pm Tue 1 Jan 08"
    comment = "as long as he does not take advice from his cousin on the finer points of the law"
    byline = "by Tim Cashmere - January 16 2008"
    cleaned = clean_text(with_inserted(header, comment, byline, "photo by Ros O'Gorman"))
    assert comment in cleaned.split("\n\n")
    assert "2008 photo by" not in cleaned


def test_a_line_opening_with_a_site_name_starts_its_own_paragraph() -> None:
    """seattlepi.com's contact line over its description (L3S-GN1 9a0aca8a, 2008): a lower-case
    site name is not a sentence's next word."""
    contact = "Home Delivery: (206) 464-2121 or (800) 542-0820"
    about = "seattlepi.com serves about 1.7 million unique visitors each month."
    assert f"{contact}\n\n{about}" in clean_text(with_inserted(contact, about))


def test_a_call_to_act_is_not_swallowed_by_a_line_ending_on_a_joining_word() -> None:
    """The Hindu's "Send this article to Friends by E-Mail" under a line that ends on "the"
    (L3S-GN1, 2008): a call to act is a line of its own, not the end of the sentence; a name
    after a joining word still is ("… the editor of" | "The Hindu")."""
    line = "Mr. Raja said the scheme would be extended to all subscribers of the"
    prompt = "Send this article to Friends by E-Mail"
    cleaned = clean_text(with_inserted(line, prompt))
    assert f"of the {prompt}" not in cleaned
    thanks = "The minister thanked the readers who had written to the editor of"
    assert f"{thanks} The Hindu" in clean_text(with_inserted(thanks, "The Hindu"))


def test_a_tables_rule_row_stays_with_its_table() -> None:
    table = "| Year | Sales |\n|---|---|\n| 2024 | 120 |"
    assert table in clean_text(with_inserted(table))


@pytest.mark.parametrize(
    "line",
    [
        # account and billing status messages
        "Success! Your billing info has been updated.",
        "Thanks for signing up! Check your inbox to confirm your subscription.",
        "You're all set. We've sent a confirmation email to your address.",
        "Welcome back! You are now signed in.",
        "Your payment details have been saved to your account.",
        "Oops! Something went wrong with your registration. Please try again.",
        # calls to act and social prompts
        "Sign up for our free morning newsletter and get the top stories in your inbox.",
        "Follow us on Twitter and Facebook for the latest updates.",
        "Share this article on WhatsApp",
        "Download our app to get breaking news alerts.",
        "Follow @coastalcourier for more",
        "Subscribe to our podcast wherever you listen.",
        "Get the magazine delivered every month. 12 issues for £11.99. Click here for details.",
    ],
)
def test_status_messages_calls_to_act_and_social_prompts_go(line: str) -> None:
    assert clean_text(with_inserted(line)) == "\n\n".join(BODY)


@pytest.mark.parametrize(
    "notice",
    [
        "We use cookies to improve your experience. By continuing to browse you accept our "
        "cookie policy and privacy policy.",
        "You have 2 free articles left this month. Subscribe now for unlimited access.",
        "Already a subscriber? Log in to continue reading.",
    ],
)
def test_cookie_and_paywall_notices_at_the_end_go(notice: str) -> None:
    assert clean_text(with_inserted(notice, at=4)) == "\n\n".join(BODY)


def test_labelled_teaser_goes_with_its_blurb_even_when_on_topic() -> None:
    text = with_inserted(
        "Read more: Why the town's sea wall failed in 2020",
        "Engineers say the old wall was never built for today's storm surges.",
    )
    assert clean_text(text) == "\n\n".join(BODY)
    split_label = with_inserted(
        "Related", "Ferry timetable changes announced", "Sailings to the islands will be cut."
    )
    assert clean_text(split_label) == "\n\n".join(BODY)


def test_a_quotation_after_a_teaser_line_is_the_article_s_own() -> None:
    # A feed's content, a "Related:" line over the article's next paragraph: a quotation with
    # its speaker, not the teaser's blurb.
    quote = '"This is the barrier the town has waited for," said the harbour master, Ann Lee.'
    text = with_inserted("Related: Why the town's sea wall failed in 2020", quote)
    assert clean_text(text) == "\n\n".join([*BODY[:2], quote, *BODY[2:]])


def test_unlabelled_teaser_about_something_else_goes() -> None:
    text = with_inserted(
        "Celebrity Chef Opens Third Restaurant In Soho",
        "The menu features a twelve-course tasting of Nordic cuisine.",
    )
    assert clean_text(text) == "\n\n".join(BODY)


def test_subheadings_on_topic_stay() -> None:
    text = with_inserted(
        "Who pays for the barrier",
        "Harbour businesses will pay a levy towards the barrier, phased in over five years, "
        "the council's budget covers the rest of the cost.",
    )
    assert "Who pays for the barrier" in clean_text(text)


def test_bylines_and_duplicate_titles_go() -> None:
    title = "Harbour council approves flood barrier"
    text = "\n\n".join(
        [title, "By Helen Marsh, Environment Correspondent", "Published: 1 March 2026", *BODY]
    )
    assert clean_text(text, title=title) == "\n\n".join(BODY)
    with_author = "\n\n".join(["Helen Marsh | Environment", *BODY])
    assert clean_text(with_author, author="Helen Marsh") == "\n\n".join(BODY)


def test_a_quote_naming_the_author_in_a_long_paragraph_stays() -> None:
    paragraph = (
        "Helen Marsh, who chairs the residents' group, said the vote was long overdue and that "
        "families had waited too long."
    )
    assert paragraph in clean_text(f"{paragraph}\n\n{BODY[0]}", author="Helen Marsh")


def test_whitespace_is_normalised_and_paragraphs_kept() -> None:
    messy = "  First\u00a0paragraph   with\tspaces.\r\n\r\n\r\n\u200bSecond\u2009one.\n\n\n"
    assert clean_text(messy) == "First paragraph with spaces.\n\nSecond one."


def test_prose_mentioning_accounts_and_social_media_stays() -> None:
    sentence = (
        "The bank said on Tuesday that hackers had accessed 40,000 customer accounts and that "
        "passwords would be reset, after users complained on Twitter."
    )
    assert clean_text(f"{BODY[0]}\n\n{sentence}") == f"{BODY[0]}\n\n{sentence}"


def test_a_list_item_naming_the_author_organisation_stays() -> None:
    items = [
        "Beachbody Performance Energize",
        "Beachbody Performance Recover, 1 cup blueberries",
        "Oatmeal with 1 tsp. nut butter",
    ]
    text = "\n\n".join([*BODY[:2], *items, *BODY[2:]])
    assert clean_text(text, author="Beachbody") == text
    byline = "Beachbody | Nutrition desk"
    assert byline not in clean_text(f"{byline}\n\n{text}", author="Beachbody")


@pytest.mark.parametrize(
    ("line", "author"),
    [
        # service words, but no offer
        ("- Go to three Narcotics Anonymous meetings per week", None),
        ("Subscribers to the water company will see the increase on their April bills.", None),
        # "By" opening a short sentence that names the author, or a date
        ("By the time Helen Marsh arrived, the vote was over.", "Helen Marsh"),
        ("By Monday, most residents had left.", None),
        # a verb-like first word
        ("Like many towns here, Port Alder floods almost every winter.", None),
        ("Support for the barrier rose after the video of the 2020 flood.", None),
    ],
)
def test_prose_that_opens_like_boilerplate_stays(line: str, author: str | None) -> None:
    text = "\n\n".join([BODY[0], line, BODY[1]])
    assert clean_text(text, author=author) == text


def test_an_offer_and_a_byline_go() -> None:
    offer = "Subscribe for $4.99/month and get unlimited access."
    assert offer not in clean_text("\n\n".join([BODY[0], offer, BODY[1]]))
    text = "\n\n".join([BODY[0], "By Monday, most residents had left.", BODY[1]])
    assert clean_text(f"By Jane Doe, Staff Writer\n\n{text}") == text

"""The article ends where the page's reader comments and boxes of other stories begin: these are
cut by the page's structure, and an article's own closing lines and quotes stay."""

from __future__ import annotations

import pytest

from ingest.clean import clean_text
from tests.support.pages import article

ARTICLE = [
    "The regional water board approved a plan on Tuesday to replace the ageing pipes that "
    "carry drinking water to the eastern districts, after two winters of burst mains.",
    "The board's engineers said the work would start in the spring and take four years, "
    "with the busiest streets done at night to keep traffic moving through the centre.",
    "Residents in the eastern districts have lost water for a day or more eleven times since "
    "last autumn, and the board has paid for bottled water deliveries to the worst hit streets.",
    "The plan will be paid for by a loan from the national infrastructure fund, which the "
    "board expects to repay over twenty years from the charges it already collects.",
    "Opposition members on the board asked whether the pipes in the western districts, laid "
    "in the same decade, would need the same work soon, and were told a survey is under way.",
]
CLOSING = [
    '"We have waited long enough," said the board\'s chair, Maria Lindqvist.',
    "The first streets will be named next month.",
]
COMMENTS = [
    ("Pat from Hillside", "About time too, our street has had three burst mains this year."),
    ("Jo Baker", "Who is going to pay for all this in the end? The ratepayers, as always."),
    ("D. Moore", "Night work means nobody sleeps for four years. Great planning."),
    ("Sam", "I would rather they fixed the potholes first, honestly."),
]


def _page(
    after_article: str = "", *, article_open: str = "<div class='story'>", within: str = ""
) -> bytes:
    """The article's page: `within` stands among its paragraphs (before the fourth),
    `after_article` after them, inside the article's element."""
    paragraphs = [f"<p>{p}</p>" for p in ARTICLE + CLOSING]
    paragraphs.insert(3, within)
    return (
        "<html><head><title>Water board approves pipe replacement plan</title></head><body>"
        "<h1>Water board approves pipe replacement plan</h1>"
        f"{article_open}{''.join(paragraphs)}{after_article}</div>"
        "</body></html>"
    ).encode()


def _thread() -> str:
    return "".join(
        f"<p>{text}<br><b>Posted by {name} on January 10, 2008 4:15 PM</b></p>"
        for name, text in COMMENTS
    )


def test_reader_comments_after_an_anchor_named_comments_are_cut() -> None:
    page = article(_page("<a name='comments'></a><h3>Your views</h3>" + _thread()))
    for _, comment in COMMENTS:
        assert comment not in page.text
    assert "Posted by" not in page.text
    assert page.text.startswith(ARTICLE[0])
    for paragraph in ARTICLE + CLOSING:  # the closing quote and short last line stay
        assert paragraph in page.text


def test_reader_comments_in_a_container_named_for_them_are_cut() -> None:
    page = article(
        _page(f"<div id='readerViews'><div class='userComments'>{_thread()}</div></div>")
    )
    assert not any(comment in page.text for _, comment in COMMENTS)
    assert all(paragraph in page.text for paragraph in ARTICLE + CLOSING)


def test_an_article_inside_a_container_named_for_comments_is_kept() -> None:
    # The marker holds the article's opening: it is not a comment section after the article.
    page = article(_page(article_open="<div class='post with-comments'>"))
    assert all(paragraph in page.text for paragraph in ARTICLE + CLOSING)


def test_a_link_to_the_comments_before_the_article_cuts_nothing() -> None:
    page = article(
        _page(
            article_open=(
                "<div class='comments'><a href='#c'>4 comments on this story so far</a></div>"
                "<div class='story'>"
            ),
        ).replace(b"</div></body>", b"</div></div></body>")
    )
    assert all(paragraph in page.text for paragraph in ARTICLE + CLOSING)


OTHER_STORIES = [
    "- A festival of street food returns to the harbour front this weekend with stalls from "
    "forty countries and live music until late on both evenings.",
    "- The city's oldest cinema will close for a year of repairs to its roof and seating, the "
    "owners announced, with a farewell screening planned.",
    "- Two climbers were rescued from the northern ridge after being caught by fog, mountain "
    "rescue volunteers said on Sunday evening.",
    "- A primary school choir has won a national competition for the first time, beating "
    "entries from more than three hundred schools.",
    "- Ticket prices for the autumn football season will stay frozen, the club confirmed, "
    "after a campaign by supporters' groups.",
    "- A rare orchid was found flowering in a railway cutting by a retired botanist walking "
    "her dog along the disused line.",
]


def test_a_long_closing_list_of_unrelated_stories_is_cut() -> None:
    text = "\n\n".join([*ARTICLE, *CLOSING, "Elsewhere", *OTHER_STORIES])
    cleaned = clean_text(text)
    assert "festival of street food" not in cleaned
    assert "Elsewhere" not in cleaned
    assert cleaned.endswith(CLOSING[-1])


def test_a_closing_list_the_article_introduces_is_kept() -> None:
    steps = [
        "- Pipes in the eastern districts will be replaced street by street over four years.",
        "- Water board engineers will survey the western districts' pipes this year.",
        "- The loan from the national infrastructure fund is repaid over twenty years.",
    ]
    text = "\n\n".join([*ARTICLE, "The plan in short:", *steps])
    cleaned = clean_text(text)
    assert all(step in cleaned for step in steps)


BOX_OF_OTHER_STORIES = (
    "<div class='moreStories'><p>Council elections set for May, with nine seats open "
    "to new candidates in the northern wards.</p><p>Library opening hours extended on "
    "weekends across the city after a successful trial in the summer months.</p></div>"
)
CAPTION = (
    "<div class='imageBox'><img src='pipes.jpg'><h4 id='storyphotocaption'>Workers lay a "
    "new water main beside the ring road in the eastern districts during a trial last "
    "October.</h4></div>"
)


@pytest.mark.parametrize(
    ("markup", "unwanted"),
    [
        pytest.param(
            BOX_OF_OTHER_STORIES,
            ("Council elections", "Library opening hours"),
            id="a box of other stories",
        ),
        pytest.param(CAPTION, ("Workers lay a new water main",), id="a picture caption"),
    ],
)
def test_a_box_inside_the_article_is_cut_and_the_article_around_it_kept(
    markup: str, unwanted: tuple[str, ...]
) -> None:
    page = article(_page(within=markup))
    assert [text for text in unwanted if text in page.text] == []
    assert all(paragraph in page.text for paragraph in ARTICLE + CLOSING)

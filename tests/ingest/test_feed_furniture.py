"""What aggregators, link sites and blog platforms write around an entry's text: Reddit's
"submitted by /u/…" and "[link] [comments]", Hacker News' "Article URL: …" lines, a picture's
caption or credit, share and comment buttons, "Read full article", and Google News' description
that is only the headline and its source. A subscriber reads the entry's own sentences, or none."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ingest.parse import tidy_teaser
from storage.models import Article
from tests.support.feeds import refreshed, rss

STRIKE = (
    "Crews accepted a 5% pay rise on Monday, ending a strike that had halted sailings to the "
    "islands for three weeks."
)
RESIGNS = (
    "The minister resigned on Thursday after an inquiry found he had claimed expenses for a "
    "second home he rarely used."
)
# The descriptions' markup as those sites write it (2026), the stories made up.
ENTRIES = [
    (
        "Ferry strike ends after pay deal",
        f'<!-- SC_OFF --><div class="md"><p>{STRIKE}</p></div><!-- SC_ON --> &#32; submitted by '
        '&#32; <a href="https://www.reddit.com/user/jdoe"> /u/jdoe </a> <br/> <span><a '
        'href="https://example.org/ferry">[link]</a></span> &#32; <span><a '
        'href="https://www.reddit.com/r/news/comments/1/">[comments]</a></span>',
    ),
    ("Minister resigns over expenses", f"{RESIGNS} (Photo: Getty Images)"),
    ("Rail merger cleared", f'<p>{STRIKE}</p><p><a href="x">Read full article</a></p>'),  # Ars
    (
        "Rail merger cleared again",  # WordPress' Jetpack buttons
        f"<p>{RESIGNS}</p><div class='sharedaddy'><h3>Share this:</h3><ul><li><a>Click to share "
        "on Twitter (Opens in new window)</a></li></ul></div><div><h3>Like this:</h3><p>Like "
        "Loading...</p></div>",
    ),
    (
        "Rail merger cleared once more",  # Substack's buttons
        f'<p>{STRIKE}</p><p><a href="s"><span>Share</span></a></p><p><a href="c"><span>Leave a '
        "comment</span></a></p>",
    ),
    (
        "Rail merger cleared at last",  # the Guardian's picture over the text
        "<figure><img src='t.jpg'><figcaption>A train at York station. Photograph: Jane Doe/PA"
        f"</figcaption></figure><p>{RESIGNS}</p>",
    ),
    (
        "Council approves flood barrier",
        '<a href="https://news.google.com/x">Council approves flood barrier</a>&nbsp;&nbsp;'
        '<font color="#6f6f6f">BBC News</font>',
    ),
]


async def test_an_aggregators_furniture_is_not_the_entrys_text(
    session: AsyncSession, now: datetime
) -> None:
    await refreshed(session, "https://example.org/rss", rss(ENTRIES), now=now)
    stored = {a.title: a for a in (await session.exec(select(Article))).all()}
    assert stored["Ferry strike ends after pay deal"].text == STRIKE
    assert stored["Minister resigns over expenses"].text == RESIGNS
    assert stored["Council approves flood barrier"].text == ""  # only the headline and source
    assert stored["Rail merger cleared"].text == STRIKE
    assert stored["Rail merger cleared again"].text == RESIGNS
    assert stored["Rail merger cleared once more"].text == STRIKE
    assert stored["Rail merger cleared at last"].text == RESIGNS


def test_label_and_address_lines_are_not_closed_as_sentences() -> None:
    # Hacker News' entry: no full stop is added after an address or a label's value, so no
    # line reads as a sentence a summary could pick.
    lines = "Article URL: https://example.org/db\n\nComments URL: https://example.org/c?id=1"
    assert tidy_teaser(f"{lines}\n\nPoints: 120") == f"{lines}\n\nPoints: 120"
    # A standfirst glued to the lead is still closed.
    assert tidy_teaser(f"The strike is over\n\n{STRIKE}") == f"The strike is over.\n\n{STRIKE}"


# Google News' RSS (2026 markup, stories made up): each entry names its outlet in <source>.
_AGGREGATED = b"""<?xml version="1.0"?><rss version="2.0"><channel>
<title>Top stories - Google News</title><link>https://news.google.com/</link>
<item><title>Storm batters the coast - BBC News</title><guid>g1</guid>
<link>https://news.google.com/rss/articles/a1</link>
<source url="https://www.bbc.co.uk">BBC News</source>
<description>Residents were evacuated on Monday as the storm hit the coast.</description></item>
<item><title>Rail merger cleared | Politics | The Guardian</title><guid>g2</guid>
<link>https://news.google.com/rss/articles/a2</link>
<source url="https://www.theguardian.com">The Guardian</source>
<description>Regulators approved the merger of the two rail operators on Friday.</description>
</item></channel></rss>"""


async def test_an_aggregated_entry_is_shown_under_its_own_outlet(
    session: AsyncSession, now: datetime
) -> None:
    await refreshed(session, "https://news.google.com/rss", _AGGREGATED, now=now)
    stored = {a.title: a.source_name for a in (await session.exec(select(Article))).all()}
    assert stored == {"Storm batters the coast": "BBC News", "Rail merger cleared": "The Guardian"}

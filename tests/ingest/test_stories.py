"""Cross-outlet story clustering on real headlines: the same event in other outlets' words is
one story, the same people in another event are not; teasers cluster too; the decision is
stored and explained; `digestbot stories` runs it on JSONL. Articles: AllSides headline
roundups of 2021 (tests/fixtures/stories_allsides_excerpt.jsonl, 15 items of
../shared/eval/stories/allsides_2021.jsonl) and full-text reports of BASIL's tune half
(tests/fixtures/stories_basil_excerpt.jsonl, 12 items of ../shared/eval/stories/basil_300.jsonl;
the outlets' copyright, research use)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import UserError
from bot.cli.stories import stories_stream
from ingest.dedup import rebuild_stories
from ingest.pipeline import _Document, store_document
from ingest.stories import Features, StoryIndex, features
from ingest.text import split_sentences
from storage.models import Article
from tests.support.cli import run_here as digestbot
from tests.support.feeds import page_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "stories_allsides_excerpt.jsonl"


def roundups() -> list[dict[str, str]]:
    return [json.loads(line) for line in FIXTURE.read_text().splitlines()]


def full_texts() -> list[dict[str, str]]:
    lines = (FIXTURES / "stories_basil_excerpt.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def at(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def clustered(items: list[dict[str, str]]) -> dict[str, str]:
    out = io.StringIO()
    stories_stream(io.StringIO("\n".join(json.dumps(i) for i in items)), out)
    return {row["id"]: row["story"] for row in map(json.loads, out.getvalue().splitlines())}


def same_partition(items: list[dict[str, str]], stories: dict[str, str]) -> bool:
    truth = {i["id"]: i["story"] for i in items}
    return all((truth[a] == truth[b]) == (stories[a] == stories[b]) for a in truth for b in truth)


def test_each_event_from_three_outlets_is_one_story_and_no_two_events_merge() -> None:
    # Colin Powell's death; Pelosi and Omar's tweet (10 June); Pelosi's Jan. 6 committee
    # unveiled (29 June); Pelosi's panel goes ahead without GOP picks (22 July) and, a day
    # later, the Freedom Caucus asking McCarthy to oust Pelosi: same people, other events.
    items = roundups()
    stories = clustered(items)
    assert same_partition(items, stories)
    assert len(set(stories.values())) == 5


def test_same_people_on_the_same_day_in_another_event_stay_apart() -> None:
    # Pelosi rebuking Omar and Pelosi unveiling the Jan. 6 committee, as if on one day.
    items = [i for i in roundups() if i["story"] in ("allsides-5964", "allsides-5911")]
    for item in items:
        item["published"] = "2021-06-29T09:00:00+00:00"
    stories = clustered(items)
    assert same_partition(items, stories)


def test_teasers_a_headline_and_one_sentence_cluster_too() -> None:
    items = [
        {**i, "text": split_sentences(i["text"])[0]}
        for i in roundups()
        if i["story"] in ("allsides-5608", "allsides-5836", "allsides-5841")
    ]
    stories = clustered(items)
    assert same_partition(items, stories)


def test_a_retelling_a_day_later_joins_while_new_facts_a_day_later_do_not() -> None:
    # A teaser of a report the story already holds (nothing new) still joins a day later;
    # a report of the next day's development (Freedom Caucus on Pelosi, 23 July, after her
    # panel went ahead on 22 July: same people, new facts) starts its own story.
    for event in ("allsides-5608", "allsides-5836", "allsides-5964"):
        reports = [i for i in roundups() if i["story"] == event]
        index = StoryIndex()
        start = at(reports[0]["published"])
        decisions = [index.assign(features(r["title"], r["text"]), start) for r in reports]
        teaser = features(reports[0]["title"], split_sentences(reports[0]["text"])[0])
        later = index.assign(teaser, start + timedelta(days=1))
        assert later.joined and later.story == decisions[0].story, event
    panel, caucus = (
        [i for i in roundups() if i["story"] == event]
        for event in ("allsides-5841", "allsides-5836")
    )
    index = StoryIndex()
    start = at(panel[0]["published"])
    stories = {index.assign(features(r["title"], r["text"]), start).story for r in panel}
    next_day = [
        index.assign(features(r["title"], r["text"]), start + timedelta(days=1, minutes=n))
        for n, r in enumerate(caucus)
    ]
    assert not next_day[0].joined and not {d.story for d in next_day} & stories


def test_full_text_reports_a_day_or_two_later_join_the_first_report() -> None:
    # The White House asking Bill Clinton to talk Sestak out of the Senate race (NYT on 27 May
    # 2010, Fox and HuffPost on 28 May); a GOP aide's post on Sasha and Malia Obama (HuffPost
    # on 29 November 2014, Fox on the 30th, the NYT on 1 December, when she quit).
    for title in ("White House Used Bill Clinton", "GOP Staffer Apologizes"):
        first = next(i for i in full_texts() if i["title"].startswith(title))
        reports = [i for i in full_texts() if i["story"] == first["story"]]
        index = StoryIndex()
        decisions = [
            index.assign(features(r["title"], r["text"]), at(r["published"])) for r in reports
        ]
        assert {d.story for d in decisions} == {decisions[0].story}, title
        later = [
            d
            for r, d in zip(reports, decisions, strict=True)
            if r["published"] > first["published"]
        ]
        assert later and all(d.joined for d in later)
        assert any(d.basis == "full text" and d.explain()["basis"] == "full text" for d in later)


def test_full_text_of_the_same_people_days_later_in_another_event_stays_apart() -> None:
    # Democrats demanding the Mueller report (22 and 25 March 2019) and, three days later,
    # Republicans demanding that Adam Schiff step down over it: one saga, another event.
    events = {
        i["story"]: title
        for i in full_texts()
        for title in ("Mueller", "Schiff")
        if i["title"].startswith(("Democrats Demand", "Adam Schiff")) and title in i["title"]
    }
    items = [i for i in full_texts() if i["story"] in events]
    stories = clustered(items)
    mueller, schiff = (
        {stories[i["id"]] for i in items if events[i["story"]] == name}
        for name in ("Mueller", "Schiff")
    )
    assert len(schiff) == 1 and not schiff & mueller


# Three full texts on one politician's feud: the background paragraph (her rival, their dam
# fight, the primary) is the same in all, as outlets repeat it in every report of the saga.
_BACKGROUND = (
    "Alvarez, a former rancher from Dunmore County, has clashed with Governor Whitcombe since "
    "the two fought over the Tarrow River dam in 2019, when Whitcombe vetoed the irrigation "
    "compact Alvarez had negotiated with the Keswick tribal council. The feud split the Harwell "
    "Party caucus, and Whitcombe's allies in the legislature have twice stripped Alvarez of "
    "committee seats. Alvarez narrowly won reelection last year after Whitcombe campaigned for "
    "her challenger, the Dunmore mayor Elias Brandt, and the governor's political committee "
    "spent heavily on advertisements attacking her record on water rights. Brandt has since "
    "joined the governor's cabinet as agriculture secretary. Both camps expect the rivalry to "
    "shape the Harwell primary next spring, when Whitcombe is term-limited and Alvarez is widely "
    "seen as a candidate to succeed him. Their quarrel has also reached the courts: a lawsuit "
    "over the dam's water allocations, filed by ranchers who backed Alvarez, is still pending "
    "before the Dunmore appeals court, and Whitcombe's attorney general has sided with the "
    "downstream cities. Keswick leaders say they were never consulted about the veto and have "
    "asked federal regulators to review the dam's license."
)
_FEUD = {
    "subsidy": (
        "Alvarez unveils sweeping farm subsidy bill",
        "Senator Maria Alvarez on Tuesday unveiled a farm subsidy bill that would send $40 "
        "million in drought grants to cattle growers, setting up a budget fight in the "
        "statehouse. The measure caps grants at $250,000 per ranch and pays for them by "
        "delaying a highway widening project. Ranchers in the dry eastern counties, where herds "
        "have been sold off for three summers, lobbied for the grants for months, and the "
        "bill's supporters say a vote in the finance committee could come within weeks.",
    ),
    "subsidy retold": (
        "Drought grants for ranchers in Alvarez's $40 million subsidy plan",
        "Cattle growers hit by drought would receive grants under a $40 million subsidy bill "
        "introduced by Senator Maria Alvarez, who would cap the payments at $250,000 for each "
        "ranch and fund them by postponing a highway widening. The proposal answers months of "
        "lobbying by ranchers in the parched eastern counties, who have culled herds for three "
        "dry summers; backers hope the finance committee votes on the subsidy within weeks.",
    ),
    "bridge audit": (
        "Alvarez demands governor resign over bridge contract",
        "Senator Maria Alvarez called on Governor Whitcombe to resign on Wednesday after "
        "auditors found that a bridge repair contract went to a donor's construction firm "
        "without bidding. The auditors referred the $12 million award to prosecutors. The "
        "firm's owner gave the governor's campaign $80,000 over two elections, the audit said, "
        "and the transportation department skipped its own review of the work. A spokesman "
        "for the governor called the demand a stunt and said the contract was an emergency.",
    ),
}


def feud(
    event: str, texts: Mapping[str, tuple[str, str]] = _FEUD, background: str = _BACKGROUND
) -> Features:
    """The event's headline and lead, then the saga's background paragraph."""
    title, lead = texts[event]
    return features(title, lead + "\n\n" + background)


def test_whole_texts_of_the_same_people_in_another_event_need_the_leads_to_agree() -> None:
    # The bridge audit a day after the subsidy bill shares the whole background and the
    # senator's name in both headlines, so whole texts alone would merge it; its lead says
    # something else happened, so it starts a story. A retelling of the subsidy bill with the
    # same background joins, on the whole texts.
    start = datetime(2026, 3, 3, 9, tzinfo=UTC)
    for floor, apart in ((0.0, False), (StoryIndex().body_event_floor, True)):
        index = StoryIndex(body_event_floor=floor)
        first = index.assign(feud("subsidy"), start)
        audit = index.assign(feud("bridge audit"), start + timedelta(days=1))
        retold = index.assign(feud("subsidy retold"), start + timedelta(days=1, hours=2))
        assert (audit.story != first.story) is apart, floor
        assert retold.joined and retold.story == first.story and retold.basis == "full text"


# A saga's cast (president, party, legislature, speaker, capital) in every lead: a budget defeat
# reported by two outlets, and the same day another event of the same people, a pardon (fiction).
_SAGA_BACKGROUND = (
    "Halvorsen's Unity Party lost its majority in the National Assembly in the spring election, "
    "and Reinholt, whose Liberal Alliance now controls the chamber, has promised to hold the "
    "president to account. The two have not met in Veldmar since the election, and aides on "
    "both sides describe the relationship as the coldest between a president and a speaker in "
    "two decades. Halvorsen has accused the Liberal Alliance of blocking her programme for "
    "partisan reasons, and Reinholt has accused the president of governing by decree. Both "
    "are expected to run again when Halvorsen's term ends in two years, and polls show them "
    "level among likely voters."
)
_SAGA = {
    "budget": (
        "Assembly rejects Halvorsen budget, raising shutdown fears",
        "President Anja Halvorsen's Unity Party lost a budget vote in the National Assembly in "
        "Veldmar on Monday, after Speaker Tomas Reinholt refused to schedule a compromise, "
        "leaving ministries without funding from next week. The spending plan failed by 14 "
        "votes. Finance officials warned that pension offices, border posts and hospitals "
        "would run out of money within ten days, and the treasury began drawing up lists of "
        "staff to be sent home without pay. Trade unions called a protest outside the finance "
        "ministry for Thursday. Economists said a prolonged shutdown could cut quarterly "
        "growth by half a point, and the central bank said it stood ready to supply liquidity "
        "to lenders exposed to delayed government payments.",
    ),
    "budget retold": (
        "Funding lapse looms after Veldmar lawmakers vote down spending plan",
        "Government ministries face a funding lapse next week after lawmakers in Veldmar voted "
        "down the spending plan of President Anja Halvorsen on Monday by 14 votes, with "
        "Speaker Tomas Reinholt declining to bring a compromise to the floor. Pension offices, "
        "hospitals and border posts would exhaust their money within ten days, finance "
        "officials said, as the treasury prepared to furlough staff without pay. Unions plan "
        "a Thursday protest at the finance ministry. A long shutdown could shave half a point "
        "off quarterly growth, economists estimated, while the central bank offered liquidity "
        "to banks hit by late government payments.",
    ),
    "pardon": (
        "Halvorsen pardons former aide, Reinholt vows inquiry",
        "President Anja Halvorsen of the Unity Party faced a new clash with Speaker Tomas "
        "Reinholt and the National Assembly in Veldmar on Monday, after the president "
        "pardoned a former aide. Reinholt said the Assembly would investigate the decision, "
        "the latest fight between the president and the speaker. The aide, Petra Lindqvist, "
        "had been convicted in March of accepting bribes from a shipbuilder in exchange for "
        "naval contracts and was serving "
        "a four-year sentence. Prosecutors called the pardon an insult to the court. "
        "Lindqvist's lawyer said she was released from the Osterby prison on Wednesday "
        "afternoon and would not comment. Legal scholars said the constitution gives the "
        "president broad clemency powers but that no pardon for a close associate had been "
        "granted since the republic was founded.",
    ),
}


def saga(event: str) -> Features:
    return feud(event, _SAGA, _SAGA_BACKGROUND)


def test_leads_sharing_only_a_sagas_names_do_not_merge_two_full_texts() -> None:
    # The pardon, reported in the same hour as the second outlet's report of the budget vote,
    # names the whole cast and the capital in its lead, enough to pass the lead threshold
    # against the budget story; the rest of its lead tells another event, so it starts a
    # story. The second outlet's report of the budget vote joins.
    start = datetime(2026, 5, 4, 9, tzinfo=UTC)
    for floors, apart in ((0.0, False), (None, True)):
        settings = {} if floors is None else {"lead_text_floor": 0.0, "lead_event_floor": 0.0}
        index = StoryIndex(**settings)
        budget = index.assign(saga("budget"), start)
        retold = index.assign(saga("budget retold"), start + timedelta(hours=3))
        pardon = index.assign(saga("pardon"), start + timedelta(hours=3))
        assert retold.joined and retold.story == budget.story
        assert (pardon.story != budget.story) is apart, floors
        assert apart or pardon.basis == "lead"


def test_stored_full_text_features_give_the_same_decision() -> None:
    # The index ingest keeps is rebuilt from each article's stored features (JSON).
    reports = [i for i in full_texts() if "Sestak" in i["title"]]
    fresh, stored = StoryIndex(), StoryIndex()
    for r in reports:
        mine = features(r["title"], r["text"])
        again = Features.from_json(json.loads(json.dumps(mine.to_json())))
        assert again.body and again.body.keys() == mine.body.keys()
        one = fresh.assign(mine, at(r["published"]))
        two = stored.assign(again, at(r["published"]))
        assert (one.joined, one.basis) == (two.joined, two.basis)
        assert abs(one.similarity - two.similarity) < 0.01


def test_an_event_returns_after_the_window_as_a_new_story() -> None:
    powell = [i for i in roundups() if i["story"] == "allsides-5608"]
    index = StoryIndex()
    first = index.assign(
        features(powell[0]["title"], powell[0]["text"]), at(powell[0]["published"])
    )
    later = at(powell[1]["published"]) + index.window + timedelta(hours=1)
    again = index.assign(features(powell[1]["title"], powell[1]["text"]), later)
    assert not again.joined and again.story != first.story


def test_explain_shows_the_similarity_and_the_shared_names() -> None:
    items = [i for i in roundups() if i["story"] == "allsides-5608"]
    out = io.StringIO()
    stories_stream(io.StringIO("\n".join(json.dumps(i) for i in items)), out, explain=True)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["joined"] is False
    assert all(r["joined"] and r["similarity"] >= 0.23 for r in rows[1:])
    assert "powell" in rows[1]["shared"]


def test_the_command_line_reads_jsonl_and_stops_at_a_bad_line(tmp_path: Path) -> None:
    items = [i for i in roundups() if i["story"] == "allsides-5608"]
    lines = [json.dumps({k: i[k] for k in ("id", "title", "text")}) for i in items]
    result = digestbot("stories", cwd=tmp_path, stdin="\n".join([*lines, "", "{not json"]))
    assert result.returncode == 2
    assert "line 5" in result.stderr and "Traceback" not in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [i["id"] for i in items]
    assert len({o["story"] for o in out}) == 1 and set(out[0]) == {"id", "story"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1]", "expected a JSON object"),
        ('{"title": "x"}', 'missing "id"'),
        ('{"id": 1, "title": 5}', '"title" must be a string'),
        ('{"id": 1}', "both empty"),
        ('{"id": 1, "title": "x", "published": "soon"}', "ISO 8601"),
    ],
)
def test_bad_lines_name_the_problem(line: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        stories_stream(io.StringIO(line), io.StringIO())


def document(item: dict[str, str]) -> _Document:
    return page_document(
        f"https://{item['id']}.example/",
        title=item["title"],
        text=item["text"],
        published_at=at(item["published"]),
    )


async def test_ingest_stores_outlets_of_one_event_as_one_story_with_the_reason(
    session: AsyncSession,
) -> None:
    items = [i for i in roundups() if i["story"] in ("allsides-5841", "allsides-5836")]
    for n, item in enumerate(items):  # stored as they came out: the second event a day later
        stored = await store_document(
            session,
            document(item),
            feed_id=None,
            guid=None,
            source=item["source"],
            now=at(item["published"]) + timedelta(minutes=n),
        )
        assert stored is not None
    await session.commit()
    rows = {a.canonical_url: a for a in (await session.exec(select(Article))).all()}
    by_event: dict[str, set[int | None]] = {}
    for item in items:
        by_event.setdefault(item["story"], set()).add(rows[document(item).canonical_url].story_id)
    assert all(len(ids) == 1 for ids in by_event.values())
    assert len(set.union(*by_event.values())) == 2
    joined = [a for a in rows.values() if a.story_why and '"report"' in a.story_why]
    assert len(joined) == 4 and all((a.story_similarity or 0) >= 0.23 for a in joined)
    assert all(a.story_terms for a in rows.values())

    # Re-clustering the stored articles gives the same grouping (new story rows).
    now = at(items[-1]["published"]) + timedelta(hours=1)
    assert await rebuild_stories(session, since=now - timedelta(days=3), now=now) == 2
    await session.commit()
    rows = {a.canonical_url: a for a in (await session.exec(select(Article))).all()}
    assert len({a.story_id for a in rows.values()}) == 2

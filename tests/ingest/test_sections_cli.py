"""`digestbot classify` (JSONL in, sections out, in order; bad lines like `summarize`) and
`digestbot sections backfill` (articles stored before the classifier get their sections)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.support.cli import Invoke, cli
from tests.support.cli import run_here as digestbot
from tests.support.languages import DE

__all__ = ["cli"]

SPORT = (
    "Striker scores twice as United win the derby",
    "The forward headed in the opener before half-time and added a penalty late on.",
)


def test_classify_writes_sections_in_input_order(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "title": SPORT[0], "text": SPORT[1]}),
        "",
        json.dumps({"id": 7, "title": "Apple launches a new iPhone", "text": ""}),
        json.dumps({"id": "none", "title": "", "text": ""}),
    ]
    result = digestbot("classify", cwd=tmp_path, stdin="\n".join(lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["id"] for item in out] == ["a", 7, "none"]
    assert all(set(item) == {"id", "sections"} for item in out)
    assert out[0]["sections"][0]["name"] == "sport"
    assert out[1]["sections"][0]["name"] == "technology"
    assert out[2]["sections"] == []
    for item in out:
        scores = [s["score"] for s in item["sections"]]
        assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_classify_bad_line_stops_with_its_number(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "a", "title": SPORT[0]}), "[1, 2]", json.dumps({"id": "b"})]
    result = digestbot("classify", cwd=tmp_path, stdin="\n".join(lines))
    assert result.returncode == 2
    assert result.stderr == "digestbot: line 2: expected a JSON object\n"
    assert len(result.stdout.splitlines()) == 1  # the good line before it was written
    for bad, message in [
        ("{oops", "line 1: not valid JSON"),
        (json.dumps({"title": "x"}), 'line 1: missing "id"'),
        (json.dumps({"id": 1, "text": 5}), 'line 1: "text" must be a string'),
    ]:
        result = digestbot("classify", cwd=tmp_path, stdin=bad)
        assert result.returncode == 2 and message in result.stderr
        assert "Traceback" not in result.stderr


def _ingested(tmp_path: Path, cli: Invoke, title: str, text: str) -> sqlite3.Connection:
    """The CLI's database after `digestbot ingest` of a text file with this title and text."""
    story = tmp_path / "story.txt"
    story.write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    result = cli("ingest", str(story))
    assert result.returncode == 0, result.stderr
    return sqlite3.connect(tmp_path / "cli.db")


def test_backfill_classifies_articles_stored_before(tmp_path: Path, cli: Invoke) -> None:
    database = _ingested(tmp_path, cli, *SPORT)
    assert database.execute("SELECT section FROM article_section").fetchall() == [("sport",)]
    database.execute("DELETE FROM article_section")  # as if stored before the classifier
    database.commit()
    result = cli("sections", "backfill")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "classified 1 articles: 1 in at least one section"
    assert database.execute("SELECT section FROM article_section").fetchall() == [("sport",)]
    again = cli("sections", "backfill")
    assert again.stdout.strip() == "classified 0 articles: 0 in at least one section"


def test_backfill_leaves_articles_in_other_languages_without_a_section(
    tmp_path: Path, cli: Invoke
) -> None:
    """The English model gives a German article no section, at ingest and in the backfill
    (which reads the stored language), rather than a guess from its few English-like words."""
    database = _ingested(tmp_path, cli, "Neues Klimaschutzgesetz beschlossen", DE)
    assert database.execute("SELECT language FROM article").fetchall() == [("de",)]
    assert database.execute("SELECT section FROM article_section").fetchall() == []
    result = cli("sections", "backfill")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "classified 1 articles: 0 in at least one section"

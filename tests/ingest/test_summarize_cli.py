"""`digestbot summarize`: JSONL in, JSONL out, in order; bad input is one clear line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_here as digestbot

ARTICLE = (
    "( cnn ) the council approved a flood barrier on monday . it will protect 3,000 homes . "
    "the vote ended ten years of delays . building starts next spring . residents welcomed it ."
)


def test_summaries_in_input_order(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "article": ARTICLE}),
        "",
        json.dumps({"id": 7, "article": "One short sentence here.", "title": "Short"}),
        json.dumps({"id": "c", "article": ""}),
    ]
    result = digestbot("summarize", "--sentences", "2", cwd=tmp_path, stdin="\n".join(lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item["id"] for item in out] == ["a", 7, "c"]
    first = out[0]["summary"].split("\n")
    assert len(first) == 2 and all(sentence in ARTICLE for sentence in first)
    assert out[1]["summary"] == "One short sentence here."
    assert out[2]["summary"] == ""
    assert set(out[0]) == {"id", "summary"}


def test_default_is_three_sentences(tmp_path: Path) -> None:
    result = digestbot("summarize", cwd=tmp_path, stdin=json.dumps({"id": 1, "article": ARTICLE}))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["summary"].split("\n")) == 3


def test_a_bad_line_stops_with_its_number(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "a", "article": ARTICLE}), "{not json", json.dumps({"id": "b"})]
    result = digestbot("summarize", cwd=tmp_path, stdin="\n".join(lines))
    assert result.returncode == 2
    assert result.stderr.startswith("digestbot: line 2: not valid JSON")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 1  # the good line before it was written
    missing = digestbot("summarize", cwd=tmp_path, stdin=json.dumps({"id": "b"}))
    assert missing.returncode == 2 and 'line 1: "article" must be a string' in missing.stderr


def test_bad_sentence_count_is_refused(tmp_path: Path) -> None:
    result = digestbot("summarize", "--sentences", "0", cwd=tmp_path, stdin="")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr

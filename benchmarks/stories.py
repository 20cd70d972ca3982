"""Cross-outlet story clustering on ../shared/eval/stories/ (BASIL 300, AllSides 2021).

Each set is fed in `published` order through the online clustering ingest uses
(`ingest.stories.StoryIndex`) and through today's method before it (`ingest.dedup` word
MinHash, window 3 days, threshold 0.3). Reported: pairwise precision / recall / F1 and
B-cubed F1, on each set's tune half and held-out half (events split by a hash of the `story`
id; thresholds were tuned on the tune halves only, `--tune` repeats that search: the lead
threshold, then the full-text route's threshold, decay and event floor, then the floors a lead
match between two full texts needs (their whole texts', their leads' beyond the cast), each
full-text setting also on BASIL's tune half with its events crowded a day and half a day
apart), and
articles per second. Then the per-article cost against a store of 5,000 and 50,000 recent
articles (synthesised by recombining BBC corpus paragraphs, all inside the story window), for
title-and-lead articles (300 of AllSides) and full texts (BASIL's 300), in wall-clock and CPU
milliseconds.

    .venv/bin/python benchmarks/stories.py [--tune] [--skip-cost]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from ingest import dedup
from ingest.stories import StoryIndex, features

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = ("basil_300", "allsides_2021")
Item = dict[str, str]


def load(name: str) -> list[Item]:
    with (EVAL / "stories" / f"{name}.jsonl").open() as lines:
        rows = [json.loads(line) for line in lines]
    return sorted(rows, key=lambda r: when(r["published"]))  # stable: file order on ties


def when(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def half(story: str) -> str:
    return "tune" if hashlib.sha1(story.encode()).digest()[0] % 2 == 0 else "held-out"


def ours(items: Sequence[Item], **settings: float) -> list[int]:
    """Our clustering; `settings` override `StoryIndex`'s thresholds and decays (--tune)."""
    index = StoryIndex(**settings)  # type: ignore[arg-type]
    return [
        index.assign(features(i["title"], i["text"]), when(i["published"])).story for i in items
    ]


def minhash(items: Sequence[Item]) -> list[int]:
    """Today's method, as `ingest.dedup.find_story` applies it, on an in-memory window."""
    signatures: list[bytes] = []
    times: list[float] = []
    labels: list[int] = []
    for number, item in enumerate(items):
        at = when(item["published"]).timestamp()
        mine = dedup._decode(dedup.signature(item["title"], item["text"]))
        label = number
        if mine is not None and signatures:
            matrix = np.frombuffer(b"".join(signatures), dtype=np.uint8).reshape(-1, 48)
            current = np.array(times) >= at - dedup.STORY_WINDOW.total_seconds()
            equal = (matrix == np.frombuffer(mine, dtype=np.uint8)[None, :]).mean(axis=1)
            scores = np.where(current, (equal - 1 / 256) / (1 - 1 / 256), -1.0)
            best = int(np.argmax(scores))
            if scores[best] >= dedup.STORY_THRESHOLD:
                label = labels[best]
        if mine is not None:
            signatures.append(mine)
            times.append(at)
        labels.append(label)
    return labels


def scores(truth: Sequence[str], predicted: Sequence[int]) -> dict[str, float]:
    """Pairwise precision / recall / F1 and B-cubed F1."""
    pairs_true = pairs_pred = pairs_both = 0
    for a, b in itertools.combinations(range(len(truth)), 2):
        same_true = truth[a] == truth[b]
        same_pred = predicted[a] == predicted[b]
        pairs_true += same_true
        pairs_pred += same_pred
        pairs_both += same_true and same_pred
    precision = pairs_both / pairs_pred if pairs_pred else 1.0
    recall = pairs_both / pairs_true if pairs_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_true: dict[str, set[int]] = defaultdict(set)
    by_pred: dict[int, set[int]] = defaultdict(set)
    for n, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        by_true[t].add(n)
        by_pred[p].add(n)
    bp = br = 0.0
    for t, p in zip(truth, predicted, strict=True):
        both = len(by_true[t] & by_pred[p])
        bp += both / len(by_pred[p])
        br += both / len(by_true[t])
    bp, br = bp / len(truth), br / len(truth)
    return {"P": precision, "R": recall, "F1": f1, "B3F1": 2 * bp * br / (bp + br)}


def evaluate(items: Sequence[Item], labels: Sequence[int]) -> dict[str, dict[str, float]]:
    """Scores on each half's articles (clustered together in one stream) and on all."""
    result = {}
    for part in ("tune", "held-out", "all"):
        chosen = [n for n, i in enumerate(items) if part in ("all", half(i["story"]))]
        result[part] = scores([items[n]["story"] for n in chosen], [labels[n] for n in chosen])
    return result


def line(name: str, method: str, figures: dict[str, dict[str, float]], rate: float) -> str:
    parts = [
        f"{part}: P {f['P']:.3f} R {f['R']:.3f} F1 {f['F1']:.3f} B3F1 {f['B3F1']:.3f}"
        for part, f in figures.items()
    ]
    return f"{name:14} {method:8} " + " | ".join(parts) + f" | {rate:,.0f} art/s"


def timed(method: Callable[[Sequence[Item]], list[int]], items: Sequence[Item]) -> tuple:
    start = time.perf_counter()
    labels = method(items)
    return labels, len(items) / (time.perf_counter() - start)


def tune(data: dict[str, list[Item]]) -> None:
    """Thresholds on the tune halves only: the lead threshold, then the full-text threshold,
    decay and event floor, then the lead route's floors between full texts (F1 with precision
    ≥ 0.95 on both; the full-text pick is one whose neighbours in the grid keep that precision
    too, since one wrong merge moves BASIL's by 0.06). The tune halves hold few different
    events of the same people within days of each other, so each full-text setting is also run
    on BASIL's tune half with its events moved a day and half a day apart (`crowded`): the
    precision there is the margin against merging another event of the same cast."""
    grid: list[dict[str, float]] = [{"threshold": x / 100} for x in range(14, 40, 3)]
    grid += [
        {"body_threshold": t, "body_decay_days": d, "body_event_floor": 0.0}
        for d in (2.0, 4.0, 8.0)
        for t in (0.20, 0.22, 0.25, 0.28, 0.30)
    ]
    grid += [
        {"body_threshold": t, "body_event_floor": f}
        for t in (0.22, 0.25)
        for f in (0.03, 0.05, 0.08, 0.10, 0.12)
    ]
    grid += [
        {"lead_text_floor": f, "lead_event_floor": 0.0} for f in (0.0, 0.10, 0.12, 0.15, 0.18, 0.20)
    ]
    grid += [
        {"lead_text_floor": 0.0, "lead_event_floor": f} for f in (0.02, 0.03, 0.04, 0.05, 0.06)
    ]
    grid += [{"lead_text_floor": 0.15, "lead_event_floor": f} for f in (0.03, 0.04, 0.05)]
    basil = [i for i in data["basil_300"] if half(i["story"]) == "tune"]
    for settings in grid:
        row = []
        for name, items in data.items():
            part = [i for i in items if half(i["story"]) == "tune"]
            f = scores([i["story"] for i in part], ours(part, **settings))
            row.append(f"{name} P {f['P']:.3f} R {f['R']:.3f} F1 {f['F1']:.3f}")
        if "body_threshold" in settings or "lead_text_floor" in settings:
            for gap in (1.0, 0.5):
                moved = crowded(basil, gap)
                f = scores([i["story"] for i in moved], ours(moved, **settings))
                row.append(f"crowded {gap:g}d P {f['P']:.3f} R {f['R']:.3f}")
        label = " ".join(f"{key} {value:.2f}" for key, value in settings.items())
        print(f"{label}: " + " | ".join(row), flush=True)


def crowded(items: Sequence[Item], gap_days: float) -> list[Item]:
    """The events moved `gap_days` apart in their order (each article keeps its delay after
    its event's first), so the window holds several events, often of the same people."""
    first: dict[str, datetime] = {}
    for item in items:
        first.setdefault(item["story"], when(item["published"]))
    order = {story: n for n, story in enumerate(sorted(first, key=first.__getitem__))}
    start = min(first.values())
    moved = [
        {
            **item,
            "published": (
                start
                + timedelta(days=gap_days * order[item["story"]])
                + (when(item["published"]) - first[item["story"]])
            ).isoformat(),
        }
        for item in items
    ]
    return sorted(moved, key=lambda r: when(r["published"]))


def background(size: int, end: datetime) -> list[tuple[str, str, datetime]]:
    """`size` distinct articles recombined from BBC paragraphs, spread over the window."""
    rng = random.Random(20261130)
    with (EVAL / "corpus" / "bbc_news_2225.jsonl").open() as lines:
        bbc = [json.loads(line) for line in lines]
    paragraphs = [p for row in bbc for p in row["article"].split("\n\n") if len(p) > 80]
    window = StoryIndex().window.total_seconds() * 0.95
    result = []
    for n in range(size):
        title = bbc[rng.randrange(len(bbc))]["title"]
        text = "\n\n".join(rng.sample(paragraphs, 3))
        at = end - timedelta(seconds=window * (1 - n / size))
        result.append((title, text, at))
    return result


def cost(probes: Mapping[str, Sequence[Item]], size: int) -> dict[str, tuple[float, float]]:
    """Milliseconds per article once the store holds `size` recent articles: for each probe
    set ours (wall clock and CPU time: the machine is shared, CPU time is what one article
    costs), and today's MinHash (wall clock, "minhash" row)."""
    end = datetime(2026, 11, 30, tzinfo=UTC)
    store = background(size, end)
    index = StoryIndex()
    for title, text, at in store:
        index.assign(features(title, text), at)
    result: dict[str, tuple[float, float]] = {}
    for name, probe in probes.items():
        start, cpu = time.perf_counter(), time.process_time()
        for n, item in enumerate(probe):
            index.assign(features(item["title"], item["text"]), end + timedelta(seconds=n))
        wall = (time.perf_counter() - start) * 1000 / len(probe)
        result[name] = (wall, (time.process_time() - cpu) * 1000 / len(probe))
    first = next(iter(probes.values()))
    sigs = [dedup._decode(dedup.signature(t, x)) or b"" for t, x, _ in store]
    matrix = np.frombuffer(b"".join(sigs), dtype=np.uint8).reshape(-1, 48)
    start = time.perf_counter()
    for item in first:
        sig = dedup._decode(dedup.signature(item["title"], item["text"])) or bytes(48)
        equal = (matrix == np.frombuffer(sig, dtype=np.uint8)[None, :]).mean(axis=1)
        int(np.argmax(equal))
    result["minhash"] = ((time.perf_counter() - start) * 1000 / len(first), 0.0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true", help="print the threshold search")
    parser.add_argument("--skip-cost", action="store_true", help="no 5,000/50,000 store runs")
    args = parser.parse_args()
    data = {name: load(name) for name in SETS}
    if args.tune:
        tune(data)
        return
    summary: dict[str, float] = {}
    for name, items in data.items():
        for method_name, method in (("minhash", minhash), ("stories", ours)):
            labels, rate = timed(method, items)
            figures = evaluate(items, labels)
            print(line(name, method_name, figures, rate))
            if method_name == "stories":
                key = name.split("_")[0]
                summary[f"{key}_heldout_p"] = figures["held-out"]["P"]
                summary[f"{key}_heldout_r"] = figures["held-out"]["R"]
                summary[f"{key}_rate"] = rate
    if not args.skip_cost:
        probes = {"lead": data["allsides_2021"][:300], "full": data["basil_300"]}
        for size in (5_000, 50_000):
            ms = cost(probes, size)
            (mine, mine_cpu), (full, full_cpu) = ms["lead"], ms["full"]
            print(
                f"store {size:>6,}: stories {mine:.2f} ms/article (CPU {mine_cpu:.2f}), "
                f"full text {full:.2f} ms/article (CPU {full_cpu:.2f}), "
                f"minhash {ms['minhash'][0]:.2f} ms/art."
            )
            summary[f"ms_{size // 1000}k"] = mine
            summary[f"ms_{size // 1000}k_full"] = full
            summary[f"cpu_ms_{size // 1000}k_full"] = full_cpu
    print(" ".join(f"{key}={value:.3f}" for key, value in summary.items()))


if __name__ == "__main__":
    main()

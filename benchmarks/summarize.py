"""Summary quality and speed on ../shared/eval/summarization/cnndm_dev500.jsonl.

ROUGE-1/2/L (and Lsum) F1 × 100 with Google's rouge-score, Porter stemming on, for our
3-sentence extractive summaries and for lead-3 (the first three sentences, computed here with
the same sentence splitter), plus our speed in articles per second on one core. Also the
300-character summaries the bot stores, against lead under the same budget.

The ranking weights in `ingest.summarize.Weights` were tuned on the first 250 articles only
(`--tune` repeats that coordinate search); the figures reported are on all 500 and on the
held-out 250. The title weight is untuned (CNN/DM items have no title).

    .venv/bin/python benchmarks/summarize.py [--data FILE] [--sentences 3] [--tune]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rouge_score import rouge_scorer

from ingest.summarize import DEFAULT_WEIGHTS, Weights, select_sentences, summarize
from ingest.text import split_sentences

DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "eval" / "summarization" / "cnndm_dev500.jsonl"
)
METRICS = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def score(scorer: Any, items: list[dict[str, str]], summaries: list[list[str]]) -> dict[str, float]:
    totals: dict[str, list[float]] = {m: [] for m in METRICS}
    for item, chosen in zip(items, summaries, strict=True):
        result = scorer.score(item["summary"], "\n".join(chosen))
        for metric in METRICS:
            totals[metric].append(100 * result[metric].fmeasure)
    return {metric: statistics.mean(values) for metric, values in totals.items()}


def ours(items: list[dict[str, str]], n: int, weights: Weights) -> list[list[str]]:
    return [select_sentences(item["article"], n=n, weights=weights) for item in items]


def lead(items: list[dict[str, str]], n: int) -> list[list[str]]:
    return [split_sentences(item["article"])[:n] for item in items]


def lead_within(items: list[dict[str, str]], budget: int) -> list[list[str]]:
    """Lead under a budget: up to three sentences in document order, skipping any that would
    overflow (the first sentence is always taken)."""
    result = []
    for item in items:
        chosen: list[str] = []
        for sentence in split_sentences(item["article"]):
            if len(chosen) == 3:
                break
            if not chosen or len(" ".join([*chosen, sentence])) <= budget:
                chosen.append(sentence)
        result.append(chosen)
    return result


def budgeted(items: list[dict[str, str]], budget: int) -> list[list[str]]:
    return [split_sentences(summarize(item["article"], max_chars=budget)) for item in items]


def line(name: str, scores: dict[str, float]) -> str:
    return f"{name:<28} " + " ".join(f"{scores[m]:6.2f}" for m in METRICS)


def tune(scorer: Any, items: list[dict[str, str]], n: int) -> Weights:
    """Coordinate search over a few weights, on `items` only (the tuning half)."""
    grid: dict[str, list[Any]] = {
        "lead": [1.5, 2.0, 2.5, 3.0, 4.0],
        "decay": [0.1, 0.2, 0.3, 0.45, 0.6],
        "backward": [-0.6, -0.3, 0.0, 0.3],
        "threshold": [0.0, 0.1, 0.3],
        "short_words": [0, 4, 6, 8],
        "long_words": [50, 60, 80, 200],
        "length_penalty": [0.0, 0.1, 0.2, 0.4],
        "target_words": [15, 20, 25, 30],
    }
    best = DEFAULT_WEIGHTS
    best_score = sum(score(scorer, items, ours(items, n, best))[m] for m in METRICS[:3])
    for _round, (field, values) in itertools.product(range(2), grid.items()):
        for value in values:
            candidate = replace(best, **{field: value})
            total = sum(score(scorer, items, ours(items, n, candidate))[m] for m in METRICS[:3])
            if total > best_score + 1e-9:
                best, best_score = candidate, total
                print(f"  {field}={value}: R1+R2+RL={total:.2f}", flush=True)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--tune", action="store_true", help="search weights on the first half")
    args = parser.parse_args()
    items = [json.loads(row) for row in args.data.read_text(encoding="utf-8").splitlines() if row]
    scorer = rouge_scorer.RougeScorer(METRICS, use_stemmer=True)
    n = args.sentences
    half = len(items) // 2
    weights = DEFAULT_WEIGHTS
    if args.tune:
        weights = tune(scorer, items[:half], n)
        print(f"tuned on the first {half}: {weights}")

    ours(items[:20], n, weights)  # warm up: imports, caches
    started = time.process_time()
    summaries = ours(items, n, weights)
    elapsed = time.process_time() - started
    per_second = len(items) / elapsed if elapsed else float("inf")

    ours_all = score(scorer, items, summaries)
    lead_all = score(scorer, items, lead(items, n))
    ours_held = score(scorer, items[half:], summaries[half:])
    lead_held = score(scorer, items[half:], lead(items[half:], n))
    print(f"articles: {len(items)} from {args.data.name}; {n} sentences")
    print(f"{'':<28} " + " ".join(f"{m:>6}"[-6:] for m in ["R1", "R2", "RL", "RLsum"]))
    print(line("ours, all", ours_all))
    print(line(f"lead-{n}, all", lead_all))
    print(line(f"ours, held-out {len(items) - half}", ours_held))
    print(line(f"lead-{n}, held-out {len(items) - half}", lead_held))
    budget = 300
    ours_budget = score(scorer, items, budgeted(items, budget))
    lead_budget = score(scorer, items, lead_within(items, budget))
    print(line(f"ours, {budget} chars, all", ours_budget))
    print(line(f"lead within {budget} chars", lead_budget))
    print(f"speed: {per_second:.0f} articles/s on one core (CPU time)")
    print(
        f"articles={len(items)} rouge1={ours_all['rouge1']:.2f} rouge2={ours_all['rouge2']:.2f} "
        f"rougeL={ours_all['rougeL']:.2f} rougeLsum={ours_all['rougeLsum']:.2f} "
        f"lead3_rouge1={lead_all['rouge1']:.2f} lead3_rouge2={lead_all['rouge2']:.2f} "
        f"lead3_rougeL={lead_all['rougeL']:.2f} lead3_rougeLsum={lead_all['rougeLsum']:.2f} "
        f"heldout_rouge1={ours_held['rouge1']:.2f} heldout_lead3_rouge1={lead_held['rouge1']:.2f} "
        f"budget300_rouge1={ours_budget['rouge1']:.2f} "
        f"budget300_lead_rouge1={lead_budget['rouge1']:.2f} articles_per_s={per_second:.0f}"
    )


if __name__ == "__main__":
    main()

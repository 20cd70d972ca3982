"""Summary quality and speed on ../shared/eval/summarization/cnndm_dev500.jsonl.

ROUGE-1/2/L (and Lsum) F1 × 100 with Google's rouge-score, Porter stemming on, for our
3-sentence extractive summaries and for lead-3 (the first three sentences, computed here with
the same sentence splitter), plus our speed in articles per second on one core. Also the
300-character summaries the bot stores, against lead under the same budget.

Nothing is tuned here: the sentence scorer (`ingest/models/summarizer.json`) is trained and its
settings cross-validated on `cnndm_train5000.jsonl` only, by `training/train_summarizer.py`
(`--tune` runs that script). Every dev article is unseen; the second half is also reported
apart, for comparison with earlier figures.

    .venv/bin/python benchmarks/summarize.py [--data FILE] [--sentences 3] [--tune]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rouge_score import rouge_scorer

from ingest.summarize import select_sentences, summarize
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


def ours(items: list[dict[str, str]], n: int) -> list[list[str]]:
    return [select_sentences(item["article"], n=n) for item in items]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument(
        "--tune",
        action="store_true",
        help="first retrain the model on the training file (training/train_summarizer.py)",
    )
    args = parser.parse_args()
    items = [json.loads(row) for row in args.data.read_text(encoding="utf-8").splitlines() if row]
    scorer = rouge_scorer.RougeScorer(METRICS, use_stemmer=True)
    n = args.sentences
    half = len(items) // 2
    if args.tune:
        script = Path(__file__).resolve().parents[1] / "training" / "train_summarizer.py"
        subprocess.run([sys.executable, str(script)], check=True)
        print("retrained: run this benchmark again to measure the new model")
        return

    ours(items[:20], n)  # warm up: imports, caches
    started = time.process_time()
    summaries = ours(items, n)
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
    print(line(f"ours, second {len(items) - half}", ours_held))
    print(line(f"lead-{n}, second {len(items) - half}", lead_held))
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

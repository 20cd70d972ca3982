"""Extraction quality on ../shared/eval/extraction with the benchmark's own metric.

Word 4-gram shingles of the extracted text against the ground truth's `articleBody`: per page
precision and recall (counts normalised per page), averaged over pages; F1 from the averages.
An empty extraction scores 0 recall for its page (and does not count towards precision).
Compares trafilatura alone (same settings, no cleaning) with our `extract_page` (cleaned).

    .venv/bin/python benchmarks/extraction.py [--data ../shared/eval/extraction] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.extract import extract_page, extract_raw

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "extraction"
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_scores(truth: str, predicted: str) -> tuple[float | None, float | None]:
    """(precision, recall) of one page; None where the benchmark leaves the page out."""
    want, got = shingles(truth), shingles(predicted)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    if fp == fn == 0:
        return 1.0, 1.0
    precision = None if tp + fp == 0 else tp / (tp + fp)
    recall = None if tp + fn == 0 else tp / (tp + fn)
    return precision, recall


def evaluate(
    pages: dict[str, tuple[bytes, str, str]], extractor: Callable[[bytes, str], str]
) -> dict[str, float]:
    precisions: list[float] = []
    recalls: list[float] = []
    started = time.perf_counter()
    for html, url, truth in pages.values():
        precision, recall = page_scores(truth, extractor(html, url))
        if precision is not None:
            precisions.append(precision)
        if recall is not None:
            recalls.append(recall)
    elapsed = time.perf_counter() - started
    p, r = statistics.mean(precisions), statistics.mean(recalls)
    return {
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "precision": p,
        "recall": r,
        "ms_per_page": 1000 * elapsed / len(pages),
    }


def ours(html: bytes, url: str) -> str:
    page = extract_page(html, url=url)
    return page.text if page is not None else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--show-losses", action="store_true", help="pages where cleaning costs")
    args = parser.parse_args()
    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    pages: dict[str, tuple[bytes, str, str]] = {}
    for key in sorted(truth):
        path = args.data / "html" / f"{key}.html.gz"
        if path.exists():
            pages[key] = (
                gzip.decompress(path.read_bytes()),
                truth[key].get("url", ""),
                truth[key]["articleBody"],
            )
        if args.limit and len(pages) >= args.limit:
            break

    extract_page(next(iter(pages.values()))[0])  # warm up imports and lazy models
    alone = evaluate(pages, lambda html, url: extract_raw(html, url=url))
    cleaned = evaluate(pages, ours)
    print(f"pages: {len(pages)} from {args.data}")
    print(f"{'extractor':<34} {'F1':>6} {'P':>6} {'R':>6} {'ms/page':>8}")
    for name, scores in (
        ("trafilatura alone (precision mode)", alone),
        ("digestbot extract_page", cleaned),
    ):
        print(
            f"{name:<34} {scores['f1']:6.3f} {scores['precision']:6.3f} "
            f"{scores['recall']:6.3f} {scores['ms_per_page']:8.1f}"
        )
    if args.show_losses:
        for key, (html, url, body) in pages.items():
            raw_p, raw_r = page_scores(body, extract_raw(html, url=url))
            new_p, new_r = page_scores(body, ours(html, url))
            if (new_r or 0) < (raw_r or 0) - 0.005:
                print(
                    f"loss {key[:12]} recall {raw_r:.3f} -> {new_r:.3f} "
                    f"precision {raw_p} -> {new_p}"
                )
    print(
        f"pages={len(pages)} f1={cleaned['f1']:.4f} precision={cleaned['precision']:.4f} "
        f"recall={cleaned['recall']:.4f} ms_per_page={cleaned['ms_per_page']:.1f} "
        f"trafilatura_f1={alone['f1']:.4f} trafilatura_precision={alone['precision']:.4f} "
        f"trafilatura_recall={alone['recall']:.4f} "
        f"trafilatura_ms_per_page={alone['ms_per_page']:.1f}"
    )


if __name__ == "__main__":
    main()

"""Cleaning quality on real pages: l3s-gn1 (labelled blocks), readability (expected article and
title) and extraction (expected article body), trafilatura alone beside digestbot's cleaning.

Every set is split deterministically by a hash of its site (l3s-gn1: the page's host) or page
id into a tune half and a held-out half; cleaning may be tuned on the tune half only, and the
goals must hold on the held-out half. Both halves are printed.

- l3s-gn1: every text block of `annotated/<id>.html.gz` is labelled (1 headline, 2 full text,
  3 supplemental, 4 related, 5 comments, anything else boilerplate). A block counts as kept by
  the share of its word 3-grams found in the extracted text (short blocks: found as a whole).
  recall = full-text words kept / full-text words; boilerplate = kept words of other labels
  (3-grams not also in the headline or full text) / all kept words. Summed over pages.
  title = the headline block starts with our title (case, whitespace, punctuation folded).
- readability: word 4-gram shingle F1 of the text against `expected.html` read as UTF-8 (the
  extraction benchmark's metric, `benchmarks/extraction.py`), and the share of titles equal to
  `expected-metadata.json`'s title, case and whitespace folded ("title"). Readability's
  expected title sometimes keeps the site's name ("… | eHow", "… [LWN.net]"), which
  digestbot removes on purpose; "site" also counts a title as equal when the expected one
  is it plus segments at its start or end, after a spaced separator (| - – — · : :: » / ~)
  or in a closing [brackets], of four words in all at most (`site_folded_equal`).
- extraction: the same shingle F1 against `articleBody`.

    .venv/bin/python benchmarks/cleaning.py [--data ../shared/eval] [--limit N] [--sets a,b]
        [--show] [--half tune]   # while tuning: the tune half only, its misses with --show
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.append(str(Path(__file__).resolve().parent))

from extraction import page_scores  # the extraction benchmark's own metric

from ingest.extract import extract_page, extract_raw, raw_title

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval"
_TOKEN = re.compile(r"\w+", re.UNICODE)
_LABEL = re.compile(r"\bx-nc-sel(\d)\b")
_SKIP = frozenset({"script", "style", "noscript", "title", "head", "textarea"})
GOOD = frozenset({1, 2})
PARTS = ("tune", "held-out")  # the halves, in table order
ONLY_HALF: str | None = None  # `--half`: the other half is skipped
T = TypeVar("T")

Extractor = Callable[[bytes, str], tuple[str, str]]  # (title, text)


def half(key: str) -> str:
    """ "tune" or "held-out", fixed by the key's hash."""
    return "tune" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "held-out"


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def fold_words(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold()))


_SEPARATOR = r"\s+[|\-–—·:»/~]{1,2}\s+"
_ADDED_AFTER = re.compile(rf"(?:{_SEPARATOR}|\s+\[)")
_ADDED_BEFORE = re.compile(rf"{_SEPARATOR}$")
SITE_WORDS = 4


def site_folded_equal(got: str, want: str) -> bool:
    """`got` equals `want`, or `want` is `got` with a site name or section added: `want` =
    `got` + spaced separator (or " [") + at most `SITE_WORDS` words, or at most that many
    words + spaced separator + `got`. Case and whitespace folded."""
    got, want = fold(got), fold(want)
    if got == want:
        return True
    if not got:
        return False
    if want.startswith(got):
        added = want[len(got) :]
        shaped = _ADDED_AFTER.match(added) is not None
    elif want.endswith(got):
        added = want[: -len(got)]
        shaped = _ADDED_BEFORE.search(added) is not None
    else:
        return False
    return shaped and len(_TOKEN.findall(added)) <= SITE_WORDS


# --- extractors -----------------------------------------------------------------------------


def ours(html: bytes, url: str) -> tuple[str, str]:
    page = extract_page(html, url=url)
    return (page.title, page.text) if page is not None else ("", "")


def trafilatura_alone(html: bytes, url: str) -> tuple[str, str]:
    return raw_title(html, url=url), extract_raw(html, url=url)


# --- l3s-gn1 --------------------------------------------------------------------------------


def labelled_blocks(annotated: bytes) -> list[tuple[int, list[str]]]:
    """The page's text as (label, tokens) runs, in document order; label 0 = boilerplate."""
    root = lxml.html.document_fromstring(annotated)
    runs: list[tuple[int, list[str]]] = []

    def add(label: int, text: str | None) -> None:
        tokens = _TOKEN.findall((text or "").lower())
        if not tokens:
            return
        if runs and runs[-1][0] == label:
            runs[-1][1].extend(tokens)
        else:
            runs.append((label, tokens))

    def walk(element: lxml.html.HtmlElement, label: int) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            return
        match = _LABEL.search(element.get("class") or "") if tag else None
        own = int(match.group(1)) if match else label
        if tag:
            add(own, element.text)
        for child in element:
            walk(child, own)
            add(own, child.tail)

    body = root.find("body")
    walk(body if body is not None else root, 0)
    return runs


def _grams(tokens: list[str], n: int = 3) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


@dataclass
class L3sTotals:
    full_text: float = 0.0
    full_text_kept: float = 0.0
    good_kept: float = 0.0
    other_kept: float = 0.0
    titles: int = 0
    titled_pages: int = 0
    pages: int = 0
    empty: int = 0
    seconds: float = 0.0
    per_page: list[tuple[str, float, float]] = field(default_factory=list)
    title_misses: list[str] = field(default_factory=list)


def score_l3s(
    runs: list[tuple[int, list[str]]], title: str, text: str, totals: L3sTotals, key: str
) -> None:
    got_tokens = _TOKEN.findall(text.lower())
    got = set(_grams(got_tokens))
    got_joined = " " + " ".join(got_tokens) + " "
    good_grams = {g for label, tokens in runs if label in GOOD for g in _grams(tokens)}
    page_full = page_kept = page_other = page_good = 0.0
    for label, tokens in runs:
        grams = _grams(tokens)
        if label not in GOOD:
            grams = [g for g in grams if g not in good_grams]
            if not grams and len(tokens) >= 3:
                continue  # the same words as the article's: not counted as boilerplate
        if grams:
            share = sum(1 for g in grams if g in got) / len(grams)
        else:
            share = 1.0 if f" {' '.join(tokens)} " in got_joined else 0.0
        kept = share * len(tokens)
        if label == 2:
            page_full += len(tokens)
            page_kept += kept
        if label in GOOD:
            page_good += kept
        else:
            page_other += kept
    totals.full_text += page_full
    totals.full_text_kept += page_kept
    totals.good_kept += page_good
    totals.other_kept += page_other
    totals.pages += 1
    totals.empty += not text.strip()
    headline = " ".join(" ".join(tokens) for label, tokens in runs if label == 1)
    if headline:
        totals.titled_pages += 1
        # The labelled headline block often runs on into a standfirst: the title must be
        # (the start of) it, at least three words or the whole of it.
        got, want = fold_words(title), fold_words(headline)
        found = bool(got) and want.startswith(got) and (len(got.split()) >= 3 or got == want)
        totals.titles += found
        if not found:
            totals.title_misses.append(f"{key}: {title!r} != {headline[:100]!r}")
    totals.per_page.append(
        (
            key,
            page_kept / page_full if page_full else 1.0,
            page_other / max(1.0, page_good + page_other),
        )
    )


def l3s_pages(data: Path, limit: int) -> Iterator[tuple[str, str, bytes, bytes]]:
    """(id, url, original, annotated) of each page."""
    root = data / "pages" / "l3s-gn1"
    urls: dict[str, str] = {}
    for line in (root / "url-mapping.txt").read_text(encoding="utf-8").splitlines():
        key, _, url = line.partition("\t")
        urls[key.strip("<>").removeprefix("urn:uuid:")] = url.strip()
    for count, path in enumerate(sorted((root / "original").glob("*.html.gz"))):
        if limit and count >= limit:
            return
        key = path.name.removesuffix(".html.gz")
        annotated = root / "annotated" / path.name
        if annotated.exists():
            yield (
                key,
                urls.get(key, ""),
                gzip.decompress(path.read_bytes()),
                gzip.decompress(annotated.read_bytes()),
            )


class _Timed(Protocol):
    seconds: float


_T = TypeVar("_T", bound=_Timed)


def _extracted(
    results: dict[tuple[str, str], _T],
    new: Callable[[], _T],
    part: str,
    extractors: dict[str, Extractor],
    html: bytes,
    url: str,
) -> Iterator[tuple[_T, str, str]]:
    """Each extractor's title and text for one page of `part`, with its time added to the
    extractor's totals for that half (none when `--half` names the other one)."""
    if ONLY_HALF and part != ONLY_HALF:
        return
    for name, extractor in extractors.items():
        totals = results.setdefault((name, part), new())
        started = time.perf_counter()
        title, text = extractor(html, url)
        totals.seconds += time.perf_counter() - started
        yield totals, title, text


def run_l3s(
    data: Path, limit: int, extractors: dict[str, Extractor]
) -> dict[tuple[str, str], L3sTotals]:
    results: dict[tuple[str, str], L3sTotals] = {}
    for key, url, original, annotated in l3s_pages(data, limit):
        runs = labelled_blocks(annotated)
        part = half(urlsplit(url).hostname or key)
        for totals, title, text in _extracted(results, L3sTotals, part, extractors, original, url):
            score_l3s(runs, title, text, totals, key)
    return results


# --- readability and extraction -------------------------------------------------------------


@dataclass
class ShingleTotals:
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    titles: int = 0
    site_titles: int = 0  # equal with a site name or section folded (`site_folded_equal`)
    pages: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    @property
    def f1(self) -> float:
        p = statistics.mean(self.precisions) if self.precisions else 0.0
        r = statistics.mean(self.recalls) if self.recalls else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def _score(totals: ShingleTotals, truth: str, text: str) -> None:
    precision, recall = page_scores(truth, text)
    if precision is not None:
        totals.precisions.append(precision)
    if recall is not None:
        totals.recalls.append(recall)
    totals.pages += 1


def run_readability(
    data: Path, limit: int, extractors: dict[str, Extractor]
) -> dict[tuple[str, str], ShingleTotals]:
    results: dict[tuple[str, str], ShingleTotals] = {}
    folders = sorted(
        p for p in (data / "pages" / "readability").iterdir() if (p / "source.html.gz").exists()
    )
    for folder in folders[: limit or None]:
        html = gzip.decompress((folder / "source.html.gz").read_bytes())
        # UTF-8 without a declaration: lxml would read bytes as Latin-1 (mojibake).
        expected = (folder / "expected.html").read_text(encoding="utf-8")
        truth = lxml.html.fragment_fromstring(expected, create_parent="div").text_content()
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        want_title = fold(meta.get("title") or "")
        part = half(folder.name)
        for totals, title, text in _extracted(results, ShingleTotals, part, extractors, html, ""):
            _score(totals, truth, text)
            if fold(title) == want_title:
                totals.titles += 1
            else:
                totals.misses.append(f"{folder.name}: {title!r} != {meta.get('title')!r}")
            totals.site_titles += site_folded_equal(title, meta.get("title") or "")
    return results


def run_extraction(
    data: Path, limit: int, extractors: dict[str, Extractor]
) -> dict[tuple[str, str], ShingleTotals]:
    root = data / "extraction"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    results: dict[tuple[str, str], ShingleTotals] = {}
    keys = [k for k in sorted(truth) if (root / "html" / f"{k}.html.gz").exists()]
    for key in keys[: limit or None]:
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        url = truth[key].get("url", "")
        for totals, _, text in _extracted(results, ShingleTotals, half(key), extractors, html, url):
            _score(totals, truth[key]["articleBody"], text)
    return results


# --- report ---------------------------------------------------------------------------------


def _measured(
    results: Mapping[tuple[str, str], T], extractors: Iterable[str]
) -> Iterator[tuple[str, str, T, str]]:
    """Each (extractor, half, tally) measured, in table order, with the name pattern of its
    final figures (`"{}"` the data set: "trafilatura_l3s_held", "readability_tune")."""
    for name in extractors:
        for part in PARTS:
            t = results.get((name, part))
            if t is not None:
                tag = "" if name == "digestbot" else "trafilatura_"
                yield name, part, t, tag + "{}_" + ("tune" if part == "tune" else "held")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="pages per set (0: all)")
    parser.add_argument("--sets", default="l3s,readability,extraction")
    parser.add_argument("--show", action="store_true", help="worst pages and title misses")
    parser.add_argument(
        "--half", choices=PARTS, help="measure one half only (tune while tuning: no held-out peek)"
    )
    args = parser.parse_args()
    global ONLY_HALF
    ONLY_HALF = args.half
    sets = set(args.sets.split(","))
    extractors: dict[str, Extractor] = {"trafilatura": trafilatura_alone, "digestbot": ours}
    ours(b"<html><body><p>warm up the imports</p></body></html>", "")
    final: dict[str, str] = {}

    if "l3s" in sets:
        l3s = run_l3s(args.data, args.limit, extractors)
        print("l3s-gn1: full-text recall, boilerplate share of kept words, headline = title")
        print(
            f"{'extractor':<12} {'half':<9} {'pages':>5} {'recall':>7} {'boiler':>7} "
            f"{'title':>6} {'empty':>5} {'ms/pg':>6}"
        )
        for name, part, t, figure in _measured(l3s, extractors):
            recall = t.full_text_kept / t.full_text if t.full_text else 0.0
            boiler = t.other_kept / max(1.0, t.good_kept + t.other_kept)
            titles = t.titles / max(1, t.titled_pages)
            print(
                f"{name:<12} {part:<9} {t.pages:>5} {recall:7.3f} {boiler:7.3f} {titles:6.3f} "
                f"{t.empty:>5} {1000 * t.seconds / max(1, t.pages):6.1f}"
            )
            final[figure.format("l3s") + "_recall"] = f"{recall:.4f}"
            final[figure.format("l3s") + "_boilerplate"] = f"{boiler:.4f}"
            final[figure.format("l3s") + "_title"] = f"{titles:.4f}"
            if args.show and name == "digestbot":
                worst = sorted(t.per_page, key=lambda row: row[1])[:8]
                worst += sorted(t.per_page, key=lambda row: -row[2])[:8]
                for key, r, b in worst:
                    print(f"   {part} {key} recall={r:.2f} boiler={b:.2f}")
                for miss in t.title_misses:
                    print(f"   {part} title {miss}")

    for label, runner in (("readability", run_readability), ("extraction", run_extraction)):
        if label not in sets:
            continue
        results = runner(args.data, args.limit, extractors)
        print(
            f"{label}: word 4-gram shingle F1"
            + (", exact titles" if label == "readability" else "")
        )
        print(
            f"{'extractor':<12} {'half':<9} {'pages':>5} {'F1':>7} {'title':>6} {'site':>6} "
            f"{'ms/pg':>6}"
        )
        for name, part, t, figure in _measured(results, extractors):
            titles = t.titles / max(1, t.pages)
            folded = t.site_titles / max(1, t.pages)
            shown = (
                f"{titles:6.3f} {folded:6.3f}" if label == "readability" else f"{'-':>6} {'-':>6}"
            )
            print(
                f"{name:<12} {part:<9} {t.pages:>5} {t.f1:7.3f} {shown} "
                f"{1000 * t.seconds / max(1, t.pages):6.1f}"
            )
            final[figure.format(label) + "_f1"] = f"{t.f1:.4f}"
            if label == "readability":
                final[figure.format(label) + "_title"] = f"{titles:.4f}"
                final[figure.format(label) + "_title_site_folded"] = f"{folded:.4f}"
            if args.show and name == "digestbot" and label == "readability":
                for miss in t.misses:
                    print(f"   {part} title {miss}")
    print(" ".join(f"{k}={v}" for k, v in final.items()))


if __name__ == "__main__":
    main()

"""A weakly-labelled dev set for the section classifier, from other publishers than BBC.

Many news sites put an article's section in its URL (`/sport/`, `/politics/`, `/world/europe/`,
`sports.example.com`). The rule below was written before looking at any prediction: an
article gets a section when the directories of its URL (every path segment but the last, which
is the headline slug, plus the host's sub-domain labels) name exactly one of our sections; a
URL naming two different sections (`/science-and-health/`) or none gives no label, and such
articles are left out of the dev set (they may serve as unlabelled text instead). A directory
names a section when each of its words (split on anything but letters; "and" and "news"
ignored) is a name of that section below.

Sources (all in ../shared/eval, never BBC, which is the test set):
  pages/l3s-gn1      621 pages from 408 sites, Google News 2008: headline and full-text
                     blocks of the annotated page
  stories/allsides   1,479 articles from 145 outlets, 2021: title and first paragraphs
  stories/basil      300 articles (NYT, Fox News, HuffPost), 2010-2019: full text
  extraction         133 pages from many sites, 2014-2019: the reference text (no title)

The labels are weak (a site's section tree is its own, 2008 and 2021 are other decades), so
the set serves to choose among methods, not as a measure of truth. Items are split into two
halves by a hash of the id: `tune` (choose on it) and `held` (report it).
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

NAMES: dict[str, tuple[str, ...]] = {
    "world": ("world", "worldnews", "international", "intl", "global"),
    "politics": ("politics", "election", "elections", "politicsnews", "campaign"),
    "business": (
        "business",
        "money",
        "economy",
        "markets",
        "finance",
        "companies",
        "businessnews",
    ),
    "technology": ("technology", "tech", "technews", "gadgets", "personaltech"),
    "science": ("science", "space"),
    "health": ("health", "healthnews", "wellness", "medicine", "fitness"),
    "climate": ("climate", "environment", "climatechange"),
    "sport": (
        "sport",
        "sports",
        "football",
        "soccer",
        "nfl",
        "nba",
        "mlb",
        "nhl",
        "golf",
        "tennis",
        "cricket",
        "rugby",
        "olympics",
    ),
    "culture": (
        "entertainment",
        "arts",
        "art",
        "culture",
        "movies",
        "music",
        "showbiz",
        "celebrity",
        "books",
        "theater",
        "theatre",
        "film",
        "tv",
        "television",
    ),
}
_SECTION_OF = {name: section for section, names in NAMES.items() for name in names}
_IGNORED = {"and", "news"}
_WORD = re.compile(r"[a-z]+")


def section_of_url(url: str) -> str | None:
    """The one section the URL's directories name, or None (none, or several)."""
    parts = urlsplit(url.lower())
    host_labels = (parts.hostname or "").split(".")[:-2]  # sub-domains: sports.yahoo.com
    directories = [s for s in parts.path.split("/") if s][:-1]
    found = set()
    for segment in [*host_labels, *directories]:
        words = [w for w in _WORD.findall(segment) if w not in _IGNORED]
        sections = {_SECTION_OF.get(w) for w in words}
        if words and len(sections) == 1 and None not in sections:
            found |= sections
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class DevItem:
    id: str
    source: str  # l3s, allsides, basil, extraction
    url: str
    title: str
    text: str
    section: str | None  # from the URL; None: unlabelled

    @property
    def half(self) -> str:
        """`tune` or `held`, by a hash of the id."""
        digest = hashlib.sha256(self.id.encode()).digest()
        return "tune" if digest[0] % 2 == 0 else "held"


_SPAN = re.compile(r'<span class="x-nc-sel([12])">(.*?)</span>', re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def _l3s(eval_dir: Path) -> list[DevItem]:
    base = eval_dir / "pages" / "l3s-gn1"
    items = []
    for line in (base / "url-mapping.txt").read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        urn, url = line.split("\t", 1)
        uuid = urn.strip("<>").rsplit(":", 1)[-1]
        path = base / "annotated" / f"{uuid}.html.gz"
        if not path.exists():
            continue
        page = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        title: list[str] = []
        text: list[str] = []
        for kind, block in _SPAN.findall(page):
            words = " ".join(html.unescape(_TAG.sub(" ", block)).split())
            (title if kind == "1" else text).append(words)
        items.append(
            DevItem(
                f"l3s-{uuid}",
                "l3s",
                url,
                " ".join(title[:1]),
                "\n\n".join(text),
                section_of_url(url),
            )
        )
    return items


def _stories(eval_dir: Path, name: str, source: str) -> list[DevItem]:
    items = []
    with (eval_dir / "stories" / name).open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            url = row.get("url") or ""
            items.append(
                DevItem(row["id"], source, url, row["title"], row["text"], section_of_url(url))
            )
    return items


def _extraction(eval_dir: Path) -> list[DevItem]:
    truth = json.loads((eval_dir / "extraction" / "ground-truth.json").read_text("utf-8"))
    items = []
    for key, row in sorted(truth.items()):
        url = row.get("url") or ""
        body = row.get("articleBody") or ""
        item = DevItem(f"extraction-{key}", "extraction", url, "", body, section_of_url(url))
        items.append(item)
    return items


def load(eval_dir: Path) -> list[DevItem]:
    """Every item of the four sources, labelled or not."""
    return (
        _l3s(eval_dir)
        + _stories(eval_dir, "allsides_2021.jsonl", "allsides")
        + _stories(eval_dir, "basil_300.jsonl", "basil")
        + _extraction(eval_dir)
    )


def labelled(eval_dir: Path, half: str | None = None) -> list[DevItem]:
    """The items with a section from their URL (one half of them when `half` is given)."""
    return [i for i in load(eval_dir) if i.section and (half is None or i.half == half)]


def scored_sections(items: list[DevItem], minimum: int = 10) -> list[str]:
    """The sections with at least `minimum` labelled items (both halves): the ones a
    macro-average over this set can say anything about."""
    counts = {s: sum(i.section == s for i in items) for s in NAMES}
    return [s for s, n in counts.items() if n >= minimum]


def accuracy_and_macro_f1(
    items: list[DevItem], best: list[str], sections: list[str]
) -> tuple[float, float]:
    """Share of items whose best section is their URL's, and the macro-F1 over `sections`."""
    right = sum(i.section == b for i, b in zip(items, best, strict=True))
    scores = []
    for s in sections:
        tp = sum(i.section == s and b == s for i, b in zip(items, best, strict=True))
        predicted = sum(b == s for b in best)
        truth = sum(i.section == s for i in items)
        scores.append(2 * tp / (predicted + truth) if tp else 0.0)
    return right / max(1, len(items)), sum(scores) / max(1, len(scores))

"""Do stored summaries read well? Counts, per rule, the summaries that break it.

Runs `ingest.summarize.summarize` (the 300-character summary the bot stores) over real articles:
the `../shared/eval/pages/` sets after extraction (`ingest.extract.extract_page`, each page
summarised in its language as the pipeline does), the BBC corpus, and the CNN/DM dev set; then
apart, the pages in other languages than English (Readability's lorem-ipsum test pages, taken
for Latin, left out) and the short texts in other languages written for the tests. The checks
below are written here, independently of the selection code, so that they check it rather than
repeat it:

- whole: every summary sentence is a sentence of the article (or its end after a short label,
  a dateline's place, an agency's tag or a dash, `_GLUED`), and there is at least one;
- budget: at most 300 characters;
- terminal: each sentence ends with . ! ? … (or 。！？ ؟ ۔ ।) before closing quotes or brackets;
- balanced: quotation marks and brackets pair up inside each sentence;
- fragment: in normally cased text, a sentence starting with a lower-case letter;
- heading: a line in Title Case or without a verb-like word, as headings and labels are;
- boilerplate: a caption, a photo or reporting credit, a byline or a bare dateline;
- list item: a sentence starting with a bullet or an enumerator;
- comment: first person singular with no quotation mark in the sentence (a reader's
  comment, or a line from the middle of someone's quotation);
- dangling: opens with a connective or an anaphoric pronoun while the sentence before it in
  the article is not in the summary;
- repeated: two sentences that say the same (most content words shared);
- label: opens with a label of one or two capitalised words and a colon ("UPDATE: The …"), a
  dateline's place and dash ("NEW YORK - "), an agency's tag in brackets ("(AP) - Relatives …")
  or a dash: glued before the sentence, not of it;
- social: the text of an embedded social post or its credit: a tweet's link ("pic.twitter.com/…",
  "https://t.co/…"), a handle in brackets ("— Jane Doe (@jdoe) March 3, 2019"), "A post
  shared by", two hashtags or more, or a hashtag opening the sentence;
- run-on: a sentence without its subject (a verb in the past and then its object opening it,
  with no comma to end a participle clause: "Worked their socks off …"), or two run together
  (a subject pronoun in capitals right after a word in lower case: "… he had He gets up …").

    .venv/bin/python benchmarks/summary_quality.py [--limit N] [--show RULE] [--half tune]

`--half` keeps only one half of the page sets, split as `benchmarks/cleaning.py` splits them
(L3S-GN1 by the page's host, Readability by its folder): tune on the tune half, look at the
held-out half once. The BBC corpus (training data to look at) and CNN/DM dev stay whole.

The last column is the mean number of sentences in a summary (a summary that falls back to its
one complete sentence, as in a language whose sentences are not read as prose, lowers it).
The last line is `summaries=N flawed=M rate=R` over the English sets.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cleaning import half
from ingest.extract import extract_page
from ingest.summarize import summarize
from ingest.text import split_sentences, wordset
from ingest.topics import detect_language
from tests.support.languages import TEXTS

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
BUDGET = 300
RULES = (
    "whole",
    "budget",
    "terminal",
    "balanced",
    "fragment",
    "heading",
    "boilerplate",
    "list item",
    "comment",
    "dangling",
    "repeated",
    "label",
    "run-on",
    "social",
)

_CONNECTIVES = wordset(
    """but so and or yet however still instead meanwhile moreover furthermore therefore thus
    hence besides nevertheless nonetheless otherwise indeed also then"""
)
_PRONOUNS = wordset("he she it they him them his her hers its their theirs this these those")
_TIME_WORDS = wordset("year week month morning afternoon evening night weekend season time")
_CREDIT_WORDS = (
    "credit:",
    "photo:",
    "photograph:",
    "getty images",
    "©",
    "contributed to this report",
    "reporting by",
    "editing by",
    "writing by",
    "additional reporting",
    "(photo",
    "image:",
    "caption:",
    "click here",
    "scroll down",
)
_DATELINE = re.compile(
    r"^(?:by |published|updated|posted|last updated)|^\W*\d{1,2}:\d{2}\b|"
    r"^\w+ \d{1,2},? \d{4}\W*$|^\d{1,2} \w+ \d{4}\W*$",
    re.IGNORECASE,
)


# A dateline's place in capitals and its dash ("NEW YORK -", "GRANT TOWN, W.Va. (AP) -"), an
# agency's tag in brackets ("(AP) -") or a dash.
_PLACE_OR_TAG = (
    r"[A-Z][A-Z.'’-]{2,}(?: [A-Z][A-Z.'’-]+){0,3}(?:, [^-–—()]{1,20})?(?: \([^()]{2,30}\))? ?[-–—]+"
    r"|\([A-Z][^()]{0,30}\)\s*[-–—]*|[-–—]+"
)
# A label of one or two capitalised words and a colon ("UPDATE:", "NEW DELHI:"; not a speaker,
# "Smith said:"), or a place or tag, opening a sentence.
_OPENING = re.compile(rf"^(?:[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)?:|{_PLACE_OR_TAG})\s")
# What a summary may leave out before an article's sentence: up to three words and a colon,
# a place or a tag, or a place in any case with its agency ("Columbus, OH (Sports Network) -",
# "WASHINGTON (AP)").
_GLUED = re.compile(
    rf"^(?:[A-Z][^\s:]*(?: [^\s:]+){{0,2}}:|{_PLACE_OR_TAG}"
    r"|[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}(?:, [^-–—()]{1,20})? \([^()]{2,30}\)\s*[-–—]*)"
    r"\s*(?=[A-Z0-9\"“‘'])"
)


def _words(sentence: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:'[^\W_]+)?", sentence)


def _bare(sentence: str) -> str:
    return sentence.rstrip("\"'”’“»)] `」』")


def _terminal(sentence: str) -> bool:
    return _bare(sentence)[-1:] in {".", "!", "?", "…", "。", "！", "？", "؟", "۔", "।"}


def _balanced(sentence: str) -> bool:
    # German quotes „…“: the low mark opens, the English opening mark closes.
    english = sentence.replace("„", "").count("“") - sentence.count("„")
    pairs = [("(", ")"), ("[", "]"), ("«", "»"), ("``", "''")]
    if any(sentence.count(a) != sentence.count(b) for a, b in pairs):
        return False
    low = sentence.count("„")
    if low and low != sentence.count("“") + sentence.count("”"):
        return False
    if not low and english != sentence.count("”"):
        return False
    return sentence.count('"') % 2 == 0


def _heading(sentence: str, cased: bool) -> bool:
    words = _words(sentence)
    if not _terminal(sentence) and len(words) <= 15:
        return True
    if not cased:
        return False
    # Title Case: every word of four letters or more is capitalised.
    long_words = [w for w in words if len(w) >= 4 and w.isalpha()]
    return len(long_words) >= 3 and len(words) <= 12 and all(w[0].isupper() for w in long_words)


def _boilerplate(sentence: str) -> bool:
    lowered = sentence.lower()
    return (
        "|" in sentence
        or any(w in lowered for w in _CREDIT_WORDS)
        or bool(_DATELINE.search(sentence.strip()))
    )


def _social(sentence: str) -> bool:
    lowered = sentence.lower()
    if "pic.twitter.com/" in lowered or re.search(r"(?:^|[\s/(])t\.co/", lowered):
        return True
    if re.search(r"\(@\w+\)", sentence) or "a post shared by" in lowered:
        return True
    tags = [w for w in sentence.split() if w.startswith("#") and w[1:2].isalpha()]
    return len(tags) >= 2 or sentence.lstrip("\"'“‘").startswith("#")


def _list_item(sentence: str) -> bool:
    return bool(re.match(r"^\s*(?:[•·▪■►*\-–—]\s|\d{1,2}[.)]\s|[a-z]\)\s)", sentence))


def _comment(sentence: str) -> bool:
    lowered = f" {sentence.lower()} "
    first_person = re.search(r"[\s(](?:i|i'm|i 'm|my|me)[\s,.!?]", lowered)
    quoted = any(q in sentence for q in ('"', "“", "”", "``", "''", "‘", "’ "))
    return bool(first_person) and not quoted


def _opener(sentence: str) -> bool:
    words = [w.lower() for w in _words(sentence)[:2]]
    if not words:
        return False
    if words[0] in _CONNECTIVES:
        return True
    if words[0] in _PRONOUNS:
        return not (
            words[0] in {"this", "these", "those"} and words[1:2] and words[1] in _TIME_WORDS
        )
    return False


_SUBJECT_PRONOUNS = frozenset({"He", "She", "They", "We"})
_OBJECT_WORDS = wordset("the a an his her their its my our your")


def _run_on(sentence: str) -> bool:
    words = sentence.split()
    bare = [w.strip("\"'“”‘’,;:") for w in words]
    if (
        len(bare) > 2
        and "," not in sentence
        and bare[0][:1].isupper()
        and len(bare[0]) > 4
        and bare[0].endswith("ed")
        and not bare[0].endswith("eed")
        and bare[1] in _OBJECT_WORDS
    ):
        return True  # "Produced the track …": whose?
    # As the page has them: no quotation mark or colon between the two words.
    return any(
        before.removesuffix(",").isalpha()
        and before.islower()
        and word in _SUBJECT_PRONOUNS
        and after[:1].islower()
        for before, word, after in zip(words, words[1:], words[2:], strict=False)
    )


def _content(sentence: str) -> set[str]:
    return {w.lower() for w in _words(sentence) if len(w) > 3}


def flaws(text: str, summary: str) -> set[str]:
    """The rules `summary` (of `text`) breaks."""
    broken: set[str] = set()
    article = split_sentences(text)
    parts = split_sentences(summary)
    ends = {s[m.end() :] for s in article if (m := _GLUED.match(s))}

    def shown(sentence: str) -> bool:
        """Is the article's `sentence` in the summary, whole or without a glued opening?"""
        glued = _GLUED.match(sentence)
        return sentence in parts or (glued is not None and sentence[glued.end() :] in parts)

    if any(p not in article and p not in ends for p in parts):
        broken.add("whole")
    if not parts and any(
        len(_words(s)) >= 4 and _terminal(s) and _balanced(s) and s[:1].isupper() for s in article
    ):
        broken.add("whole")  # nothing shown although the article has a complete sentence
    if len(summary) > BUDGET:
        broken.add("budget")
    cased = text != text.lower()
    positions: dict[str, list[int]] = {}
    for index, sentence in enumerate(article):
        positions.setdefault(sentence, []).append(index)
    for part in parts:
        if not _terminal(part):
            broken.add("terminal")
        if not _balanced(part):
            broken.add("balanced")
        if cased and part[:1].islower():
            broken.add("fragment")
        if _heading(part, cased):
            broken.add("heading")
        if _boilerplate(part):
            broken.add("boilerplate")
        if _list_item(part):
            broken.add("list item")
        if _comment(part):
            broken.add("comment")
        if _OPENING.match(part):
            broken.add("label")
        if cased and _run_on(part):
            broken.add("run-on")
        if _social(part):
            broken.add("social")
        # A sentence the article repeats is fine if one of its places follows a chosen one.
        places = positions.get(part, [0])
        if _opener(part) and all(i > 0 and not shown(article[i - 1]) for i in places):
            broken.add("dangling")
    for i, first in enumerate(parts):
        for second in parts[i + 1 :]:
            a, b = _content(first), _content(second)
            if min(len(a), len(b)) >= 4 and len(a & b) / min(len(a), len(b)) >= 0.7:
                broken.add("repeated")
    return broken


Article = tuple[str, str, str, str | None]  # id, title, text, language (None: English)


ONLY_HALF: str | None = None  # `--half`: the pages of the other half are skipped


def _in_half(key: str) -> bool:
    return ONLY_HALF is None or half(key) == ONLY_HALF


def _hosts(directory: Path) -> dict[str, str]:
    """L3S-GN1's page file names -> their hosts (the key of its halves), from url-mapping.txt."""
    mapping = directory / "url-mapping.txt"
    if not mapping.exists():
        return {}
    hosts: dict[str, str] = {}
    for row in mapping.read_text(encoding="utf-8").splitlines():
        urn, _, url = row.partition("\t")
        key = urn.removeprefix("<urn:uuid:").removesuffix(">")
        hosts[key] = urlsplit(url).hostname or key
    return hosts


def pages(
    directory: Path, pattern: str, limit: int, *, other_languages: bool = False
) -> Iterator[Article]:
    """The pages' articles; only those in other languages than English (and Latin, which is
    lorem ipsum) when `other_languages`."""
    hosts = _hosts(directory)
    for path in sorted(directory.glob(pattern))[: limit or None]:
        # L3S-GN1 splits by host (original/<uuid>.html.gz), Readability by folder.
        key = path.name.split(".")[0] if path.parent.name == "original" else path.parent.name
        if not _in_half(hosts.get(key, key)):
            continue
        page = extract_page(gzip.decompress(path.read_bytes()))
        if page is None:
            continue
        language = page.language or detect_language(page.text)
        if not other_languages or language not in {None, "en", "la"}:
            yield str(path.relative_to(directory)), page.title, page.text, language


def written() -> Iterator[Article]:
    for language, text in sorted(TEXTS.items()):
        yield language, "", text, language


def jsonl(path: Path, limit: int, title: bool) -> Iterator[Article]:
    with path.open(encoding="utf-8") as rows:
        for number, row in enumerate(rows):
            if limit and number >= limit:
                break
            item = json.loads(row)
            yield item["id"], item.get("title", "") if title else "", item["article"], None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="at most N articles per set")
    parser.add_argument(
        "--show", choices=RULES, action="append", help="print the summaries breaking RULE"
    )
    parser.add_argument("--half", choices=("tune", "held-out"), help="one half of the page sets")
    args = parser.parse_args()
    global ONLY_HALF
    ONLY_HALF = args.half
    sets: dict[str, Callable[[], Iterator[Article]]] = {
        "pages/l3s-gn1": lambda: pages(
            EVAL / "pages" / "l3s-gn1", "original/*.html.gz", args.limit
        ),
        "pages/readability": lambda: pages(
            EVAL / "pages" / "readability", "*/source.html.gz", args.limit
        ),
        "bbc_news_2225": lambda: jsonl(
            EVAL / "corpus" / "bbc_news_2225.jsonl", args.limit, title=True
        ),
        "cnndm_dev500": lambda: jsonl(
            EVAL / "summarization" / "cnndm_dev500.jsonl", args.limit, title=False
        ),
    }
    other: dict[str, Callable[[], Iterator[Article]]] = {
        # (l3s-gn1 is all English)
        "pages/not-english": lambda: pages(
            EVAL / "pages" / "readability", "*/source.html.gz", 0, other_languages=True
        ),
        "written texts": written,
    }
    print(f"{'set':<22} {'summaries':>9} {'flawed':>7}  " + "  ".join(RULES) + "  sentences")
    total, flawed_total = _run(other, args.show)
    print(f"other languages: summaries={total} flawed={flawed_total}")
    total, flawed_total = _run(sets, args.show)
    print("(rates in % of the set's summaries)")
    print(f"summaries={total} flawed={flawed_total} rate={flawed_total / max(1, total):.4f}")


def _run(
    sets: dict[str, Callable[[], Iterator[Article]]], show: list[str] | None
) -> tuple[int, int]:
    """Print each set's line; the summaries and the flawed ones of all of them."""
    total = flawed_total = 0
    for name, articles in sets.items():
        counts: Counter[str] = Counter()
        summaries = flawed = sentences = 0
        for item_id, title, text, language in articles():
            summary = summarize(text, title=title or None, max_chars=BUDGET, language=language)
            broken = flaws(text, summary)
            sentences += len(split_sentences(summary))
            summaries += 1
            flawed += bool(broken)
            counts.update(broken)
            if show and broken & set(show):
                print(f"--- {name} {item_id} {sorted(broken)}: {summary}")
        rates = "  ".join(f"{100 * counts[r] / max(1, summaries):>{len(r)}.1f}" for r in RULES)
        mean = sentences / max(1, summaries)
        print(
            f"{name:<22} {summaries:>9} {100 * flawed / max(1, summaries):>6.1f}%  {rates}"
            f"  {mean:>9.2f}"
        )
        total += summaries
        flawed_total += flawed
    return total, flawed_total


if __name__ == "__main__":
    main()

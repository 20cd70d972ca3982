"""Document frequencies of story terms in general news, the prior behind `ingest.stories`'s
rarity weights while the recent window is still small. Deterministic; no randomness.

Trained on ../shared/eval/summarization/cnndm_train5000.jsonl (CNN/DailyMail, See et al. 2017;
research use): each article's first `LEAD_WORDS` words, terms normalised as the clustering
does. Terms seen in fewer than 3 articles are left out (unknown terms count as rare).

    .venv/bin/python training/story_idf.py  # writes ingest/models/story_idf.json
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.stories import IDF_VERSION, LEAD_WORDS, terms  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "summarization" / "cnndm_train5000.jsonl"
OUT = ROOT / "ingest" / "models" / "story_idf.json"
MIN_DF = 3


def main() -> None:
    df: Counter[str] = Counter()
    documents = 0
    with DATA.open() as lines:
        for line in lines:
            article = json.loads(line)["article"]
            df.update(set(terms(" ".join(article.split()[:LEAD_WORDS]))))
            documents += 1
    kept = {term: count for term, count in sorted(df.items()) if count >= MIN_DF}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {"version": IDF_VERSION, "source": DATA.name, "documents": documents, "df": kept}
    OUT.write_text(json.dumps(payload, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"documents={documents} terms={len(kept)} bytes={OUT.stat().st_size}")


if __name__ == "__main__":
    main()

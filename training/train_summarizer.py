"""Train the sentence scorer shipped as `ingest/models/summarizer.json`.

Data: `../shared/eval/summarization/cnndm_train5000.jsonl` only (CNN/DailyMail, research use);
the dev set is never read here. Each candidate sentence gets the features of
`ingest.summarize.sentence_features` and two kinds of label from the highlights: its own
ROUGE-1/2 F1 (for a ridge regression) and membership of a greedy ROUGE oracle (for a logistic
regression). The model kind, its regularisation and trigram blocking are chosen by 5-fold
cross-validation on the training file (folds by a hash of the item id), scoring the 3-sentence
summaries that `ingest.summarize.choose` makes with Google's rouge-score (R1 + R2 + RL); the
chosen configuration is then refitted on all 5,000 items. Deterministic: no random numbers.

    .venv/bin/python training/train_summarizer.py [--data FILE] [--out FILE] [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nltk.stem import porter
from rouge_score import rouge_scorer

from ingest.summarize import FEATURES, _candidates, choose, sentence_features

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "summarization" / "cnndm_train5000.jsonl"
DEFAULT_OUT = ROOT / "ingest" / "models" / "summarizer.json"
FOLDS = 5
VERSION = 1
_STEMMER = porter.PorterStemmer()


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    return _STEMMER.stem(token) if len(token) > 3 else token


def _tokens(text: str) -> list[str]:
    """rouge-score's tokenisation: lower case, runs of letters and digits, Porter stems."""
    return [_stem(t) for t in re.findall(r"[a-z0-9]+", text.lower())]


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(candidate: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Item:
    id: str
    sentences: list[str]
    features: np.ndarray
    gain: np.ndarray  # each sentence's own (R1 + R2) / 2 against the highlights
    oracle: np.ndarray  # 1 for sentences of the greedy ROUGE oracle
    summary: str


def prepare(raw: dict[str, str]) -> Item | None:
    sentences = _candidates(raw["article"])
    if not sentences:
        return None
    reference = _tokens(raw["summary"])
    ref1, ref2 = _ngrams(reference, 1), _ngrams(reference, 2)
    tokens = [_tokens(s) for s in sentences]
    grams1 = [_ngrams(t, 1) for t in tokens]
    grams2 = [_ngrams(t, 2) for t in tokens]
    gain = np.array(
        [(_f1(g1, ref1) + _f1(g2, ref2)) / 2 for g1, g2 in zip(grams1, grams2, strict=True)]
    )
    # Greedy oracle: add the sentence that raises R1 + R2 of the selection most, up to three.
    chosen: list[int] = []
    best = 0.0
    union1: Counter[tuple[str, ...]] = Counter()
    union2: Counter[tuple[str, ...]] = Counter()
    while len(chosen) < 3:
        step, step_score = -1, best
        for index in range(len(sentences)):
            if index in chosen:
                continue
            value = _f1(union1 + grams1[index], ref1) + _f1(union2 + grams2[index], ref2)
            if value > step_score + 1e-12:
                step, step_score = index, value
        if step < 0:
            break
        chosen.append(step)
        best = step_score
        union1 += grams1[step]
        union2 += grams2[step]
    oracle = np.zeros(len(sentences))
    oracle[chosen] = 1.0
    return Item(raw["id"], sentences, sentence_features(sentences), gain, oracle, raw["summary"])


def fold_of(item_id: str) -> int:
    return int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % FOLDS


@dataclass(frozen=True)
class Config:
    kind: str  # "ridge" on the per-sentence gain, or "logistic" on the oracle labels
    strength: float  # L2 penalty
    trigram_block: bool


@dataclass
class Fitted:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float


def fit(items: list[Item], config: Config) -> Fitted:
    features = np.vstack([item.features for item in items])
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = (features - mean) / scale
    x1 = np.hstack([x, np.ones((len(x), 1))])
    penalty = config.strength * np.eye(x1.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not penalised
    if config.kind == "ridge":
        y = np.concatenate([item.gain for item in items])
        solution = np.linalg.solve(x1.T @ x1 + penalty, x1.T @ y)
    else:  # logistic regression by Newton's method (IRLS), from zero
        y = np.concatenate([item.oracle for item in items])
        solution = np.zeros(x1.shape[1])
        for _ in range(25):
            p = 1.0 / (1.0 + np.exp(-(x1 @ solution)))
            gradient = x1.T @ (p - y) + penalty @ solution
            hessian = (x1 * (p * (1 - p))[:, None]).T @ x1 + penalty
            step = np.linalg.solve(hessian, gradient)
            solution -= step
            if float(np.abs(step).max()) < 1e-8:
                break
    return Fitted(mean, scale, solution[:-1], float(solution[-1]))


def evaluate(
    items: list[Item], model: Fitted, config: Config, scorer: rouge_scorer.RougeScorer
) -> float:
    totals = []
    for item in items:
        scores = ((item.features - model.mean) / model.scale) @ model.weights + model.bias
        chosen = choose(
            item.sentences, scores, n=3, max_chars=None, trigram_block=config.trigram_block
        )
        result = scorer.score(item.summary, "\n".join(item.sentences[i] for i in chosen))
        totals.append(sum(100 * result[m].fmeasure for m in ("rouge1", "rouge2", "rougeL")))
    return statistics.mean(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N items")
    args = parser.parse_args()
    if "dev" in args.data.name:
        raise SystemExit("train_summarizer: refusing to train on a dev file")
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    if args.limit:
        rows = rows[: args.limit]
    items = [item for item in map(prepare, rows) if item is not None]
    print(f"items: {len(items)} from {args.data.name}", flush=True)

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    configs = [
        Config(kind, strength, block)
        for kind, strengths in (("ridge", (100.0,)), ("logistic", (1.0, 10.0, 100.0)))
        for strength in strengths
        for block in (False, True)
    ]
    lead = statistics.mean(
        sum(
            100 * value.fmeasure
            for value in scorer.score(item.summary, "\n".join(item.sentences[:3])).values()
        )
        for item in items
    )
    print(f"  lead-3 on the same items: R1+R2+RL = {lead:.3f}", flush=True)
    results: dict[Config, float] = {}
    for config in configs:
        fold_scores = []
        for fold in range(FOLDS):
            train = [item for item in items if fold_of(item.id) != fold]
            test = [item for item in items if fold_of(item.id) == fold]
            fold_scores.append(evaluate(test, fit(train, config), config, scorer))
        results[config] = statistics.mean(fold_scores)
        print(f"  {config}: cross-validated R1+R2+RL = {results[config]:.3f}", flush=True)
    best = max(configs, key=lambda c: (results[c], -configs.index(c)))
    model = fit(items, best)
    payload = {
        "version": VERSION,
        "trained_on": f"{args.data.name} ({len(items)} items; CNN/DailyMail, research use)",
        "kind": best.kind,
        "strength": best.strength,
        "trigram_block": best.trigram_block,
        "cross_validated_r1_r2_rl": round(results[best], 3),
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in model.mean],
        "scale": [round(float(v), 6) for v in model.scale],
        "weights": [round(float(v), 6) for v in model.weights],
        "bias": round(model.bias, 6),
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"chosen: {best}; written to {args.out}")
    for name, weight in sorted(zip(FEATURES, model.weights, strict=True), key=lambda p: -abs(p[1])):
        print(f"  {weight:+.4f}  {name}")


if __name__ == "__main__":
    main()

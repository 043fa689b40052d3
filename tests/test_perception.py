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


def _ols_r_squared(frame: pd.DataFrame, outcome: str, drivers: list[str]) -> float:
    """R² of statsmodels OLS on the complete rows: the independent route."""
    import statsmodels.api as sm

    complete = frame[[outcome, *drivers]].dropna()
    return sm.OLS(complete[outcome], sm.add_constant(complete[drivers])).fit().rsquared


def test_driver_weights_complete_answers_sum_to_ols_r_squared():
    rng = np.random.default_rng(3)
    p = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    overall = pd.Series(2 * p["a"] + p["b"] + rng.normal(size=200))
    fit = perception.driver_weights(overall, p)
    r_squared = _ols_r_squared(p.assign(y=overall), "y", ["a", "b", "c"])
    assert fit.weights["raw"].sum() == pytest.approx(r_squared)
    assert list(fit.weights.index[:2]) == ["a", "b"]
    assert fit.n == 200 and fit.dropped == []


def test_driver_weights_planted_gaps_equal_ols_on_complete_cases():
    """Skipped answers planted at random: the weights rest on the complete rows only, their
    sum is statsmodels' R² there, and n is the number of those rows."""
    rng = np.random.default_rng(11)
    p = pd.DataFrame(rng.normal(size=(400, 4)), columns=["a", "b", "c", "d"])
    overall = pd.Series(p @ np.array([1.0, 0.6, 0.3, 0.0]) + rng.normal(size=400))
    p = p.mask(rng.random(p.shape) < 0.15)
    overall = overall.mask(rng.random(400) < 0.1)
    fit = perception.driver_weights(overall, p)
    frame = p.assign(y=overall)
    complete = frame.dropna()
    assert fit.n == len(complete) == fit.weights.attrs["n"]
    assert fit.weights["raw"].sum() == pytest.approx(_ols_r_squared(frame, "y", list("abcd")),
                                                     abs=1e-10)
    assert 0 <= fit.weights.attrs["r_squared"] <= 1


def test_driver_weights_costly_touchpoint_left_out_with_its_cost():
    """A touchpoint few rated would leave fewer complete answers than the floor (30 and 10
    per driver): it is left out, and the note says how many answers it would cost."""
    rng = np.random.default_rng(5)
    p = pd.DataFrame(rng.normal(size=(60, 4)), columns=["a", "b", "c", "rare"])
    p.loc[8:, "rare"] = np.nan                     # only 8 rated it
    overall = pd.Series(p["a"] + rng.normal(size=60))
    fit = perception.driver_weights(overall, p)
    assert [d["driver"] for d in fit.dropped] == ["rare"]
    assert fit.dropped[0] == {"driver": "rare", "reason": "costly", "answers": 8, "cost": 52}
    assert fit.n == 60 and fit.floor == 30
    assert list(fit.weights["cost"]) == [0, 0, 0]


def test_driver_weights_below_floor_not_shown():
    rng = np.random.default_rng(6)
    p = pd.DataFrame(rng.normal(size=(25, 2)), columns=["a", "b"])
    fit = perception.driver_weights(pd.Series(p["a"] + rng.normal(size=25)), p)
    assert fit.weights is None and fit.reason == "too_few"
    assert (fit.n, fit.floor) == (25, 30)


def test_driver_weights_constant_touchpoint_left_out(ratings, catalogue):
    p, _, _ = ratings
    rng = np.random.default_rng(4)
    p = pd.concat([p] * 3, ignore_index=True).assign(flat=4.0)
    overall = p["web"].fillna(3) + rng.normal(size=len(p))
    fit = perception.driver_weights(overall, p, touchpoints=catalogue)
    assert [(d["driver"], d["reason"]) for d in fit.dropped][0] == ("flat", "constant")
    assert "flat" not in fit.weights.index
    assert fit.weights.loc["web", "name"] == "Website"
    assert fit.weights["rescaled"].sum() == pytest.approx(100)


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
    np.testing.assert_allclose(grid["weight"], weights["rescaled"])
    assert grid.attrs["x"] == "weight" and "importance" not in grid
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
    gaps["verdict"] = perception.gap_verdicts(gaps, threshold=0.5)
    sentiment = pd.DataFrame({"n": [5, 4, 6, 3], "sentiment": [0.8, -0.5, -1.0, 1.0],
                              "ci_low": [0.1, -1.0, -1.5, 0.2],
                              "ci_high": [1.5, 0.0, -0.5, 1.8],
                              "small_sample": [True] * 4},
                             index=pd.Index(list("abcd"), name="touchpoint"))
    return gaps, sentiment


def test_gap_verdicts_one_threshold_one_adjusted_p():
    gaps = pd.DataFrame({"gap": [-0.8, -0.8, -0.3, 0.7, np.nan, 0.2],
                         "p_adjusted": [0.01, 0.2, 0.001, 0.001, np.nan, 0.5]},
                        index=list("abcdef"))
    verdicts = perception.gap_verdicts(gaps, threshold=0.5, alpha=0.05)
    assert list(verdicts) == ["shortfall", "within", "within", "surplus", "untested", "within"]
    assert list(perception.gap_verdicts(gaps, threshold=0.2)) == [
        "shortfall", "within", "shortfall", "surplus", "untested", "within"]


def test_disagreements_opposite_signs_listed(evidence):
    table = perception.disagreements(*evidence)
    assert list(table.index) == ["a", "b"]
    assert list(table["survey"]) == ["below", "above"]
    assert list(table["interviews"]) == ["positive", "negative"]
    assert table.loc["a", "sentiment"] == pytest.approx(0.8)


def test_disagreements_follow_the_verdicts_threshold(evidence):
    gaps, sentiment = evidence
    gaps["verdict"] = perception.gap_verdicts(gaps, threshold=1.0)
    assert perception.disagreements(gaps, sentiment).empty

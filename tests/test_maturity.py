"""Tests of cxlib.practices.maturity against hand computations, plain loops, scipy and statsmodels."""
from collections import defaultdict
from statistics import mean as plain_mean

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from cxlib.practices import maturity
from cxlib.errors import DataError

METHOD_IDS = ([f"B{i}" for i in range(1, 10)] + [f"C{i}" for i in range(1, 5)]
              + [f"G{i}" for i in range(1, 6)] + [f"A{i}" for i in range(1, 8)] + ["MT"])


@pytest.fixture
def bank():
    """A small item bank: two or three items per element, all four instruments."""
    items = [("B1.1", "blocks", "B1"), ("B1.2", "blocks", "B1"), ("B7.1", "blocks", "B7"),
             ("B7.2", "blocks", "B7"), ("B7.3", "blocks", "B7"),
             ("C2.1", "culture", "C2"), ("C2.2", "culture", "C2"),
             ("C4.1", "culture", "C4"),
             ("G2.1", "journeys", "G2"), ("G4.1", "journeys", "G4"), ("G4.2", "journeys", "G4"),
             ("A5.1", "tips", "A5"), ("MT.1", "tips", "MT"), ("MT.2", "tips", "MT")]
    return pd.DataFrame(items, columns=["item", "instrument", "element"])


@pytest.fixture
def assessment(bank):
    """Two waves of 14 and 17 staff in three functions; some items left unanswered."""
    rng = np.random.default_rng(7)
    rows = []
    for wave, size in ((1, 14), (2, 17)):
        for r in range(size):
            function = ("Sales", "Service", "IT")[r % 3]
            for item in bank["item"]:
                score = float(rng.integers(1, 6)) if rng.random() > 0.15 else np.nan
                rows.append((f"w{wave}-r{r}", function, wave, item, score))
    return pd.DataFrame(rows, columns=["respondent", "function", "wave", "item", "score"])


def _loop_respondent_means(assessment, bank, wave):
    """element -> respondent -> mean of their answered items, by plain Python."""
    element_of = dict(zip(bank["item"], bank["element"]))
    answers = defaultdict(lambda: defaultdict(list))
    for r in assessment.itertuples():
        if r.wave == wave and not np.isnan(r.score):
            answers[element_of[r.item]][r.respondent].append(r.score)
    return {e: {p: plain_mean(s) for p, s in people.items()} for e, people in answers.items()}


def _frame(rows):
    return pd.DataFrame(rows, columns=["respondent", "function", "wave", "item", "score"])


def test_respondent_scores_items_of_one_respondent_averaged(assessment, bank):
    scores = maturity.respondent_scores(assessment, bank)
    expected = _loop_respondent_means(assessment, bank, 1)
    wave1 = scores[scores["wave"] == 1]
    got = {(e, p): s for e, p, s in zip(wave1["element"], wave1["respondent"], wave1["score"])}
    assert got == pytest.approx({(e, p): s for e, people in expected.items()
                                 for p, s in people.items()})


def test_respondent_scores_unknown_item_raises_data_error(bank):
    data = _frame([("a", "IT", 1, "B1.1", 4), ("a", "IT", 1, "Z9.9", 2)])
    with pytest.raises(DataError, match="Z9.9"):
        maturity.respondent_scores(data, bank)


def test_element_scores_mean_matches_respondent_first_loop(assessment, bank):
    scores = maturity.element_scores(assessment, bank).set_index("element")
    for element, people in _loop_respondent_means(assessment, bank, 2).items():
        assert scores.at[element, "mean"] == pytest.approx(plain_mean(people.values()))
        assert scores.at[element, "n"] == len(people)


def test_element_scores_uneven_items_weights_respondents_equally(bank):
    # a answers two B1 items (5, 5), b one (1): respondents 5 and 1, mean 3 (items: 11/3)
    data = _frame([("a", "IT", 1, "B1.1", 5), ("a", "IT", 1, "B1.2", 5),
                   ("b", "IT", 1, "B1.1", 1)])
    assert maturity.element_scores(data, bank)["mean"].iloc[0] == pytest.approx(3.0)


def test_element_scores_interval_matches_scipy_t(assessment, bank):
    row = maturity.element_scores(assessment, bank, wave=1).set_index("element").loc["B7"]
    values = list(_loop_respondent_means(assessment, bank, 1)["B7"].values())
    low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values),
                                 scale=stats.sem(values))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))


@pytest.mark.parametrize(("sales", "service", "spread", "aligned"), [
    (4.0, 3.1, 0.9, True),
    (4.0, 3.0, 1.0, False),
    (5.0, 2.0, 3.0, False),
])
def test_element_scores_function_spread_sets_aligned(bank, sales, service, spread, aligned):
    data = _frame([("s1", "Sales", 1, "B1.1", sales), ("s2", "Sales", 1, "B1.1", sales),
                   ("v1", "Service", 1, "B1.1", service)])
    row = maturity.element_scores(data, bank).iloc[0]
    assert row["function_spread"] == pytest.approx(spread)
    assert bool(row["aligned"]) is aligned
    assert (row["lowest_function"], row["highest_function"]) == ("Service", "Sales")
    assert row["function_sd"] == pytest.approx(np.std([sales, service], ddof=1))


@pytest.mark.parametrize(("people", "small"), [(4, True), (5, False)])
def test_element_scores_fewer_than_five_respondents_small_sample(bank, people, small):
    data = _frame([(f"p{i}", "IT", 1, "C4.1", 1 + i % 5) for i in range(people)])
    assert bool(maturity.element_scores(data, bank)["small_sample"].iloc[0]) is small


def test_element_scores_default_wave_is_latest(assessment, bank):
    latest = maturity.element_scores(assessment, bank)
    pd.testing.assert_frame_equal(latest, maturity.element_scores(assessment, bank, wave=2))
    assert not latest.equals(maturity.element_scores(assessment, bank, wave=1))


def test_element_scores_unknown_wave_raises(assessment, bank):
    with pytest.raises(ValueError, match="wave 3"):
        maturity.element_scores(assessment, bank, wave=3)


def test_element_scores_rows_in_method_order(assessment, bank):
    scores = maturity.element_scores(assessment, bank)
    assert list(scores["element"]) == ["B1", "B7", "C2", "C4", "G2", "G4", "A5", "MT"]
    assert list(scores["name"][:2]) == ["Core values", "Customer understanding"]


def test_function_scores_match_plain_loop(assessment, bank):
    table = maturity.function_scores(assessment, bank, wave=2)
    people = _loop_respondent_means(assessment, bank, 2)
    function_of = dict(zip(assessment["respondent"], assessment["function"]))
    for row in table.itertuples():
        values = [s for p, s in people[row.element].items() if function_of[p] == row.function]
        assert row.mean == pytest.approx(plain_mean(values))
        assert row.n == len(values)
        assert row.small_sample == (len(values) < maturity.SMALL_STAFF)
    assert len(table) == 8 * 3


def test_wave_change_matches_scipy_welch(assessment, bank):
    change = maturity.wave_change(assessment, bank).set_index("element")
    before = _loop_respondent_means(assessment, bank, 1)
    after = _loop_respondent_means(assessment, bank, 2)
    for element in change.index:
        a, b = list(after[element].values()), list(before[element].values())
        test = stats.ttest_ind(a, b, equal_var=False)
        interval = test.confidence_interval(0.95)
        row = change.loc[element]
        assert row["p_value"] == pytest.approx(test.pvalue)
        assert row["difference"] == pytest.approx(np.mean(a) - np.mean(b))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((interval.low, interval.high))
        assert (row["n_first"], row["n_last"]) == (len(b), len(a))


def test_wave_change_holm_matches_statsmodels(assessment, bank):
    change = maturity.wave_change(assessment, bank)
    reject, adjusted, _, _ = multipletests(change["p_value"], alpha=0.05, method="holm")
    assert change["p_adjusted"].to_numpy() == pytest.approx(adjusted)
    assert list(change["significant"]) == list(reject)


def test_wave_change_real_change_is_significant(bank):
    rows = [(f"w{w}-{i}", "IT", w, "B1.1", score)
            for w, scores in ((1, [1, 2, 1, 2, 2, 1, 2, 1]), (2, [5, 4, 5, 4, 4, 5, 5, 4]))
            for i, score in enumerate(scores)]
    rows += [(f"w{w}-{i}", "IT", w, "C4.1", 3 + i % 2) for w in (1, 2) for i in range(8)]
    change = maturity.wave_change(_frame(rows), bank).set_index("element")
    assert bool(change.at["B1", "significant"]) and not bool(change.at["C4", "significant"])


def test_wave_change_one_wave_empty_with_columns(bank):
    data = _frame([("a", "IT", 1, "B1.1", 4), ("b", "IT", 1, "B1.1", 2)])
    change = maturity.wave_change(data, bank)
    assert change.empty and list(change.columns) == maturity.CHANGE_COLUMNS


def test_growth_opportunities_picks_lowest_mean_per_instrument():
    scores = pd.DataFrame({
        "instrument": ["blocks", "blocks", "blocks", "culture", "culture"],
        "element": ["B1", "B2", "B3", "C1", "C2"],
        "name": ["Core values", "Mission, vision and purpose", "Brand promise",
                 "Conscience", "Communication"],
        "mean": [3.4, 2.1, 4.0, 3.0, np.nan],
    })
    growth = maturity.growth_opportunities(scores).set_index("instrument")
    assert list(growth["element"]) == ["B2", "C1"]
    assert growth.at["blocks", "best_element"] == "B3"
    assert growth.at["blocks", "gap"] == pytest.approx(4.0 - 2.1)
    assert growth.at["culture", "gap"] == pytest.approx(0.0)


def test_growth_opportunities_tie_goes_to_first_element():
    scores = pd.DataFrame({"instrument": ["journeys"] * 3, "element": ["G3", "G1", "G2"],
                           "name": ["c", "a", "b"], "mean": [2.0, 2.0, 3.0]})
    assert maturity.growth_opportunities(scores)["element"].iloc[0] == "G1"


@pytest.mark.parametrize("names", [maturity.ELEMENT_NAMES, maturity.ELEMENT_NAMES_ZH])
def test_element_names_cover_every_method_id(names):
    assert list(names) == METHOD_IDS
    assert all(names.values())


def test_item_bank_elements_all_named():
    bank = maturity.item_bank()
    assert set(bank["element"]) <= set(maturity.ELEMENT_NAMES)
    assert set(bank["instrument"]) <= set(maturity.INSTRUMENTS)


def test_element_scores_respondent_without_function_counts_in_mean_only(bank):
    data = _frame([("a", "IT", 1, "B1.1", 1), ("b", np.nan, 1, "B1.1", 3),
                   ("c", "Sales", 1, "B1.1", 5)])
    row = maturity.element_scores(data, bank).iloc[0]
    assert (row["mean"], row["n"], row["function_spread"]) == (3.0, 3, 4.0)

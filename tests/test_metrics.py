"""Tests of cxlib.statistics.metrics against scipy, statsmodels, hand formulas and simulation."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (confint_proportions_2indep, proportion_confint,
                                          proportions_ztest)

from cxlib.statistics import metrics


@pytest.fixture
def scores():
    """NPS answers: 50 promoters, 30 passives, 20 detractors, 5 missing, shuffled."""
    values = np.r_[np.repeat([10, 9], 25), np.repeat([8, 7], 15), np.repeat([0, 3, 6], [5, 5, 10]),
                   np.full(5, np.nan)]
    return pd.Series(np.random.default_rng(7).permutation(values), name="overall")


@pytest.fixture
def survey():
    """Two hundred respondents with an NPS score, a 1-5 rating, a 0/1 answer and a region."""
    rng = np.random.default_rng(11)
    n = 200
    region = rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2])
    shift = pd.Series(region).map({"north": 1.0, "south": 0.0, "east": -1.0}).to_numpy()
    frame = pd.DataFrame({
        "overall": np.clip(np.round(rng.normal(7 + shift, 2.2)), 0, 10),
        "rating": np.clip(np.round(rng.normal(3.4 + 0.4 * shift, 1.0)), 1, 5),
        "renewed": (rng.random(n) < 0.6 + 0.1 * shift).astype(float),
        "region": region,
    }, index=pd.RangeIndex(100, 100 + n, name="respondent"))
    frame.loc[frame.index[::17], "overall"] = np.nan
    frame.loc[frame.index[::23], "region"] = None
    return frame


# -- nps_groups ----------------------------------------------------------------------

@pytest.mark.parametrize("score, label", [
    (0, "detractor"), (6, "detractor"), (6.5, "detractor"), (7, "passive"), (8, "passive"),
    (9, "promoter"), (10, "promoter"),
])
def test_nps_groups_score_gets_label(score, label):
    assert metrics.nps_groups([score]).iloc[0] == label


def test_nps_groups_missing_and_index_kept():
    result = metrics.nps_groups(pd.Series([10, np.nan, 3], index=["a", "b", "c"]))
    assert list(result.index) == ["a", "b", "c"]
    assert result["a"] == "promoter" and pd.isna(result["b"]) and result["c"] == "detractor"


@pytest.mark.parametrize("bad", [-1, 11, 100])
def test_nps_groups_out_of_range_raises(bad):
    with pytest.raises(ValueError, match="0-10"):
        metrics.nps_groups([5, bad])


# -- nps -----------------------------------------------------------------------------

def test_nps_counts_match_hand_formula(scores):
    """From counts 50/30/20 of n=100: NPS 30, var = (0.5 + 0.2 - 0.3^2) / 100 (x 100^2)."""
    result = metrics.nps(scores)
    se = 100 * np.sqrt((0.5 + 0.2 - 0.3 ** 2) / 100)
    assert result["score"] == pytest.approx(30.0)
    assert result["n"] == 100
    assert result["se"] == pytest.approx(se)
    assert result["ci_low"] == pytest.approx(30 - stats.norm.ppf(0.975) * se)
    assert result["ci_high"] == pytest.approx(30 + stats.norm.ppf(0.975) * se)
    assert (result["promoters"], result["passives"], result["detractors"]) == pytest.approx(
        (50.0, 30.0, 20.0))
    assert not result["small_sample"]


def test_nps_se_equals_standard_error_of_coded_mean(scores):
    """NPS is the mean of +1/0/-1; its se is the population sd of that code over sqrt(n)."""
    coded = np.select([scores >= 9, scores >= 7], [1.0, 0.0], -1.0)[scores.notna()]
    expected = 100 * coded.std(ddof=0) / np.sqrt(len(coded))
    assert metrics.nps(scores)["se"] == pytest.approx(expected)


def test_nps_simulation_interval_covers_true_score():
    """2000 samples of n=400 from shares 45/30/25 (NPS 20): 95% intervals cover 93-97%."""
    rng = np.random.default_rng(2024)
    draws = rng.choice([10.0, 8.0, 2.0], size=(2000, 400), p=[0.45, 0.30, 0.25])
    results = [metrics.nps(row) for row in draws]
    covered = np.mean([r["ci_low"] <= 20 <= r["ci_high"] for r in results])
    assert 0.93 <= covered <= 0.97
    # The formula's variance should match the spread of the simulated scores.
    spread = np.std([r["score"] for r in results])
    expected_se = 100 * np.sqrt((0.45 + 0.25 - 0.2 ** 2) / 400)
    assert spread == pytest.approx(expected_se, rel=0.06)


def test_nps_level_widens_interval(scores):
    narrow, wide = metrics.nps(scores, level=0.80), metrics.nps(scores, level=0.99)
    assert wide["ci_high"] - wide["ci_low"] > narrow["ci_high"] - narrow["ci_low"]
    assert wide["ci_high"] - 30 == pytest.approx(stats.norm.ppf(0.995) * wide["se"])


def test_nps_no_answers_gives_nan_and_zero_n():
    result = metrics.nps([np.nan, np.nan])
    assert result["n"] == 0 and np.isnan(result["score"]) and np.isnan(result["ci_low"])
    assert result["small_sample"]


def test_nps_all_promoters_has_zero_se():
    result = metrics.nps([9, 10, 10, 9])
    assert result["score"] == 100 and result["se"] == 0
    assert result["ci_low"] == result["ci_high"] == 100


def test_nps_one_answer_is_small_sample():
    result = metrics.nps([3])
    assert result["score"] == -100 and result["n"] == 1 and result["small_sample"]


def test_nps_interval_is_cut_to_scale():
    result = metrics.nps([10, 10, 10, 0])
    assert result["ci_high"] == 100
    assert result["ci_low"] >= -100


@pytest.mark.parametrize("call", [
    lambda level: metrics.nps([10, 5], level=level),
    lambda level: metrics.nps_difference([10, 5], [3], level=level),
    lambda level: metrics.proportion([1, 0], level=level),
    lambda level: metrics.proportion_difference([1, 0], [1], level=level),
    lambda level: metrics.top_box([5, 1], (1, 5), level=level),
    lambda level: metrics.mean([1.0], level=level),
    lambda level: metrics.welch([1.0], [2.0], level=level),
    lambda level: metrics.paired_gap([1.0], [2.0], level=level),
], ids=["nps", "nps_difference", "proportion", "proportion_difference", "top_box", "mean",
        "welch", "paired_gap"])
@pytest.mark.parametrize("level", [0, 1, 95])
def test_statistic_bad_level_raises(call, level):
    with pytest.raises(ValueError, match="level"):
        call(level)


def test_nps_difference_matches_coded_means(survey):
    """Independent route: difference of means of +1/0/-1 codes, se from numpy variances."""
    a = survey.loc[survey.region == "north", "overall"]
    b = survey.loc[survey.region == "east", "overall"]
    code = {"promoter": 1.0, "passive": 0.0, "detractor": -1.0}
    ca = metrics.nps_groups(a).dropna().map(code).to_numpy()
    cb = metrics.nps_groups(b).dropna().map(code).to_numpy()
    diff = 100 * (ca.mean() - cb.mean())
    se = 100 * np.sqrt(ca.var() / len(ca) + cb.var() / len(cb))
    result = metrics.nps_difference(a, b)
    assert result["difference"] == pytest.approx(diff)
    assert result["z"] == pytest.approx(diff / se)
    assert result["p_value"] == pytest.approx(2 * stats.norm.sf(abs(diff / se)))
    assert result["ci_low"] == pytest.approx(diff - stats.norm.ppf(0.975) * se)
    assert (result["n_a"], result["n_b"]) == (len(ca), len(cb))


# -- proportions ---------------------------------------------------------------------

@pytest.mark.parametrize("successes, n", [(0, 10), (1, 10), (5, 10), (10, 10), (37, 120),
                                          (1, 1), (412, 1000)])
def test_proportion_counts_match_statsmodels_wilson(successes, n):
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    result = metrics.proportion(successes, n)
    assert result["value"] == pytest.approx(successes / n)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert result["small_sample"] == (n < metrics.MIN_N)


def test_proportion_values_drop_missing_and_match_counts():
    values = [1, 0, np.nan, 1, True, False, 1, None]
    assert metrics.proportion(values).equals(metrics.proportion(4, 6))


def test_proportion_level_matches_statsmodels():
    low, high = proportion_confint(30, 80, alpha=0.10, method="wilson")
    result = metrics.proportion(30, 80, level=0.90)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high))


def test_proportion_no_answers_gives_nan():
    result = metrics.proportion([np.nan])
    assert result["n"] == 0 and np.isnan(result["value"]) and np.isnan(result["ci_low"])


def test_proportion_non_binary_raises():
    with pytest.raises(ValueError, match="0/1"):
        metrics.proportion([0, 1, 2])


@pytest.mark.parametrize("x_a, n_a, x_b, n_b", [(37, 120, 20, 110), (5, 40, 9, 35),
                                                (0, 25, 3, 30), (50, 50, 45, 60)])
def test_proportion_difference_matches_statsmodels(x_a, n_a, x_b, n_b):
    a = np.r_[np.ones(x_a), np.zeros(n_a - x_a)]
    b = np.r_[np.ones(x_b), np.zeros(n_b - x_b), np.nan]
    low, high = confint_proportions_2indep(x_a, n_a, x_b, n_b, method="newcomb",
                                           compare="diff")
    z, p = proportions_ztest([x_a, x_b], [n_a, n_b])
    result = metrics.proportion_difference(a, b)
    assert result["difference"] == pytest.approx(x_a / n_a - x_b / n_b)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high), abs=1e-10)
    assert (result["z"], result["p_value"]) == pytest.approx((z, p))
    assert (result["n_a"], result["n_b"]) == (n_a, n_b)


def test_proportion_difference_p_matches_uncorrected_chi_square():
    a, b = np.r_[np.ones(37), np.zeros(83)], np.r_[np.ones(20), np.zeros(90)]
    chi2 = stats.chi2_contingency([[37, 83], [20, 90]], correction=False)
    assert metrics.proportion_difference(a, b)["p_value"] == pytest.approx(chi2.pvalue)


@pytest.mark.parametrize("scale, boxes, threshold", [((1, 5), 2, 4), ((1, 5), 1, 5),
                                                     ((0, 10), 3, 8), ((1, 7), 2, 6)])
def test_top_box_counts_top_points(scale, boxes, threshold):
    rng = np.random.default_rng(boxes)
    values = rng.integers(scale[0], scale[1] + 1, 90).astype(float)
    values[::9] = np.nan
    kept = values[~np.isnan(values)]
    hits = int((kept >= threshold).sum())
    low, high = proportion_confint(hits, len(kept), method="wilson")
    result = metrics.top_box(values, scale, boxes)
    assert result["value"] == pytest.approx(hits / len(kept))
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high))
    assert result["n"] == len(kept)


def test_top_box_rating_off_scale_raises():
    with pytest.raises(ValueError, match="scale"):
        metrics.top_box([1, 2, 6], (1, 5))


# -- means ---------------------------------------------------------------------------

def test_mean_matches_statsmodels_t_interval(survey):
    values = survey["rating"].to_numpy(copy=True)
    values[::5] = np.nan
    kept = values[~np.isnan(values)]
    low, high = DescrStatsW(kept).tconfint_mean(alpha=0.05)
    result = metrics.mean(values)
    assert result["value"] == pytest.approx(kept.mean())
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high))
    assert result["sd"] == pytest.approx(kept.std(ddof=1))
    assert result["n"] == len(kept)


@pytest.mark.parametrize("values, n", [([], 0), ([np.nan], 0), ([4.0], 1)])
def test_mean_fewer_than_two_answers_has_no_interval(values, n):
    result = metrics.mean(values)
    assert result["n"] == n and np.isnan(result["ci_low"]) and result["small_sample"]


def test_welch_matches_scipy(survey):
    a = survey.loc[survey.region == "north", "rating"]
    b = survey.loc[survey.region == "south", "rating"].copy()
    b.iloc[:3] = np.nan
    expected = stats.ttest_ind(a, b.dropna(), equal_var=False)
    ci = expected.confidence_interval(0.95)
    result = metrics.welch(a, b)
    assert result["difference"] == pytest.approx(a.mean() - b.mean())
    assert (result["t"], result["p_value"], result["df"]) == pytest.approx(
        (expected.statistic, expected.pvalue, expected.df))
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert (result["n_a"], result["n_b"]) == (len(a), b.notna().sum())


def test_welch_one_answer_gives_nan():
    result = metrics.welch([3.0], [1.0, 2.0, 4.0])
    assert np.isnan(result["t"]) and np.isnan(result["p_value"])


def test_paired_gap_matches_scipy_ttest_rel():
    rng = np.random.default_rng(5)
    perception = pd.Series(rng.integers(1, 6, 60).astype(float))
    expectation = pd.Series(np.clip(perception + rng.integers(-1, 3, 60), 1, 5))
    perception[::7] = np.nan
    expectation[::11] = np.nan
    both = perception.notna() & expectation.notna()
    expected = stats.ttest_rel(perception[both], expectation[both])
    ci = expected.confidence_interval(0.95)
    result = metrics.paired_gap(perception, expectation)
    assert result["gap"] == pytest.approx((perception - expectation)[both].mean())
    assert (result["t"], result["p_value"]) == pytest.approx((expected.statistic, expected.pvalue))
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert result["n"] == both.sum()


def test_paired_gap_series_pair_by_index():
    perception = pd.Series([5.0, 4.0, 2.0], index=["c", "b", "a"])
    expectation = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])
    # pairs: a 2-1, b 4-2, c 5-3
    assert metrics.paired_gap(perception, expectation)["gap"] == pytest.approx(5 / 3)


def test_paired_gap_one_pair_gives_nan_test():
    result = metrics.paired_gap([4, np.nan], [3, 2])
    assert result["n"] == 1 and result["gap"] == 1 and np.isnan(result["p_value"])


# -- comparing segments --------------------------------------------------------------

def test_compare_groups_nps_matches_chi2_contingency(survey):
    kept = survey.dropna(subset=["overall", "region"])
    table = pd.crosstab(kept.region, metrics.nps_groups(kept.overall))
    expected = stats.chi2_contingency(table, correction=False)
    result = metrics.compare_groups(survey.overall, survey.region, "nps")
    assert result["test"] == "chi-square"
    assert (result["statistic"], result["p_value"]) == pytest.approx(
        (expected.statistic, expected.pvalue))
    assert result["df"] == expected.dof and result["n"] == len(kept)
    assert result["sparse"] == bool((expected.expected_freq < 5).any())


def test_compare_groups_proportion_two_segments_matches_chi2(survey):
    two = survey[survey.region.isin(["north", "south"])]
    expected = stats.chi2_contingency(pd.crosstab(two.region, two.renewed), correction=False)
    result = metrics.compare_groups(two.renewed, two.region, "proportion")
    assert (result["statistic"], result["p_value"]) == pytest.approx(
        (expected.statistic, expected.pvalue))
    assert result["df"] == 1


def test_compare_groups_mean_matches_f_oneway(survey):
    kept = survey.dropna(subset=["region"])
    expected = stats.f_oneway(*[g.rating for _, g in kept.groupby("region")])
    result = metrics.compare_groups(survey.rating, survey.region, "mean")
    assert result["test"] == "anova"
    assert (result["statistic"], result["p_value"]) == pytest.approx(
        (expected.statistic, expected.pvalue))
    assert (result["df"], result["df2"]) == (2, len(kept) - 3)


def test_compare_groups_few_answers_is_sparse():
    result = metrics.compare_groups([10, 9, 3, 8, 10, 0], list("aabbab"), "nps", min_n=1)
    assert result["sparse"] and result["small_sample"]
    assert result["test"] == "chi-square-monte-carlo"


def test_compare_groups_lists_pair_by_position():
    values, groups = [1, 1, 1, 0, 0, 0, 1, 0], ["a", "a", "a", "a", "b", "b", "b", "b"]
    expected = stats.chi2_contingency([[1, 3], [3, 1]], correction=False)
    result = metrics.compare_groups(values, groups, "proportion", min_n=1)
    assert result["statistic"] == pytest.approx(expected.statistic)


def test_compare_groups_leaves_out_small_groups_and_says_how_many(survey):
    few = pd.Series(["tiny"] * 3 + ["one"], index=survey.index[:4])
    groups = survey.region.where(~survey.index.isin(few.index), few)
    kept = survey[~survey.index.isin(few.index)].dropna(subset=["overall", "region"])
    expected = stats.chi2_contingency(pd.crosstab(kept.region, metrics.nps_groups(kept.overall)),
                                      correction=False)
    result = metrics.compare_groups(survey.overall, groups, "nps")
    assert result["p_value"] == pytest.approx(expected.pvalue)
    assert (result["compared"], result["left_out"], result["n"]) == (3, 2, len(kept))
    assert result["left_out_n"] == survey.loc[few.index, "overall"].notna().sum()


def test_compare_groups_one_big_group_gives_no_test():
    values = [1.0] * 20 + [0.0] * 20 + [1.0, 0.0, 1.0]
    result = metrics.compare_groups(values, ["big"] * 40 + ["a", "b", "c"], "proportion")
    assert np.isnan(result["p_value"]) and (result["compared"], result["left_out"]) == (1, 3)


def test_compare_groups_sparse_table_takes_monte_carlo_p_as_scipy():
    # 40 + 40 answers, 1 and 4 'no': expected counts of 2.5 make chi2's p unreliable.
    values = [0.0] * 1 + [1.0] * 39 + [0.0] * 4 + [1.0] * 36
    groups = ["a"] * 40 + ["b"] * 40
    table = pd.crosstab(pd.Series(groups), pd.Series(values))
    expected = stats.chi2_contingency(table, correction=False, method=stats.MonteCarloMethod(
        n_resamples=metrics.MONTE_CARLO_TABLES,
        rng=np.random.default_rng(metrics.MONTE_CARLO_SEED)))
    result = metrics.compare_groups(values, groups, "proportion")
    assert result["sparse"] and result["test"] == "chi-square-monte-carlo"
    assert result["p_value"] == expected.pvalue
    assert result["p_value"] != pytest.approx(stats.chi2.sf(result["statistic"], 1), abs=0.01)


def test_compare_groups_one_segment_gives_nan():
    result = metrics.compare_groups([10, 3, 8], ["a", "a", "a"], "nps")
    assert np.isnan(result["statistic"]) and np.isnan(result["p_value"])


def test_compare_groups_unknown_kind_raises():
    with pytest.raises(ValueError, match="kind"):
        metrics.compare_groups([1, 2], ["a", "b"], "median")


@pytest.mark.parametrize("statistic, column, kw", [
    ("nps", "overall", {}), ("mean", "rating", {}), ("proportion", "renewed", {}),
    ("top_box", "rating", {"scale": (1, 5)}),
])
def test_by_group_rows_equal_statistic_per_segment(survey, statistic, column, kw):
    table = metrics.by_group(survey[column], survey.region, statistic, **kw)
    assert list(table.index) == ["east", "north", "south"]
    assert table.index.name == "region"
    for region, row in table.iterrows():
        alone = metrics.STATISTICS[statistic](survey.loc[survey.region == region, column], **kw)
        assert list(row.index) == list(alone.index)
        assert row.to_numpy(dtype=float) == pytest.approx(alone.to_numpy(dtype=float),
                                                          nan_ok=True)


def test_by_group_columns_are_typed(survey):
    table = metrics.by_group(survey.overall, survey.region, "nps")
    assert table["score"].dtype == float and table["small_sample"].dtype == bool
    assert table["n"].sum() == survey.dropna(subset=["overall", "region"]).shape[0]


def test_by_group_unknown_statistic_raises(survey):
    with pytest.raises(ValueError, match="statistic"):
        metrics.by_group(survey.overall, survey.region, "median")


def test_holm_matches_statsmodels():
    p = pd.Series([0.01, 0.04, 0.03, 0.005, 0.20, 0.04], index=list("abcdef"))
    expected = multipletests(p, method="holm")[1]
    result = metrics.holm(p)
    assert list(result.index) == list("abcdef")
    assert result.to_numpy() == pytest.approx(expected)


def test_holm_missing_p_value_stays_missing_and_is_not_counted():
    result = metrics.holm([0.01, np.nan, 0.02])
    expected = multipletests([0.01, 0.02], method="holm")[1]
    assert np.isnan(result.iloc[1])
    assert result.iloc[[0, 2]].to_numpy() == pytest.approx(expected)


def test_cronbach_alpha_equals_covariance_form_on_complete_answers():
    rng = np.random.default_rng(11)
    latent = rng.normal(size=400)
    items = pd.DataFrame({f"q{i}": latent + rng.normal(scale=s, size=400)
                          for i, s in enumerate((0.6, 0.9, 1.2))})
    items.iloc[:25, 1] = np.nan                            # 25 incomplete respondents
    result = metrics.cronbach_alpha(items)
    complete = items.dropna().to_numpy()
    cov = np.cov(complete, rowvar=False)                   # independent form: k c / (v + (k-1) c)
    k = cov.shape[0]
    c = (cov.sum() - np.trace(cov)) / (k * (k - 1))
    v = np.trace(cov) / k
    assert result["alpha"] == pytest.approx(k * c / (v + (k - 1) * c))
    assert (result["items"], result["n"]) == (3, 375)


def test_cronbach_alpha_identical_items_one_and_constant_nan():
    same = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4]})
    assert metrics.cronbach_alpha(same)["alpha"] == pytest.approx(1.0)
    flat = pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]})
    assert np.isnan(metrics.cronbach_alpha(flat)["alpha"])

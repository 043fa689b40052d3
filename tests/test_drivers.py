"""Tests of cxlib.statistics.drivers: relative weights on complete answers against a published
example and OLS, and the floors of key_drivers."""
import numpy as np
import pandas as pd
import pytest

from cxlib.statistics import drivers

# mtcars (Henderson and Velleman 1981, R's datasets package): mpg, cyl, disp, hp, gear.
MTCARS = [
    (21.0, 6, 160.0, 110, 4), (21.0, 6, 160.0, 110, 4), (22.8, 4, 108.0, 93, 4),
    (21.4, 6, 258.0, 110, 3), (18.7, 8, 360.0, 175, 3), (18.1, 6, 225.0, 105, 3),
    (14.3, 8, 360.0, 245, 3), (24.4, 4, 146.7, 62, 4), (22.8, 4, 140.8, 95, 4),
    (19.2, 6, 167.6, 123, 4), (17.8, 6, 167.6, 123, 4), (16.4, 8, 275.8, 180, 3),
    (17.3, 8, 275.8, 180, 3), (15.2, 8, 275.8, 180, 3), (10.4, 8, 472.0, 205, 3),
    (10.4, 8, 460.0, 215, 3), (14.7, 8, 440.0, 230, 3), (32.4, 4, 78.7, 66, 4),
    (30.4, 4, 75.7, 52, 4), (33.9, 4, 71.1, 65, 4), (21.5, 4, 120.1, 97, 3),
    (15.5, 8, 318.0, 150, 3), (15.2, 8, 304.0, 150, 3), (13.3, 8, 350.0, 245, 3),
    (19.2, 8, 400.0, 175, 3), (27.3, 4, 79.0, 66, 4), (26.0, 4, 120.3, 91, 5),
    (30.4, 4, 95.1, 113, 5), (15.8, 8, 351.0, 264, 5), (19.7, 6, 145.0, 175, 5),
    (15.0, 8, 301.0, 335, 5), (21.4, 4, 121.0, 109, 4),
]


@pytest.fixture
def mtcars():
    """The 32 cars of R's mtcars with the columns the rwa README example uses."""
    return pd.DataFrame(MTCARS, columns=["mpg", "cyl", "disp", "hp", "gear"])


@pytest.fixture
def ratings():
    """Three hundred respondents: correlated touchpoint ratings and an overall score."""
    rng = np.random.default_rng(3)
    base = rng.normal(size=(300, 1))
    x = base + rng.normal(size=(300, 4)) * np.array([0.5, 1.0, 1.5, 2.0])
    y = x @ np.array([0.6, 0.3, 0.2, 0.0]) + rng.normal(size=300)
    return pd.DataFrame(np.column_stack([y, x]), columns=["overall", "T1", "T2", "T3", "T4"])


def test_relative_weights_mtcars_matches_published_rwa_example(mtcars):
    """The rwa R package (Martin Chan) README, "Basic example": martinctc/rwa, README.md
    (commit 029a5687c50e7ea99a4c46230695e63a2a0d2a3f), rwa(mtcars, outcome = "mpg",
    predictors = c("cyl", "disp", "hp", "gear")) gives rsquare 0.7791896 and
    Raw.RelWeight / Rescaled.RelWeight cyl 0.2284797 / 29.32274, disp 0.2221469 /
    28.50999, hp 0.2321744 / 29.79691, gear 0.0963886 / 12.37037; n 32."""
    result = drivers.relative_weights(mtcars, "mpg", ["cyl", "disp", "hp", "gear"])
    published = pd.DataFrame({
        "raw": [0.2321744, 0.2284797, 0.2221469, 0.0963886],
        "rescaled": [29.79691, 29.32274, 28.50999, 12.37037],
    }, index=pd.Index(["hp", "cyl", "disp", "gear"], name="driver"))
    # Published to 7 and 5 decimals: agree to half a unit in the last place shown.
    pd.testing.assert_index_equal(result.index, published.index)
    assert result["raw"].to_numpy() == pytest.approx(published["raw"].to_numpy(), abs=5e-8)
    assert result["rescaled"].to_numpy() == pytest.approx(published["rescaled"].to_numpy(),
                                                          abs=5e-6)
    assert result.attrs["r_squared"] == pytest.approx(0.7791896, abs=5e-8)
    assert result.attrs["n"] == 32


def test_relative_weights_raw_sums_to_ols_r_squared(ratings):
    standard = (ratings - ratings.mean()) / ratings.std()
    x, y = standard[["T1", "T2", "T3", "T4"]].to_numpy(), standard["overall"].to_numpy()
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    r_squared = 1 - ((y - x @ coef) ** 2).sum() / (y ** 2).sum()
    result = drivers.relative_weights(ratings, "overall", ["T1", "T2", "T3", "T4"])
    assert result["raw"].sum() == pytest.approx(r_squared)
    assert result.attrs["r_squared"] == pytest.approx(r_squared)
    assert result["rescaled"].sum() == pytest.approx(100)


def test_relative_weights_orthogonal_drivers_equal_squared_correlations():
    rng = np.random.default_rng(8)
    centred = rng.normal(size=(120, 3))
    centred -= centred.mean(axis=0)
    q, _ = np.linalg.qr(centred)          # columns orthogonal and, being centred, uncorrelated
    y = q @ np.array([3.0, 1.0, 0.5]) + rng.normal(size=120) * 0.05
    frame = pd.DataFrame({"y": y, "a": q[:, 0], "b": q[:, 1], "c": q[:, 2]})
    result = drivers.relative_weights(frame, "y", ["a", "b", "c"])
    squared = frame.corr()["y"].drop("y") ** 2
    assert result["raw"].to_numpy() == pytest.approx(squared[result.index].to_numpy())


def test_relative_weights_sorted_largest_first_with_driver_index(ratings):
    result = drivers.relative_weights(ratings, "overall", ["T4", "T3", "T2", "T1"])
    assert result.index.name == "driver"
    assert list(result.columns) == ["raw", "rescaled"]
    assert result["raw"].is_monotonic_decreasing
    assert result.index[0] == "T1"


def test_relative_weights_listwise_drops_incomplete_rows(ratings):
    sparse = ratings.copy()
    sparse.loc[::4, "T2"] = np.nan
    sparse.loc[::7, "overall"] = np.nan
    complete = sparse.dropna()
    result = drivers.relative_weights(sparse, "overall", ["T1", "T2", "T3"])
    expected = drivers.relative_weights(complete, "overall", ["T1", "T2", "T3"])
    pd.testing.assert_frame_equal(result, expected)
    assert result.attrs["n"] == len(complete)


def test_relative_weights_planted_gaps_sum_to_statsmodels_ols_on_complete_cases(ratings):
    """Skipped answers at random in every column: raw weights sum to the R² that statsmodels'
    OLS finds on the complete cases, never above 1, and n is their number."""
    import statsmodels.api as sm

    rng = np.random.default_rng(21)
    sparse = ratings.mask(rng.random(ratings.shape) < 0.2)
    complete = sparse.dropna()
    ols = sm.OLS(complete["overall"], sm.add_constant(complete[["T1", "T2", "T3", "T4"]])).fit()
    result = drivers.relative_weights(sparse, "overall", ["T1", "T2", "T3", "T4"])
    assert result.attrs["n"] == len(complete) == int(ols.nobs)
    assert result["raw"].sum() == pytest.approx(ols.rsquared, abs=1e-12)
    assert result.attrs["r_squared"] <= 1


def test_key_drivers_sparse_survey_keeps_the_most_answered_until_the_floor():
    """Respondents rate only what they used: nobody rated all six, so the least answered go
    first until the complete answers reach 30 and 10 per driver."""
    rng = np.random.default_rng(2)
    n = 600
    x = pd.DataFrame(rng.normal(size=(n, 6)), columns=list("abcdef"))
    y = x.sum(axis=1) + rng.normal(size=n)
    answered = rng.random((n, 6)) < np.array([0.95, 0.9, 0.85, 0.4, 0.3, 0.2])
    frame = x.where(answered).assign(y=y)
    fit = drivers.key_drivers(frame, "y", list("abcdef"))
    kept = list(fit.weights.index)
    assert fit.n == len(frame[["y", *kept]].dropna()) >= drivers.floor(len(kept))
    assert {d["driver"] for d in fit.dropped} == set("abcdef") - set(kept)
    for d in fit.dropped:             # adding it back would lose the answers it is said to cost
        assert d["cost"] == fit.n - len(frame[["y", *kept, d["driver"]]].dropna())


def test_key_drivers_constant_outcome_shows_no_model_and_says_why(ratings):
    """Everyone gave the overall question the same answer (found by the fuzz test of
    tests/test_hostile_inputs.py): no model, a reason, no exception."""
    fit = drivers.key_drivers(ratings.assign(overall=7.0), "overall", ["T1", "T2", "T3"])
    assert fit.weights is None and fit.reason == "constant_outcome" and fit.n == 300


@pytest.mark.parametrize("column", ["T2", "overall"])
def test_relative_weights_constant_column_raises_naming_it(ratings, column):
    frame = ratings.assign(**{column: 3.0})
    with pytest.raises(ValueError, match=f"'{column}' is constant"):
        drivers.relative_weights(frame, "overall", ["T1", "T2"])


def test_relative_weights_constant_after_listwise_raises(ratings):
    frame = ratings.copy()
    frame.loc[::2, "T1"] = np.nan
    frame.loc[1::2, "T2"] = 4.0
    with pytest.raises(ValueError, match="'T2' is constant"):
        drivers.relative_weights(frame, "overall", ["T1", "T2"])


@pytest.mark.parametrize("missing_col", ["T9", "overall_x"])
def test_relative_weights_missing_column_raises_naming_it(ratings, missing_col):
    with pytest.raises(ValueError, match=f"'{missing_col}' is not in the frame"):
        drivers.relative_weights(ratings, "overall", ["T1", missing_col])


def test_relative_weights_empty_column_raises_naming_it(ratings):
    with pytest.raises(ValueError, match="'T3' has no values"):
        drivers.relative_weights(ratings.assign(T3=np.nan), "overall", ["T1", "T3"])


def test_relative_weights_too_few_respondents_raises(ratings):
    frame = ratings.copy()
    frame.loc[4:, "T1"] = np.nan                      # T1 answered by 4 respondents only
    with pytest.raises(ValueError, match="only 4 complete rows for 3 drivers"):
        drivers.relative_weights(frame, "overall", ["T1", "T2", "T3"])


def test_floor_thirty_and_ten_per_driver():
    assert [drivers.floor(k) for k in (1, 3, 4, 7)] == [30, 30, 40, 70]

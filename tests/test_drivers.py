"""Tests of cxlib.statistics.drivers: Johnson's relative weights against a published example and OLS."""
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


def test_relative_weights_pairwise_without_gaps_equals_listwise(ratings):
    listwise = drivers.relative_weights(ratings, "overall", ["T1", "T2", "T3"])
    pairwise = drivers.relative_weights(ratings, "overall", ["T1", "T2", "T3"],
                                        missing="pairwise")
    pd.testing.assert_frame_equal(listwise, pairwise)


def test_relative_weights_pairwise_uses_each_pair_and_least_count(ratings):
    sparse = ratings.copy()
    sparse.loc[:99, "T1"] = np.nan
    sparse.loc[150:, "T2"] = np.nan
    result = drivers.relative_weights(sparse, "overall", ["T1", "T2", "T3"],
                                      missing="pairwise")
    assert result.attrs["n"] == 50            # T1 and T2 are both answered in rows 100-149
    # Independent route: Johnson's weights from the pairwise matrix via numpy only.
    corr = sparse[["overall", "T1", "T2", "T3"]].corr().to_numpy()
    values, vectors = np.linalg.eigh(corr[1:, 1:])
    lam = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta = np.linalg.solve(lam, corr[1:, 0])
    raw = pd.Series(lam ** 2 @ beta ** 2, index=["T1", "T2", "T3"])
    assert result["raw"].to_numpy() == pytest.approx(raw[result.index].to_numpy())


def test_relative_weights_pairwise_indefinite_matrix_gives_finite_weights():
    """Pairs observed on different respondents can contradict each other: a~b and b~c
    strongly positive but a~c strongly negative. Negative eigenvalues are set to 0."""
    rng = np.random.default_rng(4)
    n = 40
    base = rng.normal(size=(3, n))
    noise = rng.normal(size=(3, n)) * 0.1
    frame = pd.DataFrame(np.nan, index=range(3 * n), columns=["y", "a", "b", "c"])
    frame.loc[0:n - 1, ["a", "b"]] = np.column_stack([base[0], base[0] + noise[0]])
    frame.loc[n:2 * n - 1, ["b", "c"]] = np.column_stack([base[1], base[1] + noise[1]])
    frame.loc[2 * n:, ["a", "c"]] = np.column_stack([base[2], -base[2] + noise[2]])
    frame["y"] = frame[["a", "b", "c"]].mean(axis=1) + rng.normal(size=3 * n) * 0.5
    corr = frame[["a", "b", "c"]].corr().to_numpy()
    assert np.linalg.eigvalsh(corr).min() < -0.1          # the case this test is about
    result = drivers.relative_weights(frame, "y", ["a", "b", "c"], missing="pairwise")
    assert np.isfinite(result.to_numpy()).all()
    assert (result["raw"] >= 0).all()
    assert result["rescaled"].sum() == pytest.approx(100)


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


def test_relative_weights_unknown_missing_raises(ratings):
    with pytest.raises(ValueError, match="missing"):
        drivers.relative_weights(ratings, "overall", ["T1"], missing="mean")


@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_relative_weights_too_few_respondents_raises(ratings, missing):
    frame = ratings.copy()
    frame.loc[4:, "T1"] = np.nan                      # T1 answered by 4 respondents only
    with pytest.raises(ValueError, match="only 4 .* for 3 drivers"):
        drivers.relative_weights(frame, "overall", ["T1", "T2", "T3"], missing=missing)

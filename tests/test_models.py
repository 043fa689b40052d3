"""Tests of cxlib.statistics.models.logistic against statsmodels' Logit."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlib.statistics import models


@pytest.fixture
def customers():
    """Five hundred customers: retained (0/1) depends on NPS score, a promoter flag and tenure."""
    rng = np.random.default_rng(21)
    n = 500
    score = rng.integers(0, 11, n).astype(float)
    promoter = (score >= 9).astype(float)
    tenure = rng.gamma(2.0, 2.0, n)
    eta = -1.5 + 0.25 * score + 0.6 * promoter + 0.1 * tenure
    retained = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame({"retained": retained, "score": score, "promoter": promoter,
                         "tenure": tenure})


PREDICTORS = ["score", "promoter", "tenure"]


def _statsmodels_fit(frame, predictors):
    x = sm.add_constant(frame[predictors])
    return sm.Logit(frame["retained"], x).fit(disp=0, method="newton", tol=1e-12, maxiter=100)


def test_logistic_matches_statsmodels_logit(customers):
    fit = _statsmodels_fit(customers, PREDICTORS)
    result = models.logistic(customers, "retained", PREDICTORS)
    assert list(result.index) == ["const", *PREDICTORS]
    assert result["coef"].to_numpy() == pytest.approx(fit.params.to_numpy(), abs=1e-6)
    assert result["se"].to_numpy() == pytest.approx(fit.bse.to_numpy(), abs=1e-6)
    assert result["z"].to_numpy() == pytest.approx(fit.tvalues.to_numpy(), abs=1e-5)
    assert result["p_value"].to_numpy() == pytest.approx(fit.pvalues.to_numpy(), abs=1e-8)
    assert result.attrs["log_likelihood"] == pytest.approx(fit.llf, abs=1e-8)
    assert result.attrs["n"] == 500 and result.attrs["converged"]


def test_logistic_odds_ratio_interval_is_exp_of_statsmodels_interval(customers):
    fit = _statsmodels_fit(customers, PREDICTORS)
    result = models.logistic(customers, "retained", PREDICTORS, level=0.90)
    bounds = np.exp(fit.conf_int(alpha=0.10)).to_numpy()
    assert result["odds_ratio"].to_numpy() == pytest.approx(np.exp(fit.params.to_numpy()))
    assert result[["or_low", "or_high"]].to_numpy() == pytest.approx(bounds, rel=1e-6)


def test_logistic_drops_rows_with_missing_values(customers):
    frame = customers.copy()
    frame.loc[::9, "tenure"] = np.nan
    frame.loc[::13, "retained"] = np.nan
    complete = frame.dropna()
    fit = _statsmodels_fit(complete, PREDICTORS)
    result = models.logistic(frame, "retained", PREDICTORS)
    assert result.attrs["n"] == len(complete)
    assert result["coef"].to_numpy() == pytest.approx(fit.params.to_numpy(), abs=1e-6)


def test_logistic_one_predictor_matches_statsmodels(customers):
    fit = _statsmodels_fit(customers, ["promoter"])
    result = models.logistic(customers, "retained", ["promoter"])
    assert result["coef"].to_numpy() == pytest.approx(fit.params.to_numpy(), abs=1e-6)
    assert result["se"].to_numpy() == pytest.approx(fit.bse.to_numpy(), abs=1e-6)


def test_logistic_perfect_separation_raises():
    frame = pd.DataFrame({"retained": [0, 0, 0, 0, 1, 1, 1, 1],
                          "score": [1, 2, 3, 4, 6, 7, 8, 9]})
    with pytest.raises(ValueError, match="perfect separation"):
        models.logistic(frame, "retained", ["score"])


def test_logistic_quasi_separation_raises():
    """Every promoter is retained; the promoter coefficient has no finite estimate."""
    frame = pd.DataFrame({"retained": [0, 1, 0, 1, 0, 1, 1, 1, 1, 1],
                          "promoter": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]})
    with pytest.raises(ValueError, match="separation"):
        models.logistic(frame, "retained", ["promoter"])


def test_logistic_constant_predictor_raises_naming_it(customers):
    with pytest.raises(ValueError, match="'region' is constant"):
        models.logistic(customers.assign(region=1.0), "retained", ["score", "region"])


def test_logistic_collinear_predictors_raise(customers):
    frame = customers.assign(double=2 * customers["score"])
    with pytest.raises(ValueError, match="collinear"):
        models.logistic(frame, "retained", ["score", "double"])


@pytest.mark.parametrize("outcome, match", [([0, 1, 2, 1], "0/1"), ([1, 1, 1, 1], "one value")])
def test_logistic_bad_outcome_raises(outcome, match):
    frame = pd.DataFrame({"retained": outcome, "score": [1, 2, 3, 4]})
    with pytest.raises(ValueError, match=match):
        models.logistic(frame, "retained", ["score"])


def test_logistic_missing_column_raises_naming_it(customers):
    with pytest.raises(ValueError, match="'churn' is not in the frame"):
        models.logistic(customers, "churn", ["score"])

"""Logistic regression of a 0/1 outcome (retention) on loyalty and other predictors."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, log_expit

MAX_ITER = 100
TOL = 1e-10
#: A fitted probability this close to the observed 0/1 outcome counts as predicted exactly.
EXACT = 1e-8


def _design(frame: pd.DataFrame, outcome: str, predictors: list[str]) -> tuple:
    """Outcome vector and design matrix (constant first) over rows without NaN."""
    names = [outcome, *predictors]
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise ValueError(f"column {absent[0]!r} is not in the frame; columns are "
                         f"{list(frame.columns)}")
    data = frame[names].apply(pd.to_numeric, errors="raise").astype(float).dropna()
    y = data[outcome].to_numpy()
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"outcome {outcome!r} must be 0/1, got values "
                         f"{sorted(set(y[~np.isin(y, (0.0, 1.0))].tolist()))[:5]}")
    if len(np.unique(y)) < 2:
        raise ValueError(f"outcome {outcome!r} has one value only in the {len(y)} rows used; "
                         "a model needs both 0 and 1")
    for name in predictors:
        if data[name].nunique() < 2:
            raise ValueError(f"predictor {name!r} is constant in the rows used; leave it out")
    x = np.column_stack([np.ones(len(data)), data[predictors].to_numpy()])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError(f"predictors {predictors} are collinear (one is a combination of "
                         "the others); leave one out")
    return y, x


def _log_likelihood(y: np.ndarray, eta: np.ndarray) -> float:
    return float((y * log_expit(eta) + (1 - y) * log_expit(-eta)).sum())


def _newton(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Maximum-likelihood coefficients by Newton-Raphson with step halving.

    Returns the coefficients, the information matrix X'WX and whether the steps shrank
    below TOL within MAX_ITER iterations.
    """
    beta = np.zeros(x.shape[1])
    ll = _log_likelihood(y, x @ beta)
    for _ in range(MAX_ITER):
        p = expit(x @ beta)
        information = x.T @ (x * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(information, x.T @ (y - p))
        except np.linalg.LinAlgError:
            return beta, information, False
        # A full step can overshoot far from the optimum; halve until the fit improves.
        for _ in range(30):
            new_ll = _log_likelihood(y, x @ (beta + step))
            if new_ll >= ll - 1e-12:
                break
            step = step / 2
        beta, ll = beta + step, new_ll
        if np.max(np.abs(step)) < TOL:
            p = expit(x @ beta)
            return beta, x.T @ (x * (p * (1 - p))[:, None]), True
    return beta, information, False


def logistic(frame: pd.DataFrame, outcome: str, predictors: list[str],
             level: float = 0.95) -> pd.DataFrame:
    """Logistic regression of a 0/1 outcome with Wald tests and odds-ratio intervals.

    Rows with a missing outcome or predictor are left out. The fit is Newton-Raphson
    (IRLS); standard errors come from the inverse information matrix.

    Parameters: frame -- one row per customer; outcome -- 0/1 column (e.g. retained);
    predictors -- numeric columns (0/1 dummies for groups); level -- interval level.
    Returns: DataFrame indexed by term ("const" then the predictors; index name "term")
    with coef, se, z, p_value, odds_ratio, or_low, or_high; attrs n, log_likelihood,
    converged.
    Raises ValueError for a constant or collinear predictor, a one-valued outcome, or
    perfect (or quasi-perfect) separation, where some coefficient has no finite estimate.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    predictors = list(predictors)
    y, x = _design(frame, outcome, predictors)
    beta, information, converged = _newton(y, x)
    exact = np.abs(expit(x @ beta) - y) < EXACT
    if not converged and exact.any():
        raise ValueError(
            f"perfect separation: {predictors} predict {outcome!r} exactly for "
            f"{int(exact.sum())} of {len(y)} rows, so the coefficients grow without bound; "
            "merge small groups or leave out the predictor that splits the outcome")
    se = np.sqrt(np.diag(np.linalg.inv(information)))
    z = beta / se
    z_crit = stats.norm.ppf(0.5 + level / 2)
    table = pd.DataFrame({
        "coef": beta,
        "se": se,
        "z": z,
        "p_value": 2 * stats.norm.sf(np.abs(z)),
        "odds_ratio": np.exp(beta),
        "or_low": np.exp(beta - z_crit * se),
        "or_high": np.exp(beta + z_crit * se),
    }, index=pd.Index(["const", *predictors], name="term"))
    table.attrs.update(n=len(y), log_likelihood=_log_likelihood(y, x @ beta),
                       converged=converged)
    return table

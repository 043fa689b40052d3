"""Key driver analysis: how much each touchpoint rating accounts for the loyalty outcome."""
from __future__ import annotations

import numpy as np
import pandas as pd

MISSING = ("listwise", "pairwise")


def _columns(frame: pd.DataFrame, outcome: str, drivers: list[str]) -> pd.DataFrame:
    """The outcome and driver columns as floats; a missing or empty column is an error."""
    names = [outcome, *drivers]
    if len(set(names)) != len(names):
        raise ValueError(f"outcome and drivers must be distinct columns, got {names}")
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise ValueError(f"column {absent[0]!r} is not in the frame; columns are "
                         f"{list(frame.columns)}")
    data = frame[names].apply(pd.to_numeric, errors="raise").astype(float)
    for name in names:
        if data[name].notna().sum() == 0:
            raise ValueError(f"column {name!r} has no values")
    return data


def _check_varies(data: pd.DataFrame) -> None:
    for name in data.columns:
        if data[name].dropna().nunique() < 2:
            raise ValueError(f"column {name!r} is constant in the rows used; "
                             "a constant rating cannot drive the outcome: leave it out")


def _check_enough(n: int, drivers: int, missing: str) -> None:
    # With no more respondents than drivers + 1 the fit is exact and R^2 is 1 by construction.
    if n < drivers + 2:
        which = "complete rows" if missing == "listwise" else "respondents behind some correlation"
        raise ValueError(f"only {n} {which} for {drivers} drivers; at least {drivers + 2} "
                         "are needed")


def _correlations(data: pd.DataFrame, missing: str) -> tuple[pd.DataFrame, int]:
    """Correlation matrix and the number of answers it rests on (least pairwise count)."""
    drivers = data.shape[1] - 1
    if missing == "listwise":
        data = data.dropna()
        _check_enough(len(data), drivers, missing)
        _check_varies(data)
        return data.corr(), len(data)
    present = data.notna().astype(float)
    n = int((present.T @ present).to_numpy().min())
    _check_enough(n, drivers, missing)
    _check_varies(data)
    corr = data.corr()
    if corr.isna().to_numpy().any():
        i, j = np.argwhere(corr.isna().to_numpy())[0]
        raise ValueError(f"columns {corr.index[i]!r} and {corr.columns[j]!r} do not vary "
                         "among the respondents who answered both")
    return corr, n


def _root(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric square root and its pseudo-inverse, negative eigenvalues set to 0.

    Pairwise-complete correlation matrices need not be positive semi-definite; setting
    negative eigenvalues to 0 gives the nearest PSD matrix with the same eigenvectors.
    Eigenvalues near 0 (collinear drivers) are left out of the inverse.
    """
    values, vectors = np.linalg.eigh(matrix)
    values = np.clip(values, 0.0, None)
    root = np.sqrt(values)
    keep = values > values.max() * 1e-12
    inverse_root = np.where(keep, 1 / np.where(keep, root, 1.0), 0.0)
    return (vectors * root) @ vectors.T, (vectors * inverse_root) @ vectors.T


def relative_weights(frame: pd.DataFrame, outcome: str, drivers: list[str],
                     missing: str = "listwise") -> pd.DataFrame:
    """Johnson's (2000) relative weights: each driver's share of the outcome's explained variance.

    From the correlations Rxx (drivers) and rxy (drivers with outcome):
    Lambda = Rxx^(1/2) (symmetric root by eigendecomposition), beta = Rxx^(-1/2) rxy
    (the outcome regressed on the orthogonal counterparts of the drivers), and the raw
    weights are (Lambda ** 2) @ (beta ** 2), elementwise squares. The raw weights sum to
    the model R^2; rescaled weights are percentages of it.

    Survey ratings are sparse (not every respondent rates every touchpoint), so
    missing="pairwise" computes each correlation over the respondents who answered both
    columns; that matrix can be indefinite, and its negative eigenvalues are set to 0.
    missing="listwise" keeps only respondents who answered every column.

    Parameters: frame -- one row per respondent; outcome -- column of the outcome;
    drivers -- columns of the driver ratings; missing -- "listwise" or "pairwise".
    Returns: DataFrame indexed by driver (index name "driver") with columns raw and
    rescaled, largest first; attrs r_squared and n (respondents used; for pairwise the
    smallest number of respondents behind any correlation).
    Raises ValueError naming the column when a column is absent, empty or constant.
    """
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {MISSING}, got {missing!r}")
    drivers = list(drivers)
    if not drivers:
        raise ValueError("relative_weights needs at least one driver")
    corr, n = _correlations(_columns(frame, outcome, drivers), missing)
    rxx = corr.loc[drivers, drivers].to_numpy()
    rxy = corr.loc[drivers, outcome].to_numpy()
    lam, inverse_lam = _root(rxx)
    beta = inverse_lam @ rxy
    raw = (lam ** 2) @ (beta ** 2)
    r_squared = float(raw.sum())
    table = pd.DataFrame({"raw": raw, "rescaled": 100 * raw / r_squared},
                         index=pd.Index(drivers, name="driver"))
    table = table.sort_values("raw", ascending=False, kind="stable")
    table.attrs.update(r_squared=r_squared, n=n)
    return table

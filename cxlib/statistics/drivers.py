"""Key driver analysis: how much each touchpoint rating accounts for the loyalty outcome.

Relative weights are fitted on complete answers only (listwise): the respondents who
answered the outcome and every driver. A correlation matrix built pair by pair from
different respondents is not the matrix of any one sample; its "R²" can exceed 1 and its
weights differ from the same model fitted on the complete answers, so it is never used.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: The fewest complete answers a driver model is shown on, and the fewest per driver.
MIN_COMPLETE = 30
PER_DRIVER = 10


def floor(drivers: int) -> int:
    """The fewest complete answers a model with `drivers` drivers is fitted on."""
    return max(MIN_COMPLETE, PER_DRIVER * drivers)


def _columns(frame: pd.DataFrame, outcome: str, drivers: list[str]) -> pd.DataFrame:
    """The outcome and driver columns as floats; a missing or empty column is an error."""
    names = [outcome, *drivers]
    if len(set(names)) != len(names):
        raise ValueError(f"outcome and drivers must be distinct columns, got {names}")
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise ValueError(f"column {absent[0]!r} is not in the frame; columns are "
                         f"{list(frame.columns)}")
    data = _floats(frame, names)
    for name in names:
        if data[name].notna().sum() == 0:
            raise ValueError(f"column {name!r} has no values")
    return data


def _floats(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The columns as floats; text is parsed as numbers (an error when it is not one)."""
    part = frame[names]
    if all(pd.api.types.is_numeric_dtype(dtype) for dtype in part.dtypes):
        return part.astype(float)       # column by column to_numeric costs seconds at 1M
    return part.apply(pd.to_numeric, errors="raise").astype(float)


def _root(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric square root and its pseudo-inverse, by eigendecomposition.

    A correlation matrix of complete answers is positive semi-definite; rounding can make
    an eigenvalue slightly negative, which is set to 0. Eigenvalues near 0 (collinear
    drivers) are left out of the inverse.
    """
    values, vectors = np.linalg.eigh(matrix)
    values = np.clip(values, 0.0, None)
    root = np.sqrt(values)
    keep = values > values.max() * 1e-12
    inverse_root = np.where(keep, 1 / np.where(keep, root, 1.0), 0.0)
    return (vectors * root) @ vectors.T, (vectors * inverse_root) @ vectors.T


def relative_weights(frame: pd.DataFrame, outcome: str, drivers: list[str]) -> pd.DataFrame:
    """Johnson's (2000) relative weights: each driver's share of the outcome's explained variance.

    Only respondents who answered the outcome and every driver are used. From their
    correlations Rxx (drivers) and rxy (drivers with outcome): Lambda = Rxx^(1/2)
    (symmetric root by eigendecomposition), beta = Rxx^(-1/2) rxy (the outcome regressed
    on the orthogonal counterparts of the drivers), and the raw weights are
    (Lambda ** 2) @ (beta ** 2), elementwise squares. The raw weights sum to the R² of
    the OLS regression of the outcome on the drivers over the same respondents (at most 1);
    rescaled weights are percentages of it.

    Parameters: frame -- one row per respondent; outcome -- column of the outcome;
    drivers -- columns of the driver ratings.
    Returns: DataFrame indexed by driver (index name "driver") with columns raw and
    rescaled, largest first; attrs r_squared and n (the complete answers used).
    Raises ValueError naming the column when a column is absent, empty or constant among
    the complete answers, and when there are fewer than drivers + 2 complete answers.
    """
    drivers = list(drivers)
    if not drivers:
        raise ValueError("relative_weights needs at least one driver")
    data = _columns(frame, outcome, drivers).dropna()
    n = len(data)
    # With no more respondents than drivers + 1 the fit is exact and R² is 1 by construction.
    if n < len(drivers) + 2:
        raise ValueError(f"only {n} complete rows for {len(drivers)} drivers; at least "
                         f"{len(drivers) + 2} are needed")
    for name in data.columns:
        if data[name].nunique() < 2:
            raise ValueError(f"column {name!r} is constant in the rows used; "
                             "a constant rating cannot drive the outcome: leave it out")
    corr = data.corr()
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


@dataclass
class KeyDrivers:
    """A key driver model on complete answers, and what was left out to reach it.

    weights -- relative_weights' table with a `cost` column (complete answers the model
    would gain without that driver), or None when the model is not shown; n -- complete
    answers used (or found, when not shown); floor -- the fewest the model needed;
    dropped -- one dict per driver left out: driver, reason ("constant", "costly"),
    cost (complete answers it cost), answers (respondents who rated it);
    reason -- why the model is not shown ("too_few", "too_few_drivers", "constant_outcome":
    every respondent gave the outcome the same answer), else "".
    """

    weights: pd.DataFrame | None
    n: int
    floor: int
    dropped: list[dict] = field(default_factory=list)
    reason: str = ""


class _Missing:
    """Which answers are missing, as one boolean matrix (outcome first, then candidates), with
    each row's count of missing answers among the drivers kept so far: the complete answers
    of a model, and what leaving out or adding a driver changes, without copying the frame."""

    def __init__(self, data: pd.DataFrame, outcome: str, candidates: list[str]):
        self.matrix = data[[outcome, *candidates]].isna().to_numpy()
        self.column = {d: i + 1 for i, d in enumerate(candidates)}
        self.count = self.matrix.sum(axis=1, dtype=np.int64)    # every candidate kept

    def drop(self, driver: str) -> None:
        self.count -= self.matrix[:, self.column[driver]]

    def complete(self, extra: str | None = None) -> int:
        """Complete answers of the kept drivers (plus `extra`, one left out)."""
        count = self.count if extra is None else self.count + self.matrix[:, self.column[extra]]
        return int(np.count_nonzero(count == 0))

    def costs(self, drivers: list[str]) -> dict[str, int]:
        """Per kept driver: how many more complete answers there would be without it."""
        # A row completes without driver d exactly when d is the one answer it lacks.
        alone = self.matrix[self.count == 1]
        return {d: int(alone[:, self.column[d]].sum()) for d in drivers}


def _varies(column: pd.Series) -> bool:
    """Whether a float column holds two different values (nunique >= 2, without hashing)."""
    values = column.to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    return len(values) > 0 and values.min() != values.max()


def key_drivers(frame: pd.DataFrame, outcome: str, candidates: list[str],
                min_drivers: int = 2) -> KeyDrivers:
    """Relative weights of `candidates` on complete answers, leaving out what cannot be fitted.

    Steps, in order: a driver that does not vary among the respondents who answered it
    and the outcome is left out ("constant"). While the complete answers are fewer than
    `floor(drivers)` (at least MIN_COMPLETE, and PER_DRIVER per driver), the driver whose
    removal regains the most complete answers is left out ("costly"); when no single
    removal regains any (sparse surveys where few rated everything), the driver rated by
    the fewest goes first, as long as a smaller model has a lower floor. A driver constant
    among the complete answers is then left out too. When fewer than `min_drivers` remain,
    or the complete answers stay below the floor, no model is shown; nor when the outcome
    itself does not vary (nothing for a driver to account for).

    Each left-out driver's `cost` is how many complete answers adding it back to the final
    model would lose; each kept driver's is how many the model would gain without it.

    Parameters: frame -- one row per respondent; outcome -- column of the outcome;
    candidates -- columns of the driver ratings; min_drivers -- the fewest drivers worth
    a model.
    Returns: KeyDrivers.
    """
    data = _floats(frame, [outcome, *candidates])
    data = data[data[outcome].notna()]
    if data[outcome].nunique() < 2:
        return KeyDrivers(None, len(data), floor(max(len(candidates), 1)), [],
                          "constant_outcome")
    answers = data.notna().sum()
    dropped, drivers = [], []
    for d in candidates:
        if not _varies(data[d]):
            dropped.append({"driver": d, "reason": "constant"})
        else:
            drivers.append(d)
    missing = _Missing(data, outcome, candidates)
    for d in dropped:
        missing.drop(d["driver"])
    while len(drivers) >= min_drivers:
        complete = missing.count == 0
        if int(np.count_nonzero(complete)) < floor(len(drivers)):
            costs = missing.costs(drivers)
            # Most regained first, then fewest answers, then file order.
            costliest = min(drivers, key=lambda d: (-costs[d], answers[d]))
            if costs[costliest] == 0 and floor(len(drivers) - 1) == floor(len(drivers)):
                break                   # leaving one out would not help: too few answers
            dropped.append({"driver": costliest, "reason": "costly"})
            drivers.remove(costliest)
            missing.drop(costliest)
            continue
        flat = [d for d in drivers if not _varies(data.loc[complete, d])]
        if not flat:
            break
        dropped += [{"driver": d, "reason": "constant"} for d in flat]
        drivers = [d for d in drivers if d not in flat]
        for d in flat:
            missing.drop(d)
    for d in dropped:
        d.update(answers=int(answers[d["driver"]]),
                 cost=missing.complete() - missing.complete(d["driver"]) if drivers else 0)
    n = missing.complete() if drivers else 0
    needed = floor(max(len(drivers), 1))
    if len(drivers) < min_drivers:
        return KeyDrivers(None, n, needed, dropped, "too_few_drivers")
    if n < needed:
        return KeyDrivers(None, n, needed, dropped, "too_few")
    weights = relative_weights(data, outcome, drivers)
    weights["cost"] = pd.Series(missing.costs(drivers)).reindex(weights.index)
    return KeyDrivers(weights, n, needed, dropped)

"""Loyalty and rating statistics with intervals and tests: NPS, proportions, means, gaps.

Every function takes array-likes or pandas objects, drops missing answers itself and
returns pandas objects. Intervals are at `level` (95% by default). Every single-sample
result carries `small_sample`: True when fewer than `MIN_N` answers were used (for two
samples, when either one is that small), so reports can print a caveat.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: Fewer answers than this is a small sample; results carry a `small_sample` flag.
MIN_N = 30

#: Expected cell counts below this make a chi-square test unreliable (`sparse`): its
#: p-value then comes from MONTE_CARLO_TABLES random tables with the observed margins,
#: drawn from a fixed seed so that a rerun reports the same p.
MIN_EXPECTED = 5
MONTE_CARLO_TABLES = 9_999
MONTE_CARLO_SEED = 2014

NPS_GROUPS = ("promoter", "passive", "detractor")


# -- helpers -------------------------------------------------------------------------

def _series(values) -> pd.Series:
    """Values as a float Series, keeping a pandas index when there is one."""
    if isinstance(values, pd.Series):
        series = values
    elif isinstance(values, pd.DataFrame):
        raise TypeError("expected one column of values, got a DataFrame")
    else:
        series = pd.Series(np.asarray(values, dtype=object).ravel())
    return pd.to_numeric(series, errors="raise").astype(float)


def _clean(values) -> np.ndarray:
    """Values as a float array without missing answers."""
    series = _series(values)
    return series[series.notna()].to_numpy()


def _binary(values) -> np.ndarray:
    """0/1 answers without missing ones; anything else is a programming error."""
    x = _clean(values)
    if not np.isin(x, (0.0, 1.0)).all():
        bad = sorted(set(x[~np.isin(x, (0.0, 1.0))].tolist()))[:5]
        raise ValueError(f"expected 0/1 values, got {bad}")
    return x


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    return float(stats.norm.ppf(0.5 + level / 2))


def _t(level: float, df: float) -> float:
    _z(level)
    return float(stats.t.ppf(0.5 + level / 2, df))


def _p_two_sided_z(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z))) if not np.isnan(z) else np.nan


def _ratio(num: float, den: float) -> float:
    """num / den, with 0/0 as NaN and x/0 as a signed infinity (no warnings)."""
    if den == 0:
        return np.nan if num == 0 else float(np.copysign(np.inf, num))
    return num / den


def _aligned(*columns) -> pd.DataFrame:
    """Columns side by side, numbered 0, 1, ...: by index when all are Series, else by position."""
    if all(isinstance(c, pd.Series) for c in columns):
        return pd.concat([c.rename(i) for i, c in enumerate(columns)], axis=1)
    arrays = [np.asarray(c, dtype=object).ravel() for c in columns]
    if len({len(a) for a in arrays}) > 1:
        raise ValueError(f"expected columns of one length, got {[len(a) for a in arrays]}")
    return pd.DataFrame(dict(enumerate(arrays)))


def _values_and_groups(values, groups) -> pd.DataFrame:
    """Answers (column 0, float) beside their segment (column 1); NaN values kept."""
    frame = _aligned(values, groups)
    frame[0] = _series(frame[0])
    return frame[frame[1].notna()]


# -- NPS -----------------------------------------------------------------------------

def _nps_codes(scores) -> tuple[pd.Series, np.ndarray]:
    """0-10 scores as floats, and each one's group as an index into NPS_GROUPS (-1 where
    missing); a score outside 0-10 is a programming error."""
    x = _series(scores)
    outside = x.notna() & ~x.between(0, 10)
    if outside.any():
        raise ValueError(f"NPS scores must be 0-10, got {sorted(set(x[outside]))[:5]}")
    return x, np.select([x >= 9, x >= 7, x >= 0], [0, 1, 2], default=-1)


def nps_groups(scores) -> pd.Series:
    """Label 0-10 scores as promoter (9-10), passive (7-8) or detractor (0-6).

    Parameters: scores -- array-like or Series of 0-10 scores; NaN stays NaN.
    Returns: Series of labels with the index of `scores`.
    """
    x, codes = _nps_codes(scores)
    labels = np.asarray((*NPS_GROUPS, np.nan), dtype=object)[codes]
    return pd.Series(labels, index=x.index, name=x.name, dtype=object)


def nps(scores, level: float = 0.95) -> pd.Series:
    """Net Promoter Score (-100..100) with a normal-approximation interval.

    With pP and pD the shares of promoters and detractors among n answers,
    NPS = 100 (pP - pD). The score is the mean of a variable that is +1 for promoters,
    0 for passives and -1 for detractors, so its variance counts the (negative)
    covariance of the two shares:

        var(NPS) = 100^2 * (pP + pD - (pP - pD)^2) / n

    and the interval is NPS +/- z * sqrt(var), cut to [-100, 100]. When every answer is
    in one group the standard error is 0 and the interval has no width.

    Parameters: scores -- 0-10 scores (NaN dropped); level -- interval level.
    Returns: Series with score, ci_low, ci_high, n, se, promoters, passives, detractors
    (shares in %) and small_sample. With no answers the numbers are NaN and n is 0.
    """
    z = _z(level)
    # Counted on the groups' codes: comparing a million labels costs seconds.
    codes = _nps_codes(scores)[1]
    counts = np.bincount(codes[codes >= 0], minlength=len(NPS_GROUPS))
    n = int(counts.sum())
    shares = {g: int(c) / n if n else np.nan for g, c in zip(NPS_GROUPS, counts)}
    p_p, p_d = shares["promoter"], shares["detractor"]
    score = 100 * (p_p - p_d)
    se = 100 * np.sqrt(max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n) if n else np.nan
    return pd.Series({
        "score": score,
        "ci_low": max(score - z * se, -100.0) if n else np.nan,
        "ci_high": min(score + z * se, 100.0) if n else np.nan,
        "n": n,
        "se": se,
        "promoters": 100 * p_p,
        "passives": 100 * shares["passive"],
        "detractors": 100 * p_d,
        "small_sample": n < MIN_N,
    }, name="nps")


def nps_difference(a, b, level: float = 0.95) -> pd.Series:
    """Difference of two independent NPS (a - b) with a normal interval and a z-test.

    The standard error is sqrt(se_a^2 + se_b^2) from `nps`; when both are 0 the z is
    infinite (p 0) or, for equal scores, NaN.

    Parameters: a, b -- 0-10 scores of two independent samples; level -- interval level.
    Returns: Series with difference, ci_low, ci_high, z, p_value, n_a, n_b, small_sample.
    """
    z_crit = _z(level)
    first, second = nps(a, level), nps(b, level)
    diff = first["score"] - second["score"]
    se = float(np.hypot(first["se"], second["se"]))
    z = _ratio(diff, se)
    return pd.Series({
        "difference": diff,
        "ci_low": diff - z_crit * se,
        "ci_high": diff + z_crit * se,
        "z": z,
        "p_value": _p_two_sided_z(z),
        "n_a": first["n"],
        "n_b": second["n"],
        "small_sample": min(first["n"], second["n"]) < MIN_N,
    }, name="nps_difference")


# -- proportions ---------------------------------------------------------------------

def _wilson(successes: float, n: int, z: float) -> tuple[float, float]:
    if n == 0:
        return np.nan, np.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0 or n successes the bound is exactly 0 or 1; rounding must not put the estimate
    # outside its own interval.
    low = 0.0 if successes == 0 else max(centre - half, 0.0)
    high = 1.0 if successes == n else min(centre + half, 1.0)
    return low, high


def proportion(values_or_successes, n: int | None = None, level: float = 0.95) -> pd.Series:
    """A share (0-1) with its Wilson score interval.

    Parameters: values_or_successes -- 0/1 answers (NaN dropped) when `n` is None,
    else the number of successes out of `n`; level -- interval level.
    Returns: Series with value, ci_low, ci_high, n, small_sample.
    """
    if n is None:
        x = _binary(values_or_successes)
        successes, n = float(x.sum()), len(x)
    else:
        successes = float(values_or_successes)
        if not 0 <= successes <= n:
            raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    low, high = _wilson(successes, n, _z(level))
    return pd.Series({
        "value": successes / n if n else np.nan,
        "ci_low": low,
        "ci_high": high,
        "n": int(n),
        "small_sample": n < MIN_N,
    }, name="proportion")


def proportion_difference(a, b, level: float = 0.95) -> pd.Series:
    """Difference of two independent shares (a - b): Newcombe interval, pooled z-test.

    The interval is Newcombe's hybrid score interval (1998, method 10), built from the
    two Wilson intervals (l, u): difference - sqrt((p_a - l_a)^2 + (u_b - p_b)^2) to
    difference + sqrt((u_a - p_a)^2 + (p_b - l_b)^2). The p-value is the two-sided
    z-test with the pooled share (the same as a chi-square test without continuity
    correction on the 2x2 table).

    Parameters: a, b -- 0/1 answers of two independent samples; level -- interval level.
    Returns: Series with difference, ci_low, ci_high, z, p_value, n_a, n_b, small_sample.
    """
    z_crit = _z(level)
    x_a, x_b = _binary(a), _binary(b)
    n_a, n_b = len(x_a), len(x_b)
    p_a = x_a.mean() if n_a else np.nan
    p_b = x_b.mean() if n_b else np.nan
    l_a, u_a = _wilson(x_a.sum(), n_a, z_crit)
    l_b, u_b = _wilson(x_b.sum(), n_b, z_crit)
    diff = p_a - p_b
    pooled = (x_a.sum() + x_b.sum()) / (n_a + n_b) if n_a and n_b else np.nan
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b)) if n_a and n_b else np.nan
    z = _ratio(diff, se) if n_a and n_b else np.nan
    return pd.Series({
        "difference": diff,
        "ci_low": diff - np.hypot(p_a - l_a, u_b - p_b),
        "ci_high": diff + np.hypot(u_a - p_a, p_b - l_b),
        "z": z,
        "p_value": _p_two_sided_z(z),
        "n_a": n_a,
        "n_b": n_b,
        "small_sample": min(n_a, n_b) < MIN_N,
    }, name="proportion_difference")


def top_box(values, scale: tuple[float, float], boxes: int = 2, level: float = 0.95) -> pd.Series:
    """Share of answers in the top `boxes` points of a rating scale, with a Wilson interval.

    Parameters: values -- ratings (NaN dropped); scale -- (low, high) of the scale;
    boxes -- how many top points count (2: 4-5 on a 1-5 scale); level -- interval level.
    Returns: Series with value, ci_low, ci_high, n, small_sample (as `proportion`).
    """
    low, high = scale
    if boxes < 1 or boxes > high - low + 1:
        raise ValueError(f"boxes must be 1 to {high - low + 1} on scale {scale}, got {boxes}")
    x = _clean(values)
    outside = (x < low) | (x > high)
    if outside.any():
        raise ValueError(f"ratings must be on scale {scale}, got {sorted(set(x[outside]))[:5]}")
    return proportion((x >= high - (boxes - 1)).astype(float), level=level).rename("top_box")


# -- means ---------------------------------------------------------------------------

def mean(values, level: float = 0.95) -> pd.Series:
    """Mean with a t interval (NaN dropped; the interval needs at least two answers).

    Parameters: values -- numbers; level -- interval level.
    Returns: Series with value, ci_low, ci_high, n, sd, small_sample.
    """
    _z(level)
    x = _clean(values)
    n = len(x)
    value = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    half = _t(level, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
    return pd.Series({
        "value": value,
        "ci_low": value - half,
        "ci_high": value + half,
        "n": n,
        "sd": sd,
        "small_sample": n < MIN_N,
    }, name="mean")


def cronbach_alpha(items) -> pd.Series:
    """Cronbach's alpha of a multi-item index, on the respondents who answered every item.

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the item sum), with
    sample variances (ddof 1). NaN with fewer than two items or two complete answers, or
    when the sum does not vary.
    Parameters: items -- a frame, one column per item (NaN where not answered).
    Returns: Series with alpha, items (k), n (complete answers), small_sample.
    """
    complete = pd.DataFrame(items).astype(float).dropna()
    k, n = complete.shape[1], len(complete)
    alpha = np.nan
    if k >= 2 and n >= 2:
        total = float(complete.sum(axis=1).var(ddof=1))
        if total > 0:
            alpha = k / (k - 1) * (1 - float(complete.var(ddof=1).sum()) / total)
    return pd.Series({"alpha": alpha, "items": k, "n": n, "small_sample": n < MIN_N},
                     name="cronbach_alpha")


def welch(a, b, level: float = 0.95) -> pd.Series:
    """Welch's t-test and interval for the difference of two means (a - b), unequal variances.

    Parameters: a, b -- numbers of two independent samples (NaN dropped), two or more each.
    Returns: Series with difference, ci_low, ci_high, t, df, p_value, n_a, n_b, small_sample.
    """
    _z(level)
    x_a, x_b = _clean(a), _clean(b)
    n_a, n_b = len(x_a), len(x_b)
    diff, t, df, half = np.nan, np.nan, np.nan, np.nan
    if n_a and n_b:
        diff = float(x_a.mean() - x_b.mean())
    if n_a > 1 and n_b > 1:
        v_a, v_b = x_a.var(ddof=1) / n_a, x_b.var(ddof=1) / n_b
        se = np.sqrt(v_a + v_b)
        df = _ratio((v_a + v_b) ** 2, v_a ** 2 / (n_a - 1) + v_b ** 2 / (n_b - 1))
        t = _ratio(diff, se)
        half = _t(level, df) * se if se > 0 else 0.0
    return pd.Series({
        "difference": diff,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "t": t,
        "df": df,
        "p_value": float(2 * stats.t.sf(abs(t), df)) if not np.isnan(t) else np.nan,
        "n_a": n_a,
        "n_b": n_b,
        "small_sample": min(n_a, n_b) < MIN_N,
    }, name="welch")


def paired_gap(perception, expectation, level: float = 0.95) -> pd.Series:
    """Mean perception-minus-expectation gap over respondents who gave both, with a paired t-test.

    Series are paired by index, other array-likes by position. A negative gap means the
    touchpoint falls short of what customers expected (P3).

    Parameters: perception, expectation -- ratings on one scale; level -- interval level.
    Returns: Series with gap, ci_low, ci_high, t, p_value, n, small_sample.
    """
    _z(level)
    pairs = _aligned(perception, expectation).apply(_series).dropna()
    d = (pairs[0] - pairs[1]).to_numpy()
    n = len(d)
    gap = float(d.mean()) if n else np.nan
    t, half = np.nan, np.nan
    if n > 1:
        se = d.std(ddof=1) / np.sqrt(n)
        t = _ratio(gap, se)
        half = _t(level, n - 1) * se
    return pd.Series({
        "gap": gap,
        "ci_low": gap - half,
        "ci_high": gap + half,
        "t": t,
        "p_value": float(2 * stats.t.sf(abs(t), n - 1)) if not np.isnan(t) else np.nan,
        "n": n,
        "small_sample": n < MIN_N,
    }, name="paired_gap")


# -- comparing segments --------------------------------------------------------------

def _chi_square(table: pd.DataFrame) -> dict:
    """Pearson chi-square test of independence without continuity correction.

    The chi-square distribution is only an approximation of the statistic's, poor when
    expected counts are small; when any is below MIN_EXPECTED (`sparse`) the p-value is
    the Monte Carlo estimate of the exact conditional test instead (`_monte_carlo_p`).
    """
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    observed = table.to_numpy(dtype=float)
    total = observed.sum()
    r, c = observed.shape
    if r < 2 or c < 2:
        return {"statistic": np.nan, "df": np.nan, "p_value": np.nan, "sparse": True,
                "monte_carlo": False}
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total
    statistic = float(((observed - expected) ** 2 / expected).sum())
    df = (r - 1) * (c - 1)
    sparse = bool((expected < MIN_EXPECTED).any())
    p = _monte_carlo_p(observed, expected, statistic) if sparse else \
        float(stats.chi2.sf(statistic, df))
    return {"statistic": statistic, "df": df, "p_value": p, "sparse": sparse,
            "monte_carlo": sparse}


def _monte_carlo_p(observed: np.ndarray, expected: np.ndarray, statistic: float) -> float:
    """The p-value of a chi-square statistic among random tables with the observed margins.

    Tables are drawn from the distribution of tables with these row and column totals
    under independence (Patefield's algorithm, `scipy.stats.random_table`), as R's
    `chisq.test(simulate.p.value = TRUE)` and scipy's `chi2_contingency(method=
    MonteCarloMethod(...))` draw them: p = (1 + tables whose statistic is at least the
    observed one) / (MONTE_CARLO_TABLES + 1), never 0; ties within 100 machine epsilons
    of the observed statistic count as at least it, as in scipy. With 9,999 tables the
    estimate's standard error is at most 0.005, and 0.002 near p = 0.05.
    """
    rows, columns = observed.sum(axis=1).astype(int), observed.sum(axis=0).astype(int)
    tables = stats.random_table(rows, columns, seed=np.random.default_rng(MONTE_CARLO_SEED)
                                ).rvs(MONTE_CARLO_TABLES)
    drawn = ((tables - expected) ** 2 / expected).sum(axis=(1, 2))
    tolerance = 100 * np.finfo(float).eps * abs(statistic)
    return float((1 + np.count_nonzero(drawn >= statistic - tolerance))
                 / (MONTE_CARLO_TABLES + 1))


def _anova(values: pd.Series, groups: pd.Series) -> dict:
    """One-way ANOVA F test of equal means across groups."""
    by = values.groupby(groups, sort=True)
    sizes, means = by.size(), by.mean()
    k, total = len(sizes), int(sizes.sum())
    if k < 2 or total <= k:
        return {"statistic": np.nan, "df": np.nan, "df2": np.nan, "p_value": np.nan,
                "sparse": True}
    between = float((sizes * (means - values.mean()) ** 2).sum())
    within = float(((values - groups.map(means)) ** 2).sum())
    df1, df2 = k - 1, total - k
    f = _ratio(between / df1, within / df2)
    return {"statistic": f, "df": df1, "df2": df2,
            "p_value": float(stats.f.sf(f, df1, df2)) if not np.isnan(f) else np.nan,
            "sparse": bool((sizes < MIN_EXPECTED).any())}


def compare_groups(values, groups, kind: str, min_n: int = MIN_N) -> pd.Series:
    """Test whether a loyalty or rating measure differs across segments, among the groups
    with `min_n` answers or more.

    A smaller group takes no part: one answer gives a share of 0% or 100% whatever the
    truth, so "highest" and "lowest" among such groups name chance, and its few answers
    make the chi-square's expected counts too small for its distribution. Such groups are
    left out, not pooled into one "other" group: a pool of unlike groups is nobody a
    client can act on. `compared` counts the groups compared, `left_out` and
    `left_out_n` the groups left out and their answers; `n` is the answers compared. With fewer than
    two groups compared the test is NaN.

    kind "nps": chi-square test of independence of segment x {promoter, passive,
    detractor} counts; "proportion": chi-square on segment x {0, 1}; "mean": one-way
    ANOVA F. Chi-square tests use no continuity correction; empty rows and columns are
    left out; when an expected count is below MIN_EXPECTED (`sparse`) the p-value is a
    Monte Carlo one (test "chi-square-monte-carlo", see `_monte_carlo_p`). Degrees of
    freedom are two numbers: `df` ((r-1)(c-1) for chi-square, k-1 for ANOVA) and `df2`
    (N-k for ANOVA, NaN for chi-square). For ANOVA `sparse` is True when a group has
    fewer than MIN_EXPECTED answers.

    Parameters: values -- answers; groups -- segment of each answer (same index or
    length); kind -- "nps", "proportion" or "mean"; min_n -- the fewest answers a group
    needs to be compared (MIN_N, the small-sample threshold, by default).
    Returns: Series with test, statistic, df, df2, p_value, n, compared, left_out,
    left_out_n, sparse, small_sample.
    """
    if kind not in ("nps", "proportion", "mean"):
        raise ValueError(f"kind must be 'nps', 'proportion' or 'mean', got {kind!r}")
    frame = _values_and_groups(values, groups).dropna()
    sizes = frame[1].value_counts()
    sizes = sizes[sizes > 0]
    small = sizes[sizes < min_n]
    frame = frame[~frame[1].isin(small.index)]
    # As plain values: a categorical would keep the groups left out as empty categories.
    x, g = frame[0], frame[1].astype(object)
    if kind == "nps":
        result = _chi_square(pd.crosstab(g, nps_groups(x)))
    elif kind == "proportion":
        result = _chi_square(pd.crosstab(g, pd.Series(_binary(x), index=x.index)))
    else:
        result = _anova(x, g)
    test = ("anova" if kind == "mean" else
            "chi-square-monte-carlo" if result.get("monte_carlo") else "chi-square")
    return pd.Series({
        "test": test,
        "statistic": result["statistic"],
        "df": result["df"],
        "df2": result.get("df2", np.nan),
        "p_value": result["p_value"],
        "n": len(frame),
        "compared": len(sizes) - len(small),
        "left_out": len(small),
        "left_out_n": int(small.sum()),
        "sparse": result["sparse"],
        "small_sample": len(frame) < MIN_N,
    }, name="compare_groups")


STATISTICS = {"nps": nps, "mean": mean, "proportion": proportion, "top_box": top_box}


def by_group(values, groups, statistic: str, **kw) -> pd.DataFrame:
    """One statistic per segment, in segment order.

    Parameters: values -- answers; groups -- segment of each answer (same index or
    length; answers without a segment are left out); statistic -- "nps", "mean",
    "proportion" or "top_box"; kw -- passed on (e.g. `scale` for top_box, `level`).
    Returns: DataFrame, one row per segment (index named after `groups`), with the
    statistic's columns.
    """
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {sorted(STATISTICS)}, got {statistic!r}")
    name = groups.name if isinstance(groups, pd.Series) and groups.name is not None else "group"
    frame = _values_and_groups(values, groups)
    rows = {key: STATISTICS[statistic](part[0], **kw)
            for key, part in frame.groupby(1, sort=True)}
    table = pd.DataFrame.from_dict(rows, orient="index").infer_objects()
    table.index.name = name
    return table


def holm(p_values) -> pd.Series:
    """Holm step-down adjustment of p-values for many tests (e.g. one per touchpoint).

    NaN p-values stay NaN and do not count as tests.

    Parameters: p_values -- array-like or Series of p-values.
    Returns: Series of adjusted p-values with the index of `p_values`.
    """
    p = _series(p_values)
    raw = p.to_numpy()
    valid = np.flatnonzero(~np.isnan(raw))
    order = valid[np.argsort(raw[valid], kind="stable")]
    m = len(order)
    adjusted = np.full(len(raw), np.nan)
    adjusted[order] = np.minimum(np.maximum.accumulate(raw[order] * (m - np.arange(m))), 1.0)
    return pd.Series(adjusted, index=p.index, name=p.name)

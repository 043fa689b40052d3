"""P3: perception against expectation per touchpoint, importance-performance, interview evidence."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..statistics import drivers, metrics

#: Catalogue columns carried into the gap table.
CATALOGUE = ("name", "stage", "channel", "owner")
QUADRANTS = ("concentrate", "keep_up", "low_priority", "overkill")
QUADRANT_RULE = ("crosshairs at the mean importance (x) and mean performance (y) across "
                 "touchpoints; concentrate: importance >= x and performance < y; keep_up: "
                 "importance >= x and performance >= y; low_priority: importance < x and "
                 "performance < y; overkill: importance < x and performance >= y")
_OUTCOME = "__overall__"


# -- survey gaps ----------------------------------------------------------------------

def _aligned(frame: pd.DataFrame | None, like: pd.DataFrame) -> np.ndarray | None:
    """`frame` on the rows and columns of `like` as floats; None when it shares no column."""
    if frame is None or not set(frame.columns) & set(like.columns):
        return None
    return frame.reindex(index=like.index, columns=like.columns).to_numpy(dtype=float)


def _column_stats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: answers (non-NaN), mean and sd (ddof 1), in two passes for accuracy.

    Column by column: a million rows' temporaries stay one column wide (four times faster
    than whole-frame temporaries, and the same sums bit for bit).
    """
    k = values.shape[1]
    n, mean, squares = np.zeros(k, dtype=np.int64), np.empty(k), np.empty(k)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(k):
            column = values[:, j]
            present = ~np.isnan(column)
            n[j] = present.sum()
            mean[j] = np.where(present, column, 0.0).sum() / n[j]
            squares[j] = np.where(present, (column - mean[j]) ** 2, 0.0).sum()
        sd = np.sqrt(squares / (n - 1))
    sd[n < 2] = np.nan
    return n, mean, sd


def _t_interval(n, mean, sd, level: float) -> dict[str, np.ndarray]:
    """t statistic against 0, two-sided p-value and interval, as metrics.paired_gap does."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    df = np.where(n > 1, n - 1, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sd / np.sqrt(n)
        # mean/0 is an infinite t (p 0) and 0/0 is NaN, like metrics._ratio.
        t = mean / se
        half = stats.t.ppf(0.5 + level / 2, df) * se
    return {"t": t, "p_value": 2 * stats.t.sf(np.abs(t), df),
            "ci_low": mean - half, "ci_high": mean + half}


def _catalogue(ids: pd.Index, touchpoints: pd.DataFrame | None) -> pd.DataFrame:
    """name, stage, channel, owner per touchpoint id; the id stands in for a missing name."""
    if touchpoints is None:
        table = pd.DataFrame(index=ids, columns=list(CATALOGUE), dtype=object)
    else:
        table = (touchpoints.drop_duplicates("id").set_index("id")
                 .reindex(columns=list(CATALOGUE)).reindex(ids).astype(object))
    table["name"] = table["name"].where(table["name"].notna(), pd.Series(ids, index=ids))
    return table


def touchpoint_gaps(perception: pd.DataFrame, expectation: pd.DataFrame | None = None,
                    importance: pd.DataFrame | None = None,
                    touchpoints: pd.DataFrame | None = None,
                    level: float = 0.95) -> pd.DataFrame:
    """Perception, expectation and their gap at each touchpoint, with paired t-tests (P3).

    The gap is the mean of perception - expectation over respondents who rated both
    (a paired t-test, as metrics.paired_gap, computed for all touchpoints at once);
    p_adjusted is Holm's adjustment across the touchpoints tested. The perception and
    expectation means use every answer, so where some respondents rated only one of the
    two, perception - expectation can differ from the gap. A touchpoint without
    expectation ratings keeps its perception mean and interval, with NaN gap columns.
    small_sample flags fewer than metrics.MIN_N answers behind the headline figure: the
    pairs when there is a gap, else the perception answers.

    Parameters: perception, expectation, importance -- float frames, one column per
    touchpoint id, one row per respondent (expectation and importance may be None or
    cover fewer touchpoints); touchpoints -- the catalogue or None; level -- interval level.
    Returns: DataFrame indexed by touchpoint id (index name "touchpoint"), one row per
    perception column, with name, stage, channel, owner, n, n_perception, perception,
    perception_low, perception_high, expectation, gap, ci_low, ci_high, t, p_value,
    p_adjusted, importance, small_sample.
    """
    ids = pd.Index(perception.columns, name="touchpoint")
    p = perception.to_numpy(dtype=float)
    n_p, mean_p, sd_p = _column_stats(p)
    p_test = _t_interval(n_p, mean_p, sd_p, level)
    nan = np.full(len(ids), np.nan)
    e = _aligned(expectation, perception)
    if e is None:
        n, mean_e, gap = np.zeros(len(ids), int), nan, nan
        test = dict.fromkeys(("t", "p_value", "ci_low", "ci_high"), nan)
    else:
        mean_e = _column_stats(e)[1]
        n, gap, sd_d = _column_stats(p - e)
        test = _t_interval(n, gap, sd_d, level)
    i = _aligned(importance, perception)
    mean_i = nan if i is None else _column_stats(i)[1]
    table = _catalogue(ids, touchpoints)
    table = table.assign(
        n=n, n_perception=n_p, perception=mean_p, perception_low=p_test["ci_low"],
        perception_high=p_test["ci_high"], expectation=mean_e, gap=gap,
        ci_low=test["ci_low"], ci_high=test["ci_high"], t=test["t"], p_value=test["p_value"])
    table["p_adjusted"] = metrics.holm(table["p_value"])
    table["importance"] = mean_i
    table["small_sample"] = np.where(np.isnan(gap), n_p, n) < metrics.MIN_N
    return table


def driver_weights(overall: pd.Series, perception: pd.DataFrame,
                   touchpoints: pd.DataFrame | None = None) -> drivers.KeyDrivers:
    """Relative weights of the overall rating on the touchpoint perceptions (derived importance).

    Fitted on complete answers only: the respondents who answered the overall question and
    every touchpoint kept (drivers.key_drivers). A touchpoint that does not vary is left
    out; so is one that costs so many complete answers that fewer than drivers.floor(k)
    remain (at least 30, and 10 per driver); below that floor no model is shown.

    Parameters: overall -- the survey's overall metric (same index as `perception`);
    perception -- float frame, one column per touchpoint; touchpoints -- catalogue or None.
    Returns: drivers.KeyDrivers; its weights (index "driver"; raw, rescaled in %, cost;
    attrs r_squared, n) get a `name` column when a catalogue is given.
    """
    frame = perception.astype(float)
    frame[_OUTCOME] = pd.to_numeric(overall, errors="raise").astype(float)
    fit = drivers.key_drivers(frame, _OUTCOME, list(perception.columns))
    if fit.weights is not None and touchpoints is not None:
        fit.weights.insert(0, "name",
                           _catalogue(fit.weights.index, touchpoints)["name"].to_numpy())
    return fit


#: How each touchpoint's gap reads, once for every practice (see gap_verdicts).
VERDICTS = ("shortfall", "surplus", "within", "untested")


def gap_verdicts(gaps: pd.DataFrame, threshold: float = 0.5, alpha: float = 0.05) -> pd.Series:
    """The one reading of each touchpoint's gap that P2, P3, the grid and the roadmap share.

    shortfall: the gap is below -threshold rating points and its Holm-adjusted p-value
    (touchpoint_gaps' p_adjusted, one adjustment across the touchpoints tested) is below
    alpha -- a breakpoint; surplus: above +threshold with p_adjusted below alpha;
    within: tested, but not clearly beyond the threshold either way; untested: no gap
    (no expectation ratings, or too few pairs for a test).

    Parameters: gaps -- touchpoint_gaps' table; threshold -- rating points; alpha --
    significance level for p_adjusted.
    Returns: Series "verdict" with the index of `gaps`, values in VERDICTS.
    """
    tested = gaps["gap"].notna() & gaps["p_adjusted"].notna()
    clear = tested & (gaps["p_adjusted"] < alpha)
    verdict = np.select([clear & (gaps["gap"] < -threshold), clear & (gaps["gap"] > threshold),
                         tested], ["shortfall", "surplus", "within"], default="untested")
    return pd.Series(verdict, index=gaps.index, name="verdict", dtype=object)


def importance_performance(gaps: pd.DataFrame, weights: pd.DataFrame | None = None) -> pd.DataFrame:
    """Importance-performance grid (Martilla & James 1977): each touchpoint in one of four parts.

    Importance is derived (the touchpoint's rescaled relative weight, in %) when
    `weights` are given, else the mean stated importance. Performance is the mean
    perception. The crosshairs are data-centred: the mean importance (x_cut) and the mean
    performance (y_cut) across the touchpoints that have both, not the scale midpoints,
    so the grid ranks touchpoints against each other. Quadrants: concentrate here
    (importance >= x_cut, performance < y_cut), keep up the good work (>=, >=), low
    priority (<, <), possible overkill (<, >=). A touchpoint without both values has no
    quadrant.

    Parameters: gaps -- touchpoint_gaps' table; weights -- the weights of driver_weights
    (KeyDrivers.weights) or None.
    Returns: DataFrame indexed by touchpoint with name, weight (derived, in %) or
    importance (stated mean), performance, gap, quadrant; attrs x (the importance
    column's name), y ("performance"), x_cut, y_cut, importance_kind ("derived" or
    "stated") and rule.
    """
    if weights is not None:
        x, importance = "weight", weights["rescaled"].reindex(gaps.index)
    else:
        x, importance = "importance", gaps["importance"]
    table = pd.DataFrame({"name": gaps["name"], x: importance.astype(float),
                          "performance": gaps["perception"].astype(float),
                          "gap": gaps["gap"].astype(float)}, index=gaps.index)
    both = table[x].notna() & table["performance"].notna()
    x_cut = float(table.loc[both, x].mean()) if both.any() else np.nan
    y_cut = float(table.loc[both, "performance"].mean()) if both.any() else np.nan
    high = table[x] >= x_cut
    good = table["performance"] >= y_cut
    quadrant = np.select([high & ~good, high & good, ~high & ~good, ~high & good],
                         QUADRANTS, default="")
    table["quadrant"] = pd.Series(quadrant, index=table.index, dtype=object).where(both)
    table.attrs.update(x=x, y="performance", x_cut=x_cut, y_cut=y_cut,
                       importance_kind="stated" if weights is None else "derived",
                       rule=QUADRANT_RULE)
    return table


# -- interview evidence ---------------------------------------------------------------

def interview_themes(interviews: pd.DataFrame) -> pd.DataFrame:
    """How often each coded theme comes up at each touchpoint, for a heatmap.

    Parameters: interviews -- the interviews frame; excerpts without a theme are left out.
    Returns: long DataFrame touchpoint, theme, count, sorted by touchpoint then theme.
    """
    coded = interviews.dropna(subset=["touchpoint", "theme"])
    counts = coded.groupby(["touchpoint", "theme"], sort=True).size()
    return counts.rename("count").reset_index()


def interview_tone(interviews: pd.DataFrame) -> pd.DataFrame:
    """How many excerpts at each touchpoint are negative, neutral and positive, and the
    theme heard most there, for a chart of what interviews say.

    Parameters: interviews -- the interviews frame; excerpts without a touchpoint or a
    sentiment are left out.
    Returns: DataFrame indexed by touchpoint with negative, neutral, positive (counts of
    sentiment < 0, = 0, > 0), n, sentiment (mean) and theme (the most frequent, ties to
    the first alphabetically; missing when no excerpt has one), the most negative
    touchpoint first (ties by touchpoint).
    """
    rated = interviews.dropna(subset=["touchpoint", "sentiment"])
    columns = ["negative", "neutral", "positive", "n", "sentiment", "theme"]
    if rated.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="touchpoint"))
    tone = np.sign(rated["sentiment"].astype(float))
    table = pd.DataFrame({
        "negative": (tone < 0).groupby(rated["touchpoint"]).sum(),
        "neutral": (tone == 0).groupby(rated["touchpoint"]).sum(),
        "positive": (tone > 0).groupby(rated["touchpoint"]).sum(),
        "n": rated.groupby("touchpoint").size(),
        "sentiment": rated.groupby("touchpoint")["sentiment"].mean(),
    })
    themed = rated.dropna(subset=["theme"])
    top = (themed.groupby(["touchpoint", "theme"]).size().rename("count").reset_index()
           .sort_values(["touchpoint", "count", "theme"], ascending=[True, False, True])
           .drop_duplicates("touchpoint").set_index("touchpoint")["theme"])
    table["theme"] = top.reindex(table.index)
    table.index.name = "touchpoint"
    table = table.reset_index().sort_values(["sentiment", "touchpoint"], kind="stable")
    return table.set_index("touchpoint")[columns].astype(
        {"negative": int, "neutral": int, "positive": int, "n": int})


def interview_sentiment(interviews: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean interview sentiment (-2..2) at each touchpoint with a t interval (metrics.mean).

    Parameters: interviews -- the interviews frame; level -- interval level.
    Returns: DataFrame indexed by touchpoint with n, sentiment, ci_low, ci_high,
    small_sample; sorted by touchpoint.
    """
    rows = {tp: metrics.mean(part["sentiment"], level)
            for tp, part in interviews.dropna(subset=["touchpoint"]).groupby("touchpoint")}
    columns = ["n", "sentiment", "ci_low", "ci_high", "small_sample"]
    if not rows:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="touchpoint"))
    table = pd.DataFrame.from_dict(rows, orient="index").infer_objects()
    table = table.rename(columns={"value": "sentiment"})[columns]
    table.index.name = "touchpoint"
    return table.astype({"n": int, "small_sample": bool})


def representative_quotes(interviews: pd.DataFrame, touchpoint_ids=None,
                          k: int = 3) -> pd.DataFrame:
    """Up to k quotes per touchpoint that speak for it: sentiment closest to its mean.

    The choice is deterministic: quotes are ranked by |sentiment - the touchpoint's mean
    sentiment|, ties broken by interview id, then by order in the file. Quotes come out as
    said: the section that shows them redacts them (privacy.redacted), with every other
    client text it shows.

    Parameters: interviews -- the interviews frame; touchpoint_ids -- touchpoints to
    quote, in report order (None: every touchpoint in the interviews, sorted);
    k -- quotes per touchpoint.
    Returns: DataFrame touchpoint, interview, role, sentiment, quote.
    """
    if touchpoint_ids is None:
        touchpoint_ids = sorted(interviews["touchpoint"].dropna().unique())
    order = {tp: i for i, tp in enumerate(dict.fromkeys(touchpoint_ids))}
    quotes = interviews[interviews["touchpoint"].isin(order.keys())
                        & interviews["quote"].notna()].copy()
    centre = quotes.groupby("touchpoint")["sentiment"].transform("mean")
    quotes["_order"] = quotes["touchpoint"].map(order)
    quotes["_distance"] = (quotes["sentiment"] - centre).abs()
    quotes["_row"] = np.arange(len(quotes))
    quotes["_interview"] = quotes["interview"].astype(str)
    ranked = quotes.sort_values(["_order", "_distance", "_interview", "_row"], kind="stable",
                                na_position="last")
    chosen = ranked.groupby("touchpoint", sort=False).head(k)
    columns = ["touchpoint", "interview", "role", "sentiment", "quote"]
    return chosen.reindex(columns=columns).reset_index(drop=True)


def disagreements(gaps: pd.DataFrame, sentiment: pd.DataFrame) -> pd.DataFrame:
    """Touchpoints where the survey and the interviews point in opposite directions.

    The survey says "below" for a shortfall and "above" for a surplus (gap_verdicts: the
    one threshold and the one set of Holm-adjusted p-values); otherwise it says nothing
    and the touchpoint cannot disagree. The interviews say "positive" when the mean
    sentiment is above 0, "negative" below 0. A disagreement is below/positive or
    above/negative; the interview interval is given so a reader can see how firm it is.

    Parameters: gaps -- touchpoint_gaps' table with a `verdict` column (gap_verdicts);
    sentiment -- interview_sentiment's table.
    Returns: DataFrame indexed by touchpoint with name, gap, ci_low, ci_high, p_adjusted,
    survey, sentiment, sentiment_low, sentiment_high, interviews_n, interviews.
    """
    said = sentiment[["n", "sentiment", "ci_low", "ci_high"]].rename(
        columns={"ci_low": "sentiment_low", "ci_high": "sentiment_high", "n": "interviews_n"})
    both = gaps.join(said, how="inner")
    survey = np.select([both["verdict"] == "shortfall", both["verdict"] == "surplus"],
                       ["below", "above"], default="")
    interviews = np.select([both["sentiment"] > 0, both["sentiment"] < 0],
                           ["positive", "negative"], default="")
    both["survey"], both["interviews"] = survey, interviews
    opposite = (((both["survey"] == "below") & (both["interviews"] == "positive"))
                | ((both["survey"] == "above") & (both["interviews"] == "negative")))
    columns = ["name", "gap", "ci_low", "ci_high", "p_adjusted", "survey", "sentiment",
               "sentiment_low", "sentiment_high", "interviews_n", "interviews"]
    return both.loc[opposite, columns]

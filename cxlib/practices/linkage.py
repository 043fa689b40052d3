"""P1: loyalty, its link to retention, revenue and share of wallet, and the number at risk (A2)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.config import Overall, satisfied_from
from ..outputs import text
from ..statistics import metrics, models

#: Loyalty groups from lowest to highest, by kind of overall question.
GROUPS = {
    "nps": ("detractor", "passive", "promoter"),
    "satisfaction": ("not satisfied", "satisfied"),
    "binary": ("not satisfied", "satisfied"),
}


#: The column holding the measure in the loyalty-by-segment tables, by the measure's kind.
MEASURE_COLUMN = {"nps": "nps", "percent": "satisfied"}


def measure_names(overall: Overall, language: str) -> dict:
    """The overall measure's own words: its name, its unit, its groups' names, and the
    answer the retention model is fitted on.

    client.yml's `name` and `groups` win; else a binary measure's groups are its two
    answers as the file writes them (filled in by load_client) and the rest come from the
    language file. The retention model's odds ratio is per point of each respondent's
    answer (`retention_model`), not of the headline measure: for NPS a point of the 0-10
    likelihood to recommend, not an NPS point of -100..+100 (an executive read "1.42 per
    point" of NPS as 42% better odds per NPS point); for a binary measure it compares the
    positive answer with the other.

    Returns {"metric": str, "unit": str, "groups": {code: name}, "answer": the answer's
    kind (nps, satisfaction, index or binary: the keys of p1.model and p1.odds_per),
    "scale": {"low", "high", "positive"} as those sentences fill them in, "per": what the
    odds ratio is per, e.g. "per point of the 0-10 likelihood-to-recommend answer"}.
    """
    kind = overall.kind
    codes = GROUPS[kind]
    own = dict(zip(codes, overall.groups)) if len(overall.groups) == len(codes) else {}
    groups = {g: own.get(g) or text.t(language, f"groups.{g}") for g in codes}
    if overall.name:
        metric = overall.name
    elif kind == "binary":
        metric = text.t(language, "metric.binary_answer", answer=overall.positive)
    else:
        metric = text.t(language, f"metric.{kind}")
    unit = text.t(language, "units.nps") if kind == "nps" else \
        text.t(language, "units.share_of", group=groups[codes[-1]])
    answer = "index" if overall.items else kind
    scale = {"low": text.figure(overall.scale[0], "param", language),
             "high": text.figure(overall.scale[1], "param", language),
             "positive": overall.positive or ""}
    return {"metric": metric, "unit": unit, "groups": groups, "answer": answer,
            "scale": scale, "per": text.t(language, f"p1.odds_per.{answer}", **scale)}


def loyalty_groups(overall: pd.Series, kind: str, scale: tuple[float, float],
                   satisfied: float | None = None) -> pd.Series:
    """Each respondent's group: NPS groups, or satisfied or not (by the scale's rule: the
    lowest satisfied answer `satisfied`, else config.satisfied_from(scale)), or yes or no."""
    if kind == "nps":
        groups = metrics.nps_groups(overall)
    elif kind == "satisfaction":
        top = overall >= (satisfied if satisfied is not None else satisfied_from(scale))
        groups = pd.Series(np.where(top, "satisfied", "not satisfied"), index=overall.index)
        groups = groups.where(overall.notna())
    else:
        groups = pd.Series(np.where(overall == 1, "satisfied", "not satisfied"),
                           index=overall.index).where(overall.notna())
    return pd.Series(pd.Categorical(groups, categories=GROUPS[kind], ordered=True),
                     index=overall.index, name="group")


def loyalty(overall: pd.Series, kind: str, scale: tuple[float, float],
            satisfied: float | None = None) -> pd.Series:
    """The headline metric: NPS, or the share satisfied (by the scale's rule) or yes, in %."""
    if kind == "nps":
        result = metrics.nps(overall)
        return pd.Series({"value": result["score"], "ci_low": result["ci_low"],
                          "ci_high": result["ci_high"], "n": result["n"],
                          "small_sample": result["small_sample"]})
    if kind == "satisfaction":
        answered = overall.dropna()
        low = satisfied if satisfied is not None else satisfied_from(scale)
        result = metrics.proportion((answered >= low).astype(float))
    else:
        result = metrics.proportion(overall.dropna())
    return pd.Series({"value": 100 * result["value"], "ci_low": 100 * result["ci_low"],
                      "ci_high": 100 * result["ci_high"], "n": result["n"],
                      "small_sample": result["small_sample"]})


def loyalty_by_segment(survey: pd.DataFrame, segment: str, kind: str,
                       scale: tuple[float, float], satisfied: float | None = None) -> pd.DataFrame:
    """The headline metric per segment value, with intervals, n and small-sample flags:
    every group, the small ones too (the appendix and tables.xlsx list them, flagged);
    `compared` picks the ones a comparison speaks of."""
    rows = {value: loyalty(group["overall"], kind, scale, satisfied)
            for value, group in survey.groupby(segment, observed=True)}
    frame = pd.DataFrame(rows).T
    frame.index.name = segment
    frame["n"] = frame["n"].astype(int)
    frame["small_sample"] = frame["small_sample"].astype(bool)
    return frame


def compared(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `loyalty_by_segment` table a comparison speaks of: the groups with
    metrics.MIN_N answers or more, the ones `segment_test` tests. Highest and lowest are
    named among these only; a smaller group's figure is too uncertain to rank."""
    return table[~table["small_sample"].astype(bool)]


def segment_test(survey: pd.DataFrame, segment: str, kind: str,
                 scale: tuple[float, float], satisfied: float | None = None) -> pd.Series:
    """Whether the headline metric differs between the values of a segment (chi-square),
    among its groups with metrics.MIN_N answers or more (`metrics.compare_groups`)."""
    if kind == "nps":
        return metrics.compare_groups(survey["overall"], survey[segment], "nps")
    top = (loyalty_groups(survey["overall"], kind, scale, satisfied) == "satisfied")
    satisfied = top.astype(float).where(survey["overall"].notna())
    return metrics.compare_groups(satisfied, survey[segment], "proportion")


def link(survey: pd.DataFrame, outcomes: pd.DataFrame, groups: pd.Series,
         keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Respondents joined to their CRM outcomes: overall, group, retained, revenue, wallet,
    and the survey columns named in `keep` (e.g. the customer base's segment)."""
    left = survey[["customer_id", "overall", *keep]].assign(group=groups)
    joined = left.dropna(subset=["customer_id"]).merge(outcomes, on="customer_id", how="inner")
    return joined.dropna(subset=["overall"])


def outcomes_by_group(joined: pd.DataFrame) -> pd.DataFrame:
    """Retention rate, mean revenue and share of wallet per loyalty group, with 95% intervals."""
    rows = []
    for group, part in joined.groupby("group", observed=True):
        retained = metrics.proportion(part["retained"].dropna())
        revenue = metrics.mean(part["revenue"])
        row = {"group": group, "n": len(part),
               "retention": retained["value"], "retention_low": retained["ci_low"],
               "retention_high": retained["ci_high"],
               "revenue": revenue["value"], "revenue_low": revenue["ci_low"],
               "revenue_high": revenue["ci_high"],
               "revenue_total": part["revenue"].sum()}
        if "share_of_wallet" in part:
            wallet = metrics.mean(part["share_of_wallet"])
            row.update(share_of_wallet=wallet["value"], share_of_wallet_low=wallet["ci_low"],
                       share_of_wallet_high=wallet["ci_high"])
        row["small_sample"] = len(part) < metrics.MIN_N
        rows.append(row)
    return pd.DataFrame(rows).set_index("group")


def retention_model(joined: pd.DataFrame) -> pd.DataFrame:
    """Logistic regression of retention on the loyalty answer: odds ratio per point."""
    return models.logistic(joined[["retained", "overall"]], "retained", ["overall"])


def revenue_at_risk(joined: pd.DataFrame, groups: tuple[str, ...],
                    what_if_share: float = 0.2) -> pd.Series:
    """Revenue expected to be lost from the lowest group, and what lifting some of it is worth.

    Among surveyed customers with CRM records: `at_risk` is the lowest group's revenue times
    its churn rate (1 - retention), with the interval of that rate. `what_if_value` is the
    revenue kept by moving `what_if_share` of the lowest group up one group, assuming moved
    customers take on the retention rate of the group they join and keep their revenue; its
    interval comes from the interval of the difference in retention rates (Newcombe),
    retention_lift with retention_lift_low and retention_lift_high. When the group above
    does not retain more (retention_lift <= 0) the what-if keeps nothing: callers do not
    show it as money.
    """
    low, next_up = groups[0], groups[1]
    bottom = joined[joined["group"] == low]
    above = joined[joined["group"] == next_up]
    revenue = float(bottom["revenue"].sum())
    kept = metrics.proportion(bottom["retained"].dropna())
    lift = metrics.proportion_difference(above["retained"].dropna(), bottom["retained"].dropna())
    value = what_if_share * revenue
    return pd.Series({
        "group": low, "next_group": next_up, "customers": len(bottom),
        "revenue": revenue,
        "churn": 1 - kept["value"], "churn_low": 1 - kept["ci_high"],
        "churn_high": 1 - kept["ci_low"],
        "at_risk": revenue * (1 - kept["value"]),
        "at_risk_low": revenue * (1 - kept["ci_high"]),
        "at_risk_high": revenue * (1 - kept["ci_low"]),
        "retention_lift": lift["difference"],
        "retention_lift_low": lift["ci_low"],
        "retention_lift_high": lift["ci_high"],
        "what_if_share": what_if_share,
        "what_if_value": value * lift["difference"],
        "what_if_low": value * lift["ci_low"],
        "what_if_high": value * lift["ci_high"],
        "n": len(joined),
    })


#: How the surveyed figures are scaled to the base: by one segment's groups
#: (post-stratified), else by the whole base's annual revenue or its customers.
BASES = ("segment", "revenue", "customers")


def _scaled_by(base, segment: str | None) -> str:
    """What the base's factors divide: "revenue" when the base (each group of it, by a
    segment) gives its annual revenue, else "customers"."""
    return "revenue" if base.annual_revenue is not None and (
        segment is None or all(rev is not None for _, rev in base.groups.values())) \
        else "customers"


def base_strata(joined: pd.DataFrame, group: str, base, segment: str | None = None
                ) -> pd.DataFrame:
    """Per stratum of the base (a value of `segment`, else the whole base): surveyed
    customers linked, their revenue and the revenue of loyalty group `group` (the lowest),
    the base's customers and revenue, and the factor and scaled revenue (see
    `scaled_to_base`)."""
    by = _scaled_by(base, segment)
    if segment is not None:
        wanted = {g: figures for g, figures in base.groups.items()}
        keys = joined[segment].astype("string")
    else:
        wanted = {"all": (base.customers, base.annual_revenue)}
        keys = pd.Series("all", index=joined.index)
    rows = []
    for stratum, (customers, annual) in wanted.items():
        part = joined[(keys == stratum).fillna(False)]
        surveyed, revenue = len(part), float(part["revenue"].sum())
        lowest = float(part.loc[part["group"] == group, "revenue"].sum())
        denominator, numerator = (revenue, annual) if by == "revenue" else (surveyed, customers)
        factor = numerator / denominator if denominator > 0 and numerator else np.nan
        rows.append({"stratum": stratum, "surveyed": surveyed, "surveyed_revenue": revenue,
                     "lowest_revenue": lowest, "customers": customers,
                     "base_revenue": annual, "factor": factor,
                     "scaled_revenue": lowest * factor if factor == factor else np.nan})
    return pd.DataFrame(rows).set_index("stratum")


def scaled_to_base(joined: pd.DataFrame, risk: pd.Series, base, segment: str | None = None,
                   strata: pd.DataFrame | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """Revenue at risk and the what-if scaled from the surveyed customers to the base.

    `joined` is `link`'s frame (with the base's segment column when it has one), `risk`
    is `revenue_at_risk` on it, `base` a `config.CustomerBase`. Each stratum (a value of
    the base's segment, else the whole base) has a factor: the base's annual revenue over
    the surveyed customers' CRM revenue in it when the base gives revenue, else its
    customers over the surveyed ones. The lowest group's revenue of each stratum is
    multiplied by its factor and summed (post-stratification): that is the revenue at
    stake across the base. Churn and the retention gain stay the surveyed ones, so the
    revenue at risk and the what-if, and their 95% bounds, are the surveyed rates times
    the scaled revenue: the bounds carry the uncertainty of the rates, and the assumption
    that the surveyed customers of each stratum represent it is stated, not estimated.
    A stratum with no surveyed revenue (or customers) cannot be scaled: it is left out
    and listed in `uncovered`.

    Returns (figures, strata). figures: basis ("segment", "revenue" or "customers"),
    by ("revenue" or "customers"), segment, factor (the overall multiplier of the lowest
    group's revenue), customers and annual_revenue of the base covered, surveyed_customers,
    surveyed_revenue, total_revenue (the covered base's annual revenue: given, or the
    surveyed revenue scaled by the customer factors), revenue (the lowest group's, scaled), at_risk, at_risk_low,
    at_risk_high, what_if_value, what_if_low, what_if_high, uncovered (list of strata).
    strata: per stratum surveyed (customers linked), surveyed_revenue, lowest_revenue
    (the lowest group's), base customers, base_revenue, factor, scaled_revenue: `base_strata`,
    which no what-if share changes, so a caller may pass it in `strata` (for risk["group"]).
    """
    if strata is None:
        strata = base_strata(joined, risk["group"], base, segment)
    by = _scaled_by(base, segment)
    covered = strata[strata["factor"].notna()]
    scaled = float(covered["scaled_revenue"].sum())
    share = risk["what_if_share"] * scaled
    customers = covered["customers"].dropna()
    annual = covered["base_revenue"].dropna()
    lowest = float(covered["lowest_revenue"].sum())
    figures = pd.Series({
        "basis": "segment" if segment is not None else by, "by": by, "segment": segment,
        "factor": scaled / lowest if lowest > 0 else np.nan,
        "customers": int(customers.sum()) if len(customers) == len(covered) else np.nan,
        "annual_revenue": float(annual.sum()) if len(annual) == len(covered) else np.nan,
        "surveyed_customers": int(covered["surveyed"].sum()),
        "surveyed_revenue": float(covered["surveyed_revenue"].sum()),
        # The base's annual revenue covered: given, or estimated with the customer factors.
        "total_revenue": float((covered["factor"] * covered["surveyed_revenue"]).sum()),
        "revenue": scaled,
        "at_risk": scaled * risk["churn"], "at_risk_low": scaled * risk["churn_low"],
        "at_risk_high": scaled * risk["churn_high"],
        "what_if_value": share * risk["retention_lift"],
        "what_if_low": share * risk["retention_lift_low"],
        "what_if_high": share * risk["retention_lift_high"],
        "uncovered": [str(s) for s in strata.index[strata["factor"].isna()]],
    })
    return figures, strata


def materiality_floor(rule: tuple, revenue: float) -> float:
    """The smallest revenue impact shown as money: ("share", s) of `revenue` (the annual
    revenue the figures cover) or ("amount", a) in the currency."""
    kind, value = rule
    return float(value) * float(revenue) if kind == "share" else float(value)


def material(values: pd.Series, floor: float) -> pd.Series:
    """Whether each revenue impact is shown as money: at or above the floor (NaN: no)."""
    return values.astype(float).ge(floor)


#: How the link between loyalty and retention reads, from the retention model's odds ratio.
LINKS = ("holds", "not_positive", "unclear", "no_model")


def retention_link(odds_ratio: float | None, or_low: float | None) -> str:
    """Whether this data shows that retention rises with loyalty (the guard of every money claim).

    "holds": the odds ratio per point is above 1 and its interval excludes no effect
    (lower bound above 1); "not_positive": the odds ratio is 1 or less; "unclear": above
    1 but the interval includes 1; "no_model": no retention model could be fitted (None).
    The executive summary leads with revenue at risk only when the link holds.
    """
    if odds_ratio is None or or_low is None or np.isnan(odds_ratio) or np.isnan(or_low):
        return "no_model"
    if odds_ratio <= 1:
        return "not_positive"
    return "holds" if or_low > 1 else "unclear"

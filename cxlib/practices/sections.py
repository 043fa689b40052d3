"""One function per report section: a client's data in, a Section (P1-P4, roadmap) out.

Each comes out through privacy.redacted: the personal data in any client text it shows
(names listed in client.yml, emails, phones, cards, IBANs) is replaced, so every output
made from sections (report, workbook, deck, notebooks, widgets) holds none.
"""
from __future__ import annotations

import re
import copy
import dataclasses
import functools
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from ..outputs import charts, text
from . import comments, journey, maturity, linkage as p1, perception, initiatives as rm
from ..statistics import drivers, metrics
from ..statistics.drivers import KeyDrivers
from ..statistics.sentiment import checks as sentiment_checks
from ..inputs.client import STAGES, Client, kept_for
from ..outputs.privacy import redacted
from ..outputs.section import Metric, Section
from ..outputs.theme import load_theme, register

#: Switching hotspots that each get an initiative: the few that carry most switches.
TOP_HOTSPOTS = 3


def _per_client(compute):
    """Keep what `compute(client, *values)` returns while that client object lives
    (`inputs.client.kept_for`; values: a few hashable ones, such as the breakpoints a chart
    marks), and hand out copies (plotly figures, which nothing changes once made, are
    handed out as they are, so their redacted copies are kept too): the parts of a section
    no run parameter changes are computed once when a workbench (cxlib.outputs.widgets)
    redraws the section for new values."""
    @functools.wraps(compute)
    def kept(client: Client, *values):
        store = kept_for(client, "practices")
        key = (compute.__name__, *values)       # values: what else it depends on
        if key not in store:
            store[key] = compute(client, *values)
        return _copy(store[key])
    return kept


def _copy(value):
    """A deep copy, but for plotly figures (alone or in a Section or tuple): the same
    figure objects, which no practice changes once made (copy.deepcopy would also walk
    plotly's validators for every property)."""
    if isinstance(value, go.Figure):
        return value
    if isinstance(value, Section):
        return dataclasses.replace(copy.deepcopy(dataclasses.replace(value, figures={})),
                                   figures=dict(value.figures))
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return copy.deepcopy(value)


@_per_client
def _template(client: Client) -> str:
    """Register the client's branded plotly template and return its name."""
    return register(load_theme(client.config.brand, client.config.folder), name=f"cx-{client.id}")


def _t(client: Client, key: str, **values) -> str:
    return text.t(client.config.language, key, **values)


def _f(client: Client, value, kind: str) -> str:
    """A figure in a sentence, by the one rule of its kind (cxlib.outputs.text.figure)."""
    return text.figure(value, kind, client.config.language, client.config.currency)


def _ci(client: Client, low, high, kind: str) -> str:
    return text.interval(low, high, client.config.language, kind, client.config.currency)


def _small(client: Client, section: Section, what: str, n: int) -> None:
    if n < metrics.MIN_N:
        section.caveats.append(_t(client, "caveats.small_sample", what=what,
                                  answers=text.quantity(n, "answer", client.config.language),
                                  min=_f(client, metrics.MIN_N, "count")))


def _names(client: Client, ids: pd.Index) -> pd.Series:
    """Touchpoint names for ids: from the catalogue, else the survey's question, else the id."""
    names = pd.Series(ids.astype(str), index=ids)
    if client.touchpoints is not None:
        return names.map(client.touchpoints.set_index("id")["name"]).fillna(names)
    asked = {tp: r.perception for tp, r in client.config.survey.touchpoints.items()
             if r.perception}
    return names.map(asked).fillna(names)


def _rating_scale(client: Client) -> str:
    """The scale of the rated touchpoints' perception, as chart axes and titles say it
    ("1-5"), or that the scales differ by touchpoint."""
    rated = client.perception.columns
    scales = {r.scale for tp, r in client.config.survey.touchpoints.items() if tp in rated}
    if len(scales) != 1:
        return _t(client, "words.scales_differ")
    lo, hi = scales.pop()
    return _t(client, "words.scale", low=_f(client, lo, "param"), high=_f(client, hi, "param"))


def _named_elements(client: Client, frame: pd.DataFrame) -> pd.DataFrame:
    """A maturity table with each element's name in the report's language in `name`."""
    names = frame["element"].map(lambda e: maturity.element_name(e, client.config.language))
    return frame.assign(name=names)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BELOW = ("<", "under", "less than", "up to", "以下", "以内", "不足", "未满")
_ABOVE = ("+", ">", "over", "more than", "以上", "及以上")


def ordered(values) -> list:
    """Category values in their natural order when they name numbers ('<1 year', '1-3
    years', '3+ years'), else as given: ordered categories keep their order.

    A value's key is its first number, nudged down for 'under'/'<'/'以下' and up for
    'over'/'+'/'以上'; when a value names no number, all keep the order given.
    """
    values = list(values)
    keys = []
    for value in values:
        text_ = str(value).lower()
        found = _NUMBER.search(text_)
        if found is None:
            return values
        nudge = -0.5 if any(w in text_ for w in _BELOW) else (
            0.5 if any(w in text_ for w in _ABOVE) else 0.0)
        keys.append(float(found.group()) + nudge)
    return [v for _, v in sorted(zip(keys, values), key=lambda pair: pair[0])]


def _p(client: Client, p: float) -> str:
    return text.p_relation(p, client.config.language)


def _measure(client: Client) -> str:
    """The kind of the loyalty figure: NPS points, or a share satisfied already in percent."""
    return "nps" if client.config.survey.overall.kind == "nps" else "percent"


def _measure_names(client: Client) -> dict:
    """The overall measure's own name, unit and group names (client.yml, else the language)."""
    return p1.measure_names(client.config.survey.overall, client.config.language)


def _group_names(client: Client, groups: pd.Series) -> pd.Series:
    """The measure's groups by their names, as client.yml or the file words them."""
    names = _measure_names(client)["groups"]
    # One lookup per group, not per respondent.
    found = {g: names.get(g, g) for g in groups.dropna().astype(str).unique()}
    return groups.astype("string").map(found)


def _overall(client: Client):
    """The overall measure's kind, scale and satisfied rule, as the P1 functions take them."""
    o = client.config.survey.overall
    return o.kind, o.scale, o.satisfied


def loyalty_detail(client: Client, segment: str | None = None) -> pd.Series:
    """The headline loyalty metric, for all respondents or one segment value ('Seg=value')."""
    survey = client.survey
    if segment:
        name, value = segment.split("=", 1)
        survey = survey[survey[name].astype(str) == value]
    return p1.loyalty(survey["overall"], *_overall(client))


def overview(client: Client) -> pd.DataFrame:
    """What each touchpoint's ratings cover: answers and share of respondents, per measure."""
    rows = {}
    for kind in ("perception", "expectation", "importance"):
        frame = getattr(client, kind)
        rows[f"{kind}_n"] = frame.notna().sum()
        rows[f"{kind}_share"] = frame.notna().mean()
    table = pd.DataFrame(rows).fillna(0)
    table.index.name = "touchpoint"
    return table


def survey_summary(client: Client) -> pd.DataFrame:
    """What the survey holds, column by column, in aggregates only: never a respondent's
    row, id or words, so an executed notebook can show it (unlike describe(), whose
    'top' value is one respondent's comment or id).

    Returns: DataFrame indexed by column (model name, or the segment's name) with kind
    (id, rating, segment, text), answered, missing_share, distinct, mean, sd, min, max
    (ratings), groups and smallest_group (segments), mean_length (text).
    """
    survey = client.survey
    rows = {}
    for column in survey.columns:
        values = survey[column]
        answered = int(values.notna().sum())
        row = {"answered": answered, "missing_share": float(values.isna().mean()) if len(values)
               else 0.0}
        if column in ("respondent_id", "customer_id"):
            row.update(kind="id", distinct=int(values.nunique()))
        elif column in client.segments:
            sizes = values.value_counts()
            row.update(kind="segment", distinct=int(values.nunique()), groups=len(sizes),
                       smallest_group=int(sizes.min()) if len(sizes) else 0)
        elif pd.api.types.is_numeric_dtype(values):
            row.update(kind="rating", distinct=int(values.nunique()), mean=values.mean(),
                       sd=values.std(), min=values.min(), max=values.max())
        else:
            text_values = values.dropna().astype(str)
            row.update(kind="text", distinct=int(text_values.nunique()),
                       mean_length=text_values.str.len().mean() if answered else float("nan"))
        rows[column] = row
    columns = ["kind", "answered", "missing_share", "distinct", "mean", "sd", "min", "max",
               "groups", "smallest_group", "mean_length"]
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)
    table.index.name = "column"
    return table


#: Significance level of the segment tests (Holm-adjusted across a client's segments).
SEGMENT_ALPHA = 0.05
#: A segment chart with more groups than this draws its bars across, one row per group,
#: so that long group names stay readable.
SEGMENT_BARS_ACROSS = 6
#: The columns of `segment_tests` (and `p_adjusted`): metrics.compare_groups's.
SEGMENT_TEST_COLUMNS = ("test", "statistic", "df", "p_value", "n", "compared", "left_out",
                        "left_out_n")


def _segments(client: Client, s: Section, headline: pd.Series, metric_name: str,
              unit: str, template: str) -> None:
    """The headline measure by each segment, compared across the groups with
    metrics.MIN_N answers or more only.

    A smaller group's figure is too uncertain to rank (one answer reads 0% or 100%), so
    it takes no part in the test, the highest and lowest, or the chart: one sentence says
    how many groups and answers are left out, and the segment's table (appendix,
    tables.xlsx) keeps every group with its small_sample flag. With fewer than two groups
    big enough there is no test and a sentence says why. The chi-square p-values (Monte
    Carlo when an expected count is below 5: metrics.compare_groups) are Holm-adjusted
    across exactly the tests in `segment_tests`: one per segment with two groups big
    enough whose answers vary; a segment without a test is said in words, not listed
    there with an empty p.
    """
    rule = _overall(client)
    measure = _measure(client)
    lang = client.config.language
    survey = client.survey
    rows, tables, comparable, untested = [], {}, {}, {}
    for segment in client.segments:
        table = p1.loyalty_by_segment(survey, segment, *rule)
        table = table[table["n"] > 0]          # a value nobody with an answer holds
        table = table.reindex(ordered(table.index))
        tables[segment] = table
        if len(table) < 2:
            untested[segment] = _t(client, "p1.segment_one_value", metric=metric_name,
                                   segment=segment, value=text.listing(table.index, lang))
            continue
        big = comparable[segment] = p1.compared(table)
        if len(big) < 2:
            untested[segment] = _too_few_groups(client, table, big, metric_name, segment)
            continue
        test = p1.segment_test(survey, segment, *rule)
        if pd.isna(test["p_value"]):
            untested[segment] = _t(client, "p1.segment_untestable", metric=metric_name,
                                   segment=segment)
            continue
        rows.append({"segment": segment, **test[list(SEGMENT_TEST_COLUMNS)]})
    tests = pd.DataFrame(rows, columns=["segment", *SEGMENT_TEST_COLUMNS])
    tests = tests.set_index("segment")
    tests["p_adjusted"] = metrics.holm(tests["p_value"]) if len(tests) else []
    for segment, table in tables.items():
        s.tables[f"loyalty_by_{segment}"] = table.rename(
            columns={"value": p1.MEASURE_COLUMN[measure]})
        if segment in untested:
            s.narrative.append(untested[segment])
            continue
        p = tests.loc[segment, "p_adjusted"]
        big = comparable[segment]
        left_out = table[table["small_sample"]]
        if p < SEGMENT_ALPHA:       # no chart for a difference the test does not show
            s.figures[f"loyalty_by_{segment}"] = _segment_chart(
                client, big, left_out, segment, headline, metric_name, unit, template)
        best, worst = big["value"].idxmax(), big["value"].idxmin()
        key = "p1.segment_differs" if p < SEGMENT_ALPHA else "p1.segment_same"
        s.narrative.append(_t(client, key, metric=metric_name, segment=segment, best=best,
                              worst=worst,
                              best_value=_f(client, big.loc[best, "value"], measure),
                              worst_value=_f(client, big.loc[worst, "value"], measure),
                              p=_p(client, p)))
        if len(left_out):
            s.narrative.append(_t(
                client, "p1.segment_left_out", segment=segment,
                groups=text.quantity(len(big), "group", lang),
                min=_f(client, metrics.MIN_N, "count"), rest=_rest(client, left_out)))
    if len(tests):
        s.tables["segment_tests"] = tests


def _rest(client: Client, small: pd.DataFrame) -> str:
    """'322 answers in 101 groups': what the groups left out of a comparison hold."""
    lang = client.config.language
    return _t(client, "p1.segment_rest",
              answers=text.quantity(int(small["n"].sum()), "answer", lang),
              groups=text.quantity(len(small), "group", lang))


def _too_few_groups(client: Client, table: pd.DataFrame, big: pd.DataFrame,
                    metric_name: str, segment: str) -> str:
    """Why a segment is not compared when fewer than two of its groups have MIN_N answers."""
    lang = client.config.language
    values = dict(metric=metric_name, segment=segment, min=_f(client, metrics.MIN_N, "count"))
    if len(big):
        group = big.index[0]
        return _t(client, "p1.segment_one_big", group=group,
                  n=_f(client, big.loc[group, "n"], "count"),
                  rest=_rest(client, table[table["small_sample"]]), **values)
    return _t(client, "p1.segment_no_big", groups=text.quantity(len(table), "group", lang),
              answers=text.quantity(int(table["n"].sum()), "answer", lang), **values)


def _segment_chart(client: Client, big: pd.DataFrame, left_out: pd.DataFrame, segment: str,
                   headline: pd.Series, metric_name: str, unit: str, template: str) -> go.Figure:
    """The measure by the compared groups of a segment, in the segment's order, across
    when there are many; its subtitle says what the groups left out hold."""
    subtitle = "" if left_out.empty else _t(
        client, "p1.fig_segment_left_out", min=_f(client, metrics.MIN_N, "count"),
        rest=_rest(client, left_out))
    return charts.bars(
        big.reset_index().rename(columns={"value": unit}), segment, unit,
        ci_low="ci_low", ci_high="ci_high", n="n", reference=headline["value"],
        reference_name=_t(client, "p1.reference",
                          value=_f(client, headline["value"], _measure(client))),
        orientation="h" if len(big) > SEGMENT_BARS_ACROSS else "v", kind=_measure(client),
        title=_t(client, "p1.fig_segment", metric=metric_name, segment=segment),
        subtitle=subtitle, template=template)


def _link_reason(client: Client, odds: pd.Series | None, link: str) -> str:
    """Why this data does not show that retention rises with the measure, in one clause."""
    if link == "no_model":
        return _t(client, "p1.link_no_model")
    return _t(client, f"p1.link_{link}", ratio=_f(client, odds["odds_ratio"], "ratio"),
              ci=_ci(client, odds["or_low"], odds["or_high"], "ratio"),
              per=_measure_names(client)["per"])


def _what_if(client: Client, risk: pd.Series, what_if_share: float) -> str:
    """The what-if sentence: valued only with a retention gain, its doubt said when the
    interval includes zero (a revenue kept is never negative)."""
    group_names = _measure_names(client)["groups"]
    names = dict(group=group_names[risk["group"]], next=group_names[risk["next_group"]])
    if not risk["retention_lift"] > 0:
        return _t(client, "p1.what_if_none", **names,
                  lift=_f(client, risk["retention_lift"], "share"),
                  ci=_ci(client, risk["retention_lift_low"], risk["retention_lift_high"],
                         "share"))
    key = "p1.what_if" if risk["what_if_low"] > 0 else "p1.what_if_uncertain"
    return _t(client, key, **names, share=_f(client, what_if_share, "param_share"),
              value=_f(client, risk["what_if_value"], "money"),
              ci=_ci(client, risk["what_if_low"], risk["what_if_high"], "money"))


@dataclass
class Money:
    """P1's money, computed once for P1 and the roadmap: the figures shown (`risk`: scaled
    to the client's customer base when client.yml gives one), the surveyed customers' own
    (`surveyed`), the scaling (`base`, `strata`; None without a base), the clause saying
    what the figures cover and assume (`scope`), and the materiality floor in the currency."""

    risk: pd.Series
    surveyed: pd.Series
    base: pd.Series | None
    strata: pd.DataFrame | None
    scope: str
    floor: float
    method: str = ""      # how the figures were scaled, for P1's caveats


#: The scaled figures that replace the surveyed ones when the client gives a base.
_SCALED = ("revenue", "at_risk", "at_risk_low", "at_risk_high", "what_if_value",
           "what_if_low", "what_if_high")


def _base_columns(client: Client) -> tuple[str, ...]:
    """The survey column the customer base is given by, to keep beside the CRM outcomes."""
    base = client.config.customer_base
    return (base.segment,) if base is not None and base.segment in client.survey else ()


def _money(client: Client, joined: pd.DataFrame, what_if_share: float,
           strata: pd.DataFrame | None = None) -> Money:
    """Revenue at risk and the what-if as shown: the surveyed customers' (`p1.revenue_at_
    risk`), scaled to client.yml's customer_base when it has one (`p1.scaled_to_base`;
    `strata`, its `p1.base_strata`, when already computed), with the sentence clause that
    says which, and the materiality floor of that revenue."""
    kind, lang = client.config.survey.overall.kind, client.config.language
    surveyed = p1.revenue_at_risk(joined, p1.GROUPS[kind], what_if_share)
    base = client.config.customer_base
    if base is None:
        scope = _t(client, "p1.scope_sample", customers=text.quantity(
            len(joined), "surveyed_customer", lang))
        floor = p1.materiality_floor(client.config.materiality, joined["revenue"].sum())
        return Money(surveyed, surveyed, None, None, scope, floor)
    figures, strata = p1.scaled_to_base(joined, surveyed, base, base.segment, strata)
    risk = surveyed.copy()
    risk[list(_SCALED)] = figures[list(_SCALED)].astype(float).to_numpy()
    values = dict(factor=_f(client, figures["factor"], "ratio"),
                  revenue=_f(client, figures["total_revenue"], "money"),
                  by=_t(client, f"p1.scope_by.{figures['by']}"),
                  segment=base.segment or "",
                  customers=text.quantity(figures["customers"], "customer", lang)
                  if figures["customers"] == figures["customers"] else "")
    scope = _t(client, f"p1.scope_{figures['basis']}", **values)
    method = _t(client, f"p1.scaling.{figures['basis']}", **values)
    if figures["uncovered"]:
        scope += _t(client, "p1.scope_uncovered", segment=base.segment,
                    groups=text.listing(figures["uncovered"], lang))
    shown = figures.drop(["uncovered", "by"])
    shown["basis"] = _t(client, f"p1.basis.{figures['basis']}", segment=base.segment or "")
    shown["uncovered"] = text.listing(figures["uncovered"], lang) if figures["uncovered"] \
        else ""
    strata = strata.rename_axis(base.segment or _t(client, "p1.basis.whole"))
    floor = p1.materiality_floor(client.config.materiality, figures["total_revenue"])
    return Money(risk, surveyed, shown, strata, scope, floor, method)


def _mean_and_index(client: Client, s: Section, metric_name: str) -> None:
    """A rating's mean next to its share; an index's reliability (Cronbach's alpha)."""
    lo, hi = client.config.survey.overall.scale
    mean = metrics.mean(client.survey["overall"])
    s.metrics["mean"] = Metric(mean["value"], int(mean["n"]),
                               _t(client, "units.mean_on", low=_f(client, lo, "param"),
                                  high=_f(client, hi, "param")),
                               mean["ci_low"], mean["ci_high"], kind="mean",
                               label=_t(client, "metric_labels.mean", metric=metric_name))
    s.narrative.append(_t(client, "p1.mean", metric=metric_name,
                          value=_f(client, mean["value"], "mean"),
                          low=_f(client, lo, "param"), high=_f(client, hi, "param"),
                          ci=_ci(client, mean["ci_low"], mean["ci_high"], "mean"),
                          n=_f(client, mean["n"], "count")))
    if client.overall_items is None:
        return
    alpha = metrics.cronbach_alpha(client.overall_items)
    s.metrics["index_alpha"] = Metric(alpha["alpha"], int(alpha["n"]), "α", kind="stat",
                                      label=_t(client, "metric_labels.index_alpha"))
    s.narrative.append(_t(client, "p1.index", metric=metric_name,
                          items=_f(client, alpha["items"], "count"),
                          alpha=_f(client, alpha["alpha"], "stat"),
                          n=_f(client, alpha["n"], "count")))
    if alpha["alpha"] < 0.7:
        s.caveats.append(_t(client, "p1.index_low_alpha",
                            alpha=_f(client, alpha["alpha"], "stat")))


@_per_client
def _outcomes_whole(client: Client) -> tuple[Section, tuple | None]:
    """P1 without the what-if: the Section so far, and what the what-if reads (the linked
    customers, the retention model's odds or None, the link's reading, the customer
    base's strata or None), None when there are too few linked customers for revenue
    figures."""
    rule = _overall(client)
    kind = rule[0]
    measure = _measure(client)
    template = _template(client)
    s = Section("P1", _t(client, "sections.P1"))
    survey = client.survey
    groups = p1.loyalty_groups(survey["overall"], *rule)
    headline = p1.loyalty(survey["overall"], *rule)
    names = _measure_names(client)
    unit, metric_name, group_names = names["unit"], names["metric"], names["groups"]
    s.metrics["loyalty"] = Metric(headline["value"], int(headline["n"]), unit,
                                  headline["ci_low"], headline["ci_high"], kind=measure,
                                  label=metric_name)
    s.narrative.append(_t(client, "p1.loyalty", metric=metric_name,
                          value=_f(client, headline["value"], measure),
                          ci=_ci(client, headline["ci_low"], headline["ci_high"], measure),
                          n=_f(client, headline["n"], "count")))
    _small(client, s, metric_name, int(headline["n"]))
    if kind == "satisfaction":
        _mean_and_index(client, s, metric_name)
    shares = groups.value_counts(normalize=True).reindex(p1.GROUPS[kind]).fillna(0)
    shares_table = pd.DataFrame({"share": shares, "n": groups.value_counts()}).rename_axis("group")
    s.tables["loyalty_groups"] = shares_table.rename(index=group_names)
    answer, group_axis = _t(client, "axes.answer", metric=metric_name), _t(client, "axes.group")
    if kind != "binary":    # two bars would only repeat the headline share
        # Counts per answer value: the figure never holds each respondent's answer in file order.
        binned = (pd.DataFrame({answer: survey["overall"], group_axis: _group_names(client, groups)})
                  .dropna().groupby([answer, group_axis], sort=True, observed=True).size()
                  .rename("answers").reset_index())
        s.figures["distribution"] = charts.histogram(
            binned, answer, color=group_axis, count="answers",
            title=_t(client, "p1.fig_distribution", metric=metric_name), template=template)
    _segments(client, s, headline, metric_name, unit, template)
    if "effort" in survey:
        effort = metrics.mean(survey["effort"])
        # The scale as client.yml gives it, and what its top means (most effort, or most
        # ease for a CES 2.0 agreement item): the mean is reported as answered.
        item = client.config.survey.effort
        lo, hi = item.scale
        scale = dict(low=_f(client, lo, "param"), high=_f(client, hi, "param"),
                     top=_t(client, f"words.effort_top.{item.high}"))
        s.metrics["effort"] = Metric(effort["value"], int(effort["n"]),
                                     _t(client, "units.effort", **scale), effort["ci_low"],
                                     effort["ci_high"], kind="mean")
        s.narrative.append(_t(client, "p1.effort", value=_f(client, effort["value"], "mean"),
                              **scale,
                              ci=_ci(client, effort["ci_low"], effort["ci_high"], "mean"),
                              n=_f(client, effort["n"], "count")))

    if client.outcomes is None or "customer_id" not in survey:
        s.caveats.insert(0, _t(client, "missing.outcomes"))
        return s, None
    joined = p1.link(survey, client.outcomes, groups, _base_columns(client))
    s.metrics["linked_customers"] = Metric(len(joined), len(joined),
                                           _t(client, "units.customers"), kind="count")
    if len(joined) < metrics.MIN_N:
        s.caveats.insert(0, _t(client, "missing.too_few_linked", n=_f(client, len(joined),
                                                                        "count")))
        return s, None
    by_group = p1.outcomes_by_group(joined)
    s.tables["outcomes_by_group"] = by_group.rename(index=group_names)
    plot = by_group.reset_index()
    plot[group_axis] = _group_names(client, plot["group"])
    retention = _t(client, "axes.retention")
    plot[retention] = 100 * plot["retention"]
    plot["retention_low"] *= 100
    plot["retention_high"] *= 100
    s.figures["retention_by_group"] = charts.bars(
        plot, group_axis, retention, ci_low="retention_low", ci_high="retention_high", n="n",
        kind="percent", title=_t(client, "p1.fig_retention"), template=template)
    revenue = _t(client, "axes.revenue", currency=client.config.currency)
    s.figures["revenue_by_group"] = charts.bars(
        plot.rename(columns={"revenue": revenue}), group_axis, revenue, ci_low="revenue_low",
        ci_high="revenue_high", n="n", kind="money",
        title=_t(client, "p1.fig_revenue", currency=client.config.currency), template=template)
    for group, row in by_group.iterrows():
        s.metrics[f"retention_{group}"] = Metric(
            row["retention"], int(row["n"]), "", row["retention_low"], row["retention_high"],
            kind="share",
            label=_t(client, "metric_labels.retention", group=group_names[group]))
    low, high = p1.GROUPS[kind][0], p1.GROUPS[kind][-1]
    if {low, high} <= set(by_group.index):
        s.narrative.append(_t(
            client, "p1.retention", high=group_names[high], low=group_names[low],
            high_value=_f(client, by_group.loc[high, "retention"], "share"),
            low_value=_f(client, by_group.loc[low, "retention"], "share"),
            high_revenue=_f(client, by_group.loc[high, "revenue"], "money"),
            low_revenue=_f(client, by_group.loc[low, "revenue"], "money")))
    odds = None
    try:
        model = p1.retention_model(joined)
    except ValueError as err:   # e.g. everyone retained, or perfect separation
        s.caveats.append(_t(client, "p1.no_model", reason=str(err)))
    else:
        s.tables["retention_model"] = model
        odds = model.loc["overall"]
        s.metrics["odds_ratio_per_point"] = Metric(
            odds["odds_ratio"], int(model.attrs["n"]), "", odds["or_low"], odds["or_high"],
            kind="ratio", label=_t(client, "metric_labels.odds_ratio", per=names["per"]))
        s.narrative.append(_t(client, f"p1.model.{names['answer']}", metric=metric_name,
                              **names["scale"],
                              ratio=_f(client, odds["odds_ratio"], "ratio"),
                              ci=_ci(client, odds["or_low"], odds["or_high"], "ratio"),
                              n=_f(client, model.attrs["n"], "count")))
    link = p1.retention_link(None if odds is None else odds["odds_ratio"],
                             None if odds is None else odds["or_low"])
    base = client.config.customer_base
    strata = None if base is None else p1.base_strata(joined, p1.GROUPS[kind][0], base,
                                                      base.segment)
    return s, (joined, odds, link, strata)


@redacted
def outcomes(client: Client, what_if_share: float = 0.2) -> Section:
    """P1 and A2: the headline measure with its interval, by segment, and its link to
    revenue, in the measure's own name and group names.

    Only the revenue at risk and the what-if are computed for each what-if share; the
    rest is kept per client (_outcomes_whole)."""
    s, linked = _outcomes_whole(client)
    if linked is None:
        return s
    joined, odds, link, strata = linked
    kind = client.config.survey.overall.kind
    names = _measure_names(client)
    metric_name, group_names = names["metric"], names["groups"]
    low = p1.GROUPS[kind][0]
    money = _money(client, joined, what_if_share, strata)
    risk = money.risk
    shown = money.surveyed.copy()
    shown[["group", "next_group"]] = [group_names[risk["group"]], group_names[risk["next_group"]]]
    s.tables["revenue_at_risk"] = shown.to_frame("value")
    if money.base is not None:
        s.tables["revenue_at_risk_base"] = money.base.to_frame("value")
        s.tables["customer_base"] = money.strata
    scope = _t(client, "p1.scope", scope=money.scope)
    s.metrics["revenue_at_risk"] = Metric(risk["at_risk"], int(risk["customers"]),
                                          client.config.currency, risk["at_risk_low"],
                                          risk["at_risk_high"], scope, kind="money")
    if risk["retention_lift"] > 0:
        s.metrics["what_if_value"] = Metric(
            risk["what_if_value"], int(risk["n"]), client.config.currency, risk["what_if_low"],
            risk["what_if_high"], text.sentences([scope, _t(
                client, "p1.what_if_assumption", share=_f(client, what_if_share, "param_share"))],
                client.config.language), kind="money")
    figures = dict(group=group_names[low], revenue=_f(client, risk["revenue"], "money"),
                   at_risk=_f(client, risk["at_risk"], "money"),
                   ci=_ci(client, risk["at_risk_low"], risk["at_risk_high"], "money"))
    headline = (_t(client, "p1.headline_base", **figures) if money.base is not None else
                _t(client, "p1.headline", **figures, customers=text.quantity(
                    risk["customers"], "surveyed_customer", client.config.language)))
    lead = [headline, scope, _what_if(client, risk, what_if_share)]
    if link != "holds":
        lead.insert(0, _t(client, "p1.no_link", metric=metric_name,
                          group=group_names[low],
                          reason=_link_reason(client, odds, link)))
    s.narrative[0:0] = lead
    s.caveats.append(_t(client, "p1.risk_assumption"))
    if money.method:
        s.caveats.append(money.method)
    return s


@dataclass
class Evidence:
    """The one reading of touchpoint gaps that P2, P3 and the roadmap share.

    gaps -- perception.touchpoint_gaps' table with name, verdict (perception.gap_verdicts:
    one threshold, one set of Holm-adjusted p-values), weight (rescaled driver weight),
    quadrant (importance-performance), breakpoint and moment_of_truth;
    drivers -- the key driver model on complete answers, None with fewer than two
    touchpoints; breakpoints -- the breakpoint rows ranked, with the three Ds, None when no
    touchpoint has a gap; quadrants -- the importance-performance grid, None without
    importance; threshold, alpha -- what the verdicts used.
    """

    gaps: pd.DataFrame
    drivers: KeyDrivers | None
    breakpoints: pd.DataFrame | None
    quadrants: pd.DataFrame | None
    threshold: float
    alpha: float

    @property
    def weights(self) -> pd.DataFrame | None:
        return None if self.drivers is None else self.drivers.weights


@_per_client
def _gap_readings(client: Client) -> tuple[pd.DataFrame, KeyDrivers | None, pd.Series,
                                           pd.DataFrame | None]:
    """What no threshold or alpha changes: each touchpoint's gap test (named), the key
    driver model (None with fewer than two touchpoints), the spread of each touchpoint's
    perception ratings (the three Ds' consistency rule) and the importance-performance
    grid (None without weights or stated importance)."""
    gaps = perception.touchpoint_gaps(client.perception, client.expectation, client.importance,
                                      client.touchpoints)
    gaps["name"] = _names(client, gaps.index)
    fit = None
    if client.perception.shape[1] >= 2:
        fit = perception.driver_weights(client.survey["overall"], client.perception)
    weights = None if fit is None else fit.weights
    quadrants = None
    if weights is not None or gaps["importance"].notna().any():
        quadrants = perception.importance_performance(gaps, weights)
    return gaps, fit, journey.perception_spread(client.perception), quadrants


def touchpoint_evidence(client: Client, threshold: float = 0.5, alpha: float = 0.05) -> Evidence:
    """Gaps, their verdicts, driver weights, breakpoints and quadrants, computed once.

    Every practice that speaks of breakpoints, shortfalls or priorities reads them from
    here, so a touchpoint is the same thing on every page and every chart colour follows
    the same adjusted p-values as the text.
    """
    gaps, fit, spread, quadrants = _gap_readings(client)
    gaps["verdict"] = perception.gap_verdicts(gaps, threshold, alpha)
    weights = None if fit is None else fit.weights
    gaps["weight"] = (weights["rescaled"].reindex(gaps.index) if weights is not None
                      else float("nan"))
    found = None
    if gaps["gap"].notna().any():
        found = journey.three_ds(journey.breakpoints(gaps, weights=weights),
                                 language=client.config.language, spread=spread)
    gaps["breakpoint"] = gaps["verdict"] == "shortfall"
    gaps["moment_of_truth"] = gaps.index.isin([] if found is None else
                                              found.index[found["moment_of_truth"].fillna(False)])
    gaps["quadrant"] = (quadrants["quadrant"] if quadrants is not None
                        else pd.Series(None, index=gaps.index, dtype=object))
    if found is not None:
        found["quadrant"] = gaps["quadrant"].reindex(found.index)
    return Evidence(gaps, fit, found, quadrants, threshold, alpha)


def _rated(gaps: pd.DataFrame) -> bool:
    """Whether any touchpoint has a perception rating: without one there is nothing to
    map or chart, and the sections say the survey has no touchpoint ratings."""
    return bool(gaps["perception"].notna().any())


def _tested(client: Client, gaps: pd.DataFrame) -> str:
    """'3 touchpoints': how many have a gap test, the denominator of every count of them."""
    return text.quantity(int((gaps["verdict"] != "untested").sum()), "touchpoint",
                         client.config.language)


@_per_client
def _journeys(client: Client) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """Channel switching: its summary, the hotspots (named) and the channel transitions."""
    paths = journey.journey_paths(client.journeys)
    hotspots = journey.switch_hotspots(client.journeys)
    named = hotspots.assign(name=_names(client, hotspots.index))
    return (journey.switching_summary(paths), named,
            journey.channel_transitions(paths, client.config.language))


@_per_client
def _channel_sankey(client: Client) -> go.Figure:
    """The channel transitions as a Sankey chart (no run parameter changes it)."""
    transitions = _journeys(client)[2]
    return charts.sankey(transitions, "source", "target", "count",
                         title=_t(client, "p2.fig_sankey"), template=_template(client))


@_per_client
def _journey_map_chart(client: Client, marked: tuple[bool, ...]) -> go.Figure:
    """The journey map with these touchpoints (in the gap table's order) marked as
    breakpoints: thresholds and alphas that find the same breakpoints draw the same map."""
    gaps = _gap_readings(client)[0]
    gap, size, breakpoint = (_t(client, f"axes.{k}") for k in ("gap", "importance",
                                                               "breakpoint"))
    frame = pd.DataFrame({"stage": gaps["stage"], "name": gaps["name"], gap: gaps["gap"],
                          size: gaps["importance"].fillna(1),
                          breakpoint: pd.Series(marked, index=gaps.index)})
    return charts.journey_map(frame, "stage", "name", gap, size, breakpoint,
                              stages={k: _t(client, f"stages.{k}") for k in STAGES},
                              title=_t(client, "p2.fig_map"), template=_template(client))


@redacted
def touchpoints(client: Client, threshold: float = 0.5, alpha: float = 0.05) -> Section:
    """P2: the journey map, its breakpoints and moments of truth, and channel switching."""
    template = _template(client)
    s = Section("P2", _t(client, "sections.P2"))
    ev = touchpoint_evidence(client, threshold, alpha)
    gaps, found = ev.gaps, ev.breakpoints
    s.metrics["touchpoints_rated"] = Metric(len(gaps), int(len(client.survey)),
                                            _t(client, "units.touchpoints"), kind="count")
    if found is None:
        s.caveats.append(_t(client, "missing.expectation" if _rated(gaps) else "missing.ratings"))
    else:
        s.tables["breakpoints"] = found
        # n: the respondents whose ratings the breakpoint tests rest on.
        answered = int(client.expectation.notna().any(axis=1).sum())
        s.metrics["breakpoints"] = Metric(len(found), answered, _t(client, "units.touchpoints"),
                                          kind="count")
        s.metrics["moments_of_truth"] = Metric(int(found["moment_of_truth"].sum()), answered,
                                               _t(client, "units.touchpoints"), kind="count")
        if client.touchpoints is not None:
            s.tables["content_prompts"] = journey.content_prompts(found, client.touchpoints,
                                                                  client.config.language)
        rule = dict(tested=_tested(client, gaps), threshold=_f(client, threshold, "param"),
                    alpha=_f(client, alpha, "param"))
        if len(found):
            s.narrative.append(_t(client, "p2.breakpoints", count=_f(client, len(found), "count"),
                                  names=_list(client, found["name"].head(5)), **rule))
        else:
            s.narrative.append(_t(client, "p2.no_breakpoints", **rule))
        truth = found["moment_of_truth"]
        if truth.any():
            s.narrative.append(_t(client, "p2.moments", names=_list(
                client, found.loc[truth.fillna(False), "name"])))
        unknown = found.loc[truth.isna(), "name"]
        if len(unknown):            # left out of the driver model: neither yes nor no
            s.narrative.append(_t(client, "p2.moments_unknown" + ("_one" if len(unknown) == 1
                                                                  else ""),
                                  names=_list(client, unknown)))
        if client.touchpoints is not None:
            s.figures["journey_map"] = _journey_map_chart(client, tuple(gaps["breakpoint"]))
        else:
            s.caveats.append(_t(client, "missing.touchpoints"))
    if client.journeys is None:
        s.caveats.append(_t(client, "missing.journeys"))
        return s
    summary, hotspots, _ = _journeys(client)
    s.tables["switching"] = summary.to_frame("value")
    s.metrics["self_service_to_assisted"] = Metric(
        summary["share"], int(summary["started_self_service"]), "", summary["ci_low"],
        summary["ci_high"], kind="share")
    s.metrics["switches_per_journey"] = Metric(
        summary["mean_switches"], int(summary["journeys"]), _t(client, "units.switches"),
        summary["mean_switches_low"], summary["mean_switches_high"], kind="mean")
    s.tables["switch_hotspots"] = hotspots
    s.figures["channel_sankey"] = _channel_sankey(client)
    s.narrative.append(_t(client, "p2.switching",
                          share=_f(client, summary["share"], "share"),
                          ci=_ci(client, summary["ci_low"], summary["ci_high"], "share"),
                          n=_f(client, summary["started_self_service"], "count"),
                          switches=_f(client, summary["mean_switches"], "mean")))
    if len(hotspots):
        s.narrative.append(_t(client, "p2.hotspots", hotspots=_list(client,
                                                                    hotspots["name"].head(3))))
    s.narrative.append(_t(client, "p2.g_actions"))
    return s


def _list(client: Client, names) -> str:
    return text.listing(list(names), client.config.language)


def _gap_sentences(client: Client, gaps: pd.DataFrame, threshold: float, alpha: float) -> list:
    """How many touchpoints fall short, of how many tested, and the widest gap by name."""
    tested = gaps[gaps["verdict"] != "untested"]
    sentences = [_t(client, "p3.gaps", below=_f(client, int((tested["gap"] < 0).sum()), "count"),
                    tested=_tested(client, gaps), threshold=_f(client, threshold, "param"),
                    alpha=_f(client, alpha, "param"),
                    shortfalls=_f(client, int((tested["verdict"] == "shortfall").sum()),
                                  "count"))]
    if len(tested):
        widest = tested["gap"].abs().idxmax()
        row = tested.loc[widest]
        sentences.append(_t(client, "p3.widest", name=row["name"],
                            direction=_t(client, "words.shortfall" if row["gap"] < 0
                                         else "words.surplus"),
                            gap=_f(client, row["gap"], "gap"),
                            ci=_ci(client, row["ci_low"], row["ci_high"], "gap")))
    return sentences


def _driver_notes(client: Client, fit: KeyDrivers, names: pd.Series) -> list[str]:
    """What the driver analysis rests on, and the touchpoints it leaves out and why."""
    lang = client.config.language
    notes = [_t(client, "p3.drivers_rule", min=_f(client, drivers.MIN_COMPLETE, "count"),
                per=_f(client, drivers.PER_DRIVER, "count"))]
    for reason in ("constant", "costly"):
        left = [d for d in fit.dropped if d["reason"] == reason]
        if reason == "costly":
            left = sorted(left, key=lambda d: -d["cost"])
            shown = [_t(client, "words.with_figure", name=names.get(d["driver"], d["driver"]),
                        figure=_f(client, d["cost"], "count")) for d in left]
        else:
            shown = [names.get(d["driver"], d["driver"]) for d in left]
        if left:
            notes.append(_t(client, f"p3.driver_{reason}", names=text.listing(shown, lang)))
    if fit.reason == "too_few":
        kept = len(client.perception.columns) - len(fit.dropped)
        notes.append(_t(client, "p3.drivers_too_few",
                        complete=text.quantity(fit.n, "complete_answer", lang),
                        drivers=text.quantity(kept, "driver", lang),
                        floor=_f(client, fit.floor, "count")))
    elif fit.reason in ("too_few_drivers", "constant_outcome"):
        notes.append(_t(client, f"p3.drivers_{fit.reason}"))
    return notes


def _left_out(fit: KeyDrivers, names: pd.Series) -> pd.DataFrame:
    """The touchpoints left out of the driver analysis: why, who rated them, what they cost."""
    table = pd.DataFrame(fit.dropped, columns=["driver", "reason", "answers", "cost"])
    table.insert(1, "name", [names.get(d, d) for d in table["driver"]])
    table = table.rename(columns={"driver": "touchpoint"}).set_index("touchpoint")
    return table.sort_values("cost", ascending=False, kind="stable")


def _priority_notes(client: Client, ev: Evidence) -> list[str]:
    """Why a breakpoint sits in low priority or possible overkill on the grid, by name."""
    if ev.quadrants is None:
        return []
    grid, notes = ev.quadrants, []
    x = grid.attrs["x"]
    measure = _t(client, "words.relative_weight" if x == "weight" else "words.stated_importance")
    x_kind = "percent" if x == "weight" else "mean"
    for tp, row in ev.gaps[ev.gaps["breakpoint"]].iterrows():
        if row["quadrant"] == "low_priority":
            notes.append(_t(client, "p3.breakpoint_low_priority", name=row["name"],
                            measure=measure, value=_f(client, grid.loc[tp, x], x_kind),
                            cut=_f(client, grid.attrs["x_cut"], x_kind)))
        elif row["quadrant"] == "overkill":
            notes.append(_t(client, "p3.breakpoint_overkill", name=row["name"],
                            value=_f(client, grid.loc[tp, "performance"], "mean"),
                            cut=_f(client, grid.attrs["y_cut"], "mean")))
    return notes


@_per_client
def _drivers_chart(client: Client) -> go.Figure:
    """The key drivers' relative weights as bars (no threshold or alpha changes them)."""
    gaps, fit, _, _ = _gap_readings(client)
    touchpoint, share = _t(client, "axes.touchpoint"), _t(client, "axes.weight")
    weights = fit.weights.assign(name=gaps["name"].reindex(fit.weights.index))
    return charts.bars(
        weights.sort_values("rescaled", ascending=False).rename(columns={"name": touchpoint,
                                                                         "rescaled": share}),
        touchpoint, share, orientation="h", kind="percent", title=_t(client, "p3.fig_drivers"),
        template=_template(client))


@_per_client
def _quadrants_chart(client: Client) -> go.Figure:
    """The importance-performance grid as a chart (no threshold or alpha changes it)."""
    gaps, _, _, quadrants = _gap_readings(client)
    names = [_t(client, f"quadrants.{q}") for q in
             ("concentrate", "keep_up", "low_priority", "overkill")]
    derived = quadrants.attrs["x"] == "weight"
    x = _t(client, "axes.derived_importance" if derived else "axes.importance")
    y = _t(client, "axes.performance", scale=_rating_scale(client))
    return charts.quadrant(
        pd.DataFrame({x: quadrants[quadrants.attrs["x"]], y: quadrants["performance"],
                      "name": gaps["name"].reindex(quadrants.index)}),
        x, y, "name", quadrants.attrs["x_cut"], quadrants.attrs["y_cut"],
        quadrant_names=tuple(names), title=_t(client, "p3.fig_quadrants"),
        template=_template(client))


@_per_client
def _coded_interviews(client: Client) -> tuple[pd.DataFrame, int]:
    """The interviews with a touchpoint, coded by the codebook where the file left them
    uncoded, and how many rows cxlib coded."""
    interviews = comments.code_interviews(client.interviews, client.codebook)
    filled = int((interviews["coded_by"] == "cxlib").sum())
    return interviews.dropna(subset=["touchpoint"]), filled


@_per_client
def _interview_sentiment(client: Client) -> pd.DataFrame:
    """The interviews' sentiment per touchpoint (no threshold or alpha changes it)."""
    return perception.interview_sentiment(_coded_interviews(client)[0])


@_per_client
def _comment_sentiment(client: Client) -> pd.DataFrame | None:
    """The survey comments' sentiment per touchpoint, named; None without themed comments."""
    voice = _comment_evidence(client)
    if voice is None or not len(voice):
        return None
    said = perception.interview_sentiment(voice)
    said.insert(0, "name", _names(client, said.index))
    return said


@_per_client
def _interview_tone_chart(client: Client) -> go.Figure | None:
    """The interviews' tone per touchpoint and theme as bars, None when none has a tone."""
    tone = perception.interview_tone(_coded_interviews(client)[0])
    if not len(tone):
        return None
    touchpoint = _t(client, "axes.touchpoint")
    names = _names(client, tone.index)
    labels = [name if pd.isna(theme) else _t(client, "axes.touchpoint_theme",
                                             touchpoint=name, theme=theme)
              for name, theme in zip(names, tone["theme"])]
    words = {k: _t(client, f"axes.sentiment_{k}") for k in ("negative", "neutral", "positive")}
    return charts.sentiment_bars(
        tone.assign(**{touchpoint: labels}).rename(columns=words), touchpoint,
        words["negative"], words["neutral"], words["positive"], n="n",
        title=_t(client, "p3.fig_themes"), template=_template(client))


#: Line colours of the gap chart by verdict: the same test and threshold as the text.
VERDICT_COLOURS = {"shortfall": "negative", "surplus": "positive"}


@_per_client
def _gaps_chart(client: Client, verdicts: tuple[str, ...]) -> go.Figure:
    """Perception against expectation per touchpoint, coloured by these verdicts (in the
    gap table's order): thresholds and alphas that read the gaps alike draw the same chart."""
    gaps = _gap_readings(client)[0]
    touchpoint = _t(client, "axes.touchpoint")
    status = pd.Series(verdicts, index=gaps.index).map(VERDICT_COLOURS)
    labelled = gaps.assign(**{touchpoint: gaps["name"].astype(str) + " (n=" + gaps["n"].astype(str)
                              + ")", "_status": status})
    return charts.dumbbell(
        labelled[gaps["gap"].notna()], touchpoint, "expectation", "perception",
        start_name=_t(client, "words.expectation"), end_name=_t(client, "words.perception"),
        status="_status", kind="mean",
        title=_t(client, "p3.fig_gaps", scale=_rating_scale(client)),
        template=_template(client))


@redacted
def perception_gaps(client: Client, threshold: float = 0.5, alpha: float = 0.05) -> Section:
    """P3: perception against expectation per touchpoint, drivers, quadrants, interviews."""
    template = _template(client)
    s = Section("P3", _t(client, "sections.P3"))
    ev = touchpoint_evidence(client, threshold, alpha)
    gaps, weights = ev.gaps, ev.weights
    s.tables["gaps"] = gaps
    touchpoint = _t(client, "axes.touchpoint")
    if ev.breakpoints is not None:
        s.figures["gaps"] = _gaps_chart(client, tuple(gaps["verdict"]))
        s.narrative.extend(_gap_sentences(client, gaps, threshold, alpha))
    elif not _rated(gaps):          # no chart with nothing on it: say why instead
        s.caveats.append(_t(client, "missing.ratings"))
    else:
        s.caveats.append(_t(client, "missing.expectation"))
        rating = _t(client, "axes.perception", scale=_rating_scale(client))
        s.figures["perception"] = charts.bars(
            gaps.sort_values("perception").rename(columns={"name": touchpoint,
                                                           "perception": rating}),
            touchpoint, rating, ci_low="perception_low", ci_high="perception_high",
            n="n_perception", orientation="h", kind="mean",
            title=_t(client, "p3.fig_perception"), template=template)
    small = gaps.index[gaps["small_sample"]]
    for tp in small:
        n = gaps.loc[tp, "n"] if gaps.loc[tp, "n"] else gaps.loc[tp, "n_perception"]
        _small(client, s, str(gaps.loc[tp, "name"]), int(n))
    if ev.drivers is not None:
        s.caveats.extend(_driver_notes(client, ev.drivers, gaps["name"]))
        if ev.drivers.dropped:
            s.tables["drivers_left_out"] = _left_out(ev.drivers, gaps["name"])
    if weights is not None:
        weights = weights.assign(name=gaps["name"].reindex(weights.index))
        s.tables["drivers"] = weights
        s.metrics["drivers_r_squared"] = Metric(weights.attrs["r_squared"],
                                                int(weights.attrs["n"]), "R²", kind="r2")
        s.figures["drivers"] = _drivers_chart(client)
        top = weights.head(3)
        s.narrative.append(_t(client, "p3.drivers", names=_list(client, top["name"]),
                              share=_f(client, top["rescaled"].sum(), "percent"),
                              n=text.quantity(weights.attrs["n"], "complete_answer",
                                              client.config.language),
                              r2=_f(client, weights.attrs["r_squared"], "r2")))
    if ev.quadrants is not None:
        quadrants = ev.quadrants
        s.tables["importance_performance"] = quadrants
        s.figures["quadrants"] = _quadrants_chart(client)
        concentrate = quadrants.index[quadrants["quadrant"] == "concentrate"]
        s.narrative.append(_t(client, "p3.quadrants",
                              names=_list(client, gaps.loc[concentrate, "name"])))
        s.narrative.extend(_priority_notes(client, ev))
        s.caveats.append(_t(client, "p3.crosshair_rule"))
    said = _comment_sentiment(client)
    if said is not None:
        s.tables["comment_sentiment"] = said
        disagree = perception.disagreements(gaps, said)
        s.tables["comment_disagreements"] = disagree
        if len(disagree):
            s.narrative.append(_t(client, "p3.comments_disagree",
                                  names=_list(client, _names(client, disagree.index))))
    if client.interviews is None:
        s.caveats.append(_t(client, "missing.interviews"))
        return s
    interviews, filled = _coded_interviews(client)
    if filled:
        s.caveats.append(_t(client, "p3.uncoded", n=_f(client, filled, "count")))
    s.tables["interview_themes"] = perception.interview_themes(interviews)
    tone_chart = _interview_tone_chart(client)
    if tone_chart is not None:
        s.figures["interview_themes"] = tone_chart
    sentiment = _interview_sentiment(client)
    s.tables["interview_sentiment"] = sentiment
    if ev.breakpoints is not None:
        focus = list(ev.breakpoints.index) or list(gaps["gap"].nsmallest(3).index)
    else:
        focus = list(gaps["perception"].nsmallest(3).index)
    quotes = perception.representative_quotes(interviews, focus, k=3)
    quotes.insert(1, "name", _names(client, pd.Index(quotes["touchpoint"])).to_numpy())
    s.tables["quotes"] = quotes
    disagree = perception.disagreements(gaps, sentiment)
    s.tables["disagreements"] = disagree
    if len(disagree):
        s.narrative.append(_t(client, "p3.disagree",
                              names=_list(client, _names(client, disagree.index))))
    return s


@_per_client
def _said(client: Client):
    """The survey's comments with their languages, sentiment and themes, or None."""
    if "comment" not in client.survey or client.codebook is None:
        return None
    texts = client.survey["comment"].dropna()
    if texts.empty:
        return None
    langs = comments.languages(texts)
    return texts, langs, comments.sentiment(texts, langs), comments.match(texts, client.codebook)


@_per_client
def _comment_evidence(client: Client) -> pd.DataFrame | None:
    """Themed comments as touchpoint evidence for P3, beside the interviews."""
    said = _said(client)
    if said is None:
        return None
    texts, _, scores, found = said
    return comments.evidence(client.survey.loc[texts.index, "respondent_id"], texts, found,
                             scores, client.codebook, role=_t(client, "comments.role"))


#: Themes quoted in the report: the most mentioned ones.
KEY_THEMES = 5
#: Below this share of comments caught by a theme, the themes describe a minority of what
#: customers wrote: the section says so (the real drugs.com reviews: 19% with the default
#: codebook, written for service businesses).
THEMED_LOW = 0.5


@redacted
def open_comments(client: Client, alpha: float = 0.05) -> Section:
    """What customers say: themes of the open comments, their sentiment and link to loyalty."""
    template = _template(client)
    lang = client.config.language
    s = Section("comments", _t(client, "sections.comments"))
    said = _said(client)
    if said is None:
        s.missing = _t(client, "missing.comments")
        return s
    texts, langs, scores, found = said
    survey = client.survey
    kind, scale, _ = _overall(client)   # comments.theme_table takes no satisfied rule yet
    n = len(texts)
    commented = metrics.proportion(n, len(survey))
    s.metrics["comments"] = Metric(n, n, _t(client, "units.comments"), kind="count")
    s.metrics["commented"] = Metric(commented["value"], len(survey), "", commented["ci_low"],
                                    commented["ci_high"], kind="share")
    themed = metrics.proportion(int(found.any(axis=1).sum()), n)
    s.metrics["themed"] = Metric(themed["value"], n, "", themed["ci_low"], themed["ci_high"],
                                 kind="share")
    mood = metrics.mean(scores)
    if mood["n"]:                       # no mean when no comment could be scored
        bounds = ((mood["ci_low"], mood["ci_high"]) if mood["n"] > 1 else (None, None))
        s.metrics["comment_sentiment"] = Metric(mood["value"], int(mood["n"]),
                                                _t(client, "units.sentiment"), *bounds,
                                                kind="mean")
    table = comments.theme_table(found, scores, survey.loc[texts.index, "overall"],
                                 client.codebook, kind, scale, lang)
    s.tables["themes"] = table
    s.tables["languages"] = langs.replace("", "other").value_counts().rename_axis(
        "language").to_frame("n")
    s.narrative.append(_t(client, "comments.summary", n=_f(client, n, "count"),
                          share=_f(client, commented["value"], "share"),
                          themed=_f(client, themed["value"], "share")))
    if themed["value"] < THEMED_LOW:
        own = client.config.codebook is not None
        s.caveats.append(_t(client, "comments.themed_low_own" if own else "comments.themed_low",
                            themed=_f(client, themed["value"], "share")))
    mentioned = table[table["n"] > 0]
    if len(mentioned):
        s.narrative.append(_t(client, "comments.top", names=_list(client, [
            _t(client, "words.with_figure", name=r["name"], figure=_f(client, r["share"], "share"))
            for _, r in mentioned.head(3).iterrows()])))
        share_axis, theme_axis = _t(client, "axes.comments_share"), _t(client, "axes.theme")
        plot = mentioned.sort_values("share").assign(**{
            theme_axis: mentioned.sort_values("share")["name"],
            share_axis: 100 * mentioned.sort_values("share")["share"]})
        plot["share_low"] *= 100
        plot["share_high"] *= 100
        s.figures["themes"] = charts.bars(plot, theme_axis, share_axis, ci_low="share_low",
                                          ci_high="share_high", n="n", orientation="h",
                                          kind="percent", title=_t(client, "comments.fig_themes"),
                                          template=template)
        tested = mentioned.dropna(subset=["difference"])
        if len(tested):
            unit = _t(client, "axes.theme_difference", metric=_measure_names(client)["metric"])
            # Colours follow the Holm-adjusted p-values the sentences use.
            s.figures["theme_impact"] = charts.forest(
                tested.sort_values("difference").assign(
                    _significant=lambda t: t["p_adjusted"] < alpha).rename(
                    columns={"name": theme_axis, "difference": unit}),
                theme_axis, unit, "diff_low", "diff_high", reference=0, n="n", kind="gap",
                significant="_significant",
                title=_t(client, "comments.fig_impact"), template=template)
        for _, row in tested[tested["p_adjusted"] < alpha].sort_values("difference").iterrows():
            key = "comments.lower" if row["difference"] < 0 else "comments.higher"
            s.narrative.append(_t(client, key, theme=row["name"],
                                  metric=_measure_names(client)["metric"],
                                  difference=_f(client, abs(row["difference"]), "mean"),
                                  ci=_ci(client, row["diff_low"], row["diff_high"], "gap"),
                                  p=_p(client, row["p_adjusted"])))
        for _, row in mentioned[mentioned["small_sample"]].iterrows():
            _small(client, s, row["name"], int(row["n"]))
    key = list(mentioned.head(KEY_THEMES).index)
    s.tables["verbatims"] = comments.verbatims(texts, found, scores, key, survey.loc[texts.index],
                                               client.segments, k=3, language=lang,
                                               codebook=client.codebook)
    unthemed = texts[~found.any(axis=1)]
    s.tables["suggestions"] = comments.suggestions(unthemed, names=client.config.redact,
                                                   country=client.config.country,
                                                   language=langs)
    other = int((langs == "other").sum())
    if other:
        s.caveats.append(_t(client, "comments.other_languages", n=_f(client, other, "count")))
    s.caveats.append(_t(client, "comments.compared"))
    checked = sentiment_checks()         # measured by bench/sentiment_auc.py, rechecked by tests
    s.caveats.append(_t(client, "comments.method",
                        en=_f(client, checked["en"]["auc"], "share"),
                        en_n=_f(client, checked["en"]["n"], "count"),
                        zh=_f(client, checked["zh"]["auc"], "share"),
                        zh_n=_f(client, checked["zh"]["n"], "count")))
    return s


@redacted
def capabilities(client: Client) -> Section:
    """P4: the maturity and culture audit (B1-B9, C1-C4, G1-G5, A1-A7)."""
    template = _template(client)
    s = Section("P4", _t(client, "sections.P4"))
    if client.assessment is None:
        s.missing = _t(client, "missing.assessment")
        return s
    bank = maturity.item_bank()
    scores = _named_elements(client, maturity.element_scores(client.assessment, bank))
    s.tables["element_scores"] = scores
    respondents = client.assessment["respondent"].nunique()
    s.metrics["staff_respondents"] = Metric(respondents, respondents,
                                            _t(client, "units.respondents"), kind="count")
    change = _named_elements(client, maturity.wave_change(client.assessment, bank))
    s.tables["wave_change"] = change
    wave, element, score, function = (_t(client, f"axes.{k}") for k in
                                      ("wave", "element", "score", "function"))
    waves = sorted(client.assessment["wave"].dropna().unique())
    by_wave = pd.concat([
        _named_elements(client, maturity.element_scores(client.assessment, bank, wave=w))
        .assign(**{wave: _t(client, "axes.wave_n", n=int(w))})
        for w in waves], ignore_index=True)
    by_wave = by_wave.rename(columns={"name": element, "mean": score})
    s.figures["blocks_radar"] = charts.radar(
        by_wave[by_wave["instrument"] == "blocks"], element, score, wave, kind="mean",
        title=_t(client, "p4.fig_radar"), template=template)
    others = scores[scores["instrument"] != "blocks"]
    if len(waves) >= 2 and len(change):
        # Culture, journeys and tips: where each element stood at the baseline and stands now.
        moved = change[change["instrument"] != "blocks"]
        s.figures["culture"] = charts.dumbbell(
            moved.rename(columns={"name": element}), element, "first_mean", "last_mean",
            start_name=_t(client, "axes.wave_n", n=int(waves[0])),
            end_name=_t(client, "axes.wave_n", n=int(waves[-1])),
            title=_t(client, "p4.fig_culture"), template=template)
    elif len(others):
        s.figures["culture"] = charts.bars(
            others.rename(columns={"name": element, "mean": score}), element, score,
            ci_low="ci_low", ci_high="ci_high", n="n", orientation="h", kind="mean",
            title=_t(client, "p4.fig_culture_one"), template=template)
    by_function = _named_elements(client, maturity.function_scores(client.assessment, bank))
    s.tables["function_scores"] = by_function
    s.figures["alignment"] = charts.heatmap(
        by_function.rename(columns={"name": element, "function": function, "mean": score}),
        function, element, score, kind="mean", title=_t(client, "p4.fig_alignment"),
        template=template)
    if len(change):
        significant = change[change["significant"]]
        if len(significant):        # no chart for changes the tests do not show
            difference = _t(client, "axes.change")
            s.figures["wave_change"] = charts.forest(
                significant.rename(columns={"name": element, "difference": difference}),
                element, difference, "ci_low", "ci_high", reference=0,
                significant="significant", kind="gap",
                title=_t(client, "p4.fig_change"), template=template)
        up = change.loc[change["significant"] & (change["difference"] > 0), "name"]
        down = change.loc[change["significant"] & (change["difference"] < 0), "name"]
        s.narrative.append(_t(client, "p4.change", up=_list(client, up),
                              down=_list(client, down)))
    growth = maturity.growth_opportunities(scores)
    s.tables["growth_opportunities"] = growth
    for _, row in growth.iterrows():
        s.narrative.append(_t(client, "p4.growth", instrument=_t(
            client, f"instruments.{row['instrument']}"), element=row["element"], name=row["name"],
            mean=_f(client, row["mean"], "mean")))
    misaligned = scores.loc[~scores["aligned"], "name"]
    if len(misaligned):
        s.narrative.append(_t(client, "p4.alignment", elements=_list(client, misaligned)))
    if respondents < 5:
        _small(client, s, _t(client, "units.respondents"), respondents)
    return s


def _below_materiality(client: Client, s: Section, plan: pd.DataFrame,
                       floor: float) -> pd.DataFrame:
    """Initiative revenue impacts under the materiality floor read as words, not money;
    the caveat names the floor. The table's impact_revenue then holds figures and words."""
    small = plan["impact_revenue"].notna() & ~p1.material(plan["impact_revenue"], floor)
    if not small.any():
        s.caveats.append(_t(client, "roadmap.materiality_none", floor=_f(client, floor, "money")))
        return plan
    s.caveats.append(_t(client, "roadmap.materiality", floor=_f(client, floor, "money"),
                        count=_f(client, int(small.sum()), "count")))
    return _revenue_in_words(plan, small, _t(client, "roadmap.below_materiality"))


def _unpriced(client: Client, s: Section, plan: pd.DataFrame) -> pd.DataFrame:
    """Initiatives the revenue rule gives no money (they fix no touchpoint weighted as a
    driver) read "not priced", not a dash; a caveat says why."""
    none = plan["impact_revenue"].isna()
    if not none.any():
        return plan
    s.caveats.append(_t(client, "roadmap.unpriced_rule"))
    return _revenue_in_words(plan, none, _t(client, "roadmap.unpriced"))


def _revenue_in_words(plan: pd.DataFrame, rows: pd.Series, words: str) -> pd.DataFrame:
    """The plan with `words` in place of the revenue impact of `rows`."""
    return plan.assign(impact_revenue=plan["impact_revenue"].astype(object).where(~rows, words))


@redacted
def roadmap(client: Client, threshold: float = 0.5, alpha: float = 0.05,
            what_if_share: float = 0.2) -> Section:
    """The roadmap: initiatives from breakpoints, switching hotspots and weak blocks."""
    template = _template(client)
    s = Section("roadmap", _t(client, "sections.roadmap"))
    ev = touchpoint_evidence(client, threshold, alpha)
    found, weights = ev.breakpoints, ev.weights
    hotspots = weak = value = money = None
    if client.journeys is not None:
        hotspots = journey.switch_hotspots(client.journeys).head(TOP_HOTSPOTS)
        hotspots = hotspots.assign(name=_names(client, hotspots.index))
    if client.assessment is not None:
        scores = maturity.element_scores(client.assessment, maturity.item_bank())
        weak = maturity.growth_opportunities(scores)
    if client.outcomes is not None and weights is not None and "customer_id" in client.survey:
        groups = p1.loyalty_groups(client.survey["overall"], *_overall(client))
        joined = p1.link(client.survey, client.outcomes, groups, _base_columns(client))
        if len(joined) >= metrics.MIN_N:
            money = _money(client, joined, what_if_share)
            risk = money.risk
            # Money only from a what-if that keeps revenue (a retention gain); its doubt said.
            if risk["retention_lift"] > 0:
                value = risk["what_if_value"] * weights["rescaled"] / 100
                s.caveats.append(text.sentences([_t(client, "roadmap.revenue_rule"), _t(
                    client, "p1.scope", scope=money.scope)], client.config.language))
                if not risk["what_if_low"] > 0:
                    s.caveats.append(_t(client, "roadmap.revenue_uncertain"))
    plan = rm.initiatives(breakpoints=found, hotspots=hotspots, weak_elements=weak,
                          revenue_by_touchpoint=value, language=client.config.language)
    if client.roadmap is not None:
        plan = rm.apply_overrides(plan, client.roadmap)
    if plan.empty:
        s.missing = _t(client, "missing.roadmap")
        return s
    if value is not None:
        plan = _unpriced(client, s, _below_materiality(client, s, plan, money.floor))
    s.tables["initiatives"] = plan
    s.metrics["initiatives"] = Metric(len(plan), len(plan), _t(client, "units.initiatives"),
                                      kind="count")
    impact, effort, category = (_t(client, f"axes.{k}") for k in ("impact", "effort",
                                                                   "category"))
    lang = client.config.language
    categories = text.t(lang, "values.category")
    # Numbered by priority and named by title, as in the initiatives table.
    chart = plan.sort_values("priority").assign(**{
        category: plan["category"].map(lambda c: categories.get(c, c)),
        "owner": [text.value_name("owner", o, lang) for o in plan["owner"]]})
    s.figures["impact_effort"] = charts.impact_effort(
        chart.rename(columns={"impact": impact, "effort": effort}),
        impact, effort, "title", number="priority", color=category,
        quadrant_names=tuple(_t(client, f"quadrants.{k}") for k in
                             ("quick_wins", "major_projects", "fill_ins", "thankless")),
        title=_t(client, "roadmap.fig_matrix"), template=template)
    s.tables["plan"] = rm.plan(plan)
    s.figures["plan"] = charts.plan_grid(
        chart, "owner", "horizon", "title", number="priority", columns=rm.HORIZONS,
        column_names={h: _t(client, f"roadmap.horizon_{h}") for h in rm.HORIZONS},
        title=_t(client, "roadmap.fig_plan"), template=template)
    s.narrative.append(_t(client, "roadmap.summary",
                          initiatives=text.quantity(len(plan), "initiative", lang),
                          quick=_f(client, int((plan["horizon"] == 30).sum()), "count"),
                          first=_list(client, plan.sort_values("priority")["title"].head(3))))
    return s

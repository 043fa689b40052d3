"""One function per report section: a client's data in, a Section (P1-P4, roadmap) out.

Each comes out through privacy.redacted: the personal data in any client text it shows
(names listed in client.yml, emails, phones, cards, IBANs) is replaced, so every output
made from sections (report, workbook, deck, notebooks, widgets) holds none.
"""
from __future__ import annotations

import pandas as pd

from ..outputs import charts, text
from . import comments, journey, maturity, linkage as p1, perception, initiatives as rm
from ..statistics import metrics
from ..inputs.client import STAGES, Client
from ..outputs.privacy import redacted
from ..outputs.section import Metric, Section
from ..outputs.theme import load_theme, register

#: Switching hotspots that each get an initiative: the few that carry most switches.
TOP_HOTSPOTS = 3


def _template(client: Client) -> str:
    """Register the client's branded plotly template and return its name."""
    return register(load_theme(client.config.brand, client.config.folder), name=f"cx-{client.id}")


def _t(client: Client, key: str, **values) -> str:
    return text.t(client.config.language, key, **values)


def _num(client: Client, value, digits: int = 0) -> str:
    return text.number(value, client.config.language, digits)


def _money(client: Client, value) -> str:
    return text.money(value, client.config.language, client.config.currency)


def _pct(client: Client, value, digits: int = 0) -> str:
    return text.percent(value, client.config.language, digits)


def _small(client: Client, section: Section, what: str, n: int) -> None:
    if n < metrics.MIN_N:
        section.caveats.append(_t(client, "caveats.small_sample", what=what, n=n,
                                  min=metrics.MIN_N))


def _names(client: Client, ids: pd.Index) -> pd.Series:
    """Touchpoint names for ids: from the catalogue, else the survey's question, else the id."""
    names = pd.Series(ids.astype(str), index=ids)
    if client.touchpoints is not None:
        return names.map(client.touchpoints.set_index("id")["name"]).fillna(names)
    asked = {tp: r.perception for tp, r in client.config.survey.touchpoints.items()
             if r.perception}
    return names.map(asked).fillna(names)


def _short_labels(client: Client, plan: pd.DataFrame) -> pd.Series:
    """Chart labels for initiatives: what each one is about, and why it is on the list."""
    lang = client.config.language
    touchpoints = _names(client, pd.Index(plan["ref"]))
    labels = []
    for source, ref, name, title in zip(plan["source"], plan["ref"], touchpoints, plan["title"]):
        if source == "override":    # the consultant's own initiative: its title says it
            labels.append(title)
            continue
        about = f"{ref} {maturity.element_name(ref, lang)}" if source == "element" else name
        labels.append(_t(client, f"roadmap.label_{source}", about=about))
    return pd.Series(labels, index=plan.index)


def _p(client: Client, p: float) -> str:
    """A p-value with its relation, as sentences use it: '= 0.042' or '< 0.001'."""
    return "< 0.001" if p < 0.001 else "= " + _num(client, p, 3)


def _score(client: Client, value: float) -> str:
    """A loyalty figure as read: NPS with its sign, shares satisfied as a percentage."""
    lang = client.config.language
    if client.config.survey.overall.kind == "nps":
        return text.signed(value, lang, 1)
    return text.number(value, lang, 1) + "%"


def _group_names(client: Client, groups: pd.Series) -> pd.Series:
    """Loyalty groups in the report's language."""
    return groups.astype("string").map(lambda g: _t(client, f"groups.{g}"), na_action="ignore")


def _overall(client: Client):
    o = client.config.survey.overall
    return o.kind, o.scale


def loyalty_detail(client: Client, segment: str | None = None) -> pd.Series:
    """The headline loyalty metric, for all respondents or one segment value ('Seg=value')."""
    survey = client.survey
    if segment:
        name, value = segment.split("=", 1)
        survey = survey[survey[name].astype(str) == value]
    kind, scale = _overall(client)
    return p1.loyalty(survey["overall"], kind, scale)


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


@redacted
def outcomes(client: Client, what_if_share: float = 0.2) -> Section:
    """P1 and A2: loyalty with its interval, by segment, and its link to revenue."""
    lang = client.config.language
    kind, scale = _overall(client)
    template = _template(client)
    s = Section("P1", _t(client, "sections.P1"))
    survey = client.survey
    groups = p1.loyalty_groups(survey["overall"], kind, scale)
    headline = p1.loyalty(survey["overall"], kind, scale)
    unit = _t(client, f"units.{kind}")
    metric_name = _t(client, f"metric.{kind}")
    s.metrics["loyalty"] = Metric(round(headline["value"], 1), int(headline["n"]), unit,
                                  round(headline["ci_low"], 1), round(headline["ci_high"], 1))
    s.narrative.append(_t(client, "p1.loyalty", metric=metric_name,
                          value=_score(client, headline["value"]),
                          ci=text.interval(headline["ci_low"], headline["ci_high"], lang, 1),
                          n=_num(client, headline["n"])))
    _small(client, s, metric_name, int(headline["n"]))
    shares = groups.value_counts(normalize=True).reindex(p1.GROUPS[kind]).fillna(0)
    shares_table = pd.DataFrame({"share": shares, "n": groups.value_counts()}).rename_axis("group")
    s.tables["loyalty_groups"] = shares_table
    answer, group_axis = _t(client, "axes.answer", metric=metric_name), _t(client, "axes.group")
    s.figures["distribution"] = charts.histogram(
        pd.DataFrame({answer: survey["overall"], group_axis: _group_names(client, groups)}),
        answer, color=group_axis,
        title=_t(client, "p1.fig_distribution", metric=metric_name), template=template)

    tests = []
    for segment in client.segments:
        table = p1.loyalty_by_segment(survey, segment, kind, scale)
        test = p1.segment_test(survey, segment, kind, scale)
        s.tables[f"loyalty_by_{segment}"] = table
        tests.append({"segment": segment, "test": test["test"], "statistic": test["statistic"],
                      "df": test["df"], "p_value": test["p_value"], "n": test["n"]})
        s.figures[f"loyalty_by_{segment}"] = charts.bars(
            table.reset_index().rename(columns={"value": unit}), segment, unit,
            ci_low="ci_low", ci_high="ci_high", n="n",
            reference=headline["value"],
            title=_t(client, "p1.fig_segment", metric=metric_name, segment=segment),
            template=template)
        key = "p1.segment_differs" if test["p_value"] < 0.05 else "p1.segment_same"
        best, worst = table["value"].idxmax(), table["value"].idxmin()
        s.narrative.append(_t(client, key, segment=segment, best=best, worst=worst,
                              best_value=_score(client, table.loc[best, "value"]),
                              worst_value=_score(client, table.loc[worst, "value"]),
                              p=_p(client, test["p_value"])))
        for value in table.index[table["small_sample"]]:
            _small(client, s, f"{segment} = {value}", int(table.loc[value, "n"]))
    if tests:
        s.tables["segment_tests"] = pd.DataFrame(tests).set_index("segment")
    if "effort" in survey:
        effort = metrics.mean(survey["effort"])
        s.metrics["effort"] = Metric(round(effort["value"], 2), int(effort["n"]),
                                     _t(client, "units.effort"), round(effort["ci_low"], 2),
                                     round(effort["ci_high"], 2))
        s.narrative.append(_t(client, "p1.effort", value=_num(client, effort["value"], 2),
                              ci=text.interval(effort["ci_low"], effort["ci_high"], lang, 2),
                              n=_num(client, effort["n"])))

    if client.outcomes is None or "customer_id" not in survey:
        s.caveats.insert(0, _t(client, "missing.outcomes"))
        return s
    joined = p1.link(survey, client.outcomes, groups)
    s.metrics["linked_customers"] = Metric(len(joined), len(joined), _t(client, "units.customers"))
    if len(joined) < metrics.MIN_N:
        s.caveats.insert(0, _t(client, "missing.too_few_linked", n=len(joined)))
        return s
    by_group = p1.outcomes_by_group(joined)
    s.tables["outcomes_by_group"] = by_group
    plot = by_group.reset_index()
    plot[group_axis] = _group_names(client, plot["group"])
    retention = _t(client, "axes.retention")
    plot[retention] = 100 * plot["retention"]
    plot["retention_low"] *= 100
    plot["retention_high"] *= 100
    s.figures["retention_by_group"] = charts.bars(
        plot, group_axis, retention, ci_low="retention_low", ci_high="retention_high", n="n",
        title=_t(client, "p1.fig_retention"), template=template)
    revenue = _t(client, "axes.revenue", currency=client.config.currency)
    s.figures["revenue_by_group"] = charts.bars(
        plot.rename(columns={"revenue": revenue}), group_axis, revenue, ci_low="revenue_low",
        ci_high="revenue_high", n="n",
        title=_t(client, "p1.fig_revenue", currency=client.config.currency), template=template)
    for group, row in by_group.iterrows():
        s.metrics[f"retention_{group}"] = Metric(
            round(100 * row["retention"], 1), int(row["n"]), "%",
            round(100 * row["retention_low"], 1), round(100 * row["retention_high"], 1))
    low, high = p1.GROUPS[kind][0], p1.GROUPS[kind][-1]
    if {low, high} <= set(by_group.index):
        s.narrative.append(_t(
            client, "p1.retention", high=_t(client, f"groups.{high}"),
            low=_t(client, f"groups.{low}"),
            high_value=_pct(client, by_group.loc[high, "retention"], 1),
            low_value=_pct(client, by_group.loc[low, "retention"], 1),
            high_revenue=_money(client, by_group.loc[high, "revenue"]),
            low_revenue=_money(client, by_group.loc[low, "revenue"])))
    try:
        model = p1.retention_model(joined)
    except ValueError as err:   # e.g. everyone retained, or perfect separation
        s.caveats.append(_t(client, "p1.no_model", reason=str(err)))
    else:
        s.tables["retention_model"] = model
        odds = model.loc["overall"]
        s.metrics["odds_ratio_per_point"] = Metric(
            round(odds["odds_ratio"], 3), int(model.attrs["n"]), "", round(odds["or_low"], 3),
            round(odds["or_high"], 3))
        s.narrative.append(_t(client, "p1.model", ratio=_num(client, odds["odds_ratio"], 2),
                              ci=text.interval(odds["or_low"], odds["or_high"], lang, 2),
                              n=_num(client, model.attrs["n"])))
    risk = p1.revenue_at_risk(joined, p1.GROUPS[kind], what_if_share)
    s.tables["revenue_at_risk"] = risk.to_frame("value")
    cur = client.config.currency
    s.metrics["revenue_at_risk"] = Metric(round(risk["at_risk"]), int(risk["customers"]), cur,
                                          round(risk["at_risk_low"]), round(risk["at_risk_high"]),
                                          _t(client, "p1.risk_assumption"))
    s.metrics["what_if_value"] = Metric(round(risk["what_if_value"]), int(risk["n"]), cur,
                                        round(risk["what_if_low"]), round(risk["what_if_high"]),
                                        _t(client, "p1.what_if_assumption",
                                           share=_pct(client, what_if_share)))
    money = lambda v: _money(client, v)  # noqa: E731 - a formatter for interval()
    s.narrative.insert(0, _t(
        client, "p1.headline", group=_t(client, f"groups.{low}"),
        customers=_num(client, risk["customers"]), revenue=money(risk["revenue"]),
        at_risk=money(risk["at_risk"]),
        ci=text.interval(risk["at_risk_low"], risk["at_risk_high"], lang, fmt=money)))
    s.narrative.insert(1, _t(
        client, "p1.what_if", share=_pct(client, what_if_share),
        group=_t(client, f"groups.{low}"), next=_t(client, f"groups.{risk['next_group']}"),
        value=money(risk["what_if_value"]),
        ci=text.interval(risk["what_if_low"], risk["what_if_high"], lang, fmt=money)))
    s.caveats.append(_t(client, "p1.risk_assumption"))
    return s


def _gaps(client: Client) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    gaps = perception.touchpoint_gaps(client.perception, client.expectation, client.importance,
                                      client.touchpoints)
    gaps["name"] = _names(client, gaps.index)
    weights = None
    if client.perception.shape[1] >= 2:
        weights = perception.driver_weights(client.survey["overall"], client.perception)
    return gaps, weights


def _breakpoints(client: Client, gaps, weights, threshold: float, alpha: float) -> pd.DataFrame:
    found = journey.breakpoints(gaps, threshold=threshold, alpha=alpha, weights=weights)
    return journey.three_ds(found, client.perception, client.config.language)


@redacted
def touchpoints(client: Client, threshold: float = 0.5, alpha: float = 0.05) -> Section:
    """P2: the journey map, its breakpoints and moments of truth, and channel switching."""
    template = _template(client)
    s = Section("P2", _t(client, "sections.P2"))
    gaps, weights = _gaps(client)
    s.metrics["touchpoints_rated"] = Metric(len(gaps), int(len(client.survey)),
                                            _t(client, "units.touchpoints"))
    has_gap = gaps["gap"].notna().any()
    if not has_gap:
        s.caveats.append(_t(client, "missing.expectation"))
    else:
        found = _breakpoints(client, gaps, weights, threshold, alpha)
        s.tables["breakpoints"] = found
        # n: the respondents whose ratings the breakpoint tests rest on.
        answered = int(client.expectation.notna().any(axis=1).sum())
        s.metrics["breakpoints"] = Metric(len(found), answered, _t(client, "units.touchpoints"))
        s.metrics["moments_of_truth"] = Metric(int(found["moment_of_truth"].sum()), answered,
                                               _t(client, "units.touchpoints"))
        if client.touchpoints is not None:
            s.tables["content_prompts"] = journey.content_prompts(found, client.touchpoints,
                                                             client.config.language)
        names = ", ".join(found["name"].astype(str).head(5))
        s.narrative.append(_t(client, "p2.breakpoints", count=len(found),
                              total=len(gaps), threshold=_num(client, threshold, 1),
                              names=names or "–"))
        if found["moment_of_truth"].any():
            s.narrative.append(_t(client, "p2.moments", names=", ".join(
                found.loc[found["moment_of_truth"], "name"].astype(str))))
        if client.touchpoints is not None:
            gap, size, marked = (_t(client, f"axes.{k}") for k in ("gap", "importance",
                                                                   "breakpoint"))
            frame = pd.DataFrame({"stage": gaps["stage"], "name": gaps["name"],
                                  gap: gaps["gap"], size: gaps["importance"].fillna(1),
                                  marked: gaps.index.isin(found.index)})
            s.figures["journey_map"] = charts.journey_map(
                frame, "stage", "name", gap, size, marked,
                stages={k: _t(client, f"stages.{k}") for k in STAGES},
                title=_t(client, "p2.fig_map"), template=template)
        else:
            s.caveats.append(_t(client, "missing.touchpoints"))
    if client.journeys is None:
        s.caveats.append(_t(client, "missing.journeys"))
        return s
    paths = journey.journey_paths(client.journeys)
    summary = journey.switching_summary(paths)
    s.tables["switching"] = summary.to_frame("value")
    s.metrics["self_service_to_assisted"] = Metric(
        round(100 * summary["share"], 1), int(summary["started_self_service"]), "%",
        round(100 * summary["ci_low"], 1), round(100 * summary["ci_high"], 1))
    s.metrics["switches_per_journey"] = Metric(round(summary["mean_switches"], 2),
                                               int(summary["journeys"]),
                                               _t(client, "units.switches"))
    hotspots = journey.switch_hotspots(client.journeys)
    hotspots = hotspots.assign(name=_names(client, hotspots.index))
    s.tables["switch_hotspots"] = hotspots
    s.figures["channel_sankey"] = charts.sankey(
        journey.channel_transitions(paths, client.config.language), "source", "target",
        "count",
        title=_t(client, "p2.fig_sankey"), template=template)
    top = hotspots.head(3)
    s.narrative.append(_t(client, "p2.switching",
                          share=_pct(client, summary["share"], 1),
                          ci=text.interval(100 * summary["ci_low"], 100 * summary["ci_high"],
                                           client.config.language, 1),
                          n=_num(client, summary["started_self_service"]),
                          switches=_num(client, summary["mean_switches"], 2),
                          hotspots=", ".join(top["name"])))
    s.narrative.append(_t(client, "p2.g_actions"))
    return s


@redacted
def perception_gaps(client: Client, threshold: float = 0.5, alpha: float = 0.05) -> Section:
    """P3: perception against expectation per touchpoint, drivers, quadrants, interviews."""
    template = _template(client)
    s = Section("P3", _t(client, "sections.P3"))
    gaps, weights = _gaps(client)
    s.tables["gaps"] = gaps
    touchpoint = _t(client, "axes.touchpoint")
    labelled = gaps.assign(**{touchpoint: gaps["name"].astype(str) + " (n=" + gaps["n"].astype(str)
                              + ")"})
    if gaps["gap"].notna().any():
        s.figures["gaps"] = charts.dumbbell(
            labelled, touchpoint, "expectation", "perception",
            start_name=_t(client, "words.expectation"), end_name=_t(client, "words.perception"),
            title=_t(client, "p3.fig_gaps"), template=template)
        worst = gaps["gap"].idxmin()
        s.narrative.append(_t(client, "p3.gaps",
                              below=int((gaps["gap"] < 0).sum()),
                              significant=int(((gaps["gap"] < 0)
                                               & (gaps["p_adjusted"] < alpha)).sum()),
                              total=len(gaps), worst=gaps.loc[worst, "name"],
                              gap=_num(client, gaps.loc[worst, "gap"], 2),
                              ci=text.interval(gaps.loc[worst, "ci_low"],
                                               gaps.loc[worst, "ci_high"],
                                               client.config.language, 2)))
    else:
        s.caveats.append(_t(client, "missing.expectation"))
        rating = _t(client, "axes.perception")
        s.figures["perception"] = charts.bars(
            gaps.sort_values("perception").rename(columns={"name": touchpoint,
                                                           "perception": rating}),
            touchpoint, rating, ci_low="perception_low", ci_high="perception_high",
            n="n_perception", orientation="h",
            title=_t(client, "p3.fig_perception"), template=template)
    small = gaps.index[gaps["small_sample"]]
    for tp in small:
        n = gaps.loc[tp, "n"] if gaps.loc[tp, "n"] else gaps.loc[tp, "n_perception"]
        _small(client, s, str(gaps.loc[tp, "name"]), int(n))
    if weights is not None:
        weights = weights.assign(name=gaps["name"].reindex(weights.index))
        s.tables["drivers"] = weights
        s.metrics["drivers_r_squared"] = Metric(round(weights.attrs["r_squared"], 3),
                                                int(weights.attrs["n"]), "R²")
        share = _t(client, "axes.weight")
        s.figures["drivers"] = charts.bars(
            weights.sort_values("rescaled").rename(columns={"name": touchpoint,
                                                            "rescaled": share}),
            touchpoint, share, orientation="h", title=_t(client, "p3.fig_drivers"),
            template=template)
        top = weights.head(3)
        s.narrative.append(_t(client, "p3.drivers", names=", ".join(top["name"].astype(str)),
                              share=_num(client, top["rescaled"].sum(), 0),
                              r2=_num(client, weights.attrs["r_squared"], 2)))
        quadrants = perception.importance_performance(gaps, weights)
        s.tables["importance_performance"] = quadrants
        names = [_t(client, f"quadrants.{q}") for q in
                 ("concentrate", "keep_up", "low_priority", "overkill")]
        x, y = _t(client, "axes.derived_importance"), _t(client, "axes.performance")
        s.figures["quadrants"] = charts.quadrant(
            pd.DataFrame({x: quadrants["importance"], y: quadrants["performance"],
                          "name": gaps["name"].reindex(quadrants.index)}),
            x, y, "name", quadrants.attrs["x_cut"], quadrants.attrs["y_cut"],
            quadrant_names=tuple(names), title=_t(client, "p3.fig_quadrants"),
            template=template)
        concentrate = quadrants.index[quadrants["quadrant"] == "concentrate"]
        s.narrative.append(_t(client, "p3.quadrants", names=", ".join(
            gaps.loc[concentrate, "name"].astype(str)) or "–"))
        s.caveats.append(_t(client, "p3.crosshair_rule"))
    voice = _comment_evidence(client)
    if voice is not None and len(voice):
        said = perception.interview_sentiment(voice)
        said.insert(0, "name", _names(client, said.index))
        s.tables["comment_sentiment"] = said
        disagree = perception.disagreements(gaps, said)
        s.tables["comment_disagreements"] = disagree
        if len(disagree):
            s.narrative.append(_t(client, "p3.comments_disagree",
                                  names=", ".join(_names(client, disagree.index))))
    if client.interviews is None:
        s.caveats.append(_t(client, "missing.interviews"))
        return s
    interviews = comments.code_interviews(client.interviews, client.codebook)
    filled = int((interviews["coded_by"] == "cxlib").sum())
    if filled:
        s.caveats.append(_t(client, "p3.uncoded", n=filled))
    interviews = interviews.dropna(subset=["touchpoint"])
    s.tables["interview_themes"] = perception.interview_themes(interviews)
    themes = s.tables["interview_themes"]
    theme_axis, count = _t(client, "axes.theme"), _t(client, "axes.excerpts")
    s.figures["interview_themes"] = charts.heatmap(
        pd.DataFrame({touchpoint: _names(client, pd.Index(themes["touchpoint"])).to_numpy(),
                      theme_axis: themes["theme"], count: themes["count"]}),
        touchpoint, theme_axis, count,
        title=_t(client, "p3.fig_themes"), template=template)
    sentiment = perception.interview_sentiment(interviews)
    s.tables["interview_sentiment"] = sentiment
    if gaps["gap"].notna().any():
        found = _breakpoints(client, gaps, weights, threshold, alpha)
        focus = list(found.index) or list(gaps["gap"].nsmallest(3).index)
    else:
        focus = list(gaps["perception"].nsmallest(3).index)
    quotes = perception.representative_quotes(interviews, focus, k=3)
    quotes.insert(1, "name", _names(client, pd.Index(quotes["touchpoint"])).to_numpy())
    s.tables["quotes"] = quotes
    disagree = perception.disagreements(gaps, sentiment)
    s.tables["disagreements"] = disagree
    if len(disagree):
        s.narrative.append(_t(client, "p3.disagree",
                              names=", ".join(_names(client, disagree.index))))
    return s


def _said(client: Client):
    """The survey's comments with their languages, sentiment and themes, or None."""
    if "comment" not in client.survey or client.codebook is None:
        return None
    texts = client.survey["comment"].dropna()
    if texts.empty:
        return None
    langs = comments.languages(texts)
    return texts, langs, comments.sentiment(texts, langs), comments.match(texts, client.codebook)


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
    kind, scale = _overall(client)
    n = len(texts)
    commented = metrics.proportion(n, len(survey))
    s.metrics["comments"] = Metric(n, n, _t(client, "units.comments"))
    s.metrics["commented"] = Metric(round(100 * commented["value"], 1), len(survey), "%",
                                    round(100 * commented["ci_low"], 1),
                                    round(100 * commented["ci_high"], 1))
    themed = metrics.proportion(int(found.any(axis=1).sum()), n)
    s.metrics["themed"] = Metric(round(100 * themed["value"], 1), n, "%",
                                 round(100 * themed["ci_low"], 1), round(100 * themed["ci_high"], 1))
    mood = metrics.mean(scores)
    s.metrics["comment_sentiment"] = Metric(round(mood["value"], 2), int(mood["n"]),
                                            _t(client, "units.sentiment"),
                                            round(mood["ci_low"], 2), round(mood["ci_high"], 2))
    table = comments.theme_table(found, scores, survey.loc[texts.index, "overall"],
                                 client.codebook, kind, scale, lang)
    s.tables["themes"] = table
    s.tables["languages"] = langs.replace("", "other").value_counts().rename_axis(
        "language").to_frame("n")
    s.narrative.append(_t(client, "comments.summary", n=_num(client, n),
                          share=_pct(client, commented["value"], 0),
                          themed=_pct(client, themed["value"], 0)))
    mentioned = table[table["n"] > 0]
    if len(mentioned):
        s.narrative.append(_t(client, "comments.top", names=", ".join(
            f"{r['name']} ({_pct(client, r['share'], 0)})" for _, r in mentioned.head(3).iterrows())))
        share_axis, theme_axis = _t(client, "axes.comments_share"), _t(client, "axes.theme")
        plot = mentioned.sort_values("share").assign(**{
            theme_axis: mentioned.sort_values("share")["name"],
            share_axis: 100 * mentioned.sort_values("share")["share"]})
        plot["share_low"] *= 100
        plot["share_high"] *= 100
        s.figures["themes"] = charts.bars(plot, theme_axis, share_axis, ci_low="share_low",
                                          ci_high="share_high", n="n", orientation="h",
                                          title=_t(client, "comments.fig_themes"),
                                          template=template)
        tested = mentioned.dropna(subset=["difference"])
        if len(tested):
            unit = _t(client, "axes.theme_difference", metric=_t(client, f"metric.{kind}"))
            s.figures["theme_impact"] = charts.forest(
                tested.sort_values("difference").rename(columns={"name": theme_axis,
                                                                 "difference": unit}),
                theme_axis, unit, "diff_low", "diff_high", reference=0, n="n",
                title=_t(client, "comments.fig_impact"), template=template)
        for _, row in tested[tested["p_adjusted"] < alpha].sort_values("difference").iterrows():
            key = "comments.lower" if row["difference"] < 0 else "comments.higher"
            s.narrative.append(_t(client, key, theme=row["name"],
                                  metric=_t(client, f"metric.{kind}"),
                                  difference=_num(client, abs(row["difference"]), 1),
                                  ci=text.interval(row["diff_low"], row["diff_high"], lang, 1),
                                  p=_p(client, row["p_adjusted"])))
        for _, row in mentioned[mentioned["small_sample"]].iterrows():
            _small(client, s, row["name"], int(row["n"]))
    key = list(mentioned.head(KEY_THEMES).index)
    s.tables["verbatims"] = comments.verbatims(texts, found, scores, key, survey.loc[texts.index],
                                               client.segments, client.config.redact, k=3,
                                               language=lang, codebook=client.codebook)
    unthemed = texts[~found.any(axis=1)]
    s.tables["suggestions"] = comments.suggestions(unthemed, names=client.config.redact)
    other = int((langs == "other").sum())
    if other:
        s.caveats.append(_t(client, "comments.other_languages", n=_num(client, other)))
    s.caveats.append(_t(client, "comments.compared"))
    s.caveats.append(_t(client, "comments.method"))
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
    scores = maturity.element_scores(client.assessment, bank)
    s.tables["element_scores"] = scores
    respondents = client.assessment["respondent"].nunique()
    s.metrics["staff_respondents"] = Metric(respondents, respondents,
                                            _t(client, "units.respondents"))
    change = maturity.wave_change(client.assessment, bank)
    s.tables["wave_change"] = change
    wave, element, score, function = (_t(client, f"axes.{k}") for k in
                                      ("wave", "element", "score", "function"))
    by_wave = pd.concat([
        maturity.element_scores(client.assessment, bank, wave=w)
        .assign(**{wave: _t(client, "axes.wave_n", n=int(w))})
        for w in sorted(client.assessment["wave"].dropna().unique())], ignore_index=True)
    by_wave = by_wave.rename(columns={"element": element, "mean": score})
    s.figures["blocks_radar"] = charts.radar(
        by_wave[by_wave["instrument"] == "blocks"], element, score, wave,
        title=_t(client, "p4.fig_radar"), template=template)
    s.figures["culture_radar"] = charts.radar(
        by_wave[by_wave["instrument"] != "blocks"], element, score, wave,
        title=_t(client, "p4.fig_culture"), template=template)
    by_function = maturity.function_scores(client.assessment, bank)
    s.tables["function_scores"] = by_function
    s.figures["alignment"] = charts.heatmap(
        by_function.rename(columns={"element": element, "function": function, "mean": score}),
        element, function, score, title=_t(client, "p4.fig_alignment"), template=template)
    if len(change):
        difference = _t(client, "axes.change")
        s.figures["wave_change"] = charts.forest(
            change.rename(columns={"element": element, "difference": difference}),
            element, difference, "ci_low", "ci_high", reference=0,
            title=_t(client, "p4.fig_change"), template=template)
        up = change.loc[change["significant"] & (change["difference"] > 0), "element"]
        down = change.loc[change["significant"] & (change["difference"] < 0), "element"]
        s.narrative.append(_t(client, "p4.change", up=", ".join(up) or "–",
                              down=", ".join(down) or "–"))
    growth = maturity.growth_opportunities(scores)
    s.tables["growth_opportunities"] = growth
    for _, row in growth.iterrows():
        s.narrative.append(_t(client, "p4.growth", instrument=_t(
            client, f"instruments.{row['instrument']}"), element=row["element"], name=row["name"],
            mean=_num(client, row["mean"], 2)))
    misaligned = scores.loc[~scores["aligned"], "element"]
    if len(misaligned):
        s.narrative.append(_t(client, "p4.alignment", elements=", ".join(map(str, misaligned))))
    if respondents < 5:
        _small(client, s, _t(client, "units.respondents"), respondents)
    return s


@redacted
def roadmap(client: Client, threshold: float = 0.5, alpha: float = 0.05,
            what_if_share: float = 0.2) -> Section:
    """The roadmap: initiatives from breakpoints, switching hotspots and weak blocks."""
    template = _template(client)
    s = Section("roadmap", _t(client, "sections.roadmap"))
    gaps, weights = _gaps(client)
    found = hotspots = weak = value = None
    if gaps["gap"].notna().any():
        found = _breakpoints(client, gaps, weights, threshold, alpha)
    if client.journeys is not None:
        hotspots = journey.switch_hotspots(client.journeys).head(TOP_HOTSPOTS)
        hotspots = hotspots.assign(name=_names(client, hotspots.index))
    if client.assessment is not None:
        scores = maturity.element_scores(client.assessment, maturity.item_bank())
        weak = maturity.growth_opportunities(scores)
    if client.outcomes is not None and weights is not None and "customer_id" in client.survey:
        kind, scale = _overall(client)
        groups = p1.loyalty_groups(client.survey["overall"], kind, scale)
        joined = p1.link(client.survey, client.outcomes, groups)
        if len(joined) >= metrics.MIN_N:
            risk = p1.revenue_at_risk(joined, p1.GROUPS[kind], what_if_share)
            value = risk["what_if_value"] * weights["rescaled"] / 100
            s.caveats.append(_t(client, "roadmap.revenue_rule"))
    plan = rm.initiatives(breakpoints=found, hotspots=hotspots, weak_elements=weak,
                          revenue_by_touchpoint=value, language=client.config.language)
    if client.roadmap is not None:
        plan = rm.apply_overrides(plan, client.roadmap)
    if plan.empty:
        s.missing = _t(client, "missing.roadmap")
        return s
    s.tables["initiatives"] = plan
    s.metrics["initiatives"] = Metric(len(plan), len(plan), _t(client, "units.initiatives"))
    impact, effort, category = (_t(client, f"axes.{k}") for k in ("impact", "effort",
                                                                   "category"))
    lang = client.config.language
    categories = text.t(lang, "values.category")
    short = _t(client, "axes.initiative")
    chart = plan.assign(**{
        short: _short_labels(client, plan),
        category: plan["category"].map(lambda c: categories.get(c, c))})
    s.figures["impact_effort"] = charts.impact_effort(
        chart.rename(columns={"impact": impact, "effort": effort}),
        impact, effort, short, color=category,
        title=_t(client, "roadmap.fig_matrix"), template=template)
    schedule = rm.plan(plan)
    s.tables["plan"] = schedule
    horizon = _t(client, "axes.horizon")
    labels = chart.set_index("initiative")[short]
    s.figures["plan"] = charts.timeline(
        schedule.head(15).assign(**{
            horizon: schedule["horizon"].map(lambda d: _t(client, "axes.days", n=int(d))),
            short: schedule["initiative"].map(labels)}),
        short, "start_day", "end_day", color=horizon,
        title=_t(client, "roadmap.fig_plan"), template=template)
    s.narrative.append(_t(client, "roadmap.summary", count=len(plan),
                          quick=int((plan["horizon"] == 30).sum()),
                          first=", ".join(plan.sort_values("priority")["title"].head(3))))
    return s

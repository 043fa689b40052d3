"""The executive summary's findings, each stated only when its evidence supports it.

A finding is one sentence with the section its evidence comes from. The summary leads
with revenue at risk (A2) only when this data shows that retention rises with the loyalty
measure and the interval of that link excludes no effect (`linkage.retention_link`);
otherwise it leads with the loyalty measure itself (a measurement with its interval, the
number A2 allows), says plainly that the link is not shown, and goes on with the
supported findings strongest first: breakpoints (each a significant shortfall), the
segment whose loyalty differs most among those that differ significantly (Holm-adjusted;
its highest and lowest among the groups with enough answers to be compared), switching,
the weakest building block, the roadmap. A finding whose test does not support it is
never stated. Findings come from the saved sections, so the summary rests on exactly the
figures the sections show.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..practices import linkage
from ..statistics import metrics
from . import text
from .section import Metric, Section

#: Which supported finding leads when revenue at risk cannot, strongest first.
LEAD_ORDER = ("revenue", "loyalty", "breakpoints", "segment")
#: Significance level of the segment differences the summary may claim (Holm-adjusted).
ALPHA = 0.05


@dataclass
class Finding:
    """One sentence of the summary and what stands behind it."""

    key: str            # revenue, what_if, breakpoints, segment, loyalty, switching, ...
    sentence: str
    section: str        # the section holding its evidence: P1, P2, P3, P4, roadmap
    supported: bool     # its test supports it, or it is a measurement with its interval
    #: The figures it rests on, each with its interval and n (the cards beside it), by
    #: key: the section's own metric key when the figure is one, else a key of its own
    #: (the Metric then names itself in `label`).
    evidence: dict[str, Metric] = field(default_factory=dict)


class _Words:
    def __init__(self, client):
        self.lang, self.currency = client.config.language, client.config.currency
        self.kind = client.config.survey.overall.kind
        # The measure's own name and group names (client.yml, else the language file).
        names = linkage.measure_names(client.config.survey.overall, self.lang)
        self.metric, self.groups, self.unit = names["metric"], names["groups"], names["unit"]
        # What the retention model's odds ratio is per: a point of the answer it is fitted on.
        self.per = names["per"]

    def t(self, key: str, **values) -> str:
        return text.t(self.lang, key, **values)

    def f(self, value, kind: str) -> str:
        return text.figure(value, kind, self.lang, self.currency)

    def ci(self, metric, kind: str) -> str:
        return text.interval(metric.ci_low, metric.ci_high, self.lang, kind, self.currency)


def link(p1: Section | None) -> str:
    """How the loyalty-retention link reads in P1 (linkage.LINKS); "no_model" without it."""
    odds = None if p1 is None else p1.metrics.get("odds_ratio_per_point")
    return linkage.retention_link(None if odds is None else odds.value,
                                  None if odds is None else odds.ci_low)


def _revenue(w: _Words, p1: Section) -> list[Finding]:
    risk, odds = p1.metrics["revenue_at_risk"], p1.metrics["odds_ratio_per_point"]
    table = p1.tables.get("revenue_at_risk")
    group = str(table["value"].get("group", "")) if table is not None else ""
    # The claim, then what its figure covers (the surveyed customers, or the base and how).
    found = [Finding("revenue", text.sentences([w.t(
        "summary.revenue", at_risk=w.f(risk.value, "money"), ci=w.ci(risk, "money"),
        group=w.groups.get(group, group), metric=w.metric,
        ratio=w.f(odds.value, "ratio"), ratio_ci=w.ci(odds, "ratio"), per=w.per), risk.note],
        w.lang),
        "P1", True, {"revenue_at_risk": risk, "odds_ratio_per_point": odds})]
    what_if = p1.metrics.get("what_if_value")
    if what_if is not None and what_if.value > 0:
        share = table["value"].get("what_if_share") if table is not None else None
        key = "summary.what_if" if what_if.ci_low > 0 else "summary.what_if_uncertain"
        found.append(Finding("what_if", w.t(key, share=w.f(share, "param_share"),
                                            value=w.f(what_if.value, "money"),
                                            ci=w.ci(what_if, "money")), "P1", True,
                             {"what_if_value": what_if}))
    return found


def segment_differing_most(p1: Section) -> str | None:
    """The segment whose loyalty differs most (widest spread between the groups its test
    compared: those with metrics.MIN_N answers or more) among those whose difference is
    significant (Holm-adjusted p < ALPHA); None without one."""
    tests = p1.tables.get("segment_tests")
    if tests is None or "p_adjusted" not in tests or not (tests["p_adjusted"] < ALPHA).any():
        return None
    spreads = {}
    for segment in tests.index[tests["p_adjusted"] < ALPHA]:
        table = p1.tables.get(f"loyalty_by_{segment}")
        if table is not None:
            values = linkage.compared(table)[_measure_column(table)]
            if len(values) >= 2:
                spreads[segment] = values.max() - values.min()
    return max(spreads, key=spreads.get) if spreads else None


def _measure_column(table) -> str:
    return "nps" if "nps" in table else "satisfied"


def _segment(w: _Words, p1: Section) -> Finding | None:
    """The segment finding: its highest and lowest group among the groups its test
    compared, never a group too small to rank; the sentence says when smaller groups were
    left out."""
    segment = segment_differing_most(p1)
    if segment is None:
        return None
    tests = p1.tables["segment_tests"]
    whole = p1.tables[f"loyalty_by_{segment}"]
    table = linkage.compared(whole)
    column = _measure_column(table)
    kind = "nps" if column == "nps" else "percent"
    best, worst = table[column].idxmax(), table[column].idxmin()
    evidence = {f"segment_{end}": Metric(
        table.loc[group, column], int(table.loc[group, "n"]), w.unit,
        table.loc[group, "ci_low"], table.loc[group, "ci_high"], kind=kind,
        label=w.t("evidence.group", segment=segment, group=group))
        for end, group in (("best", best), ("worst", worst))}
    among = {} if len(table) == len(whole) else {
        "groups": text.quantity(len(table), "group", w.lang),
        "min": w.f(metrics.MIN_N, "count")}
    return Finding("segment", w.t(
        "summary.segment_among" if among else "summary.segment", metric=w.metric,
        segment=segment, p=text.p_relation(tests.loc[segment, "p_adjusted"], w.lang),
        best=best, best_value=w.f(table.loc[best, column], kind), worst=worst,
        worst_value=w.f(table.loc[worst, column], kind), **among), "P1", True, evidence)


def findings(client, sections: dict[str, Section]) -> list[Finding]:
    """Every finding the summary may state, supported or not, in reading order."""
    w = _Words(client)
    found: list[Finding] = []
    p1, p2 = sections.get("P1"), sections.get("P2")
    if p1 is not None:
        if link(p1) == "holds" and "revenue_at_risk" in p1.metrics:
            found += _revenue(w, p1)
        loyalty = p1.metrics.get("loyalty")
        if loyalty is not None:
            found.append(Finding("loyalty", w.t(
                "summary.loyalty", metric=w.metric,
                value=w.f(loyalty.value, loyalty.kind), ci=w.ci(loyalty, loyalty.kind),
                n=w.f(loyalty.n, "count")), "P1", True, {"loyalty": loyalty}))
    bps = None if p2 is None else p2.tables.get("breakpoints")
    if bps is not None and len(bps):
        first = bps.iloc[0]                 # the most important breakpoint, its shortfall
        found.append(Finding("breakpoints", w.t(
            "summary.breakpoints", touchpoints=text.quantity(len(bps), "touchpoint", w.lang),
            names=text.listing(bps["name"].astype(str).head(3), w.lang)), "P2", True,
            {"breakpoint_gap": Metric(first["gap"], int(first["n"]), "", first["ci_low"],
                                      first["ci_high"], kind="gap",
                                      label=w.t("evidence.gap", name=first["name"]))}))
    if p1 is not None:
        segment = _segment(w, p1)
        if segment is not None:
            found.append(segment)
    if p2 is not None and "self_service_to_assisted" in p2.metrics:
        m = p2.metrics["self_service_to_assisted"]
        found.append(Finding("switching", w.t("summary.switching", share=w.f(m.value, m.kind)),
                             "P2", True, {"self_service_to_assisted": m}))
    p4 = sections.get("P4")
    growth = None if p4 is None else p4.tables.get("growth_opportunities")
    if growth is not None:
        blocks = growth[growth["instrument"] == "blocks"]
        if len(blocks):
            row = blocks.iloc[0]
            scores = p4.tables.get("element_scores")
            score = None if scores is None else scores[scores["element"] == row["element"]]
            evidence = {} if score is None or score.empty else {"growth_element": Metric(
                score["mean"].iloc[0], int(score["n"].iloc[0]), "", score["ci_low"].iloc[0],
                score["ci_high"].iloc[0], kind="mean", label=row["name"])}
            found.append(Finding("growth", w.t("summary.growth", element=row["element"],
                                               name=row["name"], mean=w.f(row["mean"], "mean")),
                                 "P4", True, evidence))
    plan = sections.get("roadmap")
    if plan is not None and "initiatives" in plan.tables and len(plan.tables["initiatives"]):
        first = plan.tables["initiatives"].sort_values("priority")["title"].head(3)
        found.append(Finding("roadmap", w.t("summary.roadmap",
                                            first=text.listing(first, w.lang)), "roadmap", True))
    return found


def link_statement(client, sections: dict[str, Section]) -> str | None:
    """The plain sentence saying this data does not show the link, or None when it does."""
    w = _Words(client)
    p1 = sections.get("P1")
    if p1 is None:
        return None
    state = link(p1)
    if state == "holds":
        return None
    if "linked_customers" not in p1.metrics:
        return w.t("summary.no_outcomes")
    odds = p1.metrics.get("odds_ratio_per_point")
    reason = (w.t("p1.link_no_model") if odds is None else
              w.t(f"p1.link_{state}", ratio=w.f(odds.value, "ratio"), ci=w.ci(odds, "ratio"),
                  per=w.per))
    return w.t("summary.no_link", metric=w.metric, reason=reason)


def ordered(found: list[Finding]) -> list[Finding]:
    """The supported findings, the headline first (LEAD_ORDER), the rest in their order."""
    kept = [f for f in found if f.supported]
    rank = {key: i for i, key in enumerate(LEAD_ORDER)}
    lead = min(kept, key=lambda f: rank.get(f.key, len(rank)), default=None)
    return [] if lead is None else [lead] + [f for f in kept if f is not lead]


def table(found: list[Finding]) -> pd.DataFrame:
    """The findings as a table: key, section, supported, sentence (evidence: `evidence`)."""
    return pd.DataFrame([f.__dict__ for f in found],
                        columns=["key", "sentence", "section", "supported"])

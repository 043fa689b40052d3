"""The engagement report: executive summary, practice sections and appendix, from sections."""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd
import plotly.io as pio
import plotly.offline
from markupsafe import Markup

from .. import paths
from . import claims, portfolio, privacy, text
from ..inputs.client import Client
from ..practices.linkage import MEASURE_COLUMN, measure_names
from ..statistics import metrics
from .section import ORDER, Metric, Section
from .theme import css_variables, load_theme



@dataclass(frozen=True)
class Shown:
    """How a result table reads in the body: its columns and the rows that matter.

    `rows` caps the rows shown; `order` sorts them first (a column, ascending unless it
    starts with '-'); breakpoints are always among the rows of a touchpoint table. The
    whole table, every column, is in the appendix.
    """

    columns: tuple[str, ...]
    rows: int | None = None
    order: str | None = None


#: Tables in the body of each section, in reading order; every one is whole in the appendix.
BODY = {
    "P1": {"outcomes_by_group": Shown(("n", "retention", "revenue", "share_of_wallet"))},
    "P2": {"breakpoints": Shown(("name", "stage", "gap", "importance", "d", "moment_of_truth"),
                                rows=10),
           "content_prompts": Shown(("name", "prompt"), rows=6),
           "switch_hotspots": Shown(("name", "switches", "share", "rate"), rows=5)},
    "P3": {"gaps": Shown(("name", "stage", "n", "expectation", "perception", "gap"), rows=8,
                         order="gap"),
           "quotes": Shown(("name", "role", "sentiment", "quote"), rows=6),
           "disagreements": Shown(("name", "gap", "sentiment"), rows=6),
           "comment_disagreements": Shown(("name", "gap", "sentiment"), rows=6)},
    "comments": {"themes": Shown(("name", "n", "share", "sentiment", "difference"), rows=8),
                 "verbatims": Shown(("name", "comment", "segment"), rows=8)},
    "P4": {"growth_opportunities": Shown(("instrument", "name", "mean", "gap"))},
    "roadmap": {"initiatives": Shown(("priority", "title", "owner", "category", "impact_revenue",
                                      "horizon"), rows=15)},
}
#: The technical appendix: each table whole, with the columns that fit an A4 page,
#: intervals and tests included, in this order; tables.xlsx has every column.
APPENDIX = {
    "P1": {"outcomes_by_group": ("n", "retention", "retention_low", "retention_high", "revenue",
                                 "revenue_low", "revenue_high", "share_of_wallet"),
           "loyalty_by_": (*MEASURE_COLUMN.values(), "ci_low", "ci_high", "n", "small_sample"),
           "segment_tests": ("test", "statistic", "df", "p_value", "p_adjusted", "n",
                             "compared"),
           "retention_model": ("coef", "se", "z", "p_value", "odds_ratio", "or_low", "or_high")},
    "P2": {"breakpoints": ("name", "stage", "n", "gap", "ci_low", "ci_high", "p_adjusted",
                           "importance", "d", "moment_of_truth"),
           "content_prompts": ("name", "prompt"),
           "switch_hotspots": ("name", "switches", "share", "journeys", "rate", "ci_low",
                               "ci_high")},
    "P3": {"gaps": ("name", "n", "expectation", "perception", "gap", "ci_low", "ci_high",
                    "p_adjusted"),
           "drivers": ("name", "raw", "rescaled", "cost"),
           "importance_performance": ("name", "importance", "performance", "gap", "quadrant"),
           "quotes": ("name", "interview", "role", "sentiment", "quote"),
           "disagreements": ("name", "gap", "p_adjusted", "sentiment", "sentiment_low",
                             "sentiment_high", "interviews_n"),
           "comment_disagreements": ("name", "gap", "sentiment"),
           "drivers_left_out": ("name", "reason", "answers", "cost")},
    "comments": {"themes": ("name", "n", "share", "sentiment", "with_value", "without_value",
                            "difference", "p_adjusted"),
                 "verbatims": ("name", "comment", "segment")},
    "P4": {"growth_opportunities": ("instrument", "name", "mean", "gap"),
           "element_scores": ("name", "mean", "ci_low", "ci_high", "n", "function_spread",
                              "aligned"),
           "wave_change": ("name", "first_mean", "last_mean", "difference", "ci_low", "ci_high",
                           "p_adjusted")},
    "roadmap": {"initiatives": ("priority", "title", "category", "d", "owner", "impact",
                                "impact_revenue", "effort", "horizon")},
    "benchmark": {"benchmark": ("measure", "value", "median", "percentile", "clients",
                                "peers")},
}
#: Headline figures shown as cards in each section's body; results.json has them all.
CARDS = {"P1": ("loyalty", "revenue_at_risk", "what_if_value", "effort", "linked_customers"),
         "P2": ("breakpoints", "moments_of_truth", "self_service_to_assisted",
                "switches_per_journey"),
         "P3": ("drivers_r_squared",), "P4": ("staff_respondents",),
         "roadmap": ("initiatives",),
         "summary": ("revenue_at_risk", "what_if_value", "loyalty")}
#: Where charts and tables go within a section: figures and tables named here in this
#: order, anything else after them (figures first).
FLOW = {"P2": ("figure:journey_map", "table:breakpoints", "table:content_prompts",
               "figure:channel_sankey", "table:switch_hotspots"),
        "P3": ("figure:gaps", "table:gaps", "figure:drivers", "figure:quadrants",
               "figure:interview_themes", "table:quotes", "table:disagreements"),
        "roadmap": ("figure:impact_effort", "table:initiatives", "figure:plan")}
# A report for reading and printing: no plotly toolbar.
FIGURE_CONFIG = {"displaylogo": False, "responsive": False, "displayModeBar": False}
#: plotly.js with only the trace types cxlib's charts use (bench/plotly_bundle.py builds it):
#: a third of the full bundle, which Chromium takes about a second of CPU to evaluate. Its
#: header names its plotly.js version and, after PLOTLY_TRACES_TAG, its trace types.
PLOTLY_BUNDLE = paths.TEMPLATES / "plotly-report.min.js"
PLOTLY_TRACES_TAG = "trace types:"


#: The executive summary's page: its findings and recommendations (three each), the
#: columns of a recommendation (owner, value, horizon), and the findings that are context
#: of the situation rather than findings of their own.
SUMMARY_FINDINGS, SUMMARY_ACTIONS = 3, 3
SUMMARY_ACTION_COLUMNS = ("title", "owner", "impact", "impact_revenue", "horizon")
_CONTEXT = ("what_if",)


def summary(client: Client, sections: dict[str, Section]) -> Section:
    """The executive summary: its findings, each stated only when its evidence supports it.

    It leads with revenue at risk (A2) only when retention rises with the loyalty measure
    and the interval of that link excludes no effect; otherwise it says so plainly and
    leads with the strongest supported finding (cxlib.outputs.claims). The page reads as a
    story (table `story`: part, section, sentence, evidence; the narrative is its
    sentences): the situation in one sentence with its context, three findings, the
    decision asked. A finding's `evidence` names the summary's metrics it rests on (its
    cards: figure, interval, n); the headline cards are CARDS["summary"]. The table
    `recommendations` holds the roadmap's first three initiatives (owner, value, horizon).
    """
    lang = client.config.language
    s = Section("summary", text.t(lang, "sections.summary"))
    found = claims.findings(client, sections)
    shown = claims.ordered(found)
    story = [("situation", f.section, f.sentence, "") for f in shown[:1]]
    statement = claims.link_statement(client, sections)
    if statement is not None:
        story.append(("context", "P1", statement, ""))
    story += [("context", f.section, f.sentence, "") for f in shown[1:] if f.key in _CONTEXT]
    rest = [f for f in shown[1:] if f.key not in _CONTEXT + ("roadmap",)]
    rest.sort(key=lambda f: f.key == "loyalty")     # the loyalty figure is a card already
    for f in rest[:SUMMARY_FINDINGS]:
        s.metrics.update(f.evidence)
        story.append(("finding", f.section, f.sentence, ",".join(f.evidence)))
    plan = sections.get("roadmap")
    initiatives = None if plan is None else plan.tables.get("initiatives")
    if initiatives is not None and len(initiatives):
        first = initiatives.sort_values("priority").head(SUMMARY_ACTIONS)
        columns = [c for c in SUMMARY_ACTION_COLUMNS if c in first]
        if "impact_revenue" in first and first["impact_revenue"].isin(
                [text.t(lang, "roadmap.unpriced")]).all():
            columns.remove("impact_revenue")    # none of them priced: no column of words
        s.tables["recommendations"] = first[columns].reset_index(drop=True)
        owners = text.listing(list(dict.fromkeys(
            text.value_name("owner", o, lang) for o in first["owner"])), lang)
        story.append(("decision", "roadmap", text.t(
            lang, "summary.decision", count=text.figure(len(first), "count", lang),
            owners=owners, days=text.figure(first["horizon"].max(), "count", lang)), ""))
    elif shown:
        # Findings to agree on, or only the headline measure: then what is missing is asked.
        asked = ("summary.decision_no_plan" if any(part == "finding" for part, *_ in story)
                 else "summary.decision_no_findings")
        story.append(("decision", "", text.t(lang, asked), ""))
    s.tables["story"] = pd.DataFrame(story, columns=["part", "section", "sentence", "evidence"])
    s.narrative = [sentence for _, _, sentence, _ in story]
    s.tables["findings"] = claims.table(found)
    p1 = sections.get("P1")
    if p1 is not None:
        if claims.link(p1) == "holds":
            for key in ("revenue_at_risk", "what_if_value"):
                if key in p1.metrics:
                    s.metrics[key] = p1.metrics[key]
        if "loyalty" in p1.metrics:
            s.metrics["loyalty"] = p1.metrics["loyalty"]
    return s


def _summary_view(s: Section, lang: str, sections: dict[str, Section],
                  currency: str = "") -> dict:
    """The summary page as the template draws it: parts of the story, the recommendations."""
    story = s.tables.get("story")
    parts = {"situation": [], "finding": [], "decision": []}
    for row in ([] if story is None else story.itertuples(index=False)):
        target = sections.get(row.section)
        parts["situation" if row.part == "context" else row.part].append({
            "sentence": row.sentence,
            "evidence": [metric_view(k, s.metrics[k], lang, currency)
                         for k in row.evidence.split(",") if k in s.metrics],
            "anchor": row.section.lower() if target is not None and row.part == "finding" else "",
            "title": target.title if target is not None else ""})
    actions = s.tables.get("recommendations")
    return {**parts, "actions": None if actions is None else _table(
        actions, SUMMARY_ACTION_COLUMNS, lang, currency, key="recommendations")}


def method(lang: str, metric: str) -> str:
    """The appendix's paragraph on method, with the thresholds the statistics use."""
    return text.t(lang, "appendix.method", metric=metric,
                  min=text.figure(metrics.MIN_N, "count", lang),
                  tables=text.figure(metrics.MONTE_CARLO_TABLES, "count", lang),
                  expected=text.figure(metrics.MIN_EXPECTED, "count", lang))


def _frame_for_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its index as a first column when the index is named."""
    return frame.reset_index() if frame.index.name else frame.reset_index(drop=True)


#: The ids a table's "name" column gives the name of. A report table shows the name without
#: its id, so its header says what is named ("Touchpoint", "Theme", "Element"), not "Name"
#: (a client reading "Name" beside a customer's comment takes it for the customer's).
NAMED = ("touchpoint", "theme", "element", "driver")


def _table(frame: pd.DataFrame, columns, lang: str, currency: str = "", key: str = "",
           anchor: str = "", link: str = "") -> dict:
    """A table as the template draws it: headers, formatted cells, and where it continues.

    Columns without a single value are left out (e.g. expectations a survey did not ask).
    """
    shown = _frame_for_table(frame)
    columns = list(columns)
    if "gap" in shown and shown["gap"].isna().all() and "n_perception" in shown:
        columns = ["n_perception" if c == "n" else c for c in columns]   # n of a gap is 0
    first = [] if "name" in columns or not frame.index.name else [frame.index.name]
    keep = first + [c for c in columns if c in shown.columns and c not in first]
    keep = [c for c in keep if shown[c].notna().any() and not (shown[c] == "").all()]
    shown = shown[keep].copy()
    for column in text.VALUE_NAMES:
        if column in shown:
            shown[column] = [text.value_name(column, v, lang) for v in shown[column]]
    previous = text.estimates(keep)
    named = next((c for c in (frame.index.name, *frame.columns) if c in NAMED), None)
    return {
        "key": key, "anchor": anchor, "link": link, "more": 0,
        "title": _table_title(key, lang),
        "columns": [str(c) for c in keep],
        "headers": [text.column(named, lang) if c == "name" and named
                    else text.header(str(c), lang, currency, p) for c, p in zip(keep, previous)],
        "rows": [[text.cell(v, str(c), lang, p) for c, p, v in zip(keep, previous, row)]
                 for row in shown.itertuples(index=False)],
    }


def _table_title(key: str, lang: str) -> str:
    if key.startswith("loyalty_by_"):
        return text.t(lang, "tables.loyalty_by", default="", segment=key[11:])
    return text.t(lang, f"tables.{key}", default="")


def _breakpoint_ids(sections: dict[str, Section]) -> list:
    p2 = sections.get("P2")
    if p2 is None or "breakpoints" not in p2.tables:
        return []
    return list(p2.tables["breakpoints"].index)


def body_rows(frame: pd.DataFrame, shown: Shown, breakpoints=()) -> pd.DataFrame:
    """The rows of a table that matter in the body: ordered (worst first), capped, and
    every breakpoint too when the table is by touchpoint. A breakpoint below the cap is
    added to the top rows, never put in place of one: "where journeys switch" must show
    the touchpoints most switched from, then the breakpoints with their few switches."""
    rows = frame
    if shown.order:
        column = shown.order.lstrip("-")
        if column == "gap" and column in rows and rows[column].isna().all():
            column = "perception"       # no expectations asked: the weakest perception first
        if column in rows:
            rows = rows.sort_values(column, ascending=not shown.order.startswith("-"),
                                    kind="stable", na_position="last")
    if shown.rows is None or len(rows) <= shown.rows:
        return rows
    top = rows.head(shown.rows)
    if rows.index.name == "touchpoint":
        wanted = [b for b in breakpoints if b in rows.index and b not in top.index]
        if wanted:
            top = rows[rows.index.isin([*top.index, *wanted])]
    return top


def _appendix_columns(section_id: str, key: str) -> list[str] | None:
    """The columns the appendix shows for a table (a key ending in '_' names a family)."""
    for prefix, columns in APPENDIX.get(section_id, {}).items():
        if key == prefix or (prefix.endswith("_") and key.startswith(prefix)):
            return list(columns)
    return None


def table_view(section_id: str, key: str, frame: pd.DataFrame, lang: str,
               currency: str = "") -> dict:
    """A result table as the report's appendix shows it: whole, with its columns there
    (intervals and tests included; every column of a table the report does not show),
    each cell formatted as in the report."""
    columns = _appendix_columns(section_id, key) or list(frame.columns)
    return _table(frame, columns, lang, currency, key)


def _figure_html(fig) -> Markup:
    # Figures are built by cxlib from JSON; plotly encodes every string it embeds.
    return Markup(pio.to_html(fig, include_plotlyjs=False, include_mathjax=False,
                              full_html=False, config=FIGURE_CONFIG))


def plotly_js(figures) -> str:
    """The plotly.js a report embeds to draw `figures`: the partial bundle in templates/
    when it is the installed plotly's version and has every trace type they use, else
    plotly's full bundle (a chart of a new kind still draws; bench/plotly_bundle.py then
    rebuilds the partial one)."""
    used = {trace.type for fig in figures for trace in fig.data}
    if PLOTLY_BUNDLE.is_file():
        bundle = PLOTLY_BUNDLE.read_text(encoding="utf-8")
        made = re.match(rf"/\*\*\s*\* plotly\.js v(\S+)\n.*?{PLOTLY_TRACES_TAG} ([^\n]*)",
                        bundle[:4000], flags=re.S)
        if (made and made[1] == plotly.offline.get_plotlyjs_version()
                and used <= set(made[2].split())):
            return bundle
    return plotly.offline.get_plotlyjs()


def _metric_label(key: str, lang: str) -> str:
    if key.startswith("retention_"):
        group = text.t(lang, f"groups.{key.removeprefix('retention_')}")
        return text.t(lang, "metric_labels.retention", group=group)
    return text.t(lang, f"metric_labels.{key}")


def metric_view(key: str, m: Metric, lang: str, currency: str = "") -> dict:
    """A headline figure as every renderer shows it: label, value, unit, interval, n."""
    ci = (text.interval(m.ci_low, m.ci_high, lang, m.kind, currency)
          if m.ci_low is not None else "")
    # The figure names its unit itself when it is money or a percentage.
    unit = "" if m.kind in ("money", "share", "percent") else m.unit
    return {"key": key, "label": m.label or _metric_label(key, lang),
            "value": text.figure(m.value, m.kind, lang, currency),
            "unit": unit, "ci": ci, "n": text.figure(m.n, "count", lang), "note": m.note}


def _is_compact(s: Section) -> bool:
    """A section with nothing but a sentence or caveats: printed without a page of its own
    (a body table without rows, such as the gaps of a survey without touchpoint ratings,
    is not shown, so it does not count)."""
    return bool(s.missing) or not (s.narrative or s.figures or any(
        k in s.tables and not s.tables[k].empty for k in BODY.get(s.id, {})))


def _section_view(s: Section, lang: str, sections: dict[str, Section],
                  currency: str = "") -> dict:
    anchor = s.id.lower()
    figures = {name: _figure_html(f) for name, f in s.figures.items()}
    tables = {}
    for key, shown in BODY.get(s.id, {}).items():
        if key not in s.tables or s.tables[key].empty:
            continue
        rows = body_rows(s.tables[key], shown, _breakpoint_ids(sections))
        tables[key] = _table(rows, shown.columns, lang, currency, key,
                             link=f"full-{anchor}-{key}")
        tables[key]["more"] = len(s.tables[key]) - len(rows)
    flow = []
    for item in FLOW.get(s.id, ()):
        kind, name = item.split(":")
        found = (figures if kind == "figure" else tables).pop(name, None)
        if found is not None:
            flow.append({"kind": kind, "name": name, "content": found})
    flow += [{"kind": "figure", "name": k, "content": v} for k, v in figures.items()]
    flow += [{"kind": "table", "name": k, "content": v} for k, v in tables.items()]
    cards = [k for k in CARDS.get(s.id, s.metrics) if k in s.metrics]
    return {
        "story": _summary_view(s, lang, sections, currency) if s.id == "summary" else None,
        "id": s.id, "anchor": anchor, "title": s.title, "missing": s.missing,
        "compact": _is_compact(s), "narrative": s.narrative, "caveats": s.caveats,
        "metrics": [metric_view(k, s.metrics[k], lang, currency) for k in cards],
        "flow": flow,
    }


def _appendix_tables(sections: dict[str, Section], lang: str, currency: str = "") -> list[dict]:
    """The tables of the technical appendix, whole, each with the anchor the body links to."""
    found = []
    for sid in ORDER:
        s = sections.get(sid)
        if s is None:
            continue
        for prefix, columns in APPENDIX.get(sid, {}).items():
            keys = [k for k in s.tables if k.startswith(prefix)] if prefix.endswith("_") \
                else [prefix]
            for key in keys:
                if key in s.tables and not s.tables[key].empty:
                    found.append(_table(s.tables[key], columns, lang, currency, key,
                                        anchor=f"full-{sid.lower()}-{key}"))
    return found


def _glossary(lang: str) -> dict:
    """The terms and the method's element codes a consultant may see in small type."""
    from ..practices.maturity import ELEMENT_NAMES, element_name

    terms = [{"term": k, "text": v} for k, v in text.t(lang, "glossary.terms")]
    practices = [{"code": c, "name": text.t(lang, f"glossary.practices.{c}")}
                 for c in ("P1", "P2", "P3", "P4")]
    elements = [{"code": c, "name": element_name(c, lang)} for c in ELEMENT_NAMES]
    return {"terms": terms, "practices": practices, "elements": elements}


def _logo_html(path: Path | None, alt: str) -> Markup:
    """The logo embedded as a data URI, so the page needs no other file."""
    if path is None or not Path(path).is_file():
        return Markup("")
    kind = "image/svg+xml" if Path(path).suffix.lower() == ".svg" else "image/png"
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return Markup('<img class="logo" src="data:{}" alt="{}">').format(
        Markup(f"{kind};base64,{data}"), alt)


def setting_value(name: str, value, lang: str) -> str:
    """A run parameter as the appendix shows it: every digit it was given, no more."""
    return text.figure(value, "param_share" if text.kind(name) == "share" else "param", lang)


def _source_label(source: str, lang: str) -> str:
    """Where a setting came from, in words ("settings.yml" is the key settings_yml)."""
    return text.t(lang, "appendix.sources." + source.replace(".", "_").replace(" ", "_"))


def _settings_table(settings: dict, lang: str) -> dict:
    """The appendix's "settings used": each parameter, its value, and where it came from."""
    return {
        "key": "settings", "anchor": "", "link": "", "title": "",
        "columns": ["setting", "value", "source"],
        "headers": [text.t(lang, "appendix.setting"), text.t(lang, "appendix.value"),
                    text.t(lang, "appendix.source")],
        "rows": [[text.t(lang, f"parameters.{name}"), setting_value(name, s["value"], lang),
                  _source_label(s["source"], lang)]
                 for name, s in settings.items()],
        "more": 0,
    }


def _provenance(short: dict, lang: str) -> dict:
    """The appendix's short form of the run's manifest: code, start, and each input's hash."""
    started = dt.datetime.fromisoformat(short["started"])
    commit = short.get("commit") or text.t(lang, "appendix.no_commit")
    if short.get("modified"):
        commit += text.t(lang, "appendix.modified")
    return {
        "sentence": text.t(lang, "appendix.provenance_note", version=short["cxlib"],
                           commit=commit, date=text.date(started.date(), lang),
                           time=f"{started:%H:%M} UTC", manifest=short["manifest"]),
        "inputs": {"key": "provenance", "anchor": "", "link": "", "title": "",
                   "columns": ["input", "sha256"],
                   "headers": [text.t(lang, "appendix.input"), "SHA-256"],
                   "rows": [[name, digest[:16]] for name, digest in short["inputs"].items()],
                   "more": 0},
    }


def checks(client: Client, lang: str) -> list[str]:
    """What validation found valid but odd in the inputs (Client.warnings), in the report's
    language: counts formatted as counts, lists as lists, ids never shown, redacted."""
    said = []
    for notice in client.warnings:
        values = {name: text.figure(value, "count", lang) if isinstance(value, int)
                  else text.listing(value, lang) if isinstance(value, list) else value
                  for name, value in notice.values.items()}
        if notice.key == "join_few":
            habits = [text.t(lang, f"checks.habits.{h}") for h in notice.values["habits"]]
            values["reason"] = (text.t(lang, "checks.join_differ",
                                       habits=text.listing(habits, lang))
                                if habits else text.t(lang, "checks.join_no_pattern"))
        sentence = text.t(lang, f"checks.{notice.key}", **values) if notice.key else notice
        said.append(privacy.redact(sentence, client.config.redact, client.config.country))
    return said


def render_html(client: Client, sections: dict[str, Section], generated: dt.date,
                run: dict | None = None) -> str:
    """The whole report as one self-contained HTML page (plotly.js embedded once).

    `run` is what the run records about itself, shown in the appendix: `settings`
    (parameter -> value and source) and `provenance` (cxlib.runs.manifest.short).
    """
    run = run or {}
    lang = client.config.language
    theme = load_theme(client.config.brand, client.config.folder)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.TEMPLATES),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    ordered = [summary(client, sections)] + [sections[k] for k in ORDER if k in sections]
    currency = client.config.currency
    return env.get_template("report.html.j2").render(
        lang=lang, t=lambda key, **kw: text.t(lang, key, **kw),
        client=client.name, consultancy=theme.consultancy,
        logo=_logo_html(theme.logo, theme.consultancy),
        date=text.date(generated, lang), css=Markup(css_variables(theme)),
        plotlyjs=Markup(plotly_js(f for s in ordered for f in s.figures.values())),
        sections=[_section_view(s, lang, sections, currency) for s in ordered],
        method=method(lang, measure_names(client.config.survey.overall, lang)["metric"]),
        glossary=_glossary(lang),
        full_tables=_appendix_tables(sections, lang, currency),
        sources=_table(client.sources.set_index("input"), ["file", "rows", "modified"], lang,
                       key="sources"),
        settings=_settings_table(run["settings"], lang) if run.get("settings") else None,
        provenance=_provenance(run["provenance"], lang) if run.get("provenance") else None,
        checks=checks(client, lang),
    )


def results(client: Client, sections: dict[str, Section], generated: dt.date,
            run: dict | None = None) -> dict:
    """Every headline figure of every section, and what the run records, for results.json."""
    return {
        "client": client.id, "name": client.name, "language": client.config.language,
        "currency": client.config.currency, "generated": generated.isoformat(),
        **(run or {}),
        "sections": {k: {"title": s.title, "missing": s.missing,
                         "metrics": {m: v.to_dict() for m, v in s.metrics.items()},
                         "narrative": s.narrative, "caveats": s.caveats,
                         "figures": list(s.figures), "tables": list(s.tables)}
                     for k, s in sections.items()},
        "figures": sum(len(s.figures) for s in sections.values()),
        "sources": client.sources.to_dict(orient="records"),
        "checks": checks(client, client.config.language),
        # this client's own figures, for `cx portfolio` (cxlib.outputs.portfolio)
        "benchmark": portfolio.client_figures(client, sections),
    }


def write(client: Client, sections: dict[str, Section], folder: Path, run: dict | None = None,
          generated: dt.date | None = None) -> Path:
    """Write report.html and results.json into `folder`; return the report's path.

    `run`: what the run records about itself (see render_html), also kept in results.json.
    """
    generated = generated or dt.date.today()
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "report.html"
    page.write_text(render_html(client, sections, generated, run), encoding="utf-8")
    (folder / "results.json").write_text(json.dumps(
        results(client, sections, generated, run), ensure_ascii=False, indent=1,
        default=str), encoding="utf-8")
    return page

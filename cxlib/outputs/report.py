"""The engagement report: executive summary, practice sections and appendix, from sections."""
from __future__ import annotations

import base64
import datetime as dt
import json
import math
from pathlib import Path

import jinja2
import pandas as pd
import plotly.io as pio
import plotly.offline
from markupsafe import Markup

from .. import paths
from . import portfolio, text
from ..inputs.client import Client
from .section import Metric, Section
from .theme import css_variables, load_theme

#: Report sections in reading order.
ORDER = ("P1", "P2", "P3", "comments", "P4", "roadmap", "benchmark")
#: Tables shown in the HTML report, with the columns shown; tables.xlsx has them all.
SHOWN = {
    "P1": {"outcomes_by_group": ["n", "retention", "retention_low", "retention_high", "revenue",
                                 "share_of_wallet"],
           "segment_tests": ["test", "statistic", "p_value", "n"]},
    "P2": {"breakpoints": ["name", "stage", "gap", "ci_low", "ci_high", "importance", "d",
                           "moment_of_truth"],
           "content_prompts": ["name", "prompt"],
           "switch_hotspots": ["name", "switches", "share", "rate", "rate_low", "rate_high"]},
    "P3": {"gaps": ["name", "stage", "n", "expectation", "perception", "gap", "ci_low",
                    "ci_high", "p_adjusted"],
           "drivers": ["name", "raw", "rescaled"],
           "quotes": ["name", "role", "sentiment", "quote"],
           "disagreements": ["name", "gap", "sentiment"],
           "comment_disagreements": ["name", "gap", "sentiment"]},
    "comments": {"themes": ["name", "n", "share", "sentiment", "with_value", "without_value",
                            "difference", "p_adjusted"],
                 "verbatims": ["name", "comment", "segment"]},
    "P4": {"growth_opportunities": ["instrument", "element", "name", "mean", "gap"],
           "wave_change": ["element", "name", "difference", "ci_low", "ci_high",
                           "p_adjusted"]},
    "roadmap": {"initiatives": ["title", "category", "d", "owner", "impact", "impact_revenue",
                                "effort", "horizon"]},
    "benchmark": {"benchmark": ["measure", "value", "median", "percentile", "clients", "peers"]},
}
MAX_ROWS = 15
# A report for reading and printing: no plotly toolbar.
FIGURE_CONFIG = {"displaylogo": False, "responsive": False, "displayModeBar": False}


def summary(client: Client, sections: dict[str, Section]) -> Section:
    """The executive summary: the revenue-linked number first (A2), then a line a practice."""
    lang = client.config.language
    s = Section("summary", text.t(lang, "sections.summary"))
    p1 = sections.get("P1")
    if p1 is not None and "revenue_at_risk" in p1.metrics:
        s.narrative.extend(p1.narrative[:2])
        s.metrics["revenue_at_risk"] = p1.metrics["revenue_at_risk"]
        s.metrics["what_if_value"] = p1.metrics["what_if_value"]
    elif p1 is not None and "loyalty" in p1.metrics:
        m = p1.metrics["loyalty"]
        kind = client.config.survey.overall.kind
        s.narrative.append(text.t(lang, "summary.no_outcomes",
                                  metric=text.t(lang, f"metric.{kind}"),
                                  value=text.number(m.value, lang, 1),
                                  ci=text.interval(m.ci_low, m.ci_high, lang, 1),
                                  n=text.number(m.n, lang)))
    if p1 is not None and "loyalty" in p1.metrics:
        s.metrics["loyalty"] = p1.metrics["loyalty"]
    p2 = sections.get("P2")
    if p2 is not None and "breakpoints" in p2.tables and len(p2.tables["breakpoints"]):
        bps = p2.tables["breakpoints"]
        s.narrative.append(text.t(lang, "summary.breakpoints", count=len(bps),
                                  names=", ".join(bps["name"].astype(str).head(3))))
    if p2 is not None and "self_service_to_assisted" in p2.metrics:
        m = p2.metrics["self_service_to_assisted"]
        s.narrative.append(text.t(lang, "summary.switching",
                                  share=text.number(m.value, lang, 1) + "%"))
    p4 = sections.get("P4")
    if p4 is not None and "growth_opportunities" in p4.tables:
        growth = p4.tables["growth_opportunities"]
        blocks = growth[growth["instrument"] == "blocks"]
        if len(blocks):
            row = blocks.iloc[0]
            s.narrative.append(text.t(lang, "summary.growth", element=row["element"],
                                      name=row["name"], mean=text.number(row["mean"], lang, 2)))
    plan = sections.get("roadmap")
    if plan is not None and "initiatives" in plan.tables:
        first = plan.tables["initiatives"].sort_values("priority")["title"].head(3)
        s.narrative.append(text.t(lang, "summary.roadmap", first="; ".join(first)))
    return s


def _cell(value, column: str, lang: str) -> str:
    """A table value as the report shows it."""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return text.number(value, lang)
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        kind = text.kind(column)
        if kind == "percent":
            return text.percent(value, lang, 1)
        if kind == "p":
            return "<0.001" if value < 0.001 else text.number(value, lang, 3)
        if kind == "money" or abs(value) >= 1000:
            return text.number(value, lang, 0)
        return text.number(value, lang, 2)
    return "" if value is None else str(value)


def _table(frame: pd.DataFrame, columns: list[str], lang: str) -> dict:
    shown = frame.reset_index() if frame.index.name else frame.reset_index(drop=True)
    first = [] if "name" in columns or not frame.index.name else [frame.index.name]
    keep = first + [c for c in columns if c in shown.columns and c not in first]
    shown = shown[keep].copy()
    for column in text.VALUE_NAMES:
        if column in shown:
            shown[column] = [text.value_name(column, v, lang) for v in shown[column]]
    return {
        "headers": [text.column(str(c), lang) for c in keep],
        "rows": [[_cell(v, str(c), lang) for c, v in zip(keep, row)]
                 for row in shown.head(MAX_ROWS).itertuples(index=False)],
        "more": max(0, len(shown) - MAX_ROWS),
    }


def _figure_html(fig) -> Markup:
    # Figures are built by cxlib from JSON; plotly encodes every string it embeds.
    return Markup(pio.to_html(fig, include_plotlyjs=False, include_mathjax=False,
                              full_html=False, config=FIGURE_CONFIG))


def _metric_label(key: str, lang: str) -> str:
    if key.startswith("retention_"):
        group = text.t(lang, f"groups.{key.removeprefix('retention_')}")
        return text.t(lang, "metric_labels.retention", group=group)
    return text.t(lang, f"metric_labels.{key}")


def _metric_view(key: str, m: Metric, lang: str) -> dict:
    digits = 0 if abs(m.value) >= 100 or float(m.value).is_integer() else (
        2 if abs(m.value) < 10 else 1)
    ci = text.interval(m.ci_low, m.ci_high, lang, digits) if m.ci_low is not None else ""
    return {"key": key, "label": _metric_label(key, lang),
            "value": text.number(m.value, lang, digits),
            "unit": m.unit, "ci": ci, "n": text.number(m.n, lang), "note": m.note}


def _section_view(s: Section, lang: str) -> dict:
    return {
        "id": s.id, "anchor": s.id.lower(), "title": s.title, "missing": s.missing,
        "narrative": s.narrative, "caveats": s.caveats,
        "metrics": [_metric_view(k, m, lang) for k, m in s.metrics.items()],
        "figures": [_figure_html(f) for f in s.figures.values()],
        "tables": [dict(_table(s.tables[k], cols, lang), key=k)
                   for k, cols in SHOWN.get(s.id, {}).items() if k in s.tables],
    }


def _logo_html(path: Path | None, alt: str) -> Markup:
    """The logo embedded as a data URI, so the page needs no other file."""
    if path is None or not Path(path).is_file():
        return Markup("")
    kind = "image/svg+xml" if Path(path).suffix.lower() == ".svg" else "image/png"
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return Markup('<img class="logo" src="data:{}" alt="{}">').format(
        Markup(f"{kind};base64,{data}"), alt)


def _setting_value(name: str, value, lang: str) -> str:
    """A run parameter as the appendix shows it: every digit it was given, no more."""
    share = text.kind(name) == "percent"
    shown = 100 * value if share else value
    digits = len(f"{shown:.6f}".rstrip("0").partition(".")[2])
    return text.percent(value, lang, digits) if share else text.number(value, lang, digits)


def _source_label(source: str, lang: str) -> str:
    """Where a setting came from, in words ("settings.yml" is the key settings_yml)."""
    return text.t(lang, "appendix.sources." + source.replace(".", "_").replace(" ", "_"))


def _settings_table(settings: dict, lang: str) -> dict:
    """The appendix's "settings used": each parameter, its value, and where it came from."""
    return {
        "headers": [text.t(lang, "appendix.setting"), text.t(lang, "appendix.value"),
                    text.t(lang, "appendix.source")],
        "rows": [[text.t(lang, f"parameters.{name}"), _setting_value(name, s["value"], lang),
                  _source_label(s["source"], lang)]
                 for name, s in settings.items()],
        "more": 0,
    }


def render_html(client: Client, sections: dict[str, Section], generated: dt.date,
                run: dict | None = None) -> str:
    """The whole report as one self-contained HTML page (plotly.js embedded once).

    `run` is what the run records about itself (`settings`: parameter -> value and
    source), shown in the appendix.
    """
    run = run or {}
    lang = client.config.language
    theme = load_theme(client.config.brand, client.config.folder)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.TEMPLATES),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    ordered = [summary(client, sections)] + [sections[k] for k in ORDER if k in sections]
    return env.get_template("report.html.j2").render(
        lang=lang, t=lambda key, **kw: text.t(lang, key, **kw),
        client=client.name, consultancy=theme.consultancy,
        logo=_logo_html(theme.logo, theme.consultancy),
        date=text.date(generated, lang), css=Markup(css_variables(theme)),
        plotlyjs=Markup(plotly.offline.get_plotlyjs()),
        sections=[_section_view(s, lang) for s in ordered],
        method=text.t(lang, "appendix.method",
                      metric=text.t(lang, f"metric.{client.config.survey.overall.kind}")),
        sources=_table(client.sources.set_index("input"), ["file", "rows", "modified"], lang),
        settings=_settings_table(run["settings"], lang) if run.get("settings") else None,
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

"""The engagement report: executive summary, practice sections and appendix, from sections."""
from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import jinja2
import pandas as pd
import plotly.io as pio
import plotly.offline
from markupsafe import Markup

from .. import paths
from . import claims, portfolio, text
from ..inputs.client import Client
from ..practices.linkage import measure_names
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
           "drivers": ["name", "raw", "rescaled", "cost"],
           "drivers_left_out": ["name", "reason", "answers", "cost"],
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
    """The executive summary: its findings, each stated only when its evidence supports it.

    It leads with revenue at risk (A2) only when retention rises with the loyalty measure
    and the interval of that link excludes no effect; otherwise it says so plainly and
    leads with the strongest supported finding (cxlib.outputs.claims).
    """
    lang = client.config.language
    s = Section("summary", text.t(lang, "sections.summary"))
    found = claims.findings(client, sections)
    shown = claims.ordered(found)
    s.narrative = [f.sentence for f in shown]
    statement = claims.link_statement(client, sections)
    if statement is not None:
        s.narrative.insert(1 if s.narrative else 0, statement)
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


def _table(frame: pd.DataFrame, columns: list[str], lang: str, currency: str = "") -> dict:
    shown = frame.reset_index() if frame.index.name else frame.reset_index(drop=True)
    first = [] if "name" in columns or not frame.index.name else [frame.index.name]
    keep = first + [c for c in columns if c in shown.columns and c not in first]
    shown = shown[keep].copy()
    for column in text.VALUE_NAMES:
        if column in shown:
            shown[column] = [text.value_name(column, v, lang) for v in shown[column]]
    previous = text.estimates(keep)
    return {
        "headers": [text.header(str(c), lang, currency, p) for c, p in zip(keep, previous)],
        "rows": [[text.cell(v, str(c), lang, p) for c, p, v in zip(keep, previous, row)]
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


def _metric_view(key: str, m: Metric, lang: str, currency: str) -> dict:
    ci = (text.interval(m.ci_low, m.ci_high, lang, m.kind, currency)
          if m.ci_low is not None else "")
    # The figure names its unit itself when it is money or a percentage.
    unit = "" if m.kind in ("money", "share", "percent") else m.unit
    return {"key": key, "label": m.label or _metric_label(key, lang),
            "value": text.figure(m.value, m.kind, lang, currency),
            "unit": unit, "ci": ci, "n": text.figure(m.n, "count", lang), "note": m.note}


def _section_view(s: Section, lang: str, currency: str = "") -> dict:
    return {
        "id": s.id, "anchor": s.id.lower(), "title": s.title, "missing": s.missing,
        "narrative": s.narrative, "caveats": s.caveats,
        "metrics": [_metric_view(k, m, lang, currency) for k, m in s.metrics.items()],
        "figures": [_figure_html(f) for f in s.figures.values()],
        "tables": [dict(_table(s.tables[k], cols, lang, currency), key=k)
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
    return text.figure(value, "param_share" if text.kind(name) == "share" else "param", lang)


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
        "inputs": {"headers": [text.t(lang, "appendix.input"), "SHA-256"],
                   "rows": [[name, digest[:16]] for name, digest in short["inputs"].items()],
                   "more": 0},
    }


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
    return env.get_template("report.html.j2").render(
        lang=lang, t=lambda key, **kw: text.t(lang, key, **kw),
        client=client.name, consultancy=theme.consultancy,
        logo=_logo_html(theme.logo, theme.consultancy),
        date=text.date(generated, lang), css=Markup(css_variables(theme)),
        plotlyjs=Markup(plotly.offline.get_plotlyjs()),
        sections=[_section_view(s, lang, client.config.currency) for s in ordered],
        method=text.t(lang, "appendix.method", metric=measure_names(
            client.config.survey.overall, lang)["metric"]),
        sources=_table(client.sources.set_index("input"), ["file", "rows", "modified"], lang),
        settings=_settings_table(run["settings"], lang) if run.get("settings") else None,
        provenance=_provenance(run["provenance"], lang) if run.get("provenance") else None,
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

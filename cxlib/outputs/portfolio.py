"""The portfolio benchmark: where a client stands among the consultancy's other clients.

`cx portfolio` reads the headline figures every finished report keeps in results.json
(`benchmark`: loyalty, the gap per journey stage, maturity per element, the industry)
and writes one file of aggregates, reports/portfolio.json. A report then shows, for each
figure, the portfolio's median and about where the client stands (its percentile).

What the file may hold, so that no client can be seen in it or in another's report:
- no client's name or id, and no list of who is in it;
- a figure only for a group of at least MIN_CLIENTS clients (so every reader compares
  with at least MIN_CLIENTS - 1 others), and an industry group only when the clients
  outside it are none or also at least MIN_CLIENTS (else all-clients minus the industry
  would single the others out);
- no figure equal to one client's: quantiles are Harrell-Davis estimates (a weighted
  mean of every client's figure, not one client's value as a plain median of an odd
  count is), rounded to the figure's grid (ROUNDING), so a figure of one client cannot
  be read back, nor worked out by comparing two versions of the file.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from . import text
from .privacy import redacted
from .section import Metric, Section

#: The fewest clients behind any published figure: a reader and at least 5 others.
MIN_CLIENTS = 6
#: Quantile levels the file keeps for each figure, in percent.
LEVELS = (10, 25, 50, 75, 90)
#: The grid each kind of figure is rounded to (loyalty points, rating points, 1-5 scale).
ROUNDING = {"loyalty": 1.0, "gap": 0.1, "maturity": 0.1}
FILE = "portfolio.json"
ALL = "all"


def client_figures(client, sections: dict[str, Section]) -> dict:
    """This client's figures for the benchmark, as results.json keeps them.

    Returns: {"industry": str | None, "figures": {"loyalty.<kind>": value,
    "gap.<stage>": mean gap of the stage's touchpoints, "maturity.<element>": mean score}}.
    """
    figures = {}
    p1 = sections.get("P1")
    if p1 is not None and "loyalty" in p1.metrics:
        figures[f"loyalty.{client.config.survey.overall.kind}"] = float(p1.metrics["loyalty"].value)
    p3 = sections.get("P3")
    if p3 is not None and "gaps" in p3.tables:
        gaps = p3.tables["gaps"]
        if "stage" in gaps and gaps["gap"].notna().any():
            by_stage = gaps.dropna(subset=["gap", "stage"]).groupby("stage")["gap"].mean()
            figures.update({f"gap.{stage}": float(v) for stage, v in by_stage.items()})
    p4 = sections.get("P4")
    if p4 is not None and "element_scores" in p4.tables:
        scores = p4.tables["element_scores"]
        figures.update({f"maturity.{e}": float(v) for e, v in zip(scores["element"],
                                                                  scores["mean"])
                        if not pd.isna(v)})
    industry = client.config.industry
    return {"industry": _industry(industry) if industry else None, "figures": figures}


def _industry(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _hd_quantiles(values: list[float]) -> dict[str, float]:
    """Harrell-Davis estimates of the quantiles at LEVELS (scipy)."""
    from scipy.stats.mstats import hdquantiles

    found = hdquantiles(np.asarray(values, dtype=float), prob=[lv / 100 for lv in LEVELS])
    return {str(lv): float(q) for lv, q in zip(LEVELS, np.asarray(found))}


def _rounded(value: float, figure: str) -> float:
    step = ROUNDING[figure.split(".", 1)[0]]
    return round(round(value / step) * step, 6)


def build(results: list[dict]) -> dict:
    """The benchmark from every client's results.json: aggregates only.

    Parameters: results -- the `benchmark` entries of the clients' results.json.
    Returns: {"min_clients", "levels", "clients": n, "groups": {group: {figure:
    {"clients": n, "quantiles": {level: value}}}}}; groups are "all" and one per
    industry that may be published; figures with too few clients are left out.
    """
    members: dict[str, list[dict]] = defaultdict(list)
    for entry in results:
        members[ALL].append(entry)
        if entry.get("industry"):
            members[f"industry:{_industry(entry['industry'])}"].append(entry)
    groups = {}
    for group, entries in sorted(members.items()):
        values: dict[str, list[float]] = defaultdict(list)
        for entry in entries:
            for figure, value in entry["figures"].items():
                if value is not None and math.isfinite(value):
                    values[figure].append(float(value))
        cells = {}
        for figure, found in sorted(values.items()):
            if len(found) < MIN_CLIENTS:
                continue
            if group != ALL:
                everyone = sum(figure in e["figures"] for e in members[ALL])
                if 0 < everyone - len(found) < MIN_CLIENTS:
                    continue     # the rest could be worked out from "all" minus this group
            cells[figure] = {"clients": len(found),
                             "quantiles": {lv: _rounded(q, figure)
                                           for lv, q in _hd_quantiles(found).items()}}
        if cells:
            groups[group] = cells
    return {"min_clients": MIN_CLIENTS, "levels": list(LEVELS), "clients": len(results),
            "groups": groups}


def collect(reports: Path) -> list[dict]:
    """The `benchmark` entries of every finished report under `reports`."""
    found = []
    for path in sorted(Path(reports).glob("*/results.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8")).get("benchmark")
        except (OSError, ValueError):
            continue
        if entry and entry.get("figures"):
            found.append({"industry": entry.get("industry"), "figures": entry["figures"]})
    return found


def write(reports: Path) -> tuple[Path, dict]:
    """Build the benchmark from reports/*/results.json and write reports/portfolio.json."""
    benchmark = build(collect(reports))
    path = Path(reports) / FILE
    partial = path.with_name(f".{FILE}.partial")
    partial.write_text(json.dumps(benchmark, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(path)
    return path, benchmark


def load(reports: Path) -> dict | None:
    """The benchmark next to the reports, or None when `cx portfolio` has not been run."""
    path = Path(reports) / FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def percentile(value: float, quantiles: dict[str, float]) -> int:
    """About where a value stands among the portfolio's: interpolated between its quantile
    estimates, to the nearest 5 (below the 10th or above the 90th: 5 or 95)."""
    levels = sorted((float(q), int(lv)) for lv, q in quantiles.items())
    qs = np.array([q for q, _ in levels])
    lvs = np.array([lv for _, lv in levels], dtype=float)
    if value < qs[0]:
        return 5
    if value > qs[-1]:
        return 95
    # ties in rounded quantiles: the middle of the levels that share the value
    at = np.flatnonzero(np.isclose(qs, value))
    found = lvs[at].mean() if len(at) else float(np.interp(value, qs, lvs))
    return int(5 * round(found / 5))


def _label(figure: str, language: str) -> str:
    kind, _, what = figure.partition(".")
    if kind == "loyalty":
        return text.t(language, f"metric.{what}")
    if kind == "gap":
        return text.t(language, "portfolio.gap", stage=text.t(language, f"stages.{what}"))
    from ..practices.maturity import element_name

    return text.t(language, "portfolio.maturity", element=what,
                  name=element_name(what, language))


@redacted
def section(client, sections: dict[str, Section], benchmark: dict) -> Section:
    """Where this client stands: per figure, its value, the portfolio's median and its
    percentile, against the client's industry where that group is published, else all.

    Figures compared with fewer than MIN_CLIENTS clients are not shown; with none to
    show, the section says so and shows nothing.

    Parameters: client -- the loaded Client; sections -- its sections (P1, P3, P4 give
    the figures); benchmark -- `load`'s portfolio.json.
    Returns: Section "benchmark" with table benchmark (figure, measure, value, median,
    percentile, clients, peers) or `missing` set.
    """
    lang = client.config.language
    s = Section("benchmark", text.t(lang, "sections.benchmark"))
    own = client_figures(client, sections)
    groups = benchmark.get("groups", {})
    industry = f"industry:{own['industry']}" if own["industry"] else None
    rows = []
    for figure, value in own["figures"].items():
        group = industry if industry and figure in groups.get(industry, {}) else ALL
        cell = groups.get(group, {}).get(figure)
        if cell is None:
            continue
        rows.append({"figure": figure, "measure": _label(figure, lang), "value": value,
                     "median": cell["quantiles"]["50"],
                     "percentile": percentile(value, cell["quantiles"]),
                     "clients": int(cell["clients"]),
                     "peers": own["industry"] if group != ALL else text.t(lang,
                                                                          "portfolio.all")})
    if not rows:
        s.missing = text.t(lang, "portfolio.too_few", min=MIN_CLIENTS - 1)
        return s
    table = pd.DataFrame(rows)
    s.tables["benchmark"] = table
    s.metrics["benchmark_clients"] = Metric(int(table["clients"].max()),
                                            int(table["clients"].max()),
                                            text.t(lang, "units.clients"))
    s.narrative.append(text.t(lang, "portfolio.summary", n=text.number(len(table), lang),
                              clients=text.number(int(table["clients"].max()), lang)))
    s.caveats.append(text.t(lang, "portfolio.rule", min=MIN_CLIENTS - 1))
    return s

"""A report section: what one practice found, as tables, figures, sentences and caveats."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

#: The sections of a report in reading order, for every renderer (report, workbook, deck).
ORDER = ("P1", "P2", "P3", "comments", "P4", "roadmap", "benchmark")


@dataclass
class Metric:
    """One headline figure with its sample size and, for estimates, its 95% interval.

    `value` and the bounds are unrounded; every renderer shows them with
    `cxlib.outputs.text.figure(value, kind, ...)`, so a card, a sentence and a table
    show the same digits.
    """

    value: float
    n: int
    unit: str = ""                 # "NPS points", "%", "USD", ...
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""                 # assumptions or a small-sample flag
    kind: str = "auto"             # how it reads: a key of cxlib.outputs.text.KINDS
    label: str = ""                # what the figure is, when the section names it itself

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None and v != ""}


@dataclass
class Section:
    """What one practice (P1-P4) or the roadmap found for one client.

    `missing` holds the one sentence shown when the inputs for the section are absent;
    everything else is then empty.
    """

    id: str                                         # "P1", "P2", "P3", "P4", "roadmap"
    title: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, go.Figure] = field(default_factory=dict)
    narrative: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    missing: str | None = None

    def figure(self, name: str):
        """A figure by name, or a note saying why this client's section has none."""
        if name in self.figures:
            return self.figures[name]
        return _Note(self.missing or f"No '{name}' chart for this client: "
                     + (" ".join(self.caveats[:1]) or "its inputs are missing."))

    def table(self, name: str):
        """A table by name, or a note saying why this client's section has none."""
        if name in self.tables:
            return self.tables[name]
        return _Note(self.missing or f"No '{name}' table for this client: "
                     + (" ".join(self.caveats[:1]) or "its inputs are missing."))

    def _repr_html_(self) -> str:
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        if self.missing:
            parts.append(f"<p><em>{html.escape(self.missing)}</em></p>")
        parts += [f"<p>{html.escape(s)}</p>" for s in self.narrative]
        if self.metrics:
            rows = "".join(
                f"<tr><td>{html.escape(k)}</td><td>{m.value:,}</td><td>{html.escape(m.unit)}</td>"
                f"<td>{'' if m.ci_low is None else f'{m.ci_low:,} to {m.ci_high:,}'}</td>"
                f"<td>{m.n:,}</td></tr>" for k, m in self.metrics.items())
            parts.append("<table><tr><th>metric</th><th>value</th><th>unit</th>"
                         f"<th>95% CI</th><th>n</th></tr>{rows}</table>")
        if self.caveats:
            parts.append("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in self.caveats)
                         + "</ul>")
        return "\n".join(parts)

    def to_json(self) -> str:
        return json.dumps({
            "id": self.id,
            "title": self.title,
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            # 15 digits (pandas' most): a table keeps the very figure its metric shows.
            "tables": {k: t.to_json(orient="table", force_ascii=False, double_precision=15)
                       for k, t in self.tables.items()},
            "figures": {k: f.to_json() for k, f in self.figures.items()},
            "narrative": self.narrative,
            "caveats": self.caveats,
            "missing": self.missing,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Section":
        data = json.loads(text)
        return cls(
            id=data["id"],
            title=data["title"],
            metrics={k: Metric(**m) for k, m in data["metrics"].items()},
            tables={k: pd.read_json(StringIO(t), orient="table")
                    for k, t in data["tables"].items()},
            figures={k: pio.from_json(f) for k, f in data["figures"].items()},
            narrative=data["narrative"],
            caveats=data["caveats"],
            missing=data["missing"],
        )


class _Note:
    """A sentence shown in place of a chart or table a client's data cannot give."""

    def __init__(self, sentence: str):
        self.sentence = sentence

    def _repr_html_(self) -> str:
        return f"<p><em>{html.escape(self.sentence)}</em></p>"

    def __repr__(self) -> str:
        return self.sentence


SECTIONS_DIR = "sections"


def save_section(section: Section, output_dir: str | Path) -> Path | None:
    """Write a section where `cx run` assembles the report; do nothing without an output_dir."""
    if not output_dir:
        return None
    folder = Path(output_dir) / SECTIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{section.id}.json"
    path.write_text(section.to_json(), encoding="utf-8")
    return path


def load_sections(output_dir: str | Path) -> dict[str, Section]:
    """Read back every section a run wrote, by id."""
    folder = Path(output_dir) / SECTIONS_DIR
    return {p.stem: Section.from_json(p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("*.json"))}

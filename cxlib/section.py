"""A report section: what one practice found, as tables, figures, sentences and caveats."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio


@dataclass
class Metric:
    """One headline figure with its sample size and, for estimates, its 95% interval."""

    value: float
    n: int
    unit: str = ""                 # "NPS points", "%", "USD", ...
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""                 # assumptions or a small-sample flag

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

    def to_json(self) -> str:
        return json.dumps({
            "id": self.id,
            "title": self.title,
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "tables": {k: t.to_json(orient="table", force_ascii=False)
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

"""Hypothesis generators of survey clients as a consultant receives them, for property tests.

`clients()` draws a ClientSpec: a survey with any kind of overall question (NPS 0-10,
satisfaction 1-5, 1-7, 1-10, 0-100, binary), touchpoints on their own scales with and
without expectation and importance ratings, randomly skipped items (a share of missing
answers per column, up to nearly all), constant columns, heavy ties, segments with tiny
groups or a single value, everyone in one loyalty group, and optionally a CRM extract
(retention all the same or mixed, revenue constant or spread, few or many matches) and
a touchpoint catalogue; with `comments=True`, an open comment per respondent (comments.py)
and the codebook, names and country to read and redact them. `write_client(spec, folder)`
writes it as files with a client.yml, so every property runs the real path: readers,
checks, practices, report.

Use it as `@given(clients())`; `clients(min_respondents=..., outcomes=True)` narrows it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from hypothesis import strategies as st

from .comments import NAMES, comment_lists, write_codebook

#: Every kind of overall question, as client.yml names it: (kind, low, high).
SCALES = {
    "nps": ("nps", 0, 10),
    "sat5": ("satisfaction", 1, 5),
    "sat7": ("satisfaction", 1, 7),
    "sat10": ("satisfaction", 1, 10),
    "sat100": ("satisfaction", 0, 100),
    "binary": ("binary", 0, 1),
}
#: Touchpoint rating scales.
RATING_SCALES = ((1, 5), (1, 7), (1, 10), (0, 10))
STAGES = ("awareness", "discovery", "purchase", "use", "advocacy")
#: How answers spread over a scale: any value, a few values (ties), one value (constant).
SPREADS = ("any", "ties", "constant")


@dataclass
class Touchpoint:
    """One touchpoint's ratings: perception always, expectation and importance maybe."""

    id: str
    scale: tuple[int, int]
    perception: list
    expectation: list | None = None
    importance: list | None = None


@dataclass
class ClientSpec:
    """Everything a generated client's files hold."""

    scale: str                                   # a key of SCALES
    overall: list                                # one answer per respondent, None = skipped
    touchpoints: list[Touchpoint]
    segments: dict[str, list] = field(default_factory=dict)
    outcomes: pd.DataFrame | None = None         # customer_id, retained, revenue
    catalogue: bool = False
    language: str = "en"
    comments: list | None = None                 # one open comment per respondent, None = none

    @property
    def n(self) -> int:
        return len(self.overall)


def _answers(draw, n: int, low: int, high: int, spread: str, missing: float,
             base: np.ndarray | None = None) -> list:
    """n answers on low..high as integers (None where skipped), with the chosen spread."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if spread == "constant":
        values = np.full(n, draw(st.integers(low, high)))
    elif spread == "ties":
        pool = draw(st.lists(st.integers(low, high), min_size=1, max_size=3, unique=True))
        values = rng.choice(pool, size=n)
    elif base is not None:       # loosely follows the overall answer, as real drivers do
        noise = rng.normal(0, draw(st.floats(0.1, 2.0)), size=n)
        values = np.clip(np.round(low + (high - low) * base + noise * (high - low) / 4), low, high)
    else:
        values = rng.integers(low, high + 1, size=n)
    skipped = rng.random(n) < missing
    return [None if s else int(v) for v, s in zip(values, skipped)]


@st.composite
def clients(draw, min_respondents: int = 1, max_respondents: int = 120,
            outcomes: bool | None = None, language: str | None = None,
            comments: bool = False) -> ClientSpec:
    """A ClientSpec: see the module docstring for what varies; with comments=True, open
    comments too (generators.comments.comment_lists, following the overall answer)."""
    n = draw(st.integers(min_respondents, max_respondents))
    scale = draw(st.sampled_from(sorted(SCALES)))
    kind, low, high = SCALES[scale]
    spread = draw(st.sampled_from(SPREADS + ("any", "any")))     # mostly real spread
    overall = _answers(draw, n, low, high, spread, draw(st.sampled_from((0.0, 0.0, 0.1, 0.5))))
    present = np.array([np.nan if v is None else v for v in overall], dtype=float)
    base = np.nan_to_num((present - low) / (high - low), nan=0.5)
    touchpoints = []
    for i in range(draw(st.integers(1, 5))):
        t_low, t_high = draw(st.sampled_from(RATING_SCALES))
        missing = draw(st.sampled_from((0.0, 0.2, 0.6, 0.95)))
        t_spread = draw(st.sampled_from(SPREADS + ("any", "any")))
        related = base if draw(st.booleans()) else None
        tp = Touchpoint(f"tp{i + 1}", (t_low, t_high),
                        _answers(draw, n, t_low, t_high, t_spread, missing, related))
        if draw(st.booleans()):
            tp.expectation = _answers(draw, n, t_low, t_high, draw(st.sampled_from(SPREADS)),
                                      missing)
        if draw(st.integers(0, 2)) == 0:
            tp.importance = _answers(draw, n, t_low, t_high, "any", missing)
        touchpoints.append(tp)
    segments = {}
    for name in draw(st.lists(st.sampled_from(("Region", "Plan", "Tenure")), max_size=2,
                              unique=True)):
        values = draw(st.lists(st.sampled_from(("North", "South", "East", "West", "Prepaid")),
                               min_size=1, max_size=4, unique=True))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        weights = rng.dirichlet(np.full(len(values), draw(st.sampled_from((0.2, 1.0, 5.0)))))
        chosen = rng.choice(values, size=n, p=weights)
        gaps = rng.random(n) < draw(st.sampled_from((0.0, 0.1)))
        segments[name] = [None if g else str(v) for v, g in zip(chosen, gaps)]
    crm = None
    if outcomes if outcomes is not None else draw(st.booleans()):
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        matched = rng.random(n) < draw(st.sampled_from((0.3, 0.9, 1.0)))
        ids = [f"C{i:04d}" for i in range(n) if matched[i]]
        mode = draw(st.sampled_from(("mixed", "linked", "all_retained")))
        p = {"mixed": np.full(n, 0.7), "linked": 0.3 + 0.6 * base,
             "all_retained": np.ones(n)}[mode]
        retained = (rng.random(n) < p).astype(int)[matched]
        revenue = (np.full(len(ids), 500.0) if draw(st.booleans()) and len(ids) > 0
                   else np.round(rng.gamma(2.0, 300.0, size=len(ids)), 2))
        crm = pd.DataFrame({"customer_id": ids, "retained": retained, "revenue": revenue})
    spec = ClientSpec(scale, overall, touchpoints, segments, crm, draw(st.booleans()),
                      language or draw(st.sampled_from(("en", "en", "zh"))))
    if comments:
        spec.comments = draw(comment_lists(n, base))
    return spec


def _overall_entry(spec: ClientSpec) -> dict:
    kind, low, high = SCALES[spec.scale]
    if kind == "nps":
        return {"nps": "Q1"}
    if kind == "binary":
        return {"binary": "Q1", "positive": "yes"}
    return {"satisfaction": "Q1", "scale": [low, high]}


def write_client(spec: ClientSpec, folder: Path) -> Path:
    """Write the spec as a client folder: survey.csv, crm.csv, touchpoints.csv, client.yml."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kind = SCALES[spec.scale][0]
    overall = ([None if v is None else ("yes" if v == 1 else "no") for v in spec.overall]
               if kind == "binary" else spec.overall)
    survey = {"ResponseId": [f"R{i + 1}" for i in range(spec.n)], "Q1": overall}
    rated = {}
    for tp in spec.touchpoints:
        entry = {"perception": f"{tp.id}_p", "scale": list(tp.scale)}
        survey[f"{tp.id}_p"] = tp.perception
        for what, values in (("expectation", tp.expectation), ("importance", tp.importance)):
            if values is not None:
                survey[f"{tp.id}_{what[0]}"] = values
                entry[what] = f"{tp.id}_{what[0]}"
        rated[tp.id] = entry
    survey.update(spec.segments)
    if spec.comments is not None:
        survey["Comment"] = spec.comments
    config = {"client": "Generated client", "language": spec.language, "currency": "USD",
              "survey": {"file": "survey.csv", "respondent_id": "ResponseId",
                         "overall": _overall_entry(spec), "touchpoints": rated}}
    if spec.segments:
        config["survey"]["segments"] = list(spec.segments)
    if spec.outcomes is not None:
        survey["CustomerID"] = [f"C{i:04d}" for i in range(spec.n)]
        config["survey"]["customer_id"] = "CustomerID"
        spec.outcomes.to_csv(folder / "crm.csv", index=False)
        config["outcomes"] = {"file": "crm.csv", "customer_id": "customer_id",
                              "retained": "retained", "revenue": "revenue"}
    if spec.catalogue:
        pd.DataFrame({"id": [tp.id for tp in spec.touchpoints],
                      "name": [f"Touchpoint {tp.id[2:]}" for tp in spec.touchpoints],
                      "stage": [STAGES[i % len(STAGES)] for i in range(len(spec.touchpoints))],
                      "channel": "web", "owner": "Service", "description": "",
                      "expectation": ""}).to_csv(folder / "touchpoints.csv", index=False)
        config["touchpoints"] = "touchpoints.csv"
    frame = pd.DataFrame(survey)
    for column in frame.columns:           # whole numbers stay whole in the file
        if frame[column].dtype == float:
            frame[column] = frame[column].astype("Int64")
    frame.to_csv(folder / "survey.csv", index=False)
    if spec.comments is not None:
        config["survey"]["comments"] = "Comment"
        config["codebook"] = "codebook.yml"
        config["redact"] = list(NAMES)
        config["country"] = "US"
        write_codebook(folder)
    (folder / "client.yml").write_text(yaml.safe_dump(config, allow_unicode=True,
                                                      sort_keys=False), encoding="utf-8")
    return folder


def load_written(spec: ClientSpec, folder: Path):
    """The spec written to folder and loaded as `cx run --allow-small` loads it; None when
    load_client refuses it with a DataError (a clear message to the user, not a crash)."""
    from cxlib.errors import DataError
    from cxlib.inputs.client import load_client

    write_client(spec, folder)
    try:
        return load_client(folder, allow_small=True)
    except DataError:
        return None

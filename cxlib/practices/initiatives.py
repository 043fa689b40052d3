"""The roadmap: initiatives from breakpoints, switching hotspots and weak elements, then the
consultant's overrides and a 30/60/90-day plan.

Each initiative comes from a template in templates/initiatives.csv (editable data), keyed
by its trigger: `breakpoint` (a moment of truth), `gap` (another breakpoint), `hotspot`
(where customers switch from self-service to assisted) or an element id (B1..MT).
"""
from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd

from .. import paths
from ..errors import DataError, Problem, quoted
from .maturity import ELEMENT_NAMES_ZH

LIBRARY = paths.INITIATIVES
LIBRARY_FILE = "templates/initiatives.csv"
OVERRIDES_FILE = "roadmap overrides"

#: P4's five capability categories: the columns of the roadmap.
CATEGORIES = ("systems", "tools", "processes", "skills", "content")
#: James Allen's three Ds.
DS = ("design", "deliver", "develop")
HORIZONS = (30, 60, 90)
TRIGGERS = ("breakpoint", "gap", "hotspot")

#: Quick wins (impact at least this, effort at most QUICK_WIN_EFFORT) go into the first 30 days.
QUICK_WIN_IMPACT = 4
QUICK_WIN_EFFORT = 2
#: Horizon of an initiative the consultant adds without giving one (unless a quick win).
DEFAULT_HORIZON = 60
#: Impact and effort of an added initiative that does not give them: the middle of 1-5.
DEFAULT_SCORE = 3
#: Who owns an initiative whose template says "{owner}" when the touchpoint has no owner.
OWNER_UNKNOWN = "CX lead"

COLUMNS = ["initiative", "title", "source", "ref", "category", "d", "owner", "impact",
           "impact_revenue", "effort", "priority", "horizon"]
PLAN_COLUMNS = ["initiative", "title", "owner", "category", "start_day", "end_day", "horizon"]
OVERRIDE_COLUMNS = ("initiative", "title", "category", "d", "owner", "impact", "effort",
                    "horizon", "drop")
YES = ("yes", "y", "true", "1", "x")
NO = ("no", "n", "false", "0", "")


# -- values: parsing and checking cells ----------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) \
        or str(value).strip() == ""


def _whole(value, allowed) -> int | None:
    """A whole number among `allowed` from a cell ("3", "3.0", 3), or None."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and int(number) in allowed else None


def _choice(value, allowed) -> str | None:
    text = str(value).strip().lower()
    return text if text in allowed else None


def _text(value) -> str | None:
    return None if _blank(value) else str(value).strip()


def _flag(value) -> bool | None:
    text = "" if _blank(value) else str(value).strip().lower()
    return True if text in YES else False if text in NO else None


#: column -> (parser returning None for a bad value, what a good value is)
PARSERS = {
    "title": (_text, "a title"),
    "owner": (_text, "a function"),
    "category": (lambda v: _choice(v, CATEGORIES), "one of " + ", ".join(CATEGORIES)),
    "d": (lambda v: _choice(v, DS), "one of " + ", ".join(DS)),
    "impact": (lambda v: _whole(v, range(1, 6)), "a whole number 1-5"),
    "effort": (lambda v: _whole(v, range(1, 6)), "a whole number 1-5"),
    "horizon": (lambda v: _whole(v, HORIZONS), "30, 60 or 90 (days)"),
    "horizon_days": (lambda v: _whole(v, HORIZONS), "30, 60 or 90 (days)"),
    "drop": (_flag, "yes or no"),
}


def _parsed(frame: pd.DataFrame, file: str, columns) -> tuple[pd.DataFrame, list[Problem]]:
    """Non-blank cells of `columns` parsed (blank stays None) and a problem per bad cell.

    Row numbers are as the person sees the file: index + 2 (one header line).
    """
    problems, values = [], {}
    for column in columns:
        parse, expected = PARSERS[column]
        cells = []
        for index, value in frame[column].items():
            if _blank(value) and column != "drop":
                cells.append(None)
                continue
            parsed = parse(value)
            if parsed is None:
                problems.append(Problem(file, int(index) + 2, column, expected, quoted(value)))
            cells.append(parsed)
        values[column] = pd.Series(cells, index=frame.index, dtype=object)
    return pd.DataFrame(values, index=frame.index), problems


# -- the library -----------------------------------------------------------------------

def check_library(library: pd.DataFrame) -> pd.DataFrame:
    """The initiative library with effort and horizon_days as numbers; raise on bad cells.

    Parameters: library -- frame with trigger, title_en, title_zh, category, d, owner,
    effort, horizon_days (text as read).
    Returns: a checked copy. Raises DataError naming every bad cell.
    """
    expected = ["trigger", "title_en", "title_zh", "category", "d", "owner", "effort",
                "horizon_days"]
    absent = [c for c in expected if c not in library.columns]
    if absent:
        raise DataError([Problem(LIBRARY_FILE, None, c, "this column",
                                 "columns " + ", ".join(map(str, library.columns)))
                         for c in absent])
    library = library.reset_index(drop=True)
    values, problems = _parsed(library, LIBRARY_FILE,
                               ["category", "d", "effort", "horizon_days"])
    for column in ("trigger", "title_en", "owner", "category", "d", "effort", "horizon_days"):
        problems += [Problem(LIBRARY_FILE, i + 2, column, "a value", "an empty cell")
                     for i in np.flatnonzero(library[column].map(_blank).to_numpy())]
    if problems:
        raise DataError(problems)
    checked = library.copy()
    for column in values.columns:
        checked[column] = values[column]
    checked["title_zh"] = [zh if not _blank(zh) else en
                           for zh, en in zip(checked["title_zh"], checked["title_en"])]
    return checked.astype({"effort": int, "horizon_days": int, "category": str, "d": str})


@cache
def _library() -> pd.DataFrame:
    return check_library(pd.read_csv(LIBRARY, dtype=str, keep_default_na=False))


def initiative_library() -> pd.DataFrame:
    """The consultancy's editable initiative templates (templates/initiatives.csv), checked."""
    return _library().copy()


def _template(library: pd.DataFrame, trigger: str, d: str | None = None) -> pd.Series:
    """The first template for `trigger`; for breakpoints the first whose d matches."""
    rows = library[library["trigger"] == trigger]
    if rows.empty:
        raise DataError([Problem(LIBRARY_FILE, None, "trigger",
                                 f"a row for trigger {trigger}", "none")])
    matching = rows[rows["d"] == d]
    return (matching if not matching.empty else rows).iloc[0]


def _row(template: pd.Series, language: str, ident: str, source: str, ref: str,
         label: str, owner: str | None, impact: int, revenue: float = np.nan) -> dict:
    title = template["title_zh" if language == "zh" else "title_en"]
    title = title.replace("{touchpoint}", label).replace("{element}", label)
    wanted = template["owner"]
    if wanted == "{owner}":
        wanted = owner if not _blank(owner) else OWNER_UNKNOWN
    return {"initiative": ident, "title": title, "source": source, "ref": ref,
            "category": template["category"], "d": template["d"], "owner": wanted,
            "impact": impact, "impact_revenue": revenue, "effort": int(template["effort"]),
            "horizon": int(template["horizon_days"])}


# -- impact ----------------------------------------------------------------------------

def _score(strength: float) -> int:
    """A strength in [0, 1] as an impact 1-5: 1 + 4 x strength, halves rounded up."""
    if np.isnan(strength):
        return DEFAULT_SCORE
    return 1 + int(math.floor(4 * min(max(strength, 0.0), 1.0) + 0.5))


def _relative(values: pd.Series) -> pd.Series:
    """Values as a share of the largest (0 when all are 0)."""
    top = values.max()
    return values / top if top > 0 else values * 0.0


def _revenue_map(revenue_by_touchpoint) -> pd.Series:
    """revenue_by_touchpoint as a float Series indexed by touchpoint id."""
    if revenue_by_touchpoint is None:
        return pd.Series(dtype=float)
    if isinstance(revenue_by_touchpoint, dict):
        return pd.Series(revenue_by_touchpoint, dtype=float)
    if isinstance(revenue_by_touchpoint, pd.DataFrame):
        frame = revenue_by_touchpoint
        if "touchpoint" in frame.columns:
            frame = frame.set_index("touchpoint")
        if frame.shape[1] != 1:
            raise ValueError("revenue_by_touchpoint must have one money column beside the "
                             f"touchpoint, got columns {list(frame.columns)}")
        return frame.iloc[:, 0].astype(float)
    return revenue_by_touchpoint.astype(float)


def _importance(breakpoints: pd.DataFrame) -> pd.Series:
    """How much each breakpoint matters: its driver weight when the frame has any, else
    its stated importance, else 1; a missing value takes the column's median."""
    for column in ("weight", "importance"):
        if column in breakpoints and breakpoints[column].notna().any():
            values = breakpoints[column].astype(float)
            return values.fillna(values.median())
    return pd.Series(1.0, index=breakpoints.index)


def _from_breakpoints(breakpoints, revenue_by_touchpoint, library, language) -> list[dict]:
    """One initiative per breakpoint; moments of truth take a `breakpoint` template, other
    breakpoints a `gap` template, with the d the journey analysis gave.

    Impact: strength = |gap| x importance (see `_importance`), relative to the largest
    among the breakpoints, as `_score`; a moment of truth adds 1 (at most 5).
    impact_revenue = revenue_by_touchpoint[touchpoint] as given: the money the caller
    allocates to the touchpoint (e.g. P1's what-if value shared by driver weight). The
    assumption is that the initiative closes the breakpoint and so earns that whole
    share, which makes it an upper bound; NaN for touchpoints without a value.
    """
    if breakpoints is None or breakpoints.empty:
        return []
    strength = _relative(breakpoints["gap"].astype(float).abs() * _importance(breakpoints))
    truth = (breakpoints["moment_of_truth"].fillna(False).astype(bool)
             if "moment_of_truth" in breakpoints else pd.Series(True, breakpoints.index))
    revenue = _revenue_map(revenue_by_touchpoint)
    rows = []
    for touchpoint, bp in breakpoints.iterrows():
        template = _template(library, "breakpoint" if truth[touchpoint] else "gap",
                             bp.get("d"))
        impact = min(_score(strength[touchpoint]) + int(truth[touchpoint]), 5)
        name = bp.get("name")
        rows.append(_row(template, language, f"bp-{touchpoint}", "breakpoint", touchpoint,
                         touchpoint if _blank(name) else name, bp.get("owner"), impact,
                         float(revenue.get(touchpoint, np.nan))))
    return rows


def _from_hotspots(hotspots, library, language) -> list[dict]:
    """One initiative per switching hotspot; impact from its share of all switches,
    relative to the largest share (from `switches` when there is no `share`)."""
    if hotspots is None or hotspots.empty:
        return []
    share = (hotspots["share"] if "share" in hotspots else hotspots["switches"]).astype(float)
    strength = _relative(share.fillna(0.0))
    template = _template(library, "hotspot")
    return [_row(template, language, f"hs-{touchpoint}", "hotspot", touchpoint,
                 touchpoint if _blank(hs.get("name")) else hs["name"], hs.get("owner"),
                 _score(strength[touchpoint]))
            for touchpoint, hs in hotspots.iterrows()]


def _from_elements(weak_elements, library, language) -> list[dict]:
    """One initiative per weak element; impact from its shortfall from the top of the
    1-5 scale, (5 - mean) / 4, as `_score` (a mean of 3 gives 3, 2 gives 4)."""
    if weak_elements is None or weak_elements.empty:
        return []
    rows = []
    for _, el in weak_elements.iterrows():
        element = el["element"]
        label = ELEMENT_NAMES_ZH.get(element) if language == "zh" else None
        if label is None:
            label = element if _blank(el.get("name")) else el["name"]
        mean = float(el["mean"]) if "mean" in el and not _blank(el["mean"]) else np.nan
        rows.append(_row(_template(library, element), language, f"el-{element}", "element",
                         element, label, None, _score((5 - mean) / 4)))
    return rows


def _prioritised(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ranked by impact / effort, highest first; ties keep their order."""
    ratio = frame["impact"] / frame["effort"]
    order = ratio.reset_index(drop=True).sort_values(ascending=False, kind="stable").index
    frame = frame.reset_index(drop=True).loc[order].reset_index(drop=True)
    frame["priority"] = np.arange(1, len(frame) + 1)
    return frame


def _quick_win(impact, effort) -> bool:
    return impact >= QUICK_WIN_IMPACT and effort <= QUICK_WIN_EFFORT


def initiatives(breakpoints: pd.DataFrame | None = None, hotspots: pd.DataFrame | None = None,
                weak_elements: pd.DataFrame | None = None, revenue_by_touchpoint=None,
                library: pd.DataFrame | None = None, language: str = "en") -> pd.DataFrame:
    """Initiatives for every breakpoint, switching hotspot and weak element, ranked.

    Impact (1-5) is 1 + 4 x strength, rounded, where strength in [0, 1] is: for
    breakpoints |gap| x driver weight (else stated importance) relative to the
    largest, +1 for a moment of truth (at most 5); for hotspots the share of switches
    relative to the largest; for elements the shortfall (5 - mean) / 4. Relative
    strengths rank a client's own breakpoints and hotspots against each other: the
    largest always scores 5. Effort, category, d and owner come from the template.
    Priority ranks impact / effort, highest first, ties in input order (breakpoints,
    hotspots, elements). Horizon is 30 days for quick wins (impact >= QUICK_WIN_IMPACT
    and effort <= QUICK_WIN_EFFORT), else the template's.

    Parameters: breakpoints -- index touchpoint; name, owner, gap, weight and/or
    importance, d, moment_of_truth (e.g. `journey.three_ds` output); hotspots -- index
    touchpoint; switches, share, name (e.g. `journey.switch_hotspots`); weak_elements --
    element, instrument, name, mean (e.g. `maturity.growth_opportunities`);
    revenue_by_touchpoint -- touchpoint -> money value allocated to the touchpoint (Series,
    dict, or frame with touchpoint and one money column), see `_from_breakpoints` for
    the assumption; library -- templates (default `initiative_library()`); language --
    "en" or "zh" for titles.
    Returns: frame with COLUMNS sorted by priority; empty with COLUMNS without inputs.
    """
    library = initiative_library() if library is None else check_library(library)
    rows = (_from_breakpoints(breakpoints, revenue_by_touchpoint, library, language)
            + _from_hotspots(hotspots, library, language)
            + _from_elements(weak_elements, library, language))
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame(rows)
    duplicated = frame["initiative"][frame["initiative"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"initiative ids must be unique, got {list(duplicated)} twice: "
                         "is a touchpoint or element listed twice?")
    quick = [_quick_win(i, e) for i, e in zip(frame["impact"], frame["effort"])]
    frame["horizon"] = np.where(quick, HORIZONS[0], frame["horizon"])
    return _prioritised(frame)[COLUMNS]


# -- overrides -------------------------------------------------------------------------

def _override_problems(overrides: pd.DataFrame, values: pd.DataFrame, known: set) -> list:
    """Problems beyond single cells: ids missing, repeated, unknown without a title."""
    problems, seen = [], {}
    for index, ident in overrides["initiative"].items():
        row = int(index) + 2
        if _blank(ident):
            problems.append(Problem(OVERRIDES_FILE, row, "initiative", "an initiative id",
                                    "an empty cell"))
            continue
        ident = str(ident).strip()
        if ident in seen:
            problems.append(Problem(OVERRIDES_FILE, row, "initiative",
                                    "each initiative once", f"{quoted(ident)}, already in "
                                    f"row {seen[ident]}"))
        seen.setdefault(ident, row)
        drop = "drop" in values and values.at[index, "drop"] is True
        if ident not in known and drop:
            problems.append(Problem(OVERRIDES_FILE, row, "initiative",
                                    "an initiative of the generated roadmap to drop",
                                    quoted(ident)))
        elif ident not in known and ("title" not in values or values.at[index, "title"] is None):
            problems.append(Problem(OVERRIDES_FILE, row, "title",
                                    f"a title for the new initiative {ident}", "an empty cell"))
    return problems


def _new_initiative(ident: str, cells: dict) -> dict:
    """An initiative the consultant adds: the given cells over documented defaults."""
    impact = cells.get("impact") or DEFAULT_SCORE
    effort = cells.get("effort") or DEFAULT_SCORE
    row = {"initiative": ident, "source": "override", "ref": "", "category": None, "d": None,
           "owner": OWNER_UNKNOWN, "impact": impact, "impact_revenue": np.nan,
           "effort": effort, "priority": 0,
           "horizon": HORIZONS[0] if _quick_win(impact, effort) else DEFAULT_HORIZON,
           "overridden": True}
    return row | cells


def apply_overrides(initiatives: pd.DataFrame, overrides: pd.DataFrame | None) -> pd.DataFrame:
    """The roadmap after the consultant's overrides, re-prioritised.

    A non-blank cell replaces the generated value; `drop` yes removes the initiative; an
    id not in the roadmap adds an initiative (it needs a title; impact and effort default
    to 3, owner to OWNER_UNKNOWN, category and d stay empty). Horizon changes only when
    given. Every bad value is reported at once.

    Parameters: initiatives -- `initiatives` output; overrides -- frame as read from the
    roadmap file (initiative and any of title, category, d, owner, impact, effort,
    horizon, drop; text, blank for no change), RangeIndex from 0 for the first data row.
    Returns: frame with COLUMNS and `overridden` (bool), sorted by priority. Raises
    DataError (file "roadmap overrides", row as in the file) on bad values.
    """
    result = initiatives.copy()
    result["overridden"] = False
    if overrides is None or overrides.empty:
        return result
    unknown = [c for c in overrides.columns if c not in OVERRIDE_COLUMNS]
    problems = [Problem(OVERRIDES_FILE, None, str(c), "one of " + ", ".join(OVERRIDE_COLUMNS),
                        quoted(c)) for c in unknown]
    if "initiative" not in overrides.columns:
        problems.append(Problem(OVERRIDES_FILE, None, "initiative", "this column",
                                "columns " + ", ".join(map(str, overrides.columns))))
        raise DataError(problems)
    given = [c for c in OVERRIDE_COLUMNS[1:] if c in overrides.columns]
    values, cell_problems = _parsed(overrides, OVERRIDES_FILE, given)
    problems += cell_problems + _override_problems(overrides, values,
                                                   set(result["initiative"]))
    if problems:
        raise DataError(problems)
    result = result.set_index("initiative", drop=False)
    added = []
    for index, ident in overrides["initiative"].items():
        ident = str(ident).strip()
        cells = {c: values.at[index, c] for c in given if values.at[index, c] is not None}
        if cells.pop("drop", False):
            result = result.drop(index=ident)
        elif ident not in result.index:
            added.append(_new_initiative(ident, cells))
        elif cells:
            for column, value in cells.items():
                result.at[ident, column] = value
            result.at[ident, "overridden"] = True
    result = pd.concat([result.reset_index(drop=True), pd.DataFrame(added)], ignore_index=True)
    result = result.astype({"impact": int, "effort": int, "horizon": int, "overridden": bool,
                            "impact_revenue": float})
    return _prioritised(result)[COLUMNS + ["overridden"]]


# -- plan ------------------------------------------------------------------------------

def plan(initiatives: pd.DataFrame) -> pd.DataFrame:
    """The 30/60/90-day plan for a timeline chart: each horizon's initiatives run through it.

    An initiative in horizon h starts on day h - 30 (0, 30 or 60) and ends on day h.

    Parameters: initiatives -- `initiatives` or `apply_overrides` output.
    Returns: frame with PLAN_COLUMNS, ordered by horizon, then priority.
    """
    if initiatives.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    ordered = initiatives.sort_values(["horizon", "priority"], kind="stable")
    frame = ordered.assign(start_day=ordered["horizon"].astype(int) - 30,
                           end_day=ordered["horizon"].astype(int))
    return frame[PLAN_COLUMNS].reset_index(drop=True)

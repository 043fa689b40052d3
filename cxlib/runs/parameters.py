"""The parameters of a run: one declaration, checked values, and where each value came from.

A value comes from the declaration's default, from the client's settings.yml (which an
analyst writes from the notebooks, or a consultant by hand), or from `cx run -p`; the
command line wins over settings.yml, which wins over the default. The notebooks'
`parameters` cells declare the same names, types and defaults (tests/test_parameters.py).
"""
from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import DataError, Problem, UsageError, quoted

SETTINGS_FILE = "settings.yml"
#: A settings file is a handful of lines; anything far larger is not one.
_SETTINGS_MAX_BYTES = 64 * 1024
DEFAULT, SETTINGS, COMMAND_LINE = "default", SETTINGS_FILE, "command line"


@dataclass(frozen=True)
class Parameter:
    """One run parameter: its type, default, allowed range and meaning."""

    name: str
    type: type
    default: object
    low: float
    high: float
    help: str
    low_open: bool = False          # True: the low end itself is not allowed

    def expected(self) -> str:
        """The allowed values in words, as problems state them."""
        low = f"above {self.low:g}" if self.low_open else f"at least {self.low:g}"
        if math.isinf(self.high):
            return f"a number {low}"
        return f"a number {low} and at most {self.high:g}"

    def allows(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high


#: Every run parameter, in the order the appendix lists them.
PARAMETERS = {p.name: p for p in (
    Parameter("threshold", float, 0.5, 0.0, math.inf,
              "breakpoint: perception below expectation by more than this many rating points"),
    Parameter("alpha", float, 0.05, 0.0, 0.5,
              "significance level for gaps (Holm-adjusted across touchpoints)", low_open=True),
    Parameter("what_if_share", float, 0.2, 0.0, 1.0,
              "share of the lowest loyalty group moved up one group in the what-if"),
)}
#: What `cx run` itself passes to every notebook; not settings a user chooses.
RUN_INPUTS = ("client", "output_dir", "live")


@dataclass(frozen=True)
class Setting:
    """The value a run uses for one parameter and where it came from."""

    value: object
    source: str                     # "default", "settings.yml" or "command line"


def defaults() -> dict:
    """Every parameter at its declared default."""
    return {name: p.default for name, p in PARAMETERS.items()}


def _problems(values: dict) -> tuple[dict, list[tuple[str, str, str]]]:
    """Typed values and (name, expected, got) for every unknown name or bad value."""
    typed, problems = {}, []
    for name, raw in values.items():
        spec = PARAMETERS.get(name)
        if spec is None:
            close = difflib.get_close_matches(str(name), PARAMETERS, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append((name, "one of " + ", ".join(PARAMETERS), f"'{name}'{hint}"))
            continue
        try:
            if isinstance(raw, bool):
                raise ValueError
            value = spec.type(raw)
        except (TypeError, ValueError):
            problems.append((name, spec.expected(), quoted(raw)))
            continue
        if math.isnan(value) or not spec.allows(value):
            problems.append((name, spec.expected(), quoted(raw)))
            continue
        typed[name] = value
    return typed, problems


def check(values: dict) -> dict:
    """Values converted to their declared types; raise UsageError naming every bad one.

    Parameters
    ----------
    values : parameter name -> value, as numbers or as the text given on a command line.

    Returns
    -------
    dict of the same names with typed values.
    """
    typed, problems = _problems(values)
    if problems:
        lines = [f"parameter '{n}': expected {e}, got {g}" if n in PARAMETERS
                 else f"unknown parameter {g} (expected {e})" for n, e, g in problems]
        raise UsageError("\n".join(lines))
    return typed


def read_settings(folder: str | Path) -> dict:
    """The checked values of a client's settings.yml ({} without one).

    Raises DataError naming the line and key of every problem, as client.yml's do.
    """
    path = Path(folder) / SETTINGS_FILE
    if not path.is_file():
        return {}

    def fail(line, key, expected, got):
        raise DataError([Problem(SETTINGS_FILE, line, key, expected, got)])

    if path.stat().st_size > _SETTINGS_MAX_BYTES:
        fail(None, None, f"a short file of parameter settings (under "
             f"{_SETTINGS_MAX_BYTES // 1024} KB)", f"{path.stat().st_size:,} bytes")
    try:
        text = path.read_bytes().decode("utf-8-sig")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        fail(None, None, "text in UTF-8", "other bytes")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        fail(mark.line + 1 if mark else None, None, "valid YAML",
             str(getattr(exc, "problem", None) or exc))
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        fail(root.start_mark.line + 1, None, "a mapping of parameter names to values, such "
             "as 'threshold: 0.3'", "something else")
    # Only a flat mapping of scalars is read, so aliases cannot expand into anything large.
    raw, lines, problems = {}, {}, []
    for key, node in root.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not isinstance(node, yaml.ScalarNode):
            problems.append(Problem(SETTINGS_FILE, line, str(getattr(key, "value", "")),
                                    "a single value", "a list or mapping"))
            continue
        if key.value in raw:
            problems.append(Problem(SETTINGS_FILE, line, key.value, "each parameter once",
                                    f"'{key.value}' again (first on line {lines[key.value]})"))
            continue
        raw[key.value] = yaml.SafeLoader("").construct_object(node)
        lines[key.value] = line
    typed, bad = _problems(raw)
    problems += [Problem(SETTINGS_FILE, lines[n], n, e, g) for n, e, g in bad]
    if problems:
        raise DataError(problems)
    return typed


def resolve(folder: str | Path | None, command_line: dict | None = None) -> dict[str, Setting]:
    """Every parameter's value for a run of the client in `folder`, and its source.

    Parameters
    ----------
    folder : the client's folder (its settings.yml is read), or None for defaults only.
    command_line : values given with `cx run -p`; they win over settings.yml.

    Returns
    -------
    parameter name -> Setting, in declaration order. Raises UsageError for a bad
    command-line value and DataError for a bad settings.yml.
    """
    given = check(command_line or {})
    stored = read_settings(folder) if folder is not None else {}
    settings = {}
    for name, spec in PARAMETERS.items():
        if name in given:
            settings[name] = Setting(given[name], COMMAND_LINE)
        elif name in stored:
            settings[name] = Setting(stored[name], SETTINGS)
        else:
            settings[name] = Setting(spec.default, DEFAULT)
    return settings


def values(settings: dict[str, Setting]) -> dict:
    """The plain values of resolved settings, as the notebooks take them."""
    return {name: s.value for name, s in settings.items()}


def records(settings: dict[str, Setting]) -> dict:
    """Resolved settings as plain data (results.json, the manifest, the appendix)."""
    return {name: {"value": s.value, "source": s.source} for name, s in settings.items()}


def write_settings(folder: str | Path, values: dict) -> Path:
    """Store parameter values in the client's settings.yml, keeping the others it holds.

    The values are checked first (UsageError, nothing written); the file is replaced in
    one rename, so a reader never sees half of it.
    """
    folder = Path(folder)
    merged = {**read_settings(folder), **check(values)}
    ordered = {name: merged[name] for name in PARAMETERS if name in merged}
    lines = ["# Run parameters for this client; `cx run -p NAME=VALUE` overrides them."]
    for name, value in ordered.items():
        lines.append(f"# {name}: {PARAMETERS[name].help}")
        lines.append(yaml.safe_dump({name: value}, default_flow_style=False).strip())
    path = folder / SETTINGS_FILE
    temporary = folder / f".{SETTINGS_FILE}.{os.getpid()}.tmp"
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path

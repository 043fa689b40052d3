"""The report's words in each language, and every figure formatted by the rule of its kind.

`figure(value, kind, language)` is the one formatter of numbers for every renderer: the
report's sentences and cards, its tables (`cell`), tables.xlsx (`excel_format`), charts,
the deck and the widgets. English and Simplified Chinese write numbers the same way
(1,234.5; 12.3%); they differ in where the currency goes (USD 67,565 against 67,565 USD)
and in dates (24 November 2026 against 2026年11月24日).
"""
from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache

import numpy as np
import pandas as pd
import yaml

from .. import paths

#: The languages a report can be written in (templates/i18n/<language>.yml).
LANGUAGES = ("en", "zh")
_REQUIRED = object()
_MINUS = "\u2212"
#: Coded result values shown in words: column -> where the language file keeps their names.
VALUE_NAMES = {"group": "groups", "next_group": "groups", "stage": "stages",
               "quadrant": "quadrants", "d": "values.d", "category": "values.category",
               "verdict": "values.verdict", "reason": "values.reason",
               "test": "values.test", "instrument": "instruments", "owner": "values.owner",
               "term": "values.term", "channel": "values.channel", "input": "values.input"}


@cache
def _strings(language: str) -> dict:
    path = paths.TEMPLATES / "i18n" / f"{language}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def t(language: str, key: str, /, default=_REQUIRED, **values):
    """The sentence or label `key` (dotted) in `language`, with `values` filled in.

    Parameters
    ----------
    language : "en" or "zh".
    key : a dotted key of the language file, e.g. "report.title"; a key of a mapping
        gives the mapping itself.
    default : what to return when the key is absent; without it an absent key raises
        KeyError naming the key and the file.
    values : the {placeholders} of the sentence.

    Returns
    -------
    str, or a dict for a mapping key.
    """
    node = _strings(language)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            if default is _REQUIRED:
                raise KeyError(f"'{key}' is not in templates/i18n/{language}.yml")
            return default
        node = node[part]
    return node.format(**values) if values and isinstance(node, str) else node


def column(name: str, language: str) -> str:
    """A column's readable header: its `columns` label, else the name with spaces."""
    labels = t(language, "columns", default={})
    return str(labels.get(name) or str(name).replace("_", " ").capitalize())


# -- figures: one rule per kind ------------------------------------------------------
#
# Every number the report, tables.xlsx, the deck and the widgets show is formatted here,
# by the rule of its kind, so a figure reads the same wherever it appears. Rounding is
# half away from zero on the shortest decimal form of the value (as Excel displays it),
# so the workbook's number formats show the same digits as the report.

@dataclass(frozen=True)
class Rule:
    """How one kind of figure reads: decimals, an explicit sign, a percent sign, a scale."""

    digits: int
    signed: bool = False
    percent: bool = False
    scale: float = 1.0         # a share in 0-1 is shown times 100


#: Every kind of figure and its rule. `kind(column)` says which kind a result column is.
KINDS = {
    "count": Rule(0),                              # whole numbers: n, customers: 1,234
    "share": Rule(1, percent=True, scale=100),     # a share in 0-1: 30.9%
    "percent": Rule(1, percent=True),              # a value already in percent: 43.9%
    "nps": Rule(1, signed=True),                   # NPS points, always signed: +12.3
    "gap": Rule(2, signed=True),                   # a difference of means: −0.62
    "mean": Rule(2),                               # a mean rating or score: 3.41
    "points": Rule(1),                             # the loyalty measure of a subgroup: 12.3
    "money": Rule(0),                              # whole units of the currency: USD 67,565
    "ratio": Rule(2),                              # an odds ratio: 1.34
    "r2": Rule(3),                                 # explained variance, raw weights: 0.467
    "p": Rule(3),                                  # a p-value: 0.042, below 0.001: <0.001
    "stat": Rule(2),                               # a test statistic or coefficient: 12.30
    "param": Rule(3),                              # a setting as given: 0.5, 0.05
    "param_share": Rule(3, percent=True, scale=100),   # a share setting as given: 20%
    "auto": Rule(2),                               # a number of no known kind
}
_EXACT = Context(prec=400)
#: The smallest p-value written out; smaller ones read "<0.001".
P_FLOOR = 0.001


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _rounded(value: float, digits: int) -> Decimal:
    """The value rounded half away from zero at `digits` decimals, from its shortest form."""
    exact = Decimal(repr(float(value)))
    # Enough digits for any float (up to 1e308) at a few decimals.
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=_EXACT)


def number(value: float, language: str, digits: int = 0) -> str:
    """A number with grouping and a true minus sign (no negative zero), or '–' if missing."""
    if _missing(value):
        return "–"
    if math.isinf(float(value)):
        return ("" if value > 0 else _MINUS) + "∞"
    rounded = _rounded(value, digits)
    if rounded == 0:
        rounded = abs(rounded)
    text = f"{rounded:,.{digits}f}"
    return _MINUS + text[1:] if text.startswith("-") else text


def _check_kind(kind: str) -> Rule:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return KINDS[kind]


def _bare(value: float, kind: str, language: str) -> str:
    """A present figure by its kind's rule, without currency; infinity as ∞."""
    rule = _check_kind(kind)
    value = float(value)
    if math.isinf(value):
        return number(value, language)
    if kind == "p" and value < P_FLOOR:
        return "<" + number(P_FLOOR, language, rule.digits)
    if kind == "auto":
        digits = 0 if value.is_integer() or abs(value) >= 1000 else rule.digits
        return number(value, language, digits)
    if kind.startswith("param"):
        shown = number(value * rule.scale, language, rule.digits)
        shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
        return shown + ("%" if rule.percent else "")
    shown = number(value * rule.scale, language, rule.digits)
    if rule.signed and not shown.startswith(_MINUS) and _rounded(value, rule.digits) != 0:
        shown = "+" + shown
    return shown + ("%" if rule.percent else "")


def figure(value, kind: str, language: str, currency: str = "") -> str:
    """A figure as sentences and cards show it, by the rule of its kind (see KINDS).

    Parameters
    ----------
    value : the figure, unrounded; None, NaN or infinity is said in words ("not available").
    kind : one of KINDS, e.g. "share" for a retention rate in 0-1.
    language : "en" or "zh".
    currency : for money, the currency named beside the amount ("USD 67,565" in English,
        "67,565 USD" in Chinese); without it the amount alone.

    Returns
    -------
    str, never empty, never "nan".
    """
    if _missing(value) or math.isinf(float(value)):
        _check_kind(kind)
        return t(language, "words.missing")
    shown = _bare(value, kind, language)
    if kind == "money" and currency:
        return f"{shown} {currency}" if language == "zh" else f"{currency} {shown}"
    return shown


def cell(value, column: str, language: str, previous: str | None = None) -> str:
    """A table cell as report tables show it: figures by their column's kind (money without
    the currency, which the header names), True as a tick, a missing value as '–'."""
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else ""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "–" if _missing(value) else _bare(value, kind(column, previous), language)
    return "" if value is None or value is pd.NA else str(value)


def interval(low, high, language: str, kind: str, currency: str = "") -> str:
    """'95% CI low to high' with both bounds by the rule of `kind`; in words if missing."""
    if _missing(low) or _missing(high):
        return t(language, "words.no_interval")
    return t(language, "words.interval", low=figure(low, kind, language, currency),
             high=figure(high, kind, language, currency))


def p_relation(p: float, language: str) -> str:
    """A p-value with its relation, as sentences use it: '= 0.042' or '< 0.001'."""
    if _missing(p):
        return t(language, "words.p_missing")
    return f"< {number(P_FLOOR, language, 3)}" if p < P_FLOOR else "= " + figure(p, "p", language)


def excel_format(kind: str, language: str = "en") -> str:
    """The Excel number format that shows a cell's value with the digits of its kind."""
    rule = _check_kind(kind)
    body = "#,##0" + ("." + "0" * rule.digits if rule.digits else "")
    if kind == "p":
        return f'[<{P_FLOOR}]"<{P_FLOOR}";0.000'
    if kind in ("auto", "param", "param_share"):
        return {"auto": "General", "param": "#,##0.###", "param_share": "0.###%"}[kind]
    if rule.scale == 100:
        return body + "%"
    if rule.percent:
        body += '"%"'
    if rule.signed:
        return f'+{body};"{_MINUS}"{body};{body}'
    return body


def quantity(n, noun: str, language: str) -> str:
    """A count with its noun in the right number: '1 answer', '1,234 answers', '3 个回答'."""
    forms = t(language, f"nouns.{noun}")
    form = forms["one"] if not _missing(n) and float(n) == 1 else forms["other"]
    return form.format(n=figure(n, "count", language))


def listing(items, language: str) -> str:
    """Names joined as a sentence lists them ('A, B and C'; 'A、B 和 C'); none in words."""
    items = [str(i) for i in items if not _missing(i) and str(i) != ""]
    if not items:
        return t(language, "words.none")
    if len(items) == 1:
        return items[0]
    comma, last = t(language, "words.list_comma"), t(language, "words.list_and")
    return comma.join(items[:-1]) + last + items[-1]


def sentences(parts, language: str) -> str:
    """Sentences run on in one paragraph: a space between them in English, none in Chinese."""
    return t(language, "words.sentence_gap").join(p for p in parts if p)


def date(day: dt.date, language: str) -> str:
    """A date as people write it in the language, without the locale's help."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# English month names, written out so dates do not depend on the machine's locale.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def escape(text: object) -> str:
    """Client text made safe for HTML."""
    return html.escape("" if text is None else str(text), quote=True)


#: Result columns by kind of figure; a column ending in _low or _high (an interval bound)
#: has its estimate's kind, and ci_low / ci_high follow the column before them.
COLUMN_KINDS = {
    "count": ("n", "n_a", "n_b", "n_perception", "n_first", "n_last", "customers", "journeys",
              "started_self_service", "ended_assisted_after_self_service", "switches",
              "switched_journeys", "interviews_n", "count", "rows", "priority", "impact",
              "effort", "horizon", "start_day", "end_day", "first_wave", "last_wave", "df",
              "surveyed", "surveyed_customers",
              "df2", "items", "cost", "answers", "touchpoints_rated", "respondents",
              "compared", "left_out", "left_out_n"),
    "share": ("share", "retention", "rate", "share_of_wallet", "share_with_switch",
              "what_if_share", "retention_lift", "satisfied_share", "churn"),
    "percent": ("rescaled", "weight", "derived_importance", "promoters", "passives",
                "detractors", "satisfied"),
    "nps": ("nps",),
    "gap": ("gap", "difference", "diff"),
    "points": ("with_value", "without_value"),
    "mean": ("mean", "perception", "expectation", "importance", "performance", "sentiment",
             "perception_sd", "function_spread", "function_sd", "mean_switches",
             "first_mean", "last_mean", "best_mean", "effort_mean"),
    "money": ("revenue", "revenue_total", "at_risk", "what_if_value", "what_if",
              "impact_revenue", "surveyed_revenue", "annual_revenue", "total_revenue",
              "base_revenue", "lowest_revenue", "scaled_revenue"),
    "ratio": ("odds_ratio", "or", "factor"),
    "r2": ("raw", "r_squared"),
    "p": ("p_value", "p_adjusted"),
    "stat": ("statistic", "t", "z", "coef", "se"),
}
_KIND_OF = {column: k for k, columns in COLUMN_KINDS.items() for column in columns}
_BOUND = re.compile(r"_(low|high)$")


def kind(column: str, previous: str | None = None) -> str:
    """The kind of figure a result column holds (see KINDS); "auto" when it is not known."""
    column = str(column)
    if column in ("ci_low", "ci_high"):
        return kind(previous) if previous is not None else "auto"
    if column in _KIND_OF:
        return _KIND_OF[column]
    base = _BOUND.sub("", column)
    if base != column and base in _KIND_OF:
        return _KIND_OF[base]
    return "p" if column.startswith("p_") else "auto"


def kinds(columns) -> list[str]:
    """The kind of each column of a table, ci_low and ci_high taking their estimate's."""
    found, estimate = [], None
    for name in map(str, columns):
        found.append(kind(name, estimate))
        if name not in ("ci_low", "ci_high"):
            estimate = name
    return found


def estimates(columns) -> list[str | None]:
    """For each column, the estimate a ci_low / ci_high column belongs to (else None)."""
    found, estimate = [], None
    for name in map(str, columns):
        found.append(estimate if name in ("ci_low", "ci_high") else None)
        if name not in ("ci_low", "ci_high"):
            estimate = name
    return found


def header(name: str, language: str, currency: str = "", previous: str | None = None) -> str:
    """A column's header in report tables and tables.xlsx: money columns name the currency."""
    label = column(name, language)
    return f"{label} ({currency})" if currency and kind(name, previous) == "money" else label


def value_name(column: str, value, language: str):
    """A coded value in words ('detractor' -> 'Detractors'); other values as they are."""
    if column not in VALUE_NAMES or not isinstance(value, str):
        return value
    return t(language, VALUE_NAMES[column], default={}).get(value, value)

"""The report's words in each language, and numbers and dates formatted for it.

English and Simplified Chinese write numbers the same way (1,234.5; 12.3%); they differ
in money (thousands and millions against 万 and 亿) and dates (24 November 2026 against
2026年11月24日).
"""
from __future__ import annotations

import datetime as dt
import html
import math
import re
from functools import cache

import yaml

from .. import paths

#: The languages a report can be written in (templates/i18n/<language>.yml).
LANGUAGES = ("en", "zh")
_REQUIRED = object()
_MINUS = "\u2212"
#: Result columns holding shares in 0-1 (shown as percentages) and money (with the currency).
PERCENT = re.compile(r"^(share|retention|rate|share_of_wallet|share_with_switch|what_if_share"
                     r"|retention_lift)(_low|_high)?$")
MONEY = re.compile(r"^(revenue|revenue_total|at_risk|what_if_value|what_if|impact_revenue)"
                   r"(_low|_high)?$")
#: Coded result values shown in words: column -> where the language file keeps their names.
VALUE_NAMES = {"group": "groups", "next_group": "groups", "stage": "stages",
               "quadrant": "quadrants", "d": "values.d", "category": "values.category"}


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


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float, language: str, digits: int = 0) -> str:
    """A number with grouping and a true minus sign, or an en dash when it is missing."""
    if _missing(value):
        return "–"
    text = f"{value:,.{digits}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")        # -0.0 reads as 0.0
    return text.replace("-", _MINUS, 1) if text.startswith("-") else text


def signed(value: float, language: str, digits: int = 0) -> str:
    """A number with an explicit sign, as for NPS and gaps."""
    if _missing(value):
        return "–"
    text = number(value, language, digits)
    return text if text.startswith(_MINUS) or text.strip("0.,") == "" else "+" + text


def percent(value: float, language: str, digits: int = 0) -> str:
    """A share given in 0-1 as a percentage."""
    if _missing(value):
        return "–"
    return f"{number(100 * value, language, digits)}%"


def money(value: float, language: str, currency: str) -> str:
    """An amount of money, shortened for reading: USD 68k / USD 1.25M; 6.8万 USD / 1.25亿 USD."""
    if _missing(value):
        return "–"
    size = abs(value)
    if language == "zh":
        if size >= 1e8:
            return f"{number(value / 1e8, language, 2)}亿 {currency}"
        if size >= 1e4:
            return f"{number(value / 1e4, language, 1)}万 {currency}"
        return f"{number(value, language)} {currency}"
    if size >= 1e6:
        return f"{currency} {number(value / 1e6, language, 2)}M"
    if size >= 1e4:
        return f"{currency} {number(value / 1e3, language, 0)}k"
    return f"{currency} {number(value, language)}"


def date(day: dt.date, language: str) -> str:
    """A date as people write it in the language, without the locale's help."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# English month names, written out so dates do not depend on the machine's locale.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def interval(low: float, high: float, language: str, digits: int = 0, fmt=None) -> str:
    """'95% CI low to high' in the language."""
    show = fmt or (lambda v: number(v, language, digits))
    return t(language, "words.interval", low=show(low), high=show(high))


def escape(text: object) -> str:
    """Client text made safe for HTML."""
    return html.escape("" if text is None else str(text), quote=True)


def kind(column: str, previous: str | None = None) -> str:
    """How a result column reads: percent, money, p, or plain; an interval follows its estimate."""
    if column in ("ci_low", "ci_high") and previous is not None:
        return kind(previous)
    if PERCENT.match(column):
        return "percent"
    if MONEY.match(column):
        return "money"
    if column.startswith("p_"):
        return "p"
    return "plain"


def value_name(column: str, value, language: str):
    """A coded value in words ('detractor' -> 'Detractors'); other values as they are."""
    if column not in VALUE_NAMES or not isinstance(value, str):
        return value
    return t(language, VALUE_NAMES[column], default={}).get(value, value)

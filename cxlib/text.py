"""The report's words in each language, and numbers and dates formatted for it."""
from __future__ import annotations

import datetime as dt
import html
import math
from functools import cache

import yaml

from . import paths


@cache
def _strings(language: str) -> dict:
    path = paths.TEMPLATES / "i18n" / f"{language}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def t(language: str, key: str, **values) -> str:
    """The sentence or label `key` (dotted) in `language`, with `values` filled in."""
    node = _strings(language)
    for part in key.split("."):
        node = node[part]
    return node.format(**values) if values else node


def number(value: float, language: str, digits: int = 0) -> str:
    """A number with grouping, or an en dash when it is missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def signed(value: float, language: str, digits: int = 0) -> str:
    """A number with an explicit sign, as for NPS and gaps."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return ("+" if value > 0 else "") + number(value, language, digits)


def percent(value: float, language: str, digits: int = 0) -> str:
    """A share given in 0-1 as a percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(100 * value, language, digits)}%"


def money(value: float, language: str, currency: str) -> str:
    """An amount of money, shortened to thousands or millions for reading."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    size = abs(value)
    if language == "zh":
        if size >= 1e8:
            return f"{number(value / 1e8, language, 2)} 亿 {currency}"
        if size >= 1e4:
            return f"{number(value / 1e4, language, 1)} 万 {currency}"
        return f"{number(value, language)} {currency}"
    if size >= 1e6:
        return f"{currency} {number(value / 1e6, language, 2)}M"
    if size >= 1e4:
        return f"{currency} {number(value / 1e3, language, 0)}k"
    return f"{currency} {number(value, language)}"


def date(day: dt.date, language: str) -> str:
    """A date as people write it in the language."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B %Y}"


def interval(low: float, high: float, language: str, digits: int = 0, fmt=None) -> str:
    """'95% CI low to high' in the language."""
    show = fmt or (lambda v: number(v, language, digits))
    return t(language, "words.interval", low=show(low), high=show(high))


def escape(text: object) -> str:
    """Client text made safe for HTML."""
    return html.escape("" if text is None else str(text), quote=True)

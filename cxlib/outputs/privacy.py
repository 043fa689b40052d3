"""Redaction of personal data (emails, phone numbers, people's names) from interview quotes."""
from __future__ import annotations

import math
import re

EMAIL = "[email]"
PHONE = "[phone]"
NAME = "[name]"

# ASCII only, so Chinese text written right against an address stays outside it.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# A candidate is digits in groups joined by one separator each (space, dot, hyphen or
# brackets), optionally after "+". Requiring a separator between groups keeps the
# pattern free of nested optional repeats, so long digit runs cannot backtrack badly.
# The lookarounds keep it out of words, prices ($25.99), fractions (4/5), percentages
# and bigger numbers (1,234.5); CJK characters around a number are allowed.
_CANDIDATE = re.compile(r"""
    (?<![0-9A-Za-z$€£¥/_+])(?<!\d[.,])
    (?:\+\s?)?(?:\(\s?)?
    \d+(?:(?:\s?\)\s?|\s?\(\s?|[ .\-]\s?)\d+)*
    (?![0-9A-Za-z/%])(?![.,]\d)
""", re.VERBOSE)
_CHINESE_MOBILE = re.compile(r"1[3-9]\d{9}")
_DATE = re.compile(r"\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{4}")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s?-\s?(?:19|20)\d\d")
_THOUSANDS = re.compile(r"\d{1,3}(?:([ .])\d{3})(?:\1\d{3})*")
_DECIMAL = re.compile(r"\d+\.\d+")
_US_LOCAL = re.compile(r"\d{3}-\d{4}")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _is_phone(text: str) -> bool:
    """Whether a candidate digit group reads as a phone number rather than a plain number.

    "+" and 8-15 digits: international. Without separators only a Chinese mobile number
    (1[3-9] and 9 more digits) or a trunk-prefixed local number (0 and 9-11 more digits)
    counts, so order numbers and amounts stay. With separators, 8-15 digits count unless
    the text is a date, a range of years, a decimal or thousands grouping; a US local
    number (555-1234) is the one 7-digit form.
    """
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    if digits == text:
        return bool(_CHINESE_MOBILE.fullmatch(digits)) or (
            digits.startswith("0") and 10 <= len(digits) <= 12)
    if any(p.fullmatch(text) for p in (_DATE, _YEAR_RANGE, _THOUSANDS, _DECIMAL)):
        return False
    return 8 <= len(digits) <= 15 or bool(_US_LOCAL.fullmatch(text))


def _phones(text: str) -> str:
    return _CANDIDATE.sub(lambda m: PHONE if _is_phone(m.group()) else m.group(), text)


def _letter(char: str) -> bool:
    """A letter or digit that would continue a Latin-script word (CJK characters do not)."""
    return char.isalnum() and not _CJK.match(char)


def _name(text: str, name: str) -> str:
    """Replace one person's name: a plain substring for CJK names, else a whole word."""
    if _CJK.search(name):
        return text.replace(name, NAME)

    def whole_word(match: re.Match) -> str:
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        return match.group() if _letter(before) or _letter(after) else NAME

    return re.sub(re.escape(name), whole_word, text, flags=re.IGNORECASE)


def redact(text, names=()) -> str:
    """Replace emails, phone numbers and the given people's names with [email], [phone], [name].

    Emails go first (so their digits are not read as phones), then phone numbers, then
    names, longest first (so "Anna Lee" is one [name], not "[name] Lee"). Latin-script
    names match as whole words in any case; names with CJK characters match as plain
    substrings, since Chinese text has no spaces between words. Ordinary numbers stay:
    counts, years, dates, prices, ratings such as 4/5, order numbers without separators.

    Parameters: text -- a quote (None or NaN give ""); names -- people's names to hide.
    Returns: the text with personal data replaced.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    if not isinstance(text, str):
        raise TypeError(f"redact expects text, got {type(text).__name__}")
    text = _phones(_EMAIL.sub(EMAIL, text))
    for name in sorted({str(n).strip() for n in names if str(n).strip()}, key=len,
                       reverse=True):
        text = _name(text, name)
    return text

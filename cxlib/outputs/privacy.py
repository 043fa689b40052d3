"""What a report may hold of a client's text: personal data removed, text kept as text.

Redaction (`redact`, `redact_section`) replaces emails, phone numbers, payment card
numbers, IBANs and the people named in client.yml's `redact:` with [email], [phone],
[card], [iban] and [name]. Phone numbers are found by Google's libphonenumber
(`phonenumbers`) in the client's country (client.yml `country:`) and in international
form; cards by the Luhn checksum and IBANs by their ISO 13616 checksum (`python-stdnum`),
so ordinary numbers (scores, amounts, years, dates, order numbers that fail a checksum)
stay.

Text as text (`set_text`, `chart_data`, `xml_text`): nothing a client supplies ever
becomes a spreadsheet formula or a link, in tables.xlsx, the deck or its charts' data.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable

import pandas as pd

EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"
IBAN = "[iban]"
NAME = "[name]"

# -- emails ---------------------------------------------------------------------------

# Unicode local parts and domains (RFC 6531); "[at]" and "(at)" spellings too.
_EMAIL = re.compile(r"""
    [\w.!#$%&'*+/=?^`{|}~-]+
    (?:@|\s?[\[({]\s?at\s?[\])}]\s?)
    [\w-]+(?:(?:\.|\s?[\[({]\s?dot\s?[\])}]\s?)[\w-]+)*
    (?:\.|\s?[\[({]\s?dot\s?[\])}]\s?)[^\W\d_]{2,}
""", re.VERBOSE | re.IGNORECASE)
_CJK = re.compile(r"[\u2e80-\u9fff\u3040-\u30ff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")


def _cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def _email_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim Chinese, Japanese or Korean text written right against a Latin-script address.

    Such text has no spaces between words, so "联系anna@example.com谢谢" is an address
    between two words; an address written wholly in those scripts (用户@例子.中国) stays whole.
    """
    if any(c.isalnum() and not _cjk(c) for c in text[start:end]):
        while _cjk(text[start]):
            start += 1
        while _cjk(text[end - 1]):
            end -= 1
    return start, end


def _emails(text: str) -> str:
    out, last = [], 0
    for match in _EMAIL.finditer(text):
        start, end = _email_span(text, *match.span())
        out += [text[last:start], EMAIL]
        last = end
    return "".join(out + [text[last:]])


# -- numbers: cards, IBANs, phones ----------------------------------------------------

# Digit groups joined by one separator each (space, dot, hyphen, slash or brackets),
# optionally after "+". A separator between groups keeps the pattern free of nested
# optional repeats, so long digit runs cannot backtrack badly. The lookarounds keep it
# out of words, prices ($25.99) and bigger numbers (1,234.5); CJK text around is allowed.
_DIGITS = re.compile(r"""
    (?<![0-9A-Za-z$€£¥_+])(?<!\d[.,])
    (?:\+\s?)?(?:\(\s?)?
    \d+(?:(?:\s?\)\s?|\s?\(\s?|[\s.\-/]\s?)\d+)*
    (?![0-9A-Za-z%])(?![.,]\d)
""", re.VERBOSE)
_GROUP = re.compile(r"\d+")
_DATE = re.compile(r"\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4}")
_YEAR_RANGE = re.compile(r"(?:1[89]|20)\d\d\s?[-/]\s?(?:1[89]|20)?\d\d")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_DECIMAL = re.compile(r"\d+\.\d+")
_RATIO = re.compile(r"\d{1,3}\s?/\s?\d{1,3}")
#: First digits of card numbers issued by the major networks (Mastercard 2, Amex, Diners
#: and JCB 3, Visa 4, Mastercard 5, Discover and UnionPay 6).
_CARD_FIRST = "23456"
#: Regions whose numbers are looked for in text in their own script.
_SCRIPT_REGIONS = ((re.compile(r"[\u4e00-\u9fff]"), "CN"), (re.compile(r"[\u3040-\u30ff]"), "JP"),
                   (re.compile(r"[\uac00-\ud7af]"), "KR"))


def _plain(piece: str) -> str:
    """Digits only, in ASCII (full-width and other scripts' digits too)."""
    return "".join(str(unicodedata.digit(c)) for c in piece if c.isdigit())


def _ordinary(piece: str) -> bool:
    """Whether digit groups read as a date, a range of years, a decimal, a ratio or a
    thousands grouping with dots (1.234.567), which no numbering plan should turn into
    personal data (some plans, such as Germany's, would take 20240301 for a number)."""
    piece = unicodedata.normalize("NFKC", piece).strip("()+ ")
    if any(p.fullmatch(piece) for p in (_DATE, _YEAR_RANGE, _THOUSANDS, _DECIMAL, _RATIO)):
        return True
    if len(piece) == 8 and piece.isdigit():          # 20240301
        try:
            dt.date(int(piece[:4]), int(piece[4:6]), int(piece[6:]))
            return 1900 <= int(piece[:4]) <= 2100
        except ValueError:
            return False
    return False


def _is_card(piece: str) -> bool:
    from stdnum import luhn

    digits = _plain(piece)
    return 13 <= len(digits) <= 19 and digits[0] in _CARD_FIRST and luhn.is_valid(digits)


@functools.lru_cache(maxsize=4096)
def _is_phone(piece: str, regions: tuple[str | None, ...]) -> bool:
    """A valid number in one of the regions' numbering plans, or one written with "+".

    "+" and a possible length make a number even when libphonenumber's metadata does not
    know its range (numbers reserved for fiction, new ranges): the sign says it is one.
    Without "+", the number must be valid and written as its country writes it at home,
    with the trunk prefix where there is one (0201 000 in Germany, not 201000, which is
    as likely an amount), so plain numbers stay.
    """
    import phonenumbers

    international = piece.lstrip("( ").startswith("+")
    if international:
        try:
            number = phonenumbers.parse(piece, None)
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.is_valid_number(number) or (
            phonenumbers.is_possible_number(number) and 8 <= len(_plain(piece)) <= 15)
    if _ordinary(piece):
        return False
    written = _plain(piece)
    for region in regions:
        try:
            number = phonenumbers.parse(piece, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if formatted == str(number.national_number):
            continue     # no national pattern fits it (369400 in Germany): not dialled so
        home = _plain(formatted)
        prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix or ""
        if written in (home, prefix + home):
            return True
    return False


#: The most digits a card (19) or a phone number (17 with its country code) has.
_MOST_DIGITS = 19


def _numbers(text: str, token: str, accept: Callable[[str], bool]) -> str:
    """Replace the stretches of digit groups in `text` that `accept` takes for a number.

    A run of groups may hold more than one thing ("+44 20 7946 0958 3 times", a card
    number after a count): within each run the stretch of whole groups with the most
    digits that `accept` takes is replaced first, then the groups left and right of it
    are searched the same way. A stretch that reads as a date or a decimal (`_ordinary`)
    is kept whole: its parts are not searched (01/1999 of 01/01/1999 is no phone number).
    """
    found = []
    for run in _DIGITS.finditer(text):
        groups = [(run.start() + g.start(), run.start() + g.end())
                  for g in _GROUP.finditer(run.group())]
        starts = [run.start()] + [a for a, _ in groups[1:]]
        pending = [(0, len(groups))]
        while pending:
            lo, hi = pending.pop()
            pieces = []
            for i in range(lo, hi):
                digits = 0
                for j in range(i, hi):
                    digits += groups[j][1] - groups[j][0]
                    if digits > _MOST_DIGITS:
                        break
                    pieces.append((-digits, i, j + 1))
            for _, i, j in sorted(pieces):
                start, end = starts[i], groups[j - 1][1]
                if text[end:end + 1] == ")" and "(" in text[start:end]:
                    end += 1
                piece = text[start:end]
                if _ordinary(piece) and "+" not in piece:
                    pending += [(lo, i), (j, hi)]
                    break
                if accept(piece):
                    found.append((start, end))
                    pending += [(lo, i), (j, hi)]
                    break
    out, last = [], 0
    for start, end in sorted(found):
        out += [text[last:start], token]
        last = end
    return "".join(out + [text[last:]])


_IBAN_START = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}\d{2}(?=[\sA-Za-z0-9]{11})")


def _ibans(text: str) -> str:
    """Replace IBANs, written compact or in groups, that pass the mod-97 checksum."""
    from stdnum import iban

    out, last, pos = [], 0, 0
    while (match := _IBAN_START.search(text, pos)) is not None:
        start, chars, ends = match.start(), 0, []
        for k in range(start, min(len(text), start + 50)):
            char = text[k]
            if char.isascii() and char.isalnum():
                chars += 1
                ends.append((chars, k + 1))
            elif not (char == " " and text[k - 1] != " "):
                break
            if chars == 34:
                break
        found = next((end for n, end in reversed(ends) if n >= 15
                      and (end == len(text) or not text[end].isalnum())
                      and iban.is_valid(text[start:end])), None)
        if found is None:
            pos = match.start() + 1
            continue
        out += [text[last:start], IBAN]
        last = pos = found
    return "".join(out + [text[last:]])


# -- names ----------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_INVISIBLE = {"Cf", "Mn", "Me"}


def _fold(text: str) -> tuple[str, list[int]]:
    """The text casefolded, without accents and invisible characters, every whitespace a
    space, with the index in `text` of each character of the result."""
    folded, where = [], []
    for i, char in enumerate(text):
        if char.isspace():
            pieces = " "
        else:
            pieces = "".join(c for c in unicodedata.normalize("NFKD", char)
                             if unicodedata.category(c) not in _INVISIBLE)
            pieces = pieces.translate(_APOSTROPHES).casefold()
        for piece in pieces:
            folded.append(piece)
            where.append(i)
    return "".join(folded), where


def _word_char(char: str) -> bool:
    """A character that would continue a Latin-script word (CJK characters do not)."""
    return char.isalnum() and not _cjk(char)


@functools.lru_cache(maxsize=256)
def _name_pattern(name: str) -> re.Pattern | None:
    """A pattern for one person's name in folded text: its words in order, or the last
    word first ("Lopez, Maria"), separated by any whitespace or a hyphen."""
    words = [w for w in re.split(r"[\s\-]+", _fold(name)[0]) if w]
    if not words:
        return None
    join = r"(?:\s*-\s*|\s+)"
    if len(words) == 1 or _CJK.search(name):
        orders = [join.join(map(re.escape, words))]
    else:
        orders = [join.join(map(re.escape, words)),
                  re.escape(words[-1]) + r"\s*,?\s*" + join.join(map(re.escape, words[:-1]))]
    return re.compile("|".join(f"(?:{o})" for o in orders))


def _names(text: str, names: tuple[str, ...]) -> str:
    """Replace each listed name; Latin-script names as whole words, CJK names anywhere."""
    if not names:
        return text
    folded, where = _fold(text)
    spans = []
    for name in names:
        pattern = _name_pattern(name)
        if pattern is None:
            continue
        cjk = bool(_CJK.search(name))
        for match in pattern.finditer(folded):
            a, b = match.span()
            if not cjk and ((a and _word_char(folded[a - 1]))
                            or (b < len(folded) and _word_char(folded[b]))):
                continue
            spans.append((where[a], where[b - 1] + 1))
    out, last = [], 0
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < last:                 # inside a longer name already replaced
            continue
        out += [text[last:start], NAME]
        last = end
    return "".join(out + [text[last:]])


# -- redact ---------------------------------------------------------------------------

_HAS_DIGITS = re.compile(r"\d(?:\D{0,3}\d){5,}")
_HAS_AT = re.compile(r"@|[\[({]\s?at\s?[\])}]", re.IGNORECASE)


def regions(country: str | None, text: str = "") -> tuple[str | None, ...]:
    """The numbering plans a phone number in `text` is looked up in.

    The client's country first; then the plans of the scripts the text is written in
    (Chinese characters: CN, kana: JP, hangul: KR), since a quote in Mandarin gives a
    mainland number in its national form whatever the client's country.
    """
    found = [country.upper()] if country else []
    found += [region for pattern, region in _SCRIPT_REGIONS
              if region not in found and pattern.search(text)]
    return tuple(found) or (None,)


def redact(text, names: Iterable[str] = (), country: str | None = None) -> str:
    """Replace personal data in one text with [email], [iban], [card], [phone] and [name].

    Order matters: emails first (their digits are not phones), IBANs (letters and digits),
    card numbers (Luhn-valid, 13-19 digits from a major network), phone numbers (valid in
    the client's country or written with "+"), then the listed names, longest first, in
    any case, accents or whitespace and also as "Last, First". Latin-script names match
    as whole words; names with CJK characters anywhere, since Chinese text has no spaces.

    Parameters: text -- client text (None or NaN give ""); names -- people's names to
    hide (client.yml `redact:`); country -- ISO 3166 code of the client's country, whose
    national phone formats are recognised.
    Returns: the text with personal data replaced.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    if not isinstance(text, str):
        raise TypeError(f"redact expects text, got {type(text).__name__}")
    if _HAS_AT.search(text):
        text = _emails(text)
    if _HAS_DIGITS.search(text):
        text = _ibans(text)
        text = _numbers(text, CARD, _is_card)
        plans = regions(country, text)
        text = _numbers(text, PHONE, lambda piece: _is_phone(piece, plans))
    listed = tuple(sorted({str(n).strip() for n in names if str(n).strip()}, key=len,
                          reverse=True))
    return _names(text, listed)


def redactor(names: Iterable[str] = (), country: str | None = None) -> Callable:
    """`redact` with a client's names and country fixed, for many texts."""
    listed = tuple(names)
    return functools.lru_cache(maxsize=None)(
        lambda text: redact(text, listed, country))


def _frame(frame: pd.DataFrame, clean: Callable) -> pd.DataFrame:
    """A table with every text cell, text column name and text index label redacted."""
    out = frame.copy()

    def values(series: pd.Series) -> pd.Series | None:
        if isinstance(series.dtype, pd.CategoricalDtype):
            return series.astype(object).map(lambda v: clean(v) if isinstance(v, str) else v)
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            return series.map(lambda v: clean(v) if isinstance(v, str) else v)
        return None                     # numbers and flags: nothing to redact

    for i in range(out.shape[1]):
        cleaned = values(out.iloc[:, i])
        if cleaned is not None:
            out.isetitem(i, cleaned)
    out.columns = [clean(c) if isinstance(c, str) else c for c in out.columns]
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_levels([lv.map(lambda v: clean(v) if isinstance(v, str) else v)
                                          for lv in out.index.levels])
    elif len(out.index) and (out.index.dtype == object
                             or pd.api.types.is_string_dtype(out.index.dtype)):
        out.index = pd.Index([clean(v) if isinstance(v, str) else v for v in out.index],
                             name=out.index.name)
    out.attrs = dict(frame.attrs)
    return out


def _strings(value, clean: Callable):
    """Every string inside a JSON-like value redacted (plotly figures as dicts and lists)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _strings(v, clean) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strings(v, clean) for v in value]
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "O":
        return [_strings(v, clean) for v in value.tolist()]
    return value


#: Each figure's redacted copy while the figure lives, by its id: a chart a practice keeps
#: per client (cxlib.practices.sections) is redacted once, however many Sections show it.
_REDACTED_FIGURES: dict[int, tuple] = {}


def redact_figure(fig, clean: Callable):
    """A copy of a plotly figure whose every text (titles, labels, categories, hover
    text, annotations) is redacted; numbers are left as they are. Figures are not changed
    once made, so the same figure redacted by the same redactor gives the same copy."""
    import plotly.graph_objects as go

    kept = _REDACTED_FIGURES.get(id(fig))
    if kept is not None and kept[0]() is fig and kept[1] is clean:
        return kept[2]
    # Built without plotly's validation: the figure was valid and only strings changed.
    redacted_fig = go.Figure(_strings(fig.to_plotly_json(), clean), _validate=False)
    _REDACTED_FIGURES[id(fig)] = (weakref.ref(fig, lambda _, key=id(fig): _REDACTED_FIGURES.pop(
        key, None)), clean, redacted_fig)
    return redacted_fig


#: Texts a Section redactor keeps the redacted form of (titles, names, sentences).
SECTION_TEXTS = 20_000


@functools.lru_cache(maxsize=16)
def _section_redactor(names: tuple[str, ...], country: str | None) -> Callable:
    """One redactor per client's names and country, kept across sections, so a
    workbench's new Section redacts only the texts it has not seen."""
    return functools.lru_cache(maxsize=SECTION_TEXTS)(lambda text: redact(text, names, country))


def redact_section(section, names: Iterable[str] = (), country: str | None = None):
    """A copy of a Section with personal data removed from everything a reader sees.

    Sentences, caveats, metric notes, every text cell, column and label of its tables and
    every string of its figures pass through `redact`; numbers are unchanged. Sections are
    what the report, results.json, tables.xlsx, the deck, the notebooks and the widgets
    show, so this is the one place client text is redacted on its way to any output.
    """
    from dataclasses import replace

    clean = _section_redactor(tuple(names), country)
    return replace(
        section,
        title=clean(section.title),
        metrics={k: replace(m, note=clean(m.note), unit=clean(m.unit))
                 for k, m in section.metrics.items()},
        tables={k: _frame(t, clean) for k, t in section.tables.items()},
        figures={k: redact_figure(f, clean) for k, f in section.figures.items()},
        narrative=[clean(s) for s in section.narrative],
        caveats=[clean(s) for s in section.caveats],
        missing=None if section.missing is None else clean(section.missing),
    )


def redacted(practice: Callable) -> Callable:
    """Decorate a practice function (Client -> Section) so its Section comes out redacted
    with the client's names and country."""
    @functools.wraps(practice)
    def wrapper(client, *args, **kwargs):
        config = client.config
        return redact_section(practice(client, *args, **kwargs), config.redact,
                              getattr(config, "country", None))
    return wrapper


# -- text as text ---------------------------------------------------------------------

#: Characters that make a spreadsheet read a cell as a formula or a command (OWASP's
#: list for CSV injection): a cell starting with one is marked as text explicitly.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value) -> str:
    """Text that XML can hold (Office files, SVG): control characters removed."""
    return _XML_BAD.sub("", "" if value is None else str(value))


def set_text(cell, value) -> None:
    """Put client text in an openpyxl cell as a string that is never a formula.

    openpyxl reads a value starting with "=" as a formula; Excel treats "+", "-" and "@"
    at the start as one when the cell is edited. The cell gets data type "s" and, when
    the text starts with one of those, Excel's quote-prefix style (what typing ' first
    does), so it shows and stays as written.
    """
    cell.value = xml_text(value)
    cell.data_type = "s"
    if cell.value.startswith(FORMULA_START):
        cell.quotePrefix = True


def chart_data(kind: str = "category", **options):
    """python-pptx chart data whose embedded workbook keeps every label as text.

    python-pptx writes a chart's data into a workbook inside the .pptx with XlsxWriter,
    which by default turns text starting with "=" into a formula and "http://..." into a
    link. This chart data writes it with those conversions off.

    Parameters: kind -- "category", "xy" or "bubble" (CategoryChartData, XyChartData,
    BubbleChartData); options -- passed to the chart data (number_format, ...).
    Returns: the chart data object, filled like python-pptx's own.
    """
    from pptx.chart import data, xlsx

    classes = {"category": (data.CategoryChartData, xlsx.CategoryWorkbookWriter),
               "xy": (data.XyChartData, xlsx.XyWorkbookWriter),
               "bubble": (data.BubbleChartData, xlsx.BubbleWorkbookWriter)}
    if kind not in classes:
        raise ValueError(f"kind must be one of {', '.join(classes)}, got {kind!r}")
    base, writer = classes[kind]
    return _text_chart_data(base, writer)(**options)


@functools.lru_cache(maxsize=None)
def _text_chart_data(base, writer):
    from contextlib import contextmanager

    from xlsxwriter import Workbook

    class TextWriter(writer):
        @contextmanager
        def _open_worksheet(self, xlsx_file):
            workbook = Workbook(xlsx_file, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
            yield workbook, workbook.add_worksheet()
            workbook.close()

    class TextChartData(base):
        @property
        def _workbook_writer(self):
            return TextWriter(self)

    TextChartData.__name__ = f"Text{base.__name__}"
    return TextChartData

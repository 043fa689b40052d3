"""Reading one input file as the client exported it: every cell as text, with its row number.

Rules, in the order they apply (docs/data-format.md repeats them for consultants):

- Kind of file: an Excel workbook is read from its sheet (`sheet` in client.yml, else the
  first); anything else must be delimited text. Old .xls workbooks, PDFs and other binary
  files are reported, never guessed at.
- Encoding (`encoding: auto`): a byte-order mark decides (UTF-8, UTF-16); NUL bytes in
  every other position mean UTF-16 without a mark; then strict UTF-8; then cp1252 or
  GB18030, whichever decodes the whole file; when both do, GB18030 wins only if its
  non-ASCII bytes come in pairs (Chinese characters are two bytes, accented Latin letters
  and curly quotes in cp1252 are one). A file whose non-ASCII runs are mostly UTF-8 but not
  all is reported as mixed encodings, with the first line that is not UTF-8.
- Delimiter: the one named by an Excel "sep=;" first line, else the one of `,` `;` tab `|`
  that is most frequent in the header line.
- Header rows: one, except a Qualtrics export (three: column ids, question text, ImportId
  JSON; detected from the third row or `format: qualtrics`) and a SurveyMonkey export
  (two: question text over option labels; detected from "Respondent ID" over an empty cell
  and a "Response" label, or `format: surveymonkey`). A SurveyMonkey column is named by
  its question text alone when its label is empty, "Response" or "Open-Ended Response",
  else "question text - option label".
- Columns: header names are stripped; a column without a header is ignored (nothing in
  client.yml can name it); a repeated header keeps its first column and is recorded in
  `RawTable.duplicates`, so naming it in client.yml is an error but an unused one is not.
- Rows: blank lines and rows whose cells are all empty are skipped; every row keeps the
  number a person sees: the physical line where it starts in a text file (a quoted cell
  spanning lines counts each line, so a header is row 1 and a Qualtrics export's first
  answer row 4 when its header cells are on one line), the spreadsheet's own row number in
  a workbook. A row with more or fewer cells than the header is a problem.
- Cells are never interpreted here: "NA", "-99" and "" stay text for the checks in
  `cxlib.inputs.client`, which know what client.yml declares as missing.
"""
from __future__ import annotations

import codecs
import csv
import os
import stat
import zipfile
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import FileSpec
from ..errors import DataError, Notice, Problem

#: Delimiters tried on the header line of a text file.
DELIMITERS = (",", ";", "\t", "|")
#: Ragged rows listed before the rest are counted.
SHOWN_RAGGED = 20
_CHUNK = 1 << 24
_QUALTRICS_MARK = '{"importid"'
_MONKEY_PLAIN = ("", "response", "open-ended response")
#: Columns every Qualtrics export starts with (headers compared without spaces or case).
_QUALTRICS_COLUMNS = {"responseid", "startdate", "enddate", "recordeddate", "ipaddress",
                      "progress", "duration(inseconds)", "finished", "distributionchannel",
                      "userlanguage", "responseset", "status"}
_MAGIC = {
    b"PK\x03\x04": "zip",
    b"\xd0\xcf\x11\xe0": "ole",
    b"%PDF": "pdf",
    b"$FL2": "spss",
    b"$FL3": "spss",
}
_KIND_TEXT = {
    "zip": "an Excel workbook or other zip archive; if it is a workbook, name it .xlsx or "
           "set format: excel",
    "ole": "an old Excel 97-2003 (.xls) or password-protected workbook; save it as .xlsx "
           "without a password",
    "pdf": "a PDF document",
    "spss": "an SPSS data file; name it .sav or set format: spss",
    "binary": "a binary file, not text",
}
#: How each layout is named in validate's output.
LAYOUTS = {"plain": "one header row", "qualtrics": "Qualtrics export",
           "qualtrics-legacy": "Qualtrics legacy export (V1..Vn)",
           "surveymonkey": "SurveyMonkey export", "spss": "SPSS data file"}


@dataclass
class RawTable:
    """A file's cells as text ("" where empty) and each row's number as seen in the file."""

    file: str
    frame: pd.DataFrame
    rows: np.ndarray
    duplicates: dict[str, str] = field(default_factory=dict)   # header -> where it repeats
    header_row: int | None = 1
    encoding: str = ""                 # the codec the text was read with ("" for workbooks)
    layout: str = "plain"              # a key of LAYOUTS
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> code -> label
    warnings: list[Notice] = field(default_factory=list)   # valid but odd: for validate's output

    def describe(self) -> str:
        """How the file was read, for validate's output: its layout and encoding."""
        how = LAYOUTS[self.layout]
        if self.encoding:
            how += f", {self.encoding}"
        return how


def read_table(spec: FileSpec) -> RawTable:
    """Read a CSV or Excel file named in client.yml into text cells with file row numbers.

    Parameters: spec, the file's entry in client.yml.
    Returns: a RawTable; raises DataError listing every problem found in the file.
    """
    data = _read_bytes(spec)
    kind = _kind(data)
    if spec.format == "spss" or (kind == "spss" and spec.detect):
        if kind != "spss":
            got = "an empty file" if not data else (
                "a text file; if it is a CSV export, set format: csv for it in client.yml"
                if kind in ("text", "utf-16") else _KIND_TEXT[kind])
            _fail(spec, None, "an SPSS data file (.sav)", got)
        return _read_spss(spec)
    tool_workbook = spec.format in ("qualtrics", "surveymonkey") and kind == "zip"
    if spec.format == "excel" or tool_workbook:
        if kind != "zip":
            got = "an empty file" if not data else (
                "a text file; if it is a CSV export, set format: csv for it in client.yml"
                if kind == "text" else _KIND_TEXT[kind])
            _fail(spec, None, "an Excel workbook (.xlsx)", got)
        return _read_excel(spec, data)
    if kind not in ("text", "utf-16"):
        _fail(spec, None, "a text file of comma-separated values", _KIND_TEXT[kind])
    if kind == "text" and b"\x00" in data:
        at = data.index(b"\x00")
        _fail(spec, _line_of(data, at), "text without NUL bytes",
              f"a NUL byte at byte {at:,} (a binary or damaged file, not text)")
    return _read_text(spec, data)


def _fail(spec: FileSpec, row: int | None, expected: str, got: str) -> None:
    raise DataError([Problem(spec.name, row, None, expected, got)])


def _read_bytes(spec: FileSpec) -> bytes:
    path = spec.path
    if path.is_dir():
        _fail(spec, None, "a file", "a folder")
    special = special_file(path)
    if special:
        _fail(spec, None, "a regular file", special)
    if not path.exists():
        near = sorted(p.name for p in path.parent.glob("*")
                      if p.is_file() and p.name != "client.yml") \
            if path.parent.is_dir() else []
        listed = f"; the folder has {', '.join(near[:10])}" if near else ""
        _fail(spec, None, "a file at this path", f"no such file{listed}")
    try:
        return path.read_bytes()
    except PermissionError:
        _fail(spec, None, "a file you may read", "permission denied")
    except OSError as exc:
        _fail(spec, None, "a readable file", exc.strerror or str(exc))


def special_file(path: Path) -> str | None:
    """What a path is when it is not a regular file that can be read without blocking."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (reading it could wait for ever)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def _kind(data: bytes) -> str:
    """What the bytes are: text, utf-16 text, zip (xlsx), ole (xls), pdf or binary."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:65536]
    if b"\x00" not in head:
        return "text"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_order(head):
        return "utf-16"
    return "binary"


def _utf16_order(head: bytes) -> str | None:
    """utf-16-le or utf-16-be when NULs fill one byte of most pairs (ASCII in UTF-16)."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even = head[0:pairs * 2:2].count(0) / pairs
    odd = head[1:pairs * 2:2].count(0) / pairs
    order = "utf-16-le" if odd > 0.3 and even < 0.05 else \
        "utf-16-be" if even > 0.3 and odd < 0.05 else None
    if order is None:
        return None
    # Binary data can have NULs in step too: real text has no control characters.
    text = head[:pairs * 2].decode(order, errors="replace")
    controls = sum(ord(c) < 32 and c not in "\t\r\n" for c in text)
    return order if controls <= len(text) // 100 else None


# ---- encodings -------------------------------------------------------------------------

def detect_encoding(data: bytes) -> str:
    """The encoding of a text file by the rules in this module's docstring.

    Parameters: data, the file's bytes.
    Returns: a Python codec name; raises ValueError(line, detail) when no rule fits.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    order = _utf16_order(data[:65536]) if b"\x00" in data[:65536] else None
    if order:
        return order
    if data.isascii() or _decodes(data, "utf-8"):
        return "utf-8"
    runs = [m for m in re.finditer(rb"[\x80-\xff]+", data)]
    utf8_runs = [m for m in runs if _decodes(m.group(), "utf-8")]
    if len(utf8_runs) * 2 >= len(runs):
        bad = next(m for m in runs if not _decodes(m.group(), "utf-8"))
        raise ValueError(_line_of(data, bad.start()),
                         f"bytes {bad.group()[:8]!r} that are not UTF-8 while the rest of the "
                         f"file is (mixed encodings: save it again as UTF-8)")
    decoded = {enc: text for enc in LEGACY for text in [_decoded(data, enc)] if text is not None}
    if not decoded:
        bad = _first_error(data, "utf-8")
        raise ValueError(_line_of(data, bad), f"bytes {data[bad:bad + 8]!r} that are not UTF-8, "
                         "UTF-16, cp1252, Mac Roman, cp850 or GB18030 (a binary file, or "
                         "mixed encodings?)")
    best = min(decoded, key=lambda enc: _implausibility(decoded[enc], enc))
    western = [m for m in utf8_runs if len(m.group()) > 1 and _western(m.group().decode())]
    if best != "gb18030" and western:
        first = western[0]
        raise ValueError(_line_of(data, first.start()),
                         f"UTF-8 text {first.group().decode()!r} in a file that is "
                         f"otherwise {LEGACY_NAMES[best]} (mixed encodings: save it again as "
                         "UTF-8)")
    return best


#: Single- and double-byte encodings a file without a byte-order mark may be in, in the
#: order that breaks ties: Windows Western, Chinese, classic Mac OS Western, DOS Western
#: (old ERP and CRM extracts).
LEGACY = ("cp1252", "gb18030", "mac_roman", "cp850")
LEGACY_NAMES = {"cp1252": "cp1252 (Windows Western)", "gb18030": "GB18030 (Chinese)",
                "mac_roman": "Mac Roman", "cp850": "cp850 (DOS Western)"}
_HEAD = 1 << 20


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _implausibility(text: str, encoding: str) -> tuple:
    """How unlike real text a decoding reads: evidence first from the header, then the rest.

    Headers are words (question texts, column names), so a wrong decoding shows there as
    letters that cannot sit together: an accented capital inside a lower-case word
    (Mac Roman read as cp1252: "CafŽ"), a symbol between letters ("M¸nchen"), a Chinese
    character fused to a Latin word (cp1252 read as GB18030: "Caf茅"). Ties are settled by
    charset-normalizer's measure of mess over the first megabyte, then by LEGACY's order.
    """
    from charset_normalizer.md import mess_ratio

    header, _, body = text.partition("\n")
    return (_oddities(header), _oddities(body[:_HEAD]), round(mess_ratio(text[:_HEAD], 1.0), 3),
            LEGACY.index(encoding))


def _western(text: str) -> bool:
    """Whether text is what UTF-8 in a Western file holds: accented letters, quotes, dashes."""
    return all("\u00a0" <= ch <= "\u02ff" or "\u2010" <= ch <= "\u206f" or ch == "\u20ac"
               for ch in text)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _oddities(text: str) -> int:
    """Characters that real text in one script does not have where they are."""
    count = 0
    previous = " "
    for ch in text:
        if ch.isascii():
            if _CJK.match(previous) and ch.isalpha():
                count += 1
            previous = ch
            continue
        kind = unicodedata.category(ch)
        if kind in ("Cc", "Cf", "Co", "Cn") and ch not in "\t\r\n":
            count += 2
        elif kind == "Lu" and previous.isalpha() and previous.islower():
            count += 1
        elif kind[0] in "SP" and previous.isalpha() and not _CJK.match(previous):
            count += 1
        elif _CJK.match(ch) and previous.isascii() and previous.isalpha():
            count += 1
        previous = ch
    return count


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _first_error(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def _utf8(spec: FileSpec, data: bytes) -> tuple[bytes, str]:
    """The file's text as UTF-8 bytes without a byte-order mark, and how it was decoded."""
    if spec.encoding == "auto":
        try:
            encoding = detect_encoding(data)
        except ValueError as exc:
            line, detail = exc.args
            _fail(spec, line, "text in one encoding (UTF-8, UTF-16, cp1252, Mac Roman, cp850 "
                  "or GB18030)", detail)
        how = f"{ENCODING_NAMES.get(encoding, encoding)}, detected"
    else:
        encoding = spec.encoding
        how = f"{ENCODING_NAMES.get(encoding, encoding)}, as client.yml says"
    if encoding == "utf-8" and spec.encoding == "auto":
        return data, how                  # detect_encoding decoded all of it as UTF-8
    if encoding in ("utf-8", "utf-8-sig"):
        body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
        if body.isascii() or _decodes(body, "utf-8"):
            return body, how
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start) if not encoding.startswith("utf-16") else None
        hint = ""
        try:
            hint = f" (the file looks like {detect_encoding(data)}: set encoding: auto)"
        except ValueError:
            pass
        where = "" if spec.encoding == "auto" else " (encoding in client.yml)"
        _fail(spec, line, f"text in {encoding}{where}",
              f"bytes {data[exc.start:exc.end]!r} that are not {encoding}{hint}")
    return text.lstrip("\ufeff").encode("utf-8"), how


#: Encodings as validate's output names them.
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with byte-order mark",
                  "utf-16": "UTF-16", "utf-16-le": "UTF-16 (little-endian, no byte-order mark)",
                  "utf-16-be": "UTF-16 (big-endian, no byte-order mark)", **LEGACY_NAMES}


# ---- text files ------------------------------------------------------------------------

def _read_text(spec: FileSpec, data: bytes) -> RawTable:
    data, how = _utf8(spec, data)
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")   # classic Mac line ends (old Excel for Mac)
    if not data.strip():
        _fail(spec, None, "a header row and rows of answers", "an empty file")
    hint = re.match(rb"sep=(.)\r?\n", data)   # Excel's "sep=;" line before the header
    sep = hint.group(1).decode() if hint else _delimiter(data)
    if data.count(b'"') % 2:
        _closed(spec, data, sep)
    lines, spanning = _record_lines(data)
    try:
        grid = pd.read_csv(io.BytesIO(data), sep=sep, header=None, dtype=str,
                           keep_default_na=False, na_values=[], quotechar='"',
                           skiprows=1 if hint else 0, encoding="utf-8",
                           engine="c" if spanning else "pyarrow")
    except (pd.errors.ParserError, ValueError) as exc:
        _closed(spec, data, sep)        # a stray quote can hide a cut one from the count
        raise DataError(_ragged(spec, data, sep, exc, skip=int(bool(hint)))) from None
    if len(lines) != len(grid) + bool(hint):
        # Quotes inside unquoted cells fool the quick count: count with the csv module.
        lines = _record_lines_slowly(data, sep)
    table = _table(spec, grid, lines[1:] if hint else lines)
    table.encoding = how
    return table


def _delimiter(data: bytes) -> str:
    head = data[:65536].decode("utf-8", errors="ignore")
    head = re.sub(r'"(?:[^"]|"")*"', "", head)
    first = head.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


_QUOTED = re.compile(rb'"[^"]*(?:""[^"]*)*"')


def _unclosed_quote(data: bytes, sep: str) -> int | None:
    """Where a quoted cell opens and never closes (a file cut short), else None.

    Only a quote at the start of a cell opens one; a quote inside an unquoted cell
    (a 5" screen) is a character, as pandas reads it. Called only when the quotes do not
    pair up, so a well-formed file costs one count of its quotes.
    """
    opening = re.compile(rb'(?:^|(?<=[' + re.escape(sep.encode()) + rb'\n]))"')
    at = 0
    while (found := opening.search(data, at)) is not None:
        cell = _QUOTED.match(data, found.start())
        if cell is None:
            return found.start()
        at = cell.end()
    return None


def _closed(spec: FileSpec, data: bytes, sep: str) -> None:
    """Fail at the line where a quoted cell opens and never closes, if one does."""
    unclosed = _unclosed_quote(data, sep)
    if unclosed is not None:
        _fail(spec, _line_of(data, unclosed), "well-formed CSV (every quote closed)",
              "a quoted cell that starts here and never ends: a \" without its pair, or a "
              "file cut short")


def _record_lines(data: bytes) -> tuple[np.ndarray, bool]:
    """The line where each non-blank record starts, and whether a quoted cell spans lines.

    A newline ends a record unless an odd number of quotes comes before it; counted with
    numpy in chunks so a large file costs a few passes over its bytes, not a Python loop.
    """
    newlines, quotes = [], []
    for start in range(0, len(data), _CHUNK):
        block = np.frombuffer(data, np.uint8, count=min(_CHUNK, len(data) - start),
                              offset=start)
        newlines.append(np.flatnonzero(block == 10) + start)
        quotes.append(np.flatnonzero(block == 34) + start)
    nl = np.concatenate(newlines)
    q = np.concatenate(quotes)
    inside = (np.searchsorted(q, nl) % 2 == 1) if len(q) else np.zeros(len(nl), bool)
    ends = np.append(nl[~inside], len(data))
    starts = np.insert(ends[:-1] + 1, 0, 0)
    length = ends - starts
    first = np.frombuffer(data, np.uint8)[np.minimum(starts, len(data) - 1)]
    blank = (length <= 0) | ((length == 1) & (first == 13))
    lines = np.searchsorted(nl, starts) + 1
    return lines[~blank], bool(inside.any())


def _record_lines_slowly(data: bytes, sep: str) -> np.ndarray:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    lines, line = [], 1
    for record in reader:
        if record:
            lines.append(line)
        line = reader.line_num + 1
    return np.asarray(lines)


def _ragged(spec: FileSpec, data: bytes, sep: str, exc: Exception,
            skip: int = 0) -> list[Problem]:
    """Problems for rows whose cell count differs from the header's, with their lines."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    problems, width, line = [], None, 1
    name = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}.get(sep, f"'{sep}'")
    try:
        for record in reader:
            if record and skip:
                skip -= 1
            elif record:
                if width is None:
                    width = len(record)
                elif len(record) != width:
                    problems.append(Problem(
                        spec.name, line, None,
                        f"{width} cells separated by {name}, as in the header",
                        f"{len(record)} cell{'s' if len(record) != 1 else ''}"))
            line = reader.line_num + 1
    except csv.Error as err:
        problems.append(Problem(spec.name, line, None, "well-formed CSV", str(err)))
    if not problems:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        row = None
        if data.count(b'"') % 2:
            # Quotes pair up in order, so the last one is the quote that never closes.
            row = _line_of(data, data.rindex(b'"'))
            detail = "a quoted cell that starts here and never ends (a \" without its pair)"
        problems.append(Problem(spec.name, row, None, "well-formed CSV", detail))
    if len(problems) > SHOWN_RAGGED:
        extra = len(problems) - SHOWN_RAGGED
        problems = problems[:SHOWN_RAGGED] + [Problem(
            spec.name, None, None, problems[0].expected, f"{extra} more rows like these")]
    return problems


# ---- workbooks -------------------------------------------------------------------------

def _read_excel(spec: FileSpec, data: bytes) -> RawTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:   # a damaged workbook fails in many ways inside openpyxl
        _fail(spec, None, "an Excel workbook (.xlsx) that opens",
              f"a damaged file ({type(exc).__name__})")
    notes = []
    try:
        sheet = _sheet(spec, book, notes)
        if not hasattr(sheet, "iter_rows"):
            _fail(spec, None, "a sheet of cells", f"'{sheet.title}' is a chart")
        cells, rows = _used_cells(sheet)
    except DataError:
        raise
    except Exception as exc:   # damaged sheet XML fails in many ways inside openpyxl
        _fail(spec, None, "an Excel workbook (.xlsx) whose sheets can be read",
              f"a damaged sheet ({type(exc).__name__})")
    finally:
        book.close()
    if not cells:
        _fail(spec, None, f"a header row and rows of answers on sheet '{sheet.title}'",
              "an empty sheet")
    merged = _merged(data, sheet.title, rows[0])
    if merged:
        _fail(spec, None, "one value per cell in the data rows (no merged cells)",
              f"merged cells {', '.join(merged[:5])} on sheet '{sheet.title}'")
    width = max(len(r) for r in cells)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in cells], dtype=str)
    table = _table(spec, grid, np.asarray(rows))
    table.warnings = notes
    return table


def _used_cells(sheet) -> tuple[list[list[str]], list[int]]:
    """The rows that hold a value, each cut after its last value, with their row numbers.

    The used range is what the cells hold, not what the sheet's dimensions say: rows are
    streamed from the sheet's XML as they are stored (openpyxl's own iterator would fill in
    every missing row and column up to the last formatted cell), so one formatted empty
    cell at XFD1048576 adds nothing.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    cells, rows = [], []
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=True,
                                 epoch=book.epoch, date_formats=book._date_formats,
                                 timedelta_formats=book._timedelta_formats)
        for number, row in parser.parse():
            values = {c["column"]: c["value"] for c in row
                      if c["value"] is not None and c["value"] != ""}
            if values:
                last = max(values)
                cells.append([_cell_text(values.get(col)) for col in range(1, last + 1)])
                rows.append(number)
    return cells, rows


def _merged(data: bytes, title: str, header_row: int) -> list[str]:
    """Merged ranges below the header row, read from the sheet's XML (read-only openpyxl
    does not keep them)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            found = re.search(r'<sheet\b[^>]*name="' + re.escape(_xml_escape(title))
                              + r'"[^>]*r:id="([^"]+)"', book)
            if not found:
                return []
            target = re.search(r'Id="' + re.escape(found.group(1)) + r'"[^>]*Target="([^"]+)"',
                               rels) or re.search(r'Target="([^"]+)"[^>]*Id="'
                                                  + re.escape(found.group(1)) + '"', rels)
            if not target:
                return []
            name = target.group(1).lstrip("/")
            name = name if name.startswith("xl/") else "xl/" + name
            with archive.open(name) as part:
                tail = part.read()
    except (KeyError, zipfile.BadZipFile, OSError):
        return []
    ranges = re.findall(rb'<mergeCell ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', tail)
    return [f"{a.decode()}{r1.decode()}:{(b or a).decode()}{(r2 or r1).decode()}"
            for a, r1, b, r2 in ranges if int(r2 or r1) > header_row]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _sheet(spec: FileSpec, book, notes: list):
    names = book.sheetnames
    if spec.sheet is None:
        visible = [n for n in names if getattr(book[n], "sheet_state", "visible") == "visible"]
        first = book[names[0]]
        if getattr(first, "sheet_state", "visible") != "visible":
            listed = ", ".join(f"'{n}'" for n in visible) or "none"
            _fail(spec, None, "a visible first sheet, or sheet: in client.yml naming the one "
                  "to read", f"the first sheet '{names[0]}' is hidden (visible: {listed})")
        if len(visible) > 1:
            notes.append(Notice(f"{spec.name}: read the first sheet '{names[0]}' of "
                                f"{len(visible)} visible sheets ({', '.join(visible)}); set "
                                "sheet: in client.yml to read another", "sheets",
                                file=spec.name, sheet=names[0], visible=len(visible),
                                sheets=list(visible)))
        return first
    wanted = spec.sheet.strip().casefold()
    for name in names:
        if name.strip().casefold() == wanted:
            return book[name]
    listed = ", ".join(f"'{n}'" for n in names)
    _fail(spec, None, f"a sheet named '{spec.sheet}' (sheet in client.yml)",
          f"the sheets {listed}")


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep="T") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# ---- SPSS ------------------------------------------------------------------------------

def _read_spss(spec: FileSpec) -> RawTable:
    """An SPSS .sav/.zsav file: codes as text, declared missing values empty, value labels kept.

    Rows are SPSS case numbers (1, 2, ...), as the Data View shows them; there is no header
    row. Values the file declares missing (single codes or ranges) become empty cells, so the
    checks treat them as no answer; value labels are kept per column for the scale's labels
    and segment names.
    """
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(spec.path), user_missing=False)
    except Exception as exc:   # readstat raises its own errors for damaged files
        _fail(spec, None, "an SPSS data file (.sav) that opens",
              f"a damaged or unsupported file ({str(exc).splitlines()[0][:80]})")
    cells = pd.DataFrame({str(c).strip(): _spss_text(frame[c]) for c in frame.columns})
    labels = {str(c).strip(): {_cell_text(code): str(label) for code, label in pairs.items()}
              for c, pairs in (meta.variable_value_labels or {}).items()}
    if cells.empty:
        _fail(spec, None, "an SPSS data file with cases", "no cases")
    filled = ~cells.eq("").all(axis=1).to_numpy()
    rows = np.arange(1, len(cells) + 1)[filled]
    return RawTable(spec.name, cells[filled].reset_index(drop=True), rows, header_row=None,
                    encoding=f"{meta.file_encoding or 'unknown'}, as the file says",
                    layout="spss", value_labels=labels)


def _spss_text(series: pd.Series) -> np.ndarray:
    """One SPSS column as text cells, "" where missing (system- or user-declared)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = np.array([_cell_text(v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                     for v in uniques] + [""], dtype=object)
    return text[np.where(codes < 0, len(uniques), codes)]


# ---- header rows and columns -----------------------------------------------------------

def _table(spec: FileSpec, grid: pd.DataFrame, lines: np.ndarray) -> RawTable:
    """Split header rows from answers, name the columns and drop empty rows."""
    top = [list(grid.iloc[i]) for i in range(min(3, len(grid)))]
    count, names, layout = _header(spec, top)
    frame = grid.iloc[count:].reset_index(drop=True)
    rows = np.asarray(lines[count:])
    frame.columns = range(frame.shape[1])
    keep, seen, duplicates, letters = [], {}, {}, {}
    for i, name in enumerate(names):
        name = " ".join(str(name).split()) or f"column {_letter(i)}"
        if name in seen:
            letters.setdefault(name, [_letter(seen[name])]).append(_letter(i))
            continue
        seen[name] = i
        keep.append((i, name))
    frame = frame[[i for i, _ in keep]]
    frame.columns = [name for _, name in keep]
    filled = _filled(frame)
    if not filled.all():
        frame = frame[filled].reset_index(drop=True)
    for name, where in letters.items():
        duplicates[name] = f"columns {', '.join(where[:-1])} and {where[-1]}"
    header_row = int(lines[count - 1]) if count and len(lines) >= count else 1
    return RawTable(spec.name, frame, rows[filled], duplicates, header_row, layout=layout)


def _filled(frame: pd.DataFrame) -> np.ndarray:
    """Which rows hold a value in some column: column by column, only the rows still
    empty so far (a survey's id column usually settles every row at once)."""
    empty = np.arange(len(frame)) if frame.shape[1] else np.zeros(0, int)
    for i in range(frame.shape[1]):
        empty = empty[frame.iloc[empty, i].eq("").to_numpy()]
        if not len(empty):
            break
    filled = np.ones(len(frame), bool) if frame.shape[1] else np.zeros(len(frame), bool)
    filled[empty] = False
    return filled


def _header(spec: FileSpec, top: list[list[str]]) -> tuple[int, list[str], str]:
    """How many header rows the file has, the column names they give, and the layout.

    Qualtrics and SurveyMonkey layouts are recognised in any CSV or workbook; with `format:
    qualtrics` or `surveymonkey` the file must have that layout. A file that looks like a
    survey-tool export but is not recognised is an error naming the format to set, unless
    client.yml names its format (spec.detect is False).
    """
    fmt = spec.format
    if fmt in ("csv", "excel", "qualtrics"):
        found = _qualtrics(top, strict=fmt != "qualtrics")
        if found:
            return found
        if fmt == "qualtrics":
            _fail(spec, None, "a Qualtrics export with three header rows (column ids, "
                  "question text, ImportId) or the legacy two (V1..Vn, then ResponseID and "
                  "question text)", _first_cells(top))
    if fmt == "surveymonkey" or (fmt in ("csv", "excel") and _is_monkey(top)):
        if len(top) < 2:
            _fail(spec, None, "a SurveyMonkey export with two header rows (question text, "
                  "option labels)", f"{len(top)} row")
        return 2, surveymonkey_names(top[0], top[1]), "surveymonkey"
    looks = _looks_like_export(top) if spec.detect else None
    if looks:
        tool, why = looks
        _fail(spec, 2, f"either a {tool} export as it came (set format: {tool.lower()} for it "
              "in client.yml) or one header row (set format: csv)", why)
    return 1, top[0] if top else [], "plain"


def _squeezed(cell: str) -> str:
    return "".join(str(cell).split()).casefold()


def _first_cells(top: list[list[str]]) -> str:
    if not top:
        return "an empty file"
    return "a first row starting " + ", ".join(repr(c) for c in top[0][:4])


def _import_ids(row: list[str]) -> bool:
    """Whether a row is Qualtrics's ImportId row, in JSON or in Python-dict quotes."""
    cells = [_squeezed(c).replace("'", '"') for c in row if str(c).strip()]
    marked = sum(c.startswith(_QUALTRICS_MARK) for c in cells)
    return bool(cells) and marked * 2 >= len(cells)


def _qualtrics(top: list[list[str]], strict: bool) -> tuple[int, list[str], str] | None:
    """A Qualtrics export's header rows: the current three or the legacy two."""
    if len(top) >= 3 and _import_ids(top[2]):
        return 3, top[0], "qualtrics"
    if len(top) >= 2 and re.fullmatch(r"V1", str(top[0][0]).strip()) and \
            "responseid" in {_squeezed(c) for c in top[1]}:
        names = [label if re.fullmatch(r"V\d+", str(name).strip()) else name
                 for name, label in zip(top[0], top[1])]
        return 2, names, "qualtrics-legacy"
    if not strict and len(top) >= 2 and _question_row(top):
        return 2, top[0], "qualtrics"     # an export whose ImportId row was deleted
    return None


def _question_row(top: list[list[str]]) -> bool:
    """Whether the second row repeats Qualtrics's labels ('Response ID' under ResponseId)."""
    first = [_squeezed(c) for c in top[0]]
    if "responseid" not in first:
        return False
    return _squeezed(top[1][first.index("responseid")]) == "responseid"


def _looks_like_export(top: list[list[str]]) -> tuple[str, str] | None:
    """The tool a file's header rows look like when its layout was not recognised."""
    if len(top) < 2:
        return None
    first = {_squeezed(c) for c in top[0]}
    labels = [_squeezed(c) for c in top[1]]
    if len(first & _QUALTRICS_COLUMNS) >= 3 and _question_row(top):
        return "Qualtrics", "a second row of question texts under Qualtrics column ids"
    plain = sum(label in ("response", "open-endedresponse") for label in labels)
    if plain:
        return "SurveyMonkey", (f"a second row with {plain} 'Response' or 'Open-Ended Response' "
                                "labels under the question texts")
    return None


def _is_monkey(top: list[list[str]]) -> bool:
    """A SurveyMonkey export: 'Respondent ID' (or 'RespondentID') over an empty cell, and
    'Response' or 'Open-Ended Response' labels in the second row."""
    if len(top) < 2:
        return False
    first = [_squeezed(c) for c in top[0]]
    labels = {_squeezed(c) for c in top[1]}
    if "respondentid" not in first:
        return False
    return str(top[1][first.index("respondentid")]).strip() == "" and bool(
        labels & {"response", "open-endedresponse"})


def surveymonkey_names(questions: list[str], labels: list[str]) -> list[str]:
    """Column names of a SurveyMonkey export from its two header rows.

    A question's text stands over its first column only; the columns after it, up to the
    next question, are its options. A column is named by the question text alone when its
    option label is empty, "Response" or "Open-Ended Response", else
    "question text - option label" (the form to use in client.yml).

    Parameters: questions, the first header row; labels, the second.
    Returns: one name per column.
    """
    names, question = [], ""
    for text, label in zip(questions, labels):
        text, label = " ".join(text.split()), " ".join(label.split())
        if text:
            question = text
        if label.casefold() in _MONKEY_PLAIN:
            names.append(question)
        else:
            names.append(f"{question} - {label}" if question else label)
    return names


def _letter(index: int) -> str:
    """A spreadsheet column letter (0 -> A, 26 -> AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name

"""One figure, one rounding: every repeated figure of the demo report reads the same in its
card, its sentences, its tables, its charts and tables.xlsx (cxlib.outputs.text)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from cxlib.outputs import text

LANG, CURRENCY = "en", "USD"
#: A number as sentences write it: optional currency, sign, digits with grouping and
#: decimals, an optional k/M (a shortened amount, which the one rule never writes) or %.
TOKEN = re.compile(r"(?P<cur>USD )?(?P<sign>[+−-])?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<suffix>[kM%])?")


class _Report(HTMLParser):
    """The parts of report.html that show figures: cards, sentences, table cells."""

    def __init__(self):
        super().__init__()
        self.cards, self.sentences, self.tables, self.full = {}, {}, {}, {}
        self._section = self._where = self._card = self._table = self._full = None
        self._text, self._row = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (attrs.get("id") or "").startswith("full-"):
            self._full = attrs["id"]           # the technical appendix's whole table next
        if tag == "section":
            self._section = attrs.get("id")
        elif tag == "div" and attrs.get("class") == "metric":
            self._card = {}
            self.cards[(self._section, attrs["data-metric"])] = self._card
        elif tag == "div" and self._card is not None and attrs.get("class") in (
                "value", "detail"):
            self._where, self._text = attrs["class"], []
        elif tag == "p" and self._section and self._card is None and self._table is None:
            self._where, self._text = "sentence", []
        elif tag == "table" and attrs.get("data-table"):
            self._table = {"headers": [], "rows": []}
            if self._section == "technical" and self._full:
                self.full[tuple(self._full.split("-", 2)[1:])] = self._table
                self._full = None
            else:
                self.tables[(self._section, attrs["data-table"])] = self._table
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._table is not None:
            self._where, self._text = tag, []

    def handle_endtag(self, tag):
        words = "".join(self._text).strip()
        if tag == "div" and self._where in ("value", "detail"):
            self._card[self._where] = words
            self._where = None
            if "detail" in self._card:
                self._card = None
        elif tag == "p" and self._where == "sentence":
            self.sentences.setdefault(self._section, []).append(words)
            self._where = None
        elif tag in ("td", "th") and self._where == tag:
            self._row.append(words)
            self._where = None
        elif tag == "tr" and self._row is not None:
            key = "headers" if not self._table["headers"] else "rows"
            if key == "headers":
                self._table["headers"] = self._row
            else:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._where:
            self._text.append(data)


@pytest.fixture(scope="module")
def shown(demo_report) -> _Report:
    """The demo report.html, parsed."""
    parser = _Report()
    parser.feed((demo_report / "report.html").read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def results(demo_report) -> dict:
    """The demo's results.json: every headline figure unrounded, with its kind."""
    return json.loads((demo_report / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book(demo_report):
    """The demo's tables.xlsx."""
    from openpyxl import load_workbook

    return load_workbook(demo_report / "tables.xlsx")


def _figures(results: dict):
    """(section, key, part, value, kind) for every metric and interval bound."""
    for sid, section in results["sections"].items():
        for key, m in section["metrics"].items():
            for part in ("value", "ci_low", "ci_high"):
                if part in m:
                    yield sid, key, part, m[part], m.get("kind", "auto")


def test_every_metric_card_shows_its_figure_by_its_kind(shown, results):
    """Every card a section shows (report.CARDS picks them) is its metric by its kind."""
    metrics = {(sid.lower(), key): m for sid, section in results["sections"].items()
               for key, m in section["metrics"].items()}
    checked = 0
    for where, card in shown.cards.items():
        if where[0] == "summary":
            continue                            # the summary's cards repeat a section's
        m = metrics[where]
        assert card["value"].startswith(text.figure(m["value"], m["kind"], LANG, CURRENCY))
        if "ci_low" in m:
            assert text.interval(m["ci_low"], m["ci_high"], LANG, m["kind"],
                                 CURRENCY) in card["detail"]
        assert f"n = {text.figure(m['n'], 'count', LANG)}" in card["detail"]
        checked += 1
    assert checked >= 10


def _value(token: re.Match) -> tuple[float, float]:
    """A token's number and half a unit of its last digit."""
    number = float(token["num"].replace(",", ""))
    decimals = len(token["num"].split(".")[1]) if "." in token["num"] else 0
    scale = {"k": 1e3, "M": 1e6}.get(token["suffix"], 1)
    sign = -1 if token["sign"] in ("−", "-") else 1
    return sign * number * scale, 0.5 * 10 ** -decimals * scale


def _same_shape(token: re.Match, kind: str) -> bool:
    """Whether a token could be this kind of figure written some way: money has its
    currency, shares a percent sign, NPS a sign; other figures have decimals (a bare whole
    number in a sentence is a count or a label such as "3+ years")."""
    if kind == "money":
        return token["cur"] is not None
    if kind in ("share", "percent"):
        return token["suffix"] == "%"
    if token["cur"] is not None or token["suffix"] is not None:
        return False
    if kind == "nps":
        return token["sign"] is not None
    return "." in token["num"]


def test_every_figure_repeated_in_a_sentence_reads_as_its_card(shown, results):
    """A number in a sentence that stands for a metric (the same size of figure, within
    half a unit of its last digit) is written exactly as the card writes that metric."""
    seen = 0
    for sid, key, part, value, kind in _figures(results):
        if kind in ("count", "auto", "param") or value is None:
            continue
        expected = text.figure(value, kind, LANG, CURRENCY)
        shown_value = 100 * value if kind == "share" else value
        for where in (sid.lower(), "summary"):
            for sentence in shown.sentences.get(where, []):
                for token in TOKEN.finditer(sentence):
                    if not _same_shape(token, kind):
                        continue
                    number, half = _value(token)
                    if abs(number - shown_value) <= half + 1e-9:
                        assert token.group(0).strip() == expected, (sid, key, part, sentence)
                        seen += 1
    assert seen >= 10


def _sheet(book, section: str, key: str):
    wanted = f"{section} {key}"[:31]
    return book[wanted] if wanted in book.sheetnames else None


def test_every_report_table_cell_is_the_workbook_figure_by_its_kind(shown, book):
    """A table in report.html and its sheet in tables.xlsx: same headers, and each shown
    cell is the sheet's value formatted by the rule of the kind whose Excel number format
    the sheet gives it (cxlib.outputs.text.excel_format): one rule, two renderers."""
    # Kinds sharing a format share its digits; the first kind of KINDS stands for them.
    formats = {text.excel_format(k): k for k in reversed(list(text.KINDS))}

    def workbook_rows(anchor, key, shown_headers):
        """The sheet's rows as the report would write them, in the columns it shows."""
        section = anchor.upper() if re.fullmatch(r"p\d", anchor) else anchor
        sheet = book[f"{section} {key}"[:31]]
        headers = [c.value for c in sheet[1]]
        columns = [(c, headers.index(h)) for c, h in enumerate(shown_headers) if h in headers]
        rows = []
        for values in sheet.iter_rows(min_row=2):
            rows.append({c: text.figure(values[i].value, formats[values[i].number_format], LANG)
                         for c, i in columns if isinstance(values[i].value, (int, float))
                         and not isinstance(values[i].value, bool)})
        return rows

    compared = 0
    for (anchor, key), table in shown.full.items():      # whole tables: row by row
        rows = workbook_rows(anchor, key, table["headers"])
        assert len(rows) == len(table["rows"]), (anchor, key)
        for r, (row, expected) in enumerate(zip(table["rows"], rows)):
            for c, figure in expected.items():
                assert row[c] == figure, (anchor, key, table["headers"][c], r)
                compared += 1
    assert compared >= 100
    bodies = 0
    for (anchor, key), table in shown.tables.items():    # body tables: rows of the sheet
        if anchor in (None, "appendix", "summary"):
            continue
        rows = [r for r in workbook_rows(anchor, key, table["headers"]) if r]
        if not rows:
            continue                            # a table of words: no figure to compare
        for row in table["rows"]:
            assert any(all(row[c] == f for c, f in expected.items())
                       for expected in rows), (anchor, key, row)
            bodies += 1
    assert bodies >= 20


def test_every_numeric_workbook_column_has_a_known_kind(book):
    """No figure in tables.xlsx is left to the format of no known kind."""
    unknown = set()
    for sheet in book.worksheets[1:]:
        headers = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for header, cell in zip(headers, row):
                if isinstance(cell.value, float) and cell.number_format == text.excel_format(
                        "auto"):
                    unknown.add((sheet.title, header))
    assert unknown == set()


def _plots(page: str):
    """The data of every chart embedded in report.html."""
    decoder = json.JSONDecoder()
    for start in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", page):
        yield decoder.raw_decode(page, start.end())[0]


def test_chart_cell_labels_follow_one_rule_of_a_kind(demo_report):
    """Printed chart values (the heatmaps' cells) are the figures formatted by one kind's
    rule, as the tables print them."""
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    labelled = 0
    for data in _plots(page):
        for trace in data:
            if trace.get("type") != "heatmap" or not trace.get("text"):
                continue
            pairs = [(z, t) for zs, ts in zip(trace["z"], trace["text"]) for z, t in zip(zs, ts)
                     if z is not None]
            assert any(all(t == text.figure(z, kind, LANG) for z, t in pairs)
                       for kind in ("count", "mean")), pairs[:5]
            labelled += 1
    assert labelled >= 1

"""The printed report read as a partner would: client language, full pages, whole tables,
and a Chinese report in Chinese. Measured on the demo, airline and Chinese demo reports the
session already made (tests/conftest.py); pdf_layout.py holds the measurements."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from cxlib.outputs import text
from cxlib.outputs.theme import load_theme

from pdf_layout import cut_tables, pages, underfilled

#: The method's internal codes: practices, building blocks, Cs, journey actions, tips.
CODE = re.compile(r"\b(?:P[1-4]|B[1-9]|C[1-4]|G[1-5]|A[1-7]|MT)\b")
#: Latin words a Chinese report may keep: acronyms it defines, currency codes, proper
#: names of methods and people, file names, and "n" / "t" of statistics.
ALLOWED = {"NPS", "CRM", "KPI", "USD", "CNY", "EUR", "CX", "Holm", "Wilson", "Johnson",
           "Welch", "VADER", "James", "Allen", "client", "yml", "tables", "xlsx", "csv", "CI", "MT",
           # the provenance block: file and command names, the hash's name, the time zone
           "codebook", "manifest", "json", "cx", "cxlib", "verify", "SHA-", "UTC"}
#: Anchors of the appendix sections, where codes may be shown.
APPENDIX = ('id="appendix"', 'id="technical"')


def _text_of(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _body(report: Path) -> str:
    """The client body of report.html as text: everything before the appendix."""
    page = (report / "report.html").read_text(encoding="utf-8")
    page = page[page.index("<body>"):page.index(APPENDIX[0])]
    return _text_of(page)


def _chart_text(report: Path) -> str:
    return " ".join(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg.read_text("utf-8")))
                    for svg in sorted((report / "figures").glob("*.svg")))


def _titles(report: Path, language: str) -> list[str]:
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return ([text.t(language, "sections.summary")]
            + [s["title"] for s in results["sections"].values()]
            + [text.t(language, "sections.appendix"), text.t(language, "appendix.technical")])


def test_report_body_names_no_internal_code(demo_report):
    found = CODE.findall(_body(demo_report))
    assert not found, f"codes in the client body: {sorted(set(found))}"


def test_report_charts_name_no_internal_code(demo_report):
    found = CODE.findall(_chart_text(demo_report))
    assert not found, f"codes in chart labels: {sorted(set(found))}"


def test_report_appendix_explains_every_code(demo_report):
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    appendix = _text_of(page[page.index(APPENDIX[0]):])
    for code in ("P1", "P4", "B6", "C4", "G1", "A2", "MT"):
        assert re.search(rf"\b{code}\b", appendix), code


def test_report_body_links_resolve_to_appendix_tables(demo_report):
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="#(full-[^"]+)"', page))
    assert len(links) >= 6
    for anchor in links:
        assert f'id="{anchor}"' in page, anchor


@pytest.mark.parametrize("which", ["demo_report", "airline_report"])
def test_report_pdf_pages_half_full_except_a_sections_last(which, request):
    report = request.getfixturevalue(which)
    found = pages(report / "report.pdf", _titles(report, "en"))
    bad = underfilled(found)
    assert not bad, [(p.number, round(p.fill, 2), " ".join(p.text.split())[:60]) for p in bad]


@pytest.mark.parametrize("which", ["demo_report", "airline_report"])
def test_report_pdf_no_table_cut_with_fewer_than_three_rows(which, request):
    report = request.getfixturevalue(which)
    assert cut_tables(report / "report.pdf") == []


def test_report_pdf_appendix_link_is_a_working_pdf_link(demo_report):
    import pdfplumber

    with pdfplumber.open(demo_report / "report.pdf") as pdf:
        targets = {str(a["data"].get("Dest")) for p in pdf.pages for a in p.annots
                   if a["data"].get("Dest") is not None}
    assert any("full-" in t for t in targets), sorted(targets)[:10]


def _client_strings(folder: Path) -> list[str]:
    """Every piece of text the client supplied: names, labels, quotes, values, file names."""
    from cxlib.inputs.client import load_client

    client = load_client(folder)
    found = {client.name, load_theme().consultancy}
    import pandas as pd

    frames = [v for v in vars(client).values() if isinstance(v, pd.DataFrame)]
    frames += [v for holder in vars(client).values() if hasattr(holder, "__dict__")
               for v in vars(holder).values() if isinstance(v, pd.DataFrame)]
    for frame in frames:
        found.update(map(str, frame.columns))
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype).startswith("str"):
                found.update(str(v) for v in frame[column].dropna().unique())
    codebook = getattr(client, "codebook", None)
    for theme in getattr(codebook, "themes", ()):      # the client's (or template) theme names
        found.update(theme.names.values())
    return sorted((s for s in found if s.strip()), key=len, reverse=True)


def test_report_zh_own_text_has_no_english_words(zh_report, zh_folder):
    page = (zh_report / "report.html").read_text(encoding="utf-8")
    own = _text_of(page[page.index("<body>"):])
    own += " " + _chart_text(zh_report)
    for value in _client_strings(zh_folder):
        own = own.replace(value, " ")
    own = re.sub(r"\b[0-9a-f]{8,}\b", " ", own)     # SHA-256 digests and commit ids
    words = set(re.findall(r"[A-Za-z][A-Za-z'-]+", own)) - ALLOWED
    assert not words, f"English in the Chinese report's own text: {sorted(words)[:40]}"


@pytest.mark.parametrize("which", ["demo_report", "airline_report"])
def test_report_executive_summary_is_one_page_that_ends_with_the_decision(which, request):
    report = request.getfixturevalue(which)
    found = pages(report / "report.pdf", _titles(report, "en"))
    summary = text.t("en", "sections.summary")
    first = next(p.number for p in found if " ".join(p.text.split()).startswith(summary))
    assert found[first].starts_section, "the summary runs over to a second page"
    page = (report / "report.html").read_text(encoding="utf-8")
    block = page[page.index('id="summary"'):page.index('id="p1"')]
    assert 1 <= block.count("<li>") <= 3 and 'class="decision"' in block
    if which == "demo_report":      # a roadmap: its first three initiatives, owner and horizon
        assert block.count("<li>") == 3
        table = block[block.index('data-table="recommendations"'):]
        assert table[:table.index("</table>")].count("<tr>") == 4


@pytest.mark.browser
@pytest.mark.parametrize("chart", ["impact_effort", "plan"])
def test_report_roadmap_charts_show_every_title_and_nothing_on_anything_else(
        chart, demo_report, browser):
    """The impact/effort chart and the 30/60/90 plan as the report draws them (SVG):
    the initiatives table's titles in full, no text or marker on another."""
    import pandas as pd

    from chart_boxes import drawn, overlaps

    table = pd.read_excel(demo_report / "tables.xlsx", sheet_name="roadmap initiatives")
    titles = table[text.header("title", "en")]
    boxes = drawn(browser, demo_report / "figures" / f"roadmap_{chart}.svg")
    assert overlaps(boxes) == []
    shown = html.unescape("".join(t["text"] for t in boxes["texts"])).replace(" ", "")
    assert [t for t in titles if t.replace(" ", "") not in shown] == []

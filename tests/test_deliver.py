"""Tests of cxlib.outputs.deliver: report.pdf, tables.xlsx and figures/ next to report.html."""
import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from cxlib.outputs import deliver, report, text
from cxlib.inputs.client import load_client
from cxlib.outputs.section import Section

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture(scope="module")
def results(demo_report):
    """results.json of the demo report."""
    return json.loads((demo_report / "results.json").read_text(encoding="utf-8"))


def _pdf_pages(path) -> list[str]:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"],
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8").split("\f")[:-1]


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


# --- Figures ------------------------------------------------------------------------------

def test_write_all_demo_figures_png_and_svg_for_every_chart(demo_report, results):
    expected = {f"{sid}_{name}" for sid, s in results["sections"].items() for name in s["figures"]}
    folder = demo_report / "figures"
    assert {p.stem for p in folder.glob("*.png")} == expected
    assert {p.stem for p in folder.glob("*.svg")} == expected
    assert len(expected) == results["figures"]


def test_write_all_demo_png_twice_chart_size_svg_parses(demo_report):
    png = demo_report / "figures" / "P1_retention_by_group.png"
    svg = ET.parse(demo_report / "figures" / "P1_retention_by_group.svg").getroot()
    width, height = _png_size(png)
    assert (width, height) == (2 * float(svg.get("width")), 2 * float(svg.get("height")))
    assert svg.tag.endswith("svg") and float(svg.get("width")) == 680


# --- Workbook -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book(demo_report):
    """The demo report's tables.xlsx."""
    return load_workbook(demo_report / "tables.xlsx")


def test_write_tables_demo_one_sheet_per_table_after_contents(book, results):
    wanted = [f"{sid} {key}" for sid in report.ORDER if sid in results["sections"]
              for key in results["sections"][sid]["tables"]]
    assert book.sheetnames[0] == "Contents"
    assert book.sheetnames[1:] == [w[:31] for w in wanted]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_write_tables_demo_contents_lists_every_sheet_with_description(book):
    rows = list(book["Contents"].iter_rows(min_row=5, values_only=True))
    assert [r[0] for r in rows] == book.sheetnames[1:]
    assert all(r[3] and "_" not in r[3].replace("loyalty_by_", "") for r in rows)
    assert book["Contents"]["A5"].hyperlink.location == f"'{rows[0][0]}'!A1"


def test_write_tables_demo_outcomes_headers_formats_and_values(book, results):
    sheet = book["P1 outcomes_by_group"]
    headers = [c.value for c in sheet[1]]
    assert not any("_" in h for h in headers)
    assert "Revenue per customer (USD)" in headers and "n" in headers
    assert sheet.freeze_panes == "A2"
    col = {h: i for i, h in enumerate(headers)}
    row = {sheet.cell(r, 1).value: [c.value for c in sheet[r]] for r in range(2, sheet.max_row + 1)}
    retention = sheet.cell(2, col["Retention rate"] + 1)
    assert retention.number_format == text.excel_format("share") == "#,##0.0%"
    # The same figure reached results.json through another route (the P1 metrics).
    metric = results["sections"]["P1"]["metrics"]["retention_detractor"]
    detractors = row[text.t("en", "groups.detractor")]
    assert detractors[col["Retention rate"]] == pytest.approx(metric["value"], abs=1e-12)
    assert detractors[col["n"]] == metric["n"]
    assert detractors[col["Retention, 95% CI low"]] == pytest.approx(metric["ci_low"], abs=1e-12)


def test_write_tables_demo_interval_takes_its_estimates_format(book):
    sheet = book["P2 switch_hotspots"]
    headers = [c.value for c in sheet[1]]
    low = headers.index("95% CI low") + 1
    assert sheet.cell(2, low).number_format == text.excel_format("share")
    gaps = book["P3 gaps"]
    low = [c.value for c in gaps[1]].index("95% CI low") + 1
    assert gaps.cell(2, low).number_format == text.excel_format("gap")


def _section(frame: pd.DataFrame, key: str = "t") -> dict[str, Section]:
    return {"P1": Section("P1", "P1 · Test", tables={key: frame})}


def test_write_tables_formula_text_stays_text(tmp_path):
    frame = pd.DataFrame({"quote": ["=HYPERLINK(\"http://x\")", "plain"], "n": [1, 2]})
    path = deliver.write_tables(_section(frame), tmp_path / "t.xlsx")
    cell = load_workbook(path)["P1 t"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_write_tables_missing_values_empty_cells(tmp_path):
    frame = pd.DataFrame({"gap": [0.5, float("nan")], "name": ["a", None]})
    sheet = load_workbook(deliver.write_tables(_section(frame), tmp_path / "t.xlsx"))["P1 t"]
    assert [c.value for c in sheet[3]] == [None, None]


@pytest.mark.parametrize(("wanted", "used", "expected"), [
    ("P1 a_very_long_table_name_that_goes_past_the_limit", set(),
     "P1 a_very_long_table_name_that_"),
    ("P1 a", {"P1 A"}, "P1 a (2)"),
    ("P1 bad/name:[x]?", set(), "P1 bad_name__x__"),
    ("P1 a_very_long_table_name_that_goes_past_the_limit", {"P1 a_very_long_table_name_that_"},
     "P1 a_very_long_table_name_t (2)"),
])
def test_sheet_name_cases(wanted, used, expected):
    name = deliver._sheet_name(wanted, set(used))
    assert name == expected and len(name) <= 31


# --- PDF ----------------------------------------------------------------------------------

def _assert_contents_point_at_sections(pdf, results) -> None:
    pages = _pdf_pages(pdf)
    titles = [text.t("en", "sections.summary")] + [
        results["sections"][k]["title"] for k in report.ORDER if k in results["sections"]]
    titles.append(text.t("en", "sections.appendix"))
    contents = pages[0]
    for title in titles:
        found = re.search(re.escape(title) + r"\s+(\d+)\s*$", contents, re.M)
        assert found, f"no page number for {title!r} in the contents"
        start = pages[int(found.group(1)) - 1]
        assert start.strip().startswith(title), title


@needs_poppler
def test_write_pdf_demo_contents_page_numbers_point_at_sections(demo_report, results):
    _assert_contents_point_at_sections(demo_report / "report.pdf", results)


@needs_poppler
def test_write_pdf_printed_once_when_the_plan_holds_again_when_it_does_not(
        demo_report, results, tmp_path):
    printed = []

    def pdf(page, wrong: bool):
        real_evaluate, real_pdf = page.evaluate, page.pdf

        def evaluate(script, *args):
            found = real_evaluate(script, *args)
            if script is deliver._PAGINATE and wrong:   # a plan one page off for every section
                found["pages"] = {k: v + 1 for k, v in found["pages"].items()}
            return found

        def count(**options):
            printed.append(wrong)
            return real_pdf(**options)

        page.evaluate, page.pdf = evaluate, count
        return deliver.write_pdf(page, tmp_path / f"wrong-{wrong}.pdf", "Northwind Telecom")

    for wrong in (False, True):
        with deliver.open_report(demo_report / "report.html") as page:
            _assert_contents_point_at_sections(pdf(page, wrong), results)
    assert printed.count(False) == 1 and printed.count(True) == 2


@needs_poppler
def test_write_pdf_demo_every_page_numbered_with_client(demo_report):
    pages = _pdf_pages(demo_report / "report.pdf")
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page
        assert "Northwind Telecom" in page


# --- Branding and language ----------------------------------------------------------------

def test_brand_override_changes_css_accent_and_chart_colours(client_copy):
    config = yaml.safe_load((client_copy / "client.yml").read_text(encoding="utf-8"))
    config["brand"] = {"accent": "#12ab34"}
    (client_copy / "client.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                            encoding="utf-8")
    from cxlib import practices

    client = load_client(client_copy)
    p1 = practices.outcomes(client)
    colours = p1.figures["distribution"].layout.template.layout.colorway
    assert "#12ab34" in colours
    page = report.render_html(client, {"P1": p1}, pd.Timestamp("2026-01-02").date())
    assert "--cx-accent: #12ab34;" in page


@pytest.mark.slow
@needs_poppler
def test_run_client_chinese_report_end_to_end(zh_report):
    out = zh_report
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    for key in ("sections.P1", "sections.roadmap", "report.contents"):
        assert f">{text.t('zh', key)}<" in page
    pages = _pdf_pages(out / "report.pdf")
    assert "目录" in pages[0] and text.t("zh", "sections.P1") in "".join(pages)
    assert len(re.findall(r"[\u4e00-\u9fff]", "".join(pages))) > 500
    fonts = subprocess.run(["pdffonts", str(out / "report.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    # Chromium embeds Noto Sans CJK (an OpenType/CFF font) as unnamed Type 3 fonts that
    # carry a ToUnicode map; a TrueType CJK font would be listed by name instead.
    cjk = [f for f in fonts if "CJK" in f or ("Type 3" in f and f.split()[-3] == "yes")]
    assert cjk, fonts
    sheet = load_workbook(out / "tables.xlsx")["P1 outcomes_by_group"]
    assert text.t("zh", "columns.retention") in [c.value for c in sheet[1]]


def test_a_browser_that_cannot_start_is_named_with_what_it_said(tmp_path, monkeypatch):
    """A Chromium that ends at once (a missing library, say): the error gives its exit
    status and the last lines it wrote on stderr, not only a broken pipe."""
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'error while loading shared libraries: libnss3.so' >&2\n"
                    "exit 127\n")
    fake.chmod(0o755)
    monkeypatch.setattr(deliver, "CHROMIUM", str(fake))
    browser = deliver.Browser(timeout_s=5)
    try:
        with pytest.raises(deliver.BrowserError, match=r"exit status 127; it said: error "
                                                       r"while loading shared libraries"):
            browser.send("Browser.getVersion")
    finally:
        browser.close()

"""deck.pptx of the demo report: the slides a consultant presents, opened by LibreOffice."""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from cxlib.outputs import text


@pytest.fixture(scope="module")
def deck(demo_report):
    """The demo report's deck, as python-pptx reads it back."""
    from pptx import Presentation

    return Presentation(demo_report / "deck.pptx")


def _texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text]


def test_deck_written_next_to_report_pdf_and_tables(demo_report):
    for name in ("report.html", "report.pdf", "tables.xlsx", "deck.pptx"):
        assert (demo_report / name).is_file(), name


def test_deck_title_summary_findings_roadmap_and_method(deck, demo_report):
    results = json.loads((demo_report / "results.json").read_text(encoding="utf-8"))
    slides = list(deck.slides)
    assert text.t("en", "report.title") in _texts(slides[0])
    assert _texts(slides[1])[0] == text.t("en", "sections.summary")
    sentences = {s for sec in results["sections"].values() for s in sec["narrative"]}
    findings = [s for s in slides[2:-1] if any(p.shape_type == 13 for p in s.shapes)]
    assert len(findings) >= 5          # four practices and the 30/60/90 plan
    for slide in findings:
        title = _texts(slide)[0]
        assert title in sentences or title == text.t("en", "roadmap.fig_plan"), title
    assert _texts(slides[-1])[0] == text.t("en", "report.method")


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def test_deck_summary_slide_tells_the_pages_story(deck, demo_report):
    """Situation, the three findings with their evidence, the three recommendations with
    owner and horizon, and the decision: as the report's summary page shows them."""
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    page = page[page.index('id="summary"'):page.index('id="p1"')]
    said = "\n".join(_texts(list(deck.slides)[1]))
    situation = _plain(re.search(r'<p class="narrative lead">(.*?)</p>', page, re.S)[1])
    findings = [_plain(m) for m in re.findall(r"<li>(.*?)<a class=\"see\"", page, re.S)]
    evidence = re.findall(r'<span class="label">(.*?)</span> <b>(.*?)</b> '
                          r'<span class="detail">(.*?)</span>', page, re.S)
    decision = _plain(re.search(r'<aside class="decision">.*?<p>(.*?)</p>', page, re.S)[1])
    assert situation in said and decision in said
    assert len(findings) == 3 and all(f in said for f in findings)
    assert len(evidence) >= 3
    for label, value, detail in evidence:
        ci = _plain(detail).split(" · ")[0]
        assert f"{_plain(label)}: {_plain(value)}" in said and ci in said, label
    plan = pd.read_excel(demo_report / "tables.xlsx", sheet_name="roadmap initiatives")
    first = plan.sort_values(text.header("priority", "en")).head(3)
    for title, owner in zip(first[text.header("title", "en")], first[text.header("owner", "en")]):
        assert title in said and f"{text.header('owner', 'en')}: {owner}" in said


def test_deck_plan_slide_lists_every_initiative_under_its_owner_and_horizon(deck, demo_report):
    plan = pd.read_excel(demo_report / "tables.xlsx", sheet_name="roadmap initiatives")
    slide = next(s for s in deck.slides if _texts(s) == [text.t("en", "roadmap.fig_plan")])
    grid = next(s for s in slide.shapes if s.has_table).table
    heads = [grid.cell(0, c).text for c in range(len(grid.columns))]
    owners = [grid.cell(r, 0).text for r in range(len(grid.rows))]
    h = {k: text.header(k, "en") for k in ("priority", "title", "owner", "horizon")}
    for row in plan.itertuples(index=False):
        row = dict(zip(plan.columns, row))
        cell = grid.cell(owners.index(row[h["owner"]]),
                         heads.index(text.t("en", f"roadmap.horizon_{row[h['horizon']]}")))
        assert f"{row[h['priority']]}  {row[h['title']]}" in cell.text.split("\n"), row


def test_deck_finding_notes_carry_numbers_and_caveats(deck, demo_report):
    results = json.loads((demo_report / "results.json").read_text(encoding="utf-8"))
    caveat = results["sections"]["P1"]["caveats"][0]
    notes = [s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide]
    assert any("n = " in n and "95% CI" in n for n in notes)
    assert any(caveat in n for n in notes)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed: make office")
def test_deck_opens_in_libreoffice_one_page_per_slide(deck, demo_report, tmp_path):
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(demo_report / "deck.pptx")],
        capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    info = subprocess.run(["pdfinfo", str(tmp_path / "deck.pdf")], capture_output=True,
                          text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert pages == len(deck.slides)


def test_deck_airline_p1_slide_shows_the_segment_the_summary_says_differs_most(airline_report):
    """Without CRM outcomes P1's slide shows a segment chart: the one of the segment the
    summary names as differing most (on the real airline survey: Class, Business 69.5%
    against Eco 19.4%), not whichever segment comes first in client.yml."""
    from pptx import Presentation

    from cxlib.outputs import deliver

    results = json.loads((airline_report / "results.json").read_text(encoding="utf-8"))
    deck = Presentation(airline_report / "deck.pptx")
    title = results["sections"]["P1"]["narrative"][0]
    slide = next(s for s in deck.slides if _texts(s) and _texts(s)[0] == title)
    picture = next(p for p in slide.shapes if p.shape_type == 13)
    summary = _texts(list(deck.slides)[1])
    assert any("differs most by Class" in t for t in summary), summary
    shown = deliver.figure_path(airline_report / "figures", "P1", "loyalty_by_Class", "png")
    assert picture.image.blob == shown.read_bytes()

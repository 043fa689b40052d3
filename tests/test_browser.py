"""The finished report in a real browser: Debian's chromium driven by Playwright, offline."""
import datetime as dt
import json
import re

import pandas as pd
import plotly.offline
import pytest

from cxlib.outputs import deliver, report
from cxlib import paths, practices
from cxlib.inputs.client import load_client

pytestmark = pytest.mark.browser

ARTIFACTS = paths.ROOT / "test-artifacts"
#: A4 width inside deliver.MARGIN, in CSS pixels.
PRINT_WIDTH_PX = (210 - 28) / 25.4 * 96
PLANTED = "<script>window.__cxPlanted = 1</script><img src=x onerror=\"window.__cxPlanted = 2\">"


#: True once every chart in the page has drawn its SVG (the report as a reader opens it).
RENDERED = ("[...document.querySelectorAll('.plotly-graph-div')]"
            ".every(d => d.querySelector('.main-svg') !== null)")


class Visit:
    """One page load: what the page asked for, logged and raised while it loaded."""

    def __init__(self, browser, path):
        self.requests, self.console, self.errors, self.dialogs = [], [], [], []
        self.page = browser.new_page(viewport={"width": 1000, "height": 1300})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function(RENDERED, timeout=60_000)

    def _route(self, route):
        # No request leaves the machine: everything but the report file is refused and noted.
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()


@pytest.fixture(scope="module")
def visit(browser, demo_report):
    """The demo report.html, loaded once."""
    return Visit(browser, demo_report / "report.html")


def test_report_offline_no_request_leaves_machine(visit):
    assert visit.requests == []


def test_report_every_chart_renders(visit, demo_report):
    results = json.loads((demo_report / "results.json").read_text(encoding="utf-8"))
    drawn = visit.page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')]"
        ".filter(d => d.querySelector('.main-svg .plot, .main-svg .sankey, .main-svg g')).length")
    assert drawn == results["figures"] > 0


def test_report_no_console_errors(visit):
    assert [m for m in visit.console if m[0] == "error"] == []
    assert visit.errors == []


def test_report_html_no_external_script_and_plotlyjs_once(demo_report):
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*\bsrc\s*=", page, flags=re.I) == []
    head = report.PLOTLY_BUNDLE.read_text(encoding="utf-8")[:300]     # the partial bundle
    assert page.count(head) == 1


#: Each chart of the open page exported as SVG (Plotly.toImage, as deliver.write_figures).
_EXPORT_SVG = """async () => { const out = [];
  for (const gd of document.querySelectorAll('.js-plotly-plot'))
    out.push(await Plotly.toImage(gd, {format: 'svg', imageDataOnly: true}));
  return out; }"""
#: The ids plotly draws at random (clip paths, defs, traces, legends, colour bars, gradients).
_RANDOM_ID = re.compile(r"(clip|defs-|topdefs-|trace|legend|topline|id=\"g|#g|cb)"
                        r"[0-9a-f]{6}(-cb[0-9a-f]{6})?")


def test_report_partial_plotlyjs_draws_every_chart_as_the_full_bundle(browser, demo_report,
                                                                      tmp_path):
    """The demo's charts exported from report.html (the partial bundle) and from the same
    page with plotly's full bundle: the same SVG, but for plotly's random ids."""
    page = (demo_report / "report.html").read_text(encoding="utf-8")
    partial = report.PLOTLY_BUNDLE.read_text(encoding="utf-8")
    assert page.count(partial) == 1
    full = tmp_path / "full.html"
    full.write_text(page.replace(partial, plotly.offline.get_plotlyjs()), encoding="utf-8")
    exported = []
    for path in (demo_report / "report.html", full):
        opened = Visit(browser, path)
        exported.append([_RANDOM_ID.sub(r"\1#", svg) for svg in opened.page.evaluate(_EXPORT_SVG)])
        assert opened.errors == [] and opened.requests == []
        opened.page.close()
    assert len(exported[0]) == page.count('class="plotly-graph-div"') >= 15
    assert exported[0] == exported[1]


def test_report_first_page_screenshot_saved(visit):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report_first_page.png"
    visit.page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_report_print_charts_fit_a4_page(browser, demo_report):
    printed = Visit(browser, demo_report / "report.html")
    printed.page.emulate_media(media="print")
    printed.page.evaluate(deliver._FIT_CHARTS, deliver.PAGE_HEIGHT_PX)
    boxes = printed.page.evaluate("""[...document.querySelectorAll('figure.chart')].map(f => {
        const r = f.getBoundingClientRect();
        const svg = f.querySelector('.main-svg').getBoundingClientRect();
        return [r.width, r.height, svg.right - r.left]; })""")
    printed.page.close()
    assert boxes
    for width, height, svg_right in boxes:
        assert width <= PRINT_WIDTH_PX + 1
        assert height <= deliver.PAGE_HEIGHT_PX + 1
        assert svg_right <= PRINT_WIDTH_PX + 1        # legends and labels are inside the page


def test_report_script_in_quote_shown_as_text_never_runs(browser, client_copy, tmp_path):
    interviews = client_copy / "interviews.xlsx"
    frame = pd.read_excel(interviews, sheet_name="Excerpts")
    frame["quote"] = frame["quote"].astype(str) + " " + PLANTED
    frame.to_excel(interviews, sheet_name="Excerpts", index=False)
    client = load_client(client_copy)
    sections = {"P3": practices.perception_gaps(client)}
    assert sections["P3"].tables["quotes"]["quote"].str.contains("<script>").any()
    out = tmp_path / "report"
    page_path = report.write(client, sections, out, generated=dt.date(2026, 1, 2))
    planted = Visit(browser, page_path)
    assert planted.page.evaluate("window.__cxPlanted") is None
    assert planted.dialogs == [] and planted.requests == []
    cells = planted.page.locator("table[data-table='quotes'] td").all_inner_texts()
    assert any(PLANTED in cell for cell in cells)
    scripts = planted.page.evaluate("document.querySelectorAll('script').length")
    assert scripts == 1 + len(sections["P3"].figures)   # plotly.js, then one per chart

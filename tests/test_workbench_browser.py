"""The analyst's workbench in a real browser: JupyterLab and the Voila workshop view on
localhost, driven by Playwright and Debian's chromium. Each control is moved and the chart
and the sentence it drives must change, with no console error."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml


from cxlib import paths
from cxlib.runs import explore
from cxlib.runs.run import NOTEBOOKS, ensure_kernel

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENS = paths.ROOT / "test-artifacts" / "workbench"
#: Long enough for a notebook to run on a busy 2-core machine.
RUN_TIMEOUT_MS = 240_000
BIN = Path(sys.executable).parent


def _lab_command() -> list[str]:
    """The command `make lab` runs (so the test starts JupyterLab as `make lab` would)."""
    printed = subprocess.run(["make", "-s", "-n", "lab", f"BIN={BIN}"], cwd=paths.ROOT,
                             capture_output=True, text=True, check=True).stdout
    line = next(x for x in printed.splitlines() if " lab " in f"{x} " and "jupyter" in x)
    return line.split()


class Server:
    """A server process on localhost, in its own process group, stopped with its children."""

    def __init__(self, command: list[str], cwd: Path, ready_url: str, log: Path,
                 env: dict[str, str] | None = None):
        self.log = log.open("w")
        self.process = subprocess.Popen(command, cwd=cwd, stdout=self.log, env=env,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(ready_url, timeout=5):
                    return
            except urllib.error.HTTPError:
                return                  # it answers (Voila refuses /api/status: 403)
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{command} did not answer on {ready_url}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture(scope="module")
def workbench_client(demo_folder, tmp_path_factory) -> Path:
    """A copy of the demo client that "use these settings" may write into (a segment of
    the demo still has enough respondents for P2's key drivers)."""
    target = tmp_path_factory.mktemp("workbench") / "workshop"
    shutil.copytree(demo_folder, target)
    return target


@pytest.fixture(scope="module")
def lab(workbench_client, tmp_path_factory):
    """JupyterLab, started as `make lab` starts it, on the notebooks set to the small client."""
    ensure_kernel()
    folder = tmp_path_factory.mktemp("lab")
    for name in NOTEBOOKS:
        explore.parameterized(paths.NOTEBOOKS / name, {"client": str(workbench_client)}, folder)
    # Every cell drawn (no windowing: off-screen charts are drawn too), no news pop-up.
    settings = folder / ".settings"
    for plugin, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                           "apputils-extension/notification": {"fetchNews": "false"}}.items():
        target = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    port, token = explore.free_port(), secrets.token_hex(16)
    # `make lab` on the notebooks folder; here on the copies set to the small client.
    command = [a for a in _lab_command() if not a.startswith("--notebook-dir=")] + [
        "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}", f"--notebook-dir={folder}",
        f"--LabApp.user_settings_dir={settings}", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    base = f"http://127.0.0.1:{port}"
    server = Server(command, folder, f"{base}/api/status?token={token}", folder / "lab.log")
    yield {"base": base, "token": token, "folder": folder}
    server.stop()


@pytest.fixture(scope="module")
def voila(demo_folder, tmp_path_factory):
    """The workshop view, served as `cx explore` serves it, on a copy of the demo client of
    its own (the JupyterLab tests' "use these settings" must not set where it starts)."""
    ensure_kernel()
    folder = tmp_path_factory.mktemp("voila")
    client = shutil.copytree(demo_folder, folder / "workshop")
    notebook = explore.prepare(client, folder)
    port = explore.free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(explore.command(notebook, port), folder, f"{base}/api/status",
                    folder / "voila.log", env=explore.environment())
    yield base
    server.stop()


@pytest.fixture()
def context(browser):
    """A browser context of the test's own, closed after it (its pages and sockets too)."""
    opened = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield opened
    opened.close()


class Page:
    """One browser page and everything it logged: console errors, page errors, requests
    that tried to leave the machine."""

    def __init__(self, context, url: str, timeout: int = 0):
        self.errors, self.outside = [], []
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"{m.text} <{m.location.get('url', '')}>"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        # Until the document is parsed: the tests wait for what they read themselves (Voila
        # streams its page while the notebook runs; "load" waits on every stylesheet).
        try:
            self.page.goto(url, timeout=timeout or RUN_TIMEOUT_MS, wait_until="domcontentloaded")
        except Exception:
            self.page.close()
            raise

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def figure(self, name: str, within: str = "") -> str:
        """The traces a chart draws now (x, y or r, theta), as JSON (scrolled into view: JupyterLab draws a
        chart only where it can be seen)."""
        box = self.page.locator(f"{within} .cx-figure-{name}".strip()).first
        box.scroll_into_view_if_needed()
        self.page.wait_for_timeout(300)
        return self.page.evaluate(
            "(sel) => { const d = document.querySelector(sel);"
            " return d ? JSON.stringify(d.data.map(t => [t.x, t.y, t.r, t.theta, t.marker, t.text])) : null; }",
            f"{within} .cx-figure-{name} .js-plotly-plot".strip())

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.inner_text()

    def wait_changed(self, read, before: str, what: str) -> str:
        deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            now = read()
            if now != before:
                return now
            self.page.wait_for_timeout(200)
        raise AssertionError(f"{what} did not change")

    def shot(self, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def _wait_drawn(page: Page, selectors: list[str]) -> None:
    for selector in selectors:
        page.page.wait_for_selector(selector, state="attached", timeout=RUN_TIMEOUT_MS)


def _type_slider(page: Page, control: str, value: str) -> None:
    """Type a value into a slider's readout, as an analyst does, and press Enter."""
    readout = page.page.locator(f".cx-control-{control} .widget-readout").first
    readout.click()
    page.page.keyboard.press("Control+A")
    page.page.keyboard.type(value)
    page.page.keyboard.press("Enter")


def _key_selection(page: Page, control: str, key: str) -> None:
    """Move a selection slider by one key press ("Home": its first choice).

    One press is one change sent to the kernel: ipywidgets holds back a second change of
    the same control until the kernel has handled the first, so a click on another control
    meanwhile (use these settings) would reach the kernel before it."""
    page.page.locator(f".cx-control-{control} .noUi-handle").first.focus()
    page.page.keyboard.press(key)


def _select(page: Page, control: str, index: int) -> None:
    page.page.locator(f".cx-control-{control} select").first.select_option(index=index)


def _select_label(page: Page, control: str, label: str) -> None:
    page.page.locator(f".cx-control-{control} select").first.select_option(label=label)


#: The notebooks driven in JupyterLab, opened and run side by side by `lab_pages`.
LAB_NOTEBOOKS = ("02_touchpoints.ipynb", "03_perception.ipynb", "01_outcomes.ipynb",
                 "04_capabilities.ipynb", "00_intake.ipynb")


def _open(context, lab, notebook: str) -> Page:
    # A workspace of its own: JupyterLab would otherwise reopen the other notebooks
    # beside this one (and run and measure the wrong one).
    workspace = Path(notebook).stem
    return Page(context, f"{lab['base']}/lab/workspaces/{workspace}/tree/{notebook}"
                         f"?reset&token={lab['token']}")


def _run_all(page: Page) -> None:
    page.page.wait_for_selector(".jp-Notebook", timeout=RUN_TIMEOUT_MS)
    # The kernel named in the notebook starts by itself; run the cells once it is idle.
    page.page.get_by_text("cx-workbook | Idle").wait_for(timeout=RUN_TIMEOUT_MS)
    page.page.get_by_role("menuitem", name="Run", exact=True).click()
    page.page.get_by_text("Run All Cells", exact=True).click()


@pytest.fixture(scope="module")
def lab_pages(browser, lab):
    """Every notebook of LAB_NOTEBOOKS open and running, each in a browser context of its
    own. A page is asked for once the one before has loaded, its kernel is idle and its
    cells are running: JupyterLab writes a page's workspace file in place while it loads,
    and a page loading beside it read that file half-written (a 500 from
    /lab/api/workspaces, "Expecting value", in the console of both). The notebooks still
    run side by side."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 1000})
                for _ in LAB_NOTEBOOKS]
    pages = {}
    for context, notebook in zip(contexts, LAB_NOTEBOOKS):
        pages[notebook] = _open(context, lab, notebook)
        _run_all(pages[notebook])
    yield pages
    for context in contexts:
        context.close()


def _no_errors(page: Page) -> None:
    """Nothing asked of another machine (such a request is aborted and listed) and no
    console or page error."""
    assert page.outside == []
    assert page.errors == []


def test_lab_command_is_make_lab_with_allow_root_only_as_root():
    command = _lab_command()
    assert command[1:3] == ["lab", "--notebook-dir=notebooks"]
    assert ("--allow-root" in command) == (os.geteuid() == 0)


def test_lab_p2_controls_redraw_map_and_sentence_and_settings_are_saved(
        lab_pages, workbench_client):
    page = lab_pages["02_touchpoints.ipynb"]
    _wait_drawn(page, [".cx-figure-journey_map .js-plotly-plot .main-svg",
                       ".cx-table-switch_hotspots table"])
    page.page.locator(".cx-controls").first.scroll_into_view_if_needed()
    page.shot("lab-p2-before")
    read_map = lambda: page.figure("journey_map")          # noqa: E731
    read_words = lambda: page.text(".cx-narrative")         # noqa: E731
    moves = {"threshold": lambda: _type_slider(page, "threshold", "0.9"),
             "segment": lambda: _select_label(page, "segment", "Plan: Prepaid")}
    for control, move in moves.items():
        chart, words = read_map(), read_words()
        move()
        page.wait_changed(read_words, words, f"the P2 sentence ({control})")
        page.wait_changed(read_map, chart, f"the journey map ({control})")
    page.page.locator(".cx-controls").first.scroll_into_view_if_needed()
    page.shot("lab-p2-after")
    # alpha: no breakpoint of the demo is near any level, so the map keeps its markers.
    _key_selection(page, "alpha", "Home")
    page.page.wait_for_function(
        "() => document.querySelector('.cx-control-alpha .widget-readout').textContent"
        ".includes('0.001')", timeout=RUN_TIMEOUT_MS)
    page.page.locator(".cx-use-settings").first.click()
    page.page.wait_for_selector(".cx-saved pre", timeout=RUN_TIMEOUT_MS)
    saved = yaml.safe_load((workbench_client / "settings.yml").read_text(encoding="utf-8"))
    assert saved == {"threshold": 0.9, "alpha": 0.001}
    assert "threshold: 0.9" in page.text(".cx-saved")
    _no_errors(page)


def test_lab_p3_threshold_alpha_and_segment_redraw_gaps_and_sentences(lab_pages):
    page = lab_pages["03_perception.ipynb"]
    _wait_drawn(page, [".cx-figure-gaps .js-plotly-plot .main-svg",
                       ".cx-table-quotes table"])
    read_gaps = lambda: page.figure("gaps")                 # noqa: E731
    read_words = lambda: page.text(".cx-narrative")         # noqa: E731
    # Threshold and segment change which gaps are shortfalls (the lines' colours) and
    # each touchpoint's n; alpha changes the rule the sentence states.
    moves = {"threshold": (lambda: _type_slider(page, "threshold", "0.9"), True),
             "segment": (lambda: _select_label(page, "segment", "Plan: Prepaid"), True),
             "alpha": (lambda: _key_selection(page, "alpha", "Home"), False)}
    for control, (move, redraws_chart) in moves.items():
        chart, words = read_gaps(), read_words()
        move()
        page.wait_changed(read_words, words, f"the P3 sentences ({control})")
        if redraws_chart:
            page.wait_changed(read_gaps, chart, f"the gap chart ({control})")
    assert "0.001" in read_words()
    page.shot("lab-p3-after")
    _no_errors(page)


def test_lab_p1_what_if_and_segment_redraw(lab_pages):
    page = lab_pages["01_outcomes.ipynb"]
    _wait_drawn(page, [".cx-figure-revenue_by_group .js-plotly-plot .main-svg",
                       ".cx-table-segment_tests table"])
    words, cards = page.text(".cx-narrative"), page.text(".cx-metrics")
    _type_slider(page, "what_if_share", "0.5")
    page.wait_changed(lambda: page.text(".cx-narrative"), words, "the what-if sentence")
    page.wait_changed(lambda: page.text(".cx-metrics"), cards, "the what-if figure")
    chart, words = page.figure("distribution"), page.text(".cx-narrative")
    _select_label(page, "segment", "Plan: Prepaid")
    page.wait_changed(lambda: page.text(".cx-narrative"), words, "the P1 sentences")
    page.wait_changed(lambda: page.figure("distribution"), chart, "the distribution")
    assert "Client:" in page.text(".cx-banner")
    page.shot("lab-p1-after")
    _no_errors(page)


def test_lab_p4_wave_and_function_redraw(lab_pages):
    page = lab_pages["04_capabilities.ipynb"]
    _wait_drawn(page, [".cx-figure-alignment .js-plotly-plot .main-svg"])
    for control in ("wave", "function"):
        chart, words = page.figure("blocks_radar"), page.text(".cx-narrative")
        _select(page, control, 1)
        page.wait_changed(lambda: page.text(".cx-narrative"), words, f"P4 sentences ({control})")
        page.wait_changed(lambda: page.figure("blocks_radar"), chart, f"the radar ({control})")
    _no_errors(page)


def test_lab_intake_client_picker_lists_clients_and_shows_name(lab_pages):
    page = lab_pages["00_intake.ipynb"]
    _wait_drawn(page, [".cx-table-survey table"])
    # ipywidgets draws the spaces of a choice's label as no-break spaces.
    options = [o.replace("\xa0", " ") for o in
               page.page.locator(".cx-control-client select option").all_inner_texts()]
    assert "Northwind Telecom (demo)" in options and "Northwind Telecom (workshop)" in options
    before = page.text(".cx-banner")
    assert "(workshop)" in before
    _select_label(page, "client", "Northwind Telecom (demo)")
    page.wait_changed(lambda: page.text(".cx-banner"), before, "the client's name")
    assert "(demo)" in page.text(".cx-banner")
    _no_errors(page)


def test_voila_workshop_view_has_no_code_and_controls_redraw(context, voila):
    page = Page(context, voila + "/")
    _wait_drawn(page, [".cx-figure-journey_map .js-plotly-plot .main-svg",
                       ".cx-figure-gaps .js-plotly-plot .main-svg", ".cx-metrics"])
    # Headings are there (Markdown cells), code is not: no code cell input, no editor.
    assert page.page.locator(".jp-MarkdownCell").count() >= 3
    assert page.page.locator(".jp-CodeCell .jp-InputArea, .cm-editor").count() == 0
    assert "cx.widgets" not in page.page.locator("body").inner_text()
    page.shot("voila-before")
    journey = page.page.locator(".cx-controls").nth(0)
    chart, words = page.figure("journey_map"), page.text(".cx-narrative")
    readout = journey.locator(".cx-control-threshold .widget-readout")
    readout.click()
    page.page.keyboard.press("Control+A")
    page.page.keyboard.type("0.9")  # the demo's breakpoints change above 0.5
    page.page.keyboard.press("Enter")
    page.wait_changed(lambda: page.text(".cx-narrative"), words, "the journey sentence")
    page.wait_changed(lambda: page.figure("journey_map"), chart, "the journey map")
    what_if = page.page.locator(".cx-controls").nth(2)
    cards = page.page.locator(".cx-metrics").first.inner_text()
    what_if.locator(".cx-control-what_if_share .widget-readout").click()
    page.page.keyboard.press("Control+A")
    page.page.keyboard.type("0.6")
    page.page.keyboard.press("Enter")
    page.wait_changed(lambda: page.page.locator(".cx-metrics").first.inner_text(), cards,
                      "the what-if figures")
    page.shot("voila-after")
    _no_errors(page)

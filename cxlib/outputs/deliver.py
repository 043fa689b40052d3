"""The client deliverables made from a finished report: report.pdf, tables.xlsx and chart images.

The PDF and the images come from report.html itself, opened once in headless Chromium
(Debian's /usr/bin/chromium, driven over its DevTools pipe by `Browser` here): the charts a
client prints or pastes into slides are the ones the report shows, drawn by the same
plotly.js from the figures the report passes it. Each chart is drawn once, as plotly
exports it (a static SVG), and that SVG is both the image file and what the PDF prints in
the chart's place: the report's own live drawing of its charts is held back in this page,
as it would only be drawn over (19 charts of the demo: 1.3 s of the browser's time, before
the 0.7 s of the export). The browser is driven by the few DevTools commands this needs,
without Playwright's node driver (0.35 s to start, and a browser context to make, per
client). The workbook is written from the sections with openpyxl.
"""
from __future__ import annotations

import base64
import concurrent.futures
import fcntl
import html
import itertools
import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from . import text
from .privacy import set_text
from .section import ORDER, Section
from .theme import Theme, load_theme

#: Chromium for the PDF and the images; CX_CHROMIUM overrides where it is found.
CHROMIUM = os.environ.get("CX_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Flags that keep a headless Chromium quiet, offline and working as root in a container.
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"]
#: What Playwright's launch added to those, kept so that pages lay out and print as they
#: did under it: no scrollbar taking layout width, sRGB colours, a mouse-less device, no
#: throttling of a page nobody looks at, no extension or crash reporter starting.
_DRIVER_ARGS = ["--hide-scrollbars", "--mute-audio", "--force-color-profile=srgb",
                "--blink-settings=primaryHoverType=2,availableHoverTypes=2,"
                "primaryPointerType=4,availablePointerTypes=4",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows", "--disable-breakpad",
                "--disable-extensions", "--disable-default-apps", "--disable-dev-shm-usage",
                "--disable-hang-monitor", "--disable-popup-blocking", "--disable-sync",
                "--no-default-browser-check", "--password-store=basic", "--use-mock-keychain",
                "--metrics-recording-only", "--no-service-autorun"]
#: Paper and margins as Playwright gave them to Page.printToPDF: A4 in inches, CSS lengths
#: in pixels (its 3.78 px to the millimetre) over 96 px to the inch.
_PAPER_IN = {"A4": (8.27, 11.7)}
_PX_PER = {"px": 1.0, "in": 96.0, "cm": 37.8, "mm": 3.78}
#: PDF page margins; the footer (page numbers) is drawn in the bottom one.
MARGIN = {"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
#: Height in CSS pixels of the A4 area inside MARGIN, less room for a figure's own margin;
#: taller charts are scaled down to fit one page.
PAGE_HEIGHT_PX = round((297 - 30) / 25.4 * 96) - 50
#: The A4 area inside MARGIN in CSS pixels, as the page breaks are planned (a little under
#: the true 1009 px, so that Chromium never needs a break of its own), and its width.
PAGE_AREA_PX = {"height": 1000, "width": 687}
#: Page planning: a page that would end below MIN_FILL full may shrink the chart that does
#: not fit down to MIN_ZOOM_LOW of its size, a fuller page down to MIN_ZOOM; a table keeps at
#: least TABLE_MIN_ROWS rows on each side of a break.
PAGINATION = {"height": PAGE_AREA_PX["height"], "minFill": 0.5, "minZoomLow": 0.62,
              "minZoom": 0.85, "minRows": 3}
#: Run in the page before report.html's own scripts: plotly.js's newPlot, as the report
#: calls it for each chart, keeps the chart's figure (data, layout, config) instead of
#: drawing it live; _DRAW_CHARTS draws it once, for export and print.
_HOLD_CHARTS = """(() => {
  const held = window.__cxHeld = new Map();
  let plotly;
  Object.defineProperty(window, 'Plotly', {configurable: true, enumerable: true,
    get: () => plotly,
    set: value => {
      plotly = value;
      value.newPlot = (div, data, layout, config) => {
        const gd = typeof div === 'string' ? document.getElementById(div) : div;
        held.set(gd, {data, layout, config});
        return Promise.resolve(gd);
      };
    }});
})()"""
#: True once the page has loaded and every chart in it has handed over its figure.
HELD = ("window.__cxHeld !== undefined && document.readyState === 'complete' && "
        "document.querySelectorAll('.plotly-graph-div').length === window.__cxHeld.size")
#: Each held chart exported by Plotly.toImage as SVG (plotly draws it off the page for
#: that) and the SVG put in the chart's place, in the elements plotly draws a live chart
#: in, so that plotly's style sheet applies to it as to a live chart (crisp tick marks):
#: the page prints what the images show, laid out as the live chart.
_DRAW_CHARTS = """async () => {
  const svgs = window.__cxSvg = window.__cxSvg || new Map();
  for (const [gd, figure] of window.__cxHeld) {
    if (svgs.has(gd)) continue;
    const svg = await Plotly.toImage(figure, {format: 'svg', imageDataOnly: true});
    const drawn = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
    const width = Number(drawn.getAttribute('width'));
    const height = Number(drawn.getAttribute('height'));
    const plot = document.createElement('div'), frame = document.createElement('div');
    plot.className = 'plot-container plotly';
    frame.className = 'svg-container';
    frame.style.cssText = `position: relative; width: ${width}px; height: ${height}px;`;
    frame.append(document.importNode(drawn, true));
    plot.append(frame);
    gd.classList.add('js-plotly-plot');
    gd.replaceChildren(plot);
    svgs.set(gd, {svg, width, height});
  }
}"""
#: Columns holding loyalty group codes, shown by their names (groups.* in the language file).
GROUP_COLUMNS = ("group", "next_group")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_FILE_BAD = re.compile(r"[^\w.-]+")


def write_all(client, sections: dict[str, Section], folder: Path) -> list[Path]:
    """Write tables.xlsx, figures/, report.pdf and deck.pptx next to report.html in `folder`.

    Parameters
    ----------
    client : the loaded Client the sections were computed for.
    sections : the sections by id, as the notebooks saved them.
    folder : the report folder holding report.html (cxlib.outputs.report.write).

    Returns
    -------
    The paths written: the workbook, every image, the PDF, then deck.pptx.
    """
    folder = Path(folder)
    lang = client.config.language
    theme = load_theme(client.config.brand, client.config.folder)
    footer = text.t(lang, "report.confidential", client=client.name)
    from .deck import write_deck

    # The browser is a process of its own: the workbook is written while it starts and
    # draws, and the deck (it uses the chart images) while it prints the PDF.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        tables = pool.submit(write_tables, sections, folder / "tables.xlsx", lang,
                             client.config.currency, client.name, theme)

        with open_report(folder / "report.html") as page:
            images = write_figures(page, sections, folder / "figures")
            deck = pool.submit(write_deck, client, sections, folder)
            pdf = write_pdf(page, folder / "report.pdf", footer, lang)
        return [tables.result(), *images, pdf, deck.result()]


# --- Browser --------------------------------------------------------------------------------

class BrowserError(RuntimeError):
    """Chromium refused a command, ended, or did not answer in time."""


class Browser:
    """A headless Chromium of its own, driven over its DevTools pipe (fds 3 and 4).

    Commands are sent from any thread and wait for their answer; a reader thread takes the
    answers and the events, and refuses every request of a page but for file: URLs. The
    browser ends with close(), or by itself when this process ends (its pipe closes).
    """

    def __init__(self, timeout_s: float = 60.0):
        self.timeout_s = timeout_s
        self.profile = tempfile.TemporaryDirectory(prefix="cx-chromium-")
        commands, self._to_browser = _pipe()
        self._from_browser, answers = _pipe()
        # Chromium reads commands from fd 3 and writes answers to fd 4. It runs in a process
        # group of its own (as Playwright started it): Ctrl-C in a terminal stops the run,
        # whose exit closes the browser; were this process killed, the pipe closes and
        # Chromium ends itself (within 5 s here).
        null = os.devnull
        # What Chromium says on stderr is kept, and its last lines quoted should it end.
        self._log = os.path.join(self.profile.name, "chromium.log")
        try:
            self.process = _Process(posix_spawn_args=(
                CHROMIUM, [CHROMIUM, *BROWSER_ARGS, *_DRIVER_ARGS,
                           f"--user-data-dir={self.profile.name}", "--remote-debugging-pipe",
                           "--no-startup-window"], os.environ),
                file_actions=[(os.POSIX_SPAWN_DUP2, commands, 3),
                              (os.POSIX_SPAWN_DUP2, answers, 4),
                              (os.POSIX_SPAWN_OPEN, 0, null, os.O_RDONLY, 0),
                              (os.POSIX_SPAWN_OPEN, 1, null, os.O_WRONLY, 0),
                              (os.POSIX_SPAWN_OPEN, 2, self._log, os.O_WRONLY | os.O_CREAT,
                               0o600)])
        except OSError as error:
            for end in (commands, answers, self._to_browser, self._from_browser):
                os.close(end)
            self.profile.cleanup()
            raise BrowserError(f"cannot start {CHROMIUM}: {error}") from None
        finally:
            if hasattr(self, "process"):
                os.close(commands)
                os.close(answers)
        self._ids, self._waiting, self._lock = itertools.count(1), {}, threading.Lock()
        self._ended: str | None = None
        threading.Thread(target=self._read, name="chromium-pipe", daemon=True).start()

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout_s: float | None = None) -> dict:
        """Send one command (to a page when `session` names it) and return its result."""
        answer = self._post(method, params, session)
        try:
            found = answer.result(timeout=timeout_s or self.timeout_s)
        except concurrent.futures.TimeoutError:
            raise BrowserError(f"Chromium did not answer {method} within "
                               f"{timeout_s or self.timeout_s:.0f} s") from None
        if "error" in found:
            raise BrowserError(f"{method}: {found['error'].get('message', found['error'])}")
        return found.get("result", {})

    def _post(self, method: str, params: dict | None, session: str | None = None):
        answer = concurrent.futures.Future()
        with self._lock:
            if self._ended:
                raise BrowserError(f"Chromium has ended ({self._ended}): cannot send {method}")
            key = next(self._ids)
            self._waiting[key] = answer
            message = {"id": key, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            data = json.dumps(message).encode() + b"\0"
            try:
                while data:
                    data = data[os.write(self._to_browser, data):]
            except OSError:
                self._waiting.pop(key, None)
                raise BrowserError(f"Chromium has ended ({self._why_ended()}): cannot send "
                                   f"{method}") from None
        return answer

    def _read(self) -> None:
        buffered = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                os.close(self._from_browser)
                break
            *messages, buffered = (buffered + chunk).split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        answer = self._waiting.pop(message["id"], None)
                    if answer is not None:
                        answer.set_result(message)
                elif message.get("method") == "Fetch.requestPaused":
                    self._route(message["params"], message.get("sessionId"))
        with self._lock:
            self._ended = self._why_ended()
            waiting, self._waiting = list(self._waiting.values()), {}
        for answer in waiting:
            answer.set_result({"error": {"message": f"Chromium has ended ({self._ended})"}})

    def _why_ended(self) -> str:
        """Its exit status and, after a failure, the last lines it wrote on stderr."""
        try:
            status = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "its pipe closed"
        said = _last_lines(self._log) if status else ""
        return f"exit status {status}" + (f"; it said: {said}" if said else "")

    def _route(self, request: dict, session: str | None) -> None:
        # The report is self-contained: anything but the file itself stays unfetched.
        if request["request"]["url"].startswith("file:"):
            self._post("Fetch.continueRequest", {"requestId": request["requestId"]}, session)
        else:
            self._post("Fetch.failRequest", {"requestId": request["requestId"],
                                             "errorReason": "Failed"}, session)

    def new_page(self, viewport: dict, init_script: str | None = None) -> "Page":
        """A page in a browser context of its own, offline but for file: URLs."""
        context = self.send("Target.createBrowserContext", {"disposeOnDetach": True})
        target = self.send("Target.createTarget", {
            "url": "about:blank", "browserContextId": context["browserContextId"]})
        session = self.send("Target.attachToTarget", {"targetId": target["targetId"],
                                                      "flatten": True})["sessionId"]
        page = Page(self, session, context["browserContextId"])
        for method, params in (("Page.enable", {}), ("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}),
                               ("Emulation.setFocusEmulationEnabled", {"enabled": True})):
            page.send(method, params)
        if init_script:
            page.send("Page.addScriptToEvaluateOnNewDocument", {"source": init_script})
        page.set_viewport_size(viewport)
        return page

    def close(self) -> None:
        """End the browser (it gets a few seconds to close itself) and remove its profile."""
        try:
            if self.process.poll() is None:
                try:
                    self.send("Browser.close", timeout_s=5)
                except BrowserError:
                    pass
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            os.close(self._to_browser)
            self.profile.cleanup()


def _last_lines(path: str, count: int = 5) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            return " | ".join(line.strip() for line in log.readlines()[-count:] if line.strip())
    except OSError:
        return ""


def _pipe() -> tuple[int, int]:
    """A pipe whose ends are above fd 4, so that putting one end at fd 3 or 4 in the
    browser never overwrites the other (both close in the browser: close-on-exec)."""
    ends = []
    for end in os.pipe():
        ends.append(fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(end)
    return ends[0], ends[1]


class _Process:
    """A child started by posix_spawn (which can put a pipe at fds 3 and 4, as Chromium
    wants it), with Popen's poll, wait and kill."""

    def __init__(self, posix_spawn_args: tuple, file_actions: list):
        self.pid = os.posix_spawn(*posix_spawn_args, file_actions=file_actions, setpgroup=0)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(CHROMIUM, timeout)
            time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


class Page:
    """One page of a Browser: what write_figures and write_pdf ask of it, named as in
    Playwright's Page (evaluate, emulate_media, set_viewport_size, pdf)."""

    def __init__(self, browser: Browser, session: str, context: str):
        self.browser, self.session, self.context = browser, session, context

    def send(self, method: str, params: dict | None = None, timeout_s: float | None = None) -> dict:
        return self.browser.send(method, params, self.session, timeout_s)

    def goto(self, url: str, timeout_s: float | None = None) -> None:
        found = self.send("Page.navigate", {"url": url}, timeout_s)
        if found.get("errorText"):
            raise BrowserError(f"{url}: {found['errorText']}")

    def evaluate(self, script: str, arg=None):
        """The value of `script`, awaited: a JavaScript function, called with `arg` (JSON),
        or an expression."""
        expression = (f"(() => {{ const f = ({script}); "
                      f"return typeof f === 'function' ? f({json.dumps(arg)}) : f; }})()")
        found = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                               "returnByValue": True})
        if "exceptionDetails" in found:
            details = found["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description")
                               or details.get("text", "script failed"))
        return found["result"].get("value")

    def wait_for_function(self, condition: str, timeout_ms: float = 60_000) -> None:
        """Wait until the JavaScript expression `condition` is true (looked at every 20 ms)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not self.evaluate(condition):
            if time.monotonic() > deadline:
                raise BrowserError(f"not true within {timeout_ms / 1000:.0f} s: {condition}")
            time.sleep(0.02)

    def emulate_media(self, media: str) -> None:
        self.send("Emulation.setEmulatedMedia", {"media": media})

    def set_viewport_size(self, size: dict) -> None:
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": size["width"], "height": size["height"], "deviceScaleFactor": 1,
            "mobile": False, "screenWidth": size["width"], "screenHeight": size["height"]})

    def pdf(self, format: str = "A4", print_background: bool = False,  # noqa: A002
            display_header_footer: bool = False, header_template: str = "",
            footer_template: str = "", margin: dict | None = None, outline: bool = False,
            tagged: bool = False) -> bytes:
        """The page printed to PDF, with Playwright's page.pdf options and units."""
        width, height = _PAPER_IN[format]
        inches = {side.capitalize(): _inches(length) for side, length in (margin or {}).items()}
        found = self.send("Page.printToPDF", {
            "landscape": False, "displayHeaderFooter": display_header_footer,
            "headerTemplate": header_template, "footerTemplate": footer_template,
            "printBackground": print_background, "scale": 1, "paperWidth": width,
            "paperHeight": height, "pageRanges": "", "preferCSSPageSize": False,
            "generateTaggedPDF": tagged, "generateDocumentOutline": outline,
            **{f"margin{side}": value for side, value in inches.items()}})
        return base64.b64decode(found["data"])

    def close(self) -> None:
        self.browser.send("Target.disposeBrowserContext", {"browserContextId": self.context})


def _inches(length: str) -> float:
    found = re.fullmatch(r"([\d.]+)\s*(px|in|cm|mm)?", str(length).strip())
    return float(found[1]) * _PX_PER[found[2] or "px"] / 96


@contextmanager
def open_report(page_path: Path, timeout_ms: int = 60_000) -> Iterator[Page]:
    """Open report.html in headless Chromium, offline, and wait until it has loaded.

    Parameters
    ----------
    page_path : the report.html to open.
    timeout_ms : how long to wait for the page to load, and for any one command.

    Returns
    -------
    A context manager giving the Page, its charts' figures held (_HOLD_CHARTS) and drawn
    once write_figures or write_pdf asks; the browser closes when it exits.
    """
    browser = Browser(timeout_ms / 1000)
    try:
        page = browser.new_page({"width": 1000, "height": 1200}, _HOLD_CHARTS)
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_function(HELD, timeout_ms)
        yield page
    finally:
        browser.close()


def write_figures(page, sections: dict[str, Section], folder: Path) -> list[Path]:
    """Save every chart of the open report as <section>_<figure>.png (2x) and .svg.

    Parameters
    ----------
    page : the report opened with `open_report`.
    sections : the sections the report was made from; their figure names name the files.
    folder : where the images go (created).

    Returns
    -------
    The image paths, PNG then SVG for each chart in report order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    charted = [s for s in _ordered(sections) if s.figures]
    # One round trip for every chart (one at a time: drawing them at once was no faster).
    shown = page.evaluate(_TO_IMAGES, [s.id.lower() for s in charted])
    written = []
    for section, images in zip(charted, shown):
        if len(images) != len(section.figures):
            raise RuntimeError(f"report.html shows {len(images)} charts for {section.id}, "
                               f"the section has {len(section.figures)}")
        for name, (png, svg) in zip(section.figures, images):
            written.append(figure_path(folder, section.id, name, "png"))
            written[-1].write_bytes(base64.b64decode(png.split(",", 1)[1]))
            written.append(figure_path(folder, section.id, name, "svg"))
            written[-1].write_text(svg, encoding="utf-8")
    return written


def figure_path(folder: Path, section_id: str, name: str, suffix: str) -> Path:
    """Where a section's chart image is: figures/<section>_<figure>.<suffix>, the name made
    safe for any file system."""
    return Path(folder) / f"{_FILE_BAD.sub('_', f'{section_id}_{name}')}.{suffix}"


#: Each chart's SVG (_DRAW_CHARTS) rasterised at 2x by plotly's own svgToImg, as
#: Plotly.toImage(png) does after drawing the chart a second time: same bytes.
_TO_IMAGES = """async (ids) => {
  await (%s)();
  const out = [];
  for (const id of ids) {
    const images = [];
    for (const gd of document.querySelectorAll(`section[id="${id}"] .plotly-graph-div`)) {
      const {svg, width, height} = window.__cxSvg.get(gd);
      const png = await Plotly.Snapshot.svgToImg({svg, format: 'png', scale: 2, promise: true,
        width, height, canvas: document.createElement('canvas')});
      images.push([png, svg]);
    }
    out.push(images);
  }
  return out;
}""" % _DRAW_CHARTS


def write_pdf(page, path: Path, footer: str, language: str = "en") -> Path:
    """Print the open report to an A4 PDF with page numbers and a paged table of contents.

    Charts taller than a page are scaled to fit it and none is split across pages (CSS
    in the template). The contents get page numbers from the page plan (the breaks
    _PAGINATE forces), written in before printing and checked in the printed PDF with
    pdftotext; should a section not start where planned, its found page is written in and
    the report printed again. Without pdftotext the contents list the sections only.

    Parameters
    ----------
    page : the report opened with `open_report`.
    path : the PDF to write.
    footer : the text at the left of every page's footer (client text, escaped here).
    language : the report's language, for "Page 3 of 12".

    Returns
    -------
    The PDF's path.
    """
    path = Path(path)
    page.evaluate(_DRAW_CHARTS)                 # a no-op after write_figures
    page.emulate_media(media="print")
    # Lay the page out at the printed width, so the breaks are planned on what prints.
    page.set_viewport_size({"width": PAGE_AREA_PX["width"], "height": 1200})
    page.evaluate(_FIT_CHARTS, PAGE_HEIGHT_PX)
    plan = page.evaluate(_PAGINATE, PAGINATION)
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    options = dict(format="A4", print_background=True, display_header_footer=True,
                   header_template="<span></span>", margin=MARGIN, outline=True, tagged=True,
                   footer_template=_footer(footer, language, font))
    titles = page.evaluate(_TOC_TITLES)
    planned = {anchor: plan["pages"].get(anchor) for anchor, _ in titles} if plan else {}
    if titles and all(planned.values()) and shutil.which("pdftotext"):
        # Usually one print: the numbers the page plan predicts, checked in what printed.
        page.evaluate(_FILL_TOC, planned)
        printed = page.pdf(**options)
        numbers = _section_pages(printed, titles)
        if numbers != planned:
            # Where the sections did start (or, not found, no numbers), printed again.
            page.evaluate(_FILL_TOC, numbers or dict.fromkeys(planned, ""))
            printed = page.pdf(**options)
    else:
        printed = page.pdf(**options)
        numbers = _section_pages(printed, titles)
        if numbers:
            page.evaluate(_FILL_TOC, numbers)
            printed = page.pdf(**options)
    path.write_bytes(printed)
    return path


def _footer(left: str, language: str, font: str) -> str:
    style = (f"font-family:{html.escape(font)};font-size:8px;color:#6b7280;width:100%;"
             f"margin:0 {MARGIN['left']};display:flex;justify-content:space-between")
    pages = (f'{html.escape(text.t(language, "report.page"))} <span class="pageNumber"></span> '
             f'{html.escape(text.t(language, "report.of"))} <span class="totalPages"></span>')
    return f'<div style="{style}"><span>{html.escape(left)}</span><span>{pages}</span></div>'


_FIT_CHARTS = """(limit) => {
  for (const fig of document.querySelectorAll('figure.chart')) {
    fig.style.zoom = '';
    const h = fig.getBoundingClientRect().height;
    if (h > limit) fig.style.zoom = String(limit / h);
  }
}"""
_PAGINATE = """(cfg) => {
  // Plan the page breaks the way a typesetter would, then force them: sections open a
  // page (or follow short, compact sections on theirs); a heading or table title stays
  // with what follows; a table splits only between rows with at least cfg.minRows rows on
  // each side; a chart that does not fit is shrunk to fit when the page would otherwise
  // stay under-filled, or changes place with the table after it. Heights are measured in
  // the laid-out page (print media, printed width).
  const main = document.querySelector('main');
  const box = el => el.getBoundingClientRect();
  const pageTop = el => box(el).top + window.scrollY;
  for (let attempt = 0; attempt < 6; attempt++) {
    document.querySelectorAll('[data-cx-break]').forEach(el => {
      el.style.breakBefore = ''; el.style.marginTop = ''; delete el.dataset.cxBreak; });
    document.querySelectorAll('[data-cx-zoom]').forEach(el => {
      el.style.zoom = el.dataset.cxZoomWas || ''; delete el.dataset.cxZoom; });
    const units = [];
    for (const child of main.children) {
      if (child.tagName === 'FOOTER' || box(child).height === 0) continue;
      if (!child.matches('section.report-section')) { units.push({el: child, kind: 'block'}); continue; }
      const compact = child.classList.contains('compact');
      let first = true;
      for (const part of child.children) {
        const start = first && !compact; first = false;
        if (part.matches('.table-block')) {
          const title = part.querySelector('.table-title');
          const rows = [...part.querySelectorAll('tbody tr')];
          const table = {rows: rows.length, thead: box(part.querySelector('thead')).height,
                         start: units.length, block: part};
          if (title) units.push({el: title, kind: 'title', keepNext: true, start, table, compact});
          rows.forEach((r, k) => units.push({el: r, kind: 'row', table, index: k,
            at: k === 0 ? (title ? title.nextElementSibling : part) : r,
            start: start && !title && k === 0, compact}));
        } else {
          units.push({el: part, start, keepNext: part.matches('h2, h3'), compact,
                      kind: part.matches('figure.chart') ? 'figure' : 'block'});
        }
      }
    }
    const tops = units.map(u => pageTop(u.at || u.el));
    const end = pageTop(main) + box(main).height;
    const h = units.map((u, i) => (i + 1 < units.length ? tops[i + 1] : end) - tops[i]);
    const H = cfg.height, breaks = new Set(), zooms = new Map(), joined = new Set();
    let i = 0, used = 0, first = 0, swapped = false;
    const open = k => { first = k; used = 0; for (const z of [...zooms.keys()]) if (z >= k) zooms.delete(z); };
    while (i < units.length) {
      const u = units[i];
      // A section opens a page, unless the page holds nothing but short (compact) sections.
      if (u.start && i !== first) {
        if (units.slice(first, i).every(v => v.compact)) joined.add(i); else open(i);
      }
      // Printed table rows take whole pixels (26.39 px on screen prints as 27): forty rows
      // on a page would otherwise overflow it and Chromium would break a row early.
      const need = (u.kind === 'row' ? Math.ceil(h[i]) : h[i]) * (zooms.get(i) || 1) +
        (u.kind === 'row' && i === first && u.index > 0 ? u.table.thead : 0);
      if (used + need <= H || i === first) { used += need; i++; continue; }
      let c = i;
      if (u.kind === 'row') {
        const t = u.table, k = u.index, row0 = i - k;
        if (k < cfg.minRows) c = t.start;
        else if (t.rows - k < cfg.minRows) c = t.rows - cfg.minRows >= cfg.minRows ? row0 + t.rows - cfg.minRows : t.start;
      }
      while (c > first && units[c - 1].keepNext) c--;
      if (u.kind === 'figure' && c === i) {
        const room = H - used, z = room / h[i];
        const low = used / H < cfg.minFill;
        if (z >= (low ? cfg.minZoomLow : cfg.minZoom)) { zooms.set(i, z); used = H; i++; continue; }
        const next = units[i + 1];
        if (low && next && !next.start && (next.kind === 'title' || next.kind === 'row') && !u.el.dataset.cxMoved) {
          next.table.block.after(u.el);  // the table, which can split, fills this page first
          u.el.dataset.cxMoved = '1'; swapped = true; break;
        }
      }
      if (c <= first) c = i;
      breaks.add(c); open(c); i = c;
    }
    if (swapped) continue;
    for (const k of breaks) {
      if (units[k].start) continue;
      const el = units[k].el;
      el.style.breakBefore = 'page'; el.dataset.cxBreak = '1';
    }
    for (const k of joined) {
      if (breaks.has(k)) continue;
      const el = units[k].el.closest('section');
      el.style.breakBefore = 'auto'; el.style.marginTop = '30px'; el.dataset.cxBreak = '1';
    }
    for (const [k, z] of zooms) {
      const el = units[k].el;
      el.dataset.cxZoomWas = el.style.zoom || ''; el.dataset.cxZoom = '1';
      el.style.zoom = String((parseFloat(el.style.zoom) || 1) * z);
    }
    // The page each section of the contents opens on, as planned: a page starts at the
    // first unit, at each break and at each section that opens a page.
    const starts = new Set([0, ...breaks]);
    units.forEach((u, k) => { if (u.start && !joined.has(k)) starts.add(k); });
    const pages = {};
    let page = 0;
    units.forEach((u, k) => {
      if (starts.has(k)) page++;
      const section = u.el.closest('section.report-section');
      if (section && section.id && !(section.id in pages)) pages[section.id] = page;
    });
    return {attempt, breaks: breaks.size, zooms: zooms.size, pages};
  }
  return null;
}"""
_TOC_TITLES = """() => [...document.querySelectorAll('[data-toc-page]')].map(el => {
  const h = document.getElementById(el.dataset.tocPage)?.querySelector('h2');
  return [el.dataset.tocPage, h ? h.textContent : ''];
})"""
_FILL_TOC = """(numbers) => {
  for (const [anchor, n] of Object.entries(numbers)) {
    const el = document.querySelector(`[data-toc-page="${anchor}"]`);
    if (el) el.textContent = String(n);
  }
}"""


def _section_pages(pdf: bytes, titles: list[list[str]]) -> dict[str, int]:
    """The page each section starts on: the first page, after the last found, opening with its title."""
    pages = _page_texts(pdf)
    if not pages:
        return {}
    found, start = {}, 1                      # page 1 holds the contents themselves
    for anchor, title in titles:
        want = _squeeze(title)
        # A section opens its page, or follows a short one on it (a compact section).
        for test in (str.startswith, str.__contains__):
            hit = next((i for i in range(start, len(pages))
                        if want and test(_squeeze(pages[i]), want)), None)
            if hit is not None:
                found[anchor], start = hit + 1, hit
                break
    return found if len(found) == len(titles) else {}


def _page_texts(pdf: bytes) -> list[str]:
    """The text of each page, by pdftotext (poppler-utils); empty without it."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "pass1.pdf"
        source.write_bytes(pdf)
        done = subprocess.run([tool, "-enc", "UTF-8", str(source), "-"], capture_output=True,
                              check=False)
    if done.returncode != 0:
        return []
    return done.stdout.decode("utf-8", "replace").split("\f")


def _squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


# --- Workbook -------------------------------------------------------------------------------

def write_tables(sections: dict[str, Section], path: Path, language: str = "en",
                 currency: str = "USD", client: str = "", theme: Theme | None = None) -> Path:
    """Write every result table of every section to one Excel workbook, after a Contents sheet.

    Parameters
    ----------
    sections : the sections by id.
    path : the .xlsx to write.
    language : the language of headers and descriptions.
    currency : the client's currency, named in the headers of money columns.
    client : the client's name, for the Contents sheet.
    theme : colours of the header row; the project theme by default.

    Returns
    -------
    The workbook's path.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    theme = theme or load_theme()
    book = Workbook()
    contents = book.active
    contents.title = _sheet_name(text.t(language, "workbook.contents", default="Contents"), set())
    used = {contents.title}
    listing = []
    for section in _ordered(sections):
        for key, frame in section.tables.items():
            name = _sheet_name(f"{section.id} {key}", used)
            sheet = book.create_sheet(name)
            rows = _write_frame(sheet, frame, language, currency, theme)
            listing.append((name, section.title, key, _description(key, language), rows))
    _write_contents(contents, listing, language, client, theme)
    header_font = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor=theme.primary.lstrip("#").upper().rjust(6, "0"))
    for sheet in book.worksheets[1:]:
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, fill
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _ordered(sections: dict[str, Section]) -> list[Section]:
    """The sections in the report's order (section.ORDER); any other after, as given."""
    first = [sections[k] for k in ORDER if k in sections]
    return first + [s for k, s in sections.items() if k not in ORDER]


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A legal, unique sheet name of at most 31 characters."""
    base = _SHEET_BAD.sub("_", wanted).strip("'")[:31] or "Sheet"
    name, i = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({i})"
        name, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(name)
    return name


def _description(key: str, language: str) -> str:
    if key.startswith("loyalty_by_"):
        found = text.t(language, "tables.loyalty_by", default=None, segment=key[11:])
    else:
        found = text.t(language, f"tables.{key}", default=None)
    return found or text.t(language, "tables.other", default=key, name=key)


def _tidy(frame: pd.DataFrame, language: str, currency: str) -> pd.DataFrame:
    """The table as the sheet shows it: index as columns, loyalty groups named, and a
    key-value table's keys as readable labels (with the currency for money)."""
    if list(frame.columns) == ["value"] and frame.index.name is None:
        tidy = frame.reset_index()
        tidy.columns = ["item", "value"]
        keys = list(tidy["item"].astype(str))
        tidy.attrs["keys"] = keys
        previous = text.estimates(keys)
        tidy.attrs["previous"] = previous
        tidy["item"] = [_header(k, p, language, currency, kv=True)
                        for k, p in zip(keys, previous)]
        tidy["value"] = [text.value_name("group", v, language) if k in GROUP_COLUMNS else v
                         for k, v in zip(keys, tidy["value"])]
        return tidy
    named = frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)
    tidy = frame.reset_index() if named else frame.reset_index(drop=True)
    for column in GROUP_COLUMNS:
        if column in tidy.columns:
            tidy[column] = [text.value_name("group", v, language) for v in tidy[column]]
    return tidy


def _write_frame(sheet, frame: pd.DataFrame, language: str, currency: str, theme: Theme) -> int:
    """Write one table with readable headers, typed cells and number formats; return its rows."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    tidy = _tidy(frame, language, currency)
    keys, key_previous = tidy.attrs.get("keys"), tidy.attrs.get("previous")
    columns = [str(c) for c in tidy.columns]
    before = text.estimates(columns)
    kinds = text.kinds(columns)
    headers = [_header(c, p, language, currency) for c, p in zip(columns, before)]
    _append(sheet, headers)
    widths = [len(h) for h in headers]
    for r, row in enumerate(tidy.itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            kind = (text.kind(keys[r - 2], key_previous[r - 2]) if keys and c == 2
                    else kinds[c - 1])
            cell = sheet.cell(row=r, column=c)
            _set(cell, value, kind)
            widths[c - 1] = max(widths[c - 1], _shown_width(cell.value, cell.number_format))
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, width in enumerate(widths, start=1):
        letter = get_column_letter(c)
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        if width > 58:
            for cell in sheet[letter][1:]:
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    if len(tidy):
        sheet.auto_filter.ref = sheet.dimensions
    return len(tidy)


def _header(column: str, previous: str | None, language: str, currency: str,
            kv: bool = False) -> str:
    # A key-value table may word a key its own way ("revenue" of a group, not per customer).
    own = kv and text.t(language, f"columns.kv_{column}", default=None)
    if own:
        return f"{own} ({currency})" if text.kind(column, previous) == "money" else own
    return text.header(column, language, currency, previous)


def _set(cell, value, kind: str) -> None:
    """Put a value in a cell with the type and number format its column calls for."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()                      # numpy scalars to Python
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, bool):
        cell.value = value
        return
    if isinstance(value, (int, float)):
        cell.value = value
        # The report's rule for the column's kind; a number of no known kind as it is.
        known = kind if kind != "auto" else ("count" if isinstance(value, int) else "auto")
        cell.number_format = text.excel_format(known)
        return
    if isinstance(value, str):
        set_text(cell, value)                 # client text is data, never a formula
        return
    cell.value = value


def _append(sheet, values: list) -> None:
    """Add a row after the last one; text goes in as text (privacy.set_text)."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet["A1"].value is not None else 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value


def _shown_width(value, number_format: str) -> int:
    """About how many characters a value takes on screen (CJK characters count double)."""
    if value is None:
        return 0
    if isinstance(value, float):
        shown = f"{100 * value:.1f}%" if number_format.endswith("0%") else f"{value:,.2f}"
    else:
        shown = str(value)
    return max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in shown.split("\n"))


def _write_contents(sheet, listing, language: str, client: str, theme: Theme) -> None:
    """The first sheet: what the workbook holds and a link to each table's sheet."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    def word(key: str, fallback: str) -> str:
        return text.t(language, f"workbook.{key}", default=fallback)

    set_text(sheet["A1"], client or word("contents", "Contents"))
    sheet["A1"].font = Font(bold=True, size=14, color=theme.primary.lstrip("#").upper())
    set_text(sheet["A2"], text.t(language, "workbook.note", default="", client=client))
    for column, key in enumerate(("sheet", "section", "table", "description", "rows"), start=1):
        set_text(sheet.cell(row=4, column=column), word(key, key.title()))
    fill = PatternFill("solid", fgColor=theme.primary.lstrip("#").upper())
    for cell in sheet[4]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
    for name, section, key, description, rows in listing:
        _append(sheet, [name, section, key, description, rows])
        link = sheet.cell(row=sheet.max_row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate,
                                   location="'{}'!A1".format(name.replace("'", "''")))
        link.font = Font(color="1F4E9E", underline="single")
    for letter, width in zip("ABCDE", (26, 44, 26, 70, 8)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A5"

"""Benchmark: the demo's deliverables (workbook, chart images, PDF, deck) from a finished report.

The floor's last step (bench/floor.py) alone: the client is read and its sections computed
once, report.html written, then `deliver.write_all` timed --repeat times (wall seconds,
median) against the issue's budget of 2 s. CPU seconds of this process and of the browser
processes it starts (sampled every 50 ms while they live) are printed beside it, as a
machine shared with others inflates wall time, and the load average before and after.

Where the time goes: each step's start and end (median seconds from the start of
write_all), timed by wrapping the functions write_all calls (Playwright's launch, page
load, print; deliver's images, PDF, pdftotext check, workbook; the deck). Steps on other
threads overlap: a step ending before the last one ends is off the critical path.

--against REV also times cxlib/outputs/deliver.py as it is at git revision REV, on the
same report.html, alternating with the current code run by run (so both see the same
machine), and prints the ratio of their medians.

Usage: python bench/deliverables.py [--client demo] [--repeat 3] [--against main]
"""
import argparse
import collections
import functools
import importlib.util
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil
from floor import compute_sections

from cxlib import paths
from cxlib.inputs.client import load_client
from cxlib.outputs import deck, deliver, report
from cxlib.runs import parameters

BUDGET_S = 2.0


class CpuMeter:
    """CPU seconds of this process and of every process below it, dead ones included."""

    def __init__(self) -> None:
        self.me, self.seen, self.done = psutil.Process(), {}, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self.done.wait(0.05):
            for child in self.me.children(recursive=True):
                try:
                    t = child.cpu_times()
                    self.seen[child.pid] = t.user + t.system
                except psutil.Error:
                    pass

    def __enter__(self) -> "CpuMeter":
        t = self.me.cpu_times()
        self.start = t.user + t.system
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()
        t = self.me.cpu_times()
        self.seconds = t.user + t.system - self.start + sum(self.seen.values())


class Steps:
    """Start and end of each timed call, in seconds from the start of its run, by step name.

    The wrappers are installed once; `Steps.now` is the Steps of the code running now."""
    now: "Steps | None" = None

    def __init__(self) -> None:
        self.zero, self.run, self.spans = 0.0, 0, collections.defaultdict(list)
        self.lock = threading.Lock()

    def begin(self) -> None:
        Steps.now, self.zero, self.run = self, time.perf_counter(), self.run + 1

    def note(self, name: str, start: float, end: float, first_only: bool) -> None:
        with self.lock:
            if first_only and any(run == self.run for run, _, _ in self.spans[name]):
                return
            self.spans[name].append((self.run, start - self.zero, end - self.zero))

    @staticmethod
    def wrap(owner, attr: str, name: str, first_only: bool = False) -> None:
        real = getattr(owner, attr)

        @functools.wraps(real)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                if Steps.now is not None:
                    Steps.now.note(name, start, time.perf_counter(), first_only)
        setattr(owner, attr, timed)


def _browser_steps(browser, page, launch: tuple) -> list[tuple]:
    """The browser calls timed, as (owner, method, step, first call only): `launch` is
    (owner, method) of the browser's start, the one call named differently by each driver."""
    return [(*launch, "browser launch", False), (browser, "new_page", "new page", False),
            (page, "goto", "page load (report.html, plotly.js)", False),
            (page, "wait_for_function", "charts drawn / held", True),
            (page, "pdf", "PDF print (each)", False),
            (browser, "close", "browser close", False)]


def _instrument(modules) -> None:
    """Time what write_all calls: the browser (deliver's own DevTools client, or Playwright
    for a revision that used it) and deliver's steps, in each deliver module given."""
    from playwright.sync_api import _generated as pw
    from playwright.sync_api._context_manager import PlaywrightContextManager

    Steps.wrap(PlaywrightContextManager, "__enter__", "playwright driver start")
    timed = _browser_steps(pw.Browser, pw.Page, (pw.BrowserType, "launch"))
    for module in modules:
        if hasattr(module, "Browser"):
            timed += _browser_steps(module.Browser, module.Page, (module.Browser, "__init__"))
        timed += [(module, "write_figures", "images (PNG 2x + SVG)", False),
                  (module, "write_pdf", "PDF (layout, print, check)", False),
                  (module, "_page_texts", "pdftotext check", False),
                  (module, "write_tables", "workbook (thread)", False)]
    for owner, method, step, first_only in [*timed, (deck, "write_deck", "deck (thread)", False)]:
        Steps.wrap(owner, method, step, first_only)


def _deliver_at(rev: str):
    """cxlib/outputs/deliver.py as it is at git revision `rev`, as a module of cxlib.outputs."""
    source = subprocess.run(["git", "show", f"{rev}:cxlib/outputs/deliver.py"], cwd=paths.ROOT,
                            capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "deliver_at_rev.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("cxlib.outputs._deliver_at_rev", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", default="demo")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", metavar="REV",
                        help="also time deliver.py as at this git revision, alternating")
    args = parser.parse_args()
    client = load_client(args.client)
    p = parameters.values(parameters.resolve(client.config.folder))
    sections = compute_sections(client, p)
    codes = {"current": deliver}
    if args.against:
        codes[args.against] = _deliver_at(args.against)
    steps = {name: Steps() for name in codes}
    _instrument(list(codes.values()))
    walls, cpus = collections.defaultdict(list), collections.defaultdict(list)
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        page = None
        for i in range(args.repeat):
            for name, module in codes.items():
                out = Path(tmp) / f"{name}{i}"
                report.write(client, sections, out, {})
                if page is not None:    # the same report.html for every run
                    (out / "report.html").write_bytes(page)
                page = (out / "report.html").read_bytes()
                with CpuMeter() as cpu:
                    steps[name].begin()
                    start = steps[name].zero
                    module.write_all(client, sections, out)
                    walls[name].append(time.perf_counter() - start)
                cpus[name].append(cpu.seconds)
    print(f"load average after:  {_load()}  ({os.cpu_count()} CPUs)")
    print(f"client {args.client}, deliverables (workbook, images, PDF, deck), "
          f"{args.repeat} runs, medians")
    for name in codes:
        wall = statistics.median(walls[name])
        print(f"\n{name}: wall {wall:5.2f} s   CPU (this process + browser) "
              f"{statistics.median(cpus[name]):5.2f} s   against the {BUDGET_S:.0f} s budget: "
              f"{wall / BUDGET_S:4.2f}x   (walls {' '.join(f'{w:.2f}' for w in walls[name])})")
        print("  step (s from start of write_all)      start    end   took  calls/run")
        for step, spans in sorted(steps[name].spans.items(), key=lambda kv: statistics.median(s for _, s, _ in kv[1])):
            per_run = len(spans) / args.repeat
            starts = statistics.median(s for _, s, _ in spans)
            ends = statistics.median(e for _, _, e in spans)
            took = statistics.median(e - s for _, s, e in spans)
            print(f"  {step:36s} {starts:6.2f} {ends:6.2f} {took:6.2f}  {per_run:4.1f}")
    if args.against:
        ratio = statistics.median(walls["current"]) / statistics.median(walls[args.against])
        cpu = statistics.median(cpus["current"]) / statistics.median(cpus[args.against])
        print(f"\ncurrent / {args.against}: wall {ratio:4.2f}x, CPU {cpu:4.2f}x")


if __name__ == "__main__":
    main()

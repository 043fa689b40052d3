"""Benchmark: how long the analyst's workbench takes to redraw after a control change.

For each control of each practice notebook, 20 changes (cycling through 10 values twice,
so the second round meets values seen before), each timed from the change to every view
redrawn (Section, sentences, tables, chart bundles as a kernel would send them), in wall
and CPU milliseconds. Printed side by side: the practice function run whole for the same
change, and what building the workbench costs: the cell that makes it and shows its views
(build) and the background warm-up that computes each value of each control at the
others' starting values (the changes are timed once the warm-up is done; moved during it,
a control is slower).

Usage: python bench/widgets.py [--respondents 100000] [--folder DIR] [--only P2 ...]
(--only: the notebooks whose controls to time, e.g. P2 or 02_touchpoints; all by default.)
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import CX

CHANGES = 20


def _controls(client):
    """(workbench, control, ten values) for every control of the practice notebooks."""
    from cxlib.outputs import widgets

    segments = [v for _, v in widgets._filter_options(client, "segment")]
    waves = [v for _, v in widgets._filter_options(client, "wave")]
    functions = [v for _, v in widgets._filter_options(client, "function")]
    cycle = lambda values: [values[i % len(values)] for i in range(10)]  # noqa: E731
    return [
        ("P1 01_outcomes", widgets.outcomes, "what_if_share",
         [round(0.05 * i, 2) for i in range(1, 11)]),
        ("P1 01_outcomes", widgets.outcomes, "segment", cycle(segments[1:] + segments[:1])),
        ("P2 02_touchpoints", widgets.touchpoints, "threshold",
         [round(0.1 * i, 1) for i in range(1, 11)]),
        ("P2 02_touchpoints", widgets.touchpoints, "alpha", cycle(list(widgets.ALPHAS))),
        ("P2 02_touchpoints", widgets.touchpoints, "segment", cycle(segments[1:] + segments[:1])),
        ("P3 03_perception", widgets.perception_gaps, "threshold",
         [round(0.1 * i, 1) for i in range(1, 11)]),
        ("P3 03_perception", widgets.perception_gaps, "alpha", cycle(list(widgets.ALPHAS))),
        ("P3 03_perception", widgets.perception_gaps, "segment",
         cycle(segments[1:] + segments[:1])),
        ("P4 04_capabilities", widgets.capabilities, "wave", cycle(waves[1:] + waves[:1])),
        ("P4 04_capabilities", widgets.capabilities, "function",
         cycle(functions[1:] + functions[:1])),
    ]


def _views(bench) -> None:
    """Every view a notebook shows, as the notebooks create them."""
    bench.controls, bench.narrative, bench.metrics, bench.caveats
    for name in bench.section.figures:
        bench.figure(name)
    for name in bench.section.tables:
        bench.table(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, help="an existing client folder to use instead")
    parser.add_argument("--only", nargs="+", default=[],
                        help="time only these notebooks' controls (P1, 02_touchpoints, ...)")
    args = parser.parse_args()
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from cxlib.inputs.client import load_client
    from cxlib.outputs import widgets

    InteractiveShell.instance()      # displays become bundles, as in a kernel
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder
        if folder is None:
            folder = Path(tmp) / "big"
            subprocess.run([CX, "demo", str(folder), "--respondents", str(args.respondents)],
                           check=True, capture_output=True)
        client = load_client(folder)
        print(f"{len(client.survey):,} respondents; {CHANGES} changes per control "
              "(10 values, twice); milliseconds; load average at start "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(f"| {'notebook':18s} | {'control':13s} | median | worst | first round median "
              "| second round median | CPU median | CPU worst "
              "| practice run whole, median | ratio | build (CPU) | warm-up (CPU) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for notebook, make, control, values in _controls(client):
            if args.only and not any(word in notebook.split() for word in args.only):
                continue
            with capture_output():
                start, cpu = time.perf_counter(), time.process_time()
                bench = make(client)
                _views(bench)
                build = (time.perf_counter() - start, time.process_time() - cpu)
                bench.warm_up.result()
                times, cpus = [], []
                for value in values + values:
                    start, cpu = time.perf_counter(), time.process_time()
                    bench.set(**{control: value})
                    times.append(1000 * (time.perf_counter() - start))
                    cpus.append(1000 * (time.process_time() - cpu))
                bench.set(**{control: widgets.ALL if control in bench._filters
                             else values[0]})
            whole = []
            for value in values[:3]:
                state = dict(bench._values)
                filters = {k: v for k, v in bench._filters.items()}
                if control in state:
                    state[control] = value
                else:
                    filters[control] = None if value == widgets.ALL else value
                start = time.perf_counter()
                bench._practice(widgets.restrict(client, **filters), **state)
                whole.append(1000 * (time.perf_counter() - start))
            median = statistics.median(times)
            warm = bench.warm_seconds
            print(f"| {notebook:18s} | {control:13s} | {median:6.0f} | {max(times):5.0f} | "
                  f"{statistics.median(times[:10]):6.0f} | {statistics.median(times[10:]):6.0f} "
                  f"| {statistics.median(cpus):6.0f} | {max(cpus):5.0f} "
                  f"| {statistics.median(whole):6.0f} | {statistics.median(whole) / median:5.1f}x "
                  f"| {build[0]:.1f} s ({build[1]:.1f}) | {warm[0]:.1f} s ({warm[1]:.1f}) |",
                  flush=True)
        print("load average at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()

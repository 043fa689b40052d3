"""Benchmark: the demo's deliverables (workbook, chart images, PDF, deck) from a finished report.

The floor's last step (bench/floor.py) alone: the client is read and its sections computed
once, report.html written, then `deliver.write_all` timed --repeat times (wall seconds,
median) against the issue's budget of 2 s. CPU seconds of this process and of the browser
(its reaped children) are printed beside it, as a machine shared with others inflates wall
time. Usage: python bench/deliverables.py [--client demo] [--repeat 3]
"""
import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from cxlib import practices
from cxlib.inputs.client import load_client
from cxlib.outputs import deliver, report
from cxlib.runs import parameters

BUDGET_S = 2.0


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", default="demo")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    client = load_client(args.client)
    p = parameters.values(parameters.resolve(client.config.folder))
    sections = {
        "P1": practices.outcomes(client, what_if_share=p["what_if_share"]),
        "P2": practices.touchpoints(client, threshold=p["threshold"], alpha=p["alpha"]),
        "P3": practices.perception_gaps(client, threshold=p["threshold"], alpha=p["alpha"]),
        "comments": practices.open_comments(client, alpha=p["alpha"]),
        "P4": practices.capabilities(client),
        "roadmap": practices.roadmap(client, threshold=p["threshold"], alpha=p["alpha"],
                                     what_if_share=p["what_if_share"]),
    }
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            out = Path(tmp) / f"run{i}"
            report.write(client, sections, out, {})
            cpu, start = cpu_seconds(), time.perf_counter()
            deliver.write_all(client, sections, out)
            walls.append(time.perf_counter() - start)
            cpus.append(cpu_seconds() - cpu)
    wall = statistics.median(walls)
    print(f"client {args.client}, deliverables (workbook, images, PDF, deck), "
          f"{args.repeat} runs, medians")
    print(f"wall {wall:5.2f} s   CPU (this process + browser) {statistics.median(cpus):5.2f} s")
    print(f"against the {BUDGET_S:.0f} s budget: {wall / BUDGET_S:4.2f}x")


if __name__ == "__main__":
    main()

"""Benchmark: the demo's deliverables (workbook, chart images, PDF, deck) from a finished report.

The floor's last step (bench/floor.py) alone: the client is read and its sections computed
once, report.html written, then `deliver.write_all` timed --repeat times (wall seconds,
median) against the issue's budget of 2 s. CPU seconds of this process and of the browser
processes it starts (sampled every 50 ms while they live) are printed beside it, as a
machine shared with others inflates wall time.
Usage: python bench/deliverables.py [--client demo] [--repeat 3]
"""
import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil
from floor import compute_sections

from cxlib.inputs.client import load_client
from cxlib.outputs import deliver, report
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", default="demo")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    client = load_client(args.client)
    p = parameters.values(parameters.resolve(client.config.folder))
    sections = compute_sections(client, p)
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            out = Path(tmp) / f"run{i}"
            report.write(client, sections, out, {})
            with CpuMeter() as cpu:
                start = time.perf_counter()
                deliver.write_all(client, sections, out)
                walls.append(time.perf_counter() - start)
            cpus.append(cpu.seconds)
    wall = statistics.median(walls)
    print(f"client {args.client}, deliverables (workbook, images, PDF, deck), "
          f"{args.repeat} runs, medians")
    print(f"wall {wall:5.2f} s   CPU (this process + browser) {statistics.median(cpus):5.2f} s")
    print(f"against the {BUDGET_S:.0f} s budget: {wall / BUDGET_S:4.2f}x")


if __name__ == "__main__":
    main()

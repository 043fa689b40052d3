"""Benchmark: 8 generated clients run with 1 worker and with 2, and the speed-up.

Beside the speed-up, its ceiling on this machine: 1 worker's wall time over the time the 2
workers' CPU seconds take with every core busy. On 2 cores, a worker that keeps more than one
core busy by itself (its browser, its next kernel starting) cannot be sped up twofold.

Usage: python bench/workers.py [--clients 8] [--respondents 1000] [--no-deliverables]
"""
import argparse
import os
import tempfile
from pathlib import Path

from common import CX, measure

from cxlib.inputs.demo import make_client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--no-deliverables", action="store_true")
    args = parser.parse_args()
    extra = ["--no-deliverables"] if args.no_deliverables else []
    with tempfile.TemporaryDirectory() as tmp:
        folders = [str(make_client(Path(tmp) / f"client{i}", n_respondents=args.respondents,
                                   seed=100 + i)) for i in range(args.clients)]
        times, cpu = {}, {}
        for workers in (1, 2):
            times[workers], _, cpu[workers] = measure(
                CX, "run", *folders, "--workers", str(workers),
                "--output", str(Path(tmp) / f"out{workers}"), *extra)
    print(f"{args.clients} clients of {args.respondents} respondents")
    for workers in (1, 2):
        # CPU over wall: how many cores the batch kept busy on average.
        print(f"{workers} worker{'s' if workers > 1 else ' '}: {times[workers]:6.1f} s  "
              f"CPU {cpu[workers]:6.1f} s  ({cpu[workers] / times[workers]:.2f} cores busy)")
    print(f"speed-up : {times[1] / times[2]:6.2f}x")
    # What 2 workers could reach with every core of the machine busy all the time: one
    # worker already keeps more than one core busy (the browser, the next kernel), and the
    # CPU two workers spend is what the speed-up has to be paid from.
    cores = os.cpu_count() or 1
    ceiling = cores * times[1] / cpu[2]
    print(f"ceiling  : {ceiling:6.2f}x  ({cores} cores kept busy by 2 workers on "
          f"{cpu[2]:.1f} s of CPU against 1 worker's {times[1]:.1f} s)")


if __name__ == "__main__":
    main()

"""Benchmark: 8 generated clients run with 1 worker and with 2, and the speed-up.

Usage: python bench/workers.py [--clients 8] [--respondents 1000] [--no-deliverables]
"""
import argparse
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
        times = {}
        for workers in (1, 2):
            times[workers], _ = measure(CX, "run", *folders, "--workers", str(workers),
                                        "--output", str(Path(tmp) / f"out{workers}"), *extra)
    print(f"{args.clients} clients of {args.respondents} respondents")
    print(f"1 worker : {times[1]:6.1f} s")
    print(f"2 workers: {times[2]:6.1f} s")
    print(f"speed-up : {times[1] / times[2]:6.2f}x")


if __name__ == "__main__":
    main()

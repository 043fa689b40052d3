"""Benchmark: a 1,000,000-respondent generated client — validation, P1-P4, the whole run.

Prints wall time, peak memory (largest process) and CPU time (every process) of each step,
and the load average before and after: on a shared machine read the wall times against it.
Usage: python bench/big.py [--respondents 1000000] [--skip-run]
"""
import argparse
import os
import tempfile
from pathlib import Path

from common import CX, HERE, PYTHON, measure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--skip-run", action="store_true", help="skip the notebook run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "big"
        steps = {
            "generate": (CX, "demo", str(folder), "--respondents", str(args.respondents)),
            "validate (cx validate)": (CX, "validate", str(folder)),
            "P1-P4 + report, plain Python": (PYTHON, str(HERE / "floor.py"), str(folder),
                                             str(Path(tmp) / "floor"), "--no-deliverables"),
        }
        if not args.skip_run:
            steps["whole run (cx run, notebooks + deliverables)"] = (
                CX, "run", str(folder), "--output", str(Path(tmp) / "out"))
        print(f"{args.respondents:,} respondents (load average {os.getloadavg()[0]:.1f})")
        for name, command in steps.items():
            seconds, peak, cpu = measure(*command)
            print(f"{name:48s} {seconds:7.1f} s  peak {peak:6.0f} MB  CPU {cpu:7.1f} s")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Helpers shared by the benchmarks: timing commands side by side in one run."""
from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
CX = str(Path(sys.executable).with_name("cx"))


def measure(*command: str) -> tuple[float, float, float]:
    """Wall seconds, peak MB and CPU seconds of one command, run in a fresh process tree."""
    done = subprocess.run([PYTHON, str(HERE / "measure.py"), *command], capture_output=True,
                          text=True, check=True)
    line = done.stdout.split()
    if line[2] != "0":
        said = "\n".join(done.stderr.splitlines()[-80:])
        raise SystemExit(f"command failed ({line[2]}): {' '.join(command)}\n{said}")
    return float(line[0]), float(line[1]), float(line[3])


def median_of(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Median wall seconds, largest peak MB and median CPU seconds of several runs."""
    return (statistics.median(r[0] for r in runs), max(r[1] for r in runs),
            statistics.median(r[2] for r in runs))

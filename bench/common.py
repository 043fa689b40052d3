"""Helpers shared by the benchmarks: timing commands side by side in one run."""
from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
CX = str(Path(sys.executable).with_name("cx"))


def measure(*command: str) -> tuple[float, float]:
    """Wall seconds and peak MB of one command, run in a fresh process tree."""
    line = subprocess.run([PYTHON, str(HERE / "measure.py"), *command], capture_output=True,
                          text=True, check=True).stdout.split()
    if line[2] != "0":
        raise SystemExit(f"command failed ({line[2]}): {' '.join(command)}")
    return float(line[0]), float(line[1])


def median_of(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)

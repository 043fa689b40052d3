"""Benchmark: `cx run demo` (notebooks through papermill) against the plain-Python floor.

Both write the same report (HTML, results.json and, unless --no-deliverables, PDF, Excel
and images) from the same cxlib calls; they run alternately, side by side in this one run,
and the ratio of their medians is printed. Usage: python bench/run_demo.py [--repeat N]
"""
import argparse
import tempfile
from pathlib import Path

from common import CX, HERE, PYTHON, measure, median_of

from cxlib.runs.run import NOTEBOOKS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--client", default="demo")
    parser.add_argument("--no-deliverables", action="store_true")
    args = parser.parse_args()
    extra = ["--no-deliverables"] if args.no_deliverables else []
    notebooks, floor = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            notebooks.append(measure(CX, "run", args.client, "--output",
                                     str(Path(tmp) / f"nb{i}"), *extra))
            floor.append(measure(PYTHON, str(HERE / "floor.py"), args.client,
                                 str(Path(tmp) / f"floor{i}"), *extra))
    nb_s, nb_mb, nb_cpu = median_of(notebooks)
    fl_s, fl_mb, fl_cpu = median_of(floor)
    print(f"client {args.client}, {args.repeat} runs each, medians (CPU: every process of a run)")
    print(f"cx run ({len(NOTEBOOKS)} notebooks via papermill): {nb_s:6.1f} s  CPU {nb_cpu:6.1f} s  "
          f"peak {nb_mb:5.0f} MB")
    print(f"plain-Python floor (same calls):    {fl_s:6.1f} s  CPU {fl_cpu:6.1f} s  "
          f"peak {fl_mb:5.0f} MB")
    print(f"ratio notebooks / floor:            {nb_s / fl_s:6.2f}x  CPU {nb_cpu / fl_cpu:5.2f}x")


if __name__ == "__main__":
    main()

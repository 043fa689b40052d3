"""100,000 open comments through the comment analysis: time and peak memory, and report size.

Builds a demo client with N respondents who all leave a comment (distinct texts: each
comment gets a respondent-specific detail, so nothing is scored twice by luck), then
times `practices.open_comments` in a fresh process and prints wall seconds and peak MB
against the targets (60 s, 2,048 MB), side by side with a 10x smaller run, and the size
of the section as the report stores it (it must not grow with the comments).
Run: python bench/comments.py [N]
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(folder: Path, n: int) -> None:
    import numpy as np
    import pandas as pd

    from cxlib.inputs.demo import make_client

    make_client(folder, n_respondents=n)
    survey = pd.read_csv(folder / "survey.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(1)
    base = survey["Q12"].where(survey["Q12"] != "", "Nothing special, does the job.")
    order = pd.Series(rng.integers(100, 100_000, len(survey)).astype(str))
    survey["Q12"] = base + " Order " + order + "."
    survey.to_csv(folder / "survey.csv", index=False)


def child(folder: str) -> None:
    start = time.perf_counter()
    import cxlib as cx

    client = cx.load_client(folder)
    loaded = time.perf_counter()
    section = cx.practices.open_comments(client)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = len(section.to_json().encode("utf-8"))
    print(json.dumps({"comments": section.metrics["comments"].n, "load_s": loaded - start,
                      "analysis_s": done - loaded, "peak_mb": peak, "section_kb": size / 1024}))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows = []
    for size in (n // 10, n):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "bench"
            build(folder, size)
            out = subprocess.run([sys.executable, __file__, "--child", str(folder)],
                                 capture_output=True, text=True, check=True).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
    small, big = rows
    for r in rows:
        print(f"{r['comments']:>7} comments: load {r['load_s']:.1f} s, analysis "
              f"{r['analysis_s']:.1f} s, peak {r['peak_mb']:.0f} MB, section "
              f"{r['section_kb']:.0f} KB")
    print(f"analysis time ratio {big['analysis_s'] / small['analysis_s']:.1f}x for "
          f"{big['comments'] / small['comments']:.0f}x the comments; section size ratio "
          f"{big['section_kb'] / small['section_kb']:.2f}x")
    ok = big["analysis_s"] < 60 and big["peak_mb"] < 2048
    print(f"targets (analysis < 60 s, peak < 2048 MB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()

"""100,000 open comments through the comment analysis: time, CPU, peak memory, report size.

Two kinds of comments, each at N/10 and N respondents who all leave one, every run timed
in a fresh process:
- demo: the demo client's comments (planted themes, English and Chinese), each given a
  respondent-specific order number, so no two texts are alike by luck; their sentences do
  repeat, as short survey answers do ("Nothing special, does the job.").
- distinct: one to three real review sentences (../shared/data/drug_reviews) per comment,
  each with its words shuffled, so almost no sentence repeats: the worst case for the
  sentiment, which scores each distinct sentence once.
Prints, per run, `load_client` and `practices.open_comments` in wall and CPU seconds, peak
MB, and the size of the section as the report stores it (it must not grow with the
comments); then the ratios N against N/10 and the targets (analysis under 60 s wall and
2,048 MB at N). The machine may be shared: the load average is printed beside the figures,
and CPU seconds say what the code costs whatever else runs.
Run: python bench/comments.py [N]
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REVIEWS = ROOT.parent / "shared" / "data" / "drug_reviews"
KINDS = ("demo", "distinct")


def build(folder: Path, n: int) -> None:
    """A demo client of n respondents, every one with a comment of the demo's kind."""
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


def distinct(folder: Path) -> None:
    """Replace the comments by shuffled real review sentences, one to three each."""
    import numpy as np
    import pandas as pd

    from cxlib.statistics.sentiment import _SENTENCE

    reviews = pd.concat([pd.read_csv(REVIEWS / f"drugs_com_reviews_{split}.tsv", sep="\t")
                         ["review"] for split in ("train", "test")])
    sentences = reviews.str.strip('"').str.split(_SENTENCE).explode()
    words = [s.split() for s in sentences if len(s.split()) >= 4]
    survey = pd.read_csv(folder / "survey.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(2)
    comments = []
    for k in rng.integers(1, 4, len(survey)):
        picked = [list(words[i]) for i in rng.integers(0, len(words), k)]
        for sentence in picked:
            rng.shuffle(sentence)
        comments.append(" ".join(" ".join(s).rstrip(".!?") + "." for s in picked))
    survey["Q12"] = comments
    survey.to_csv(folder / "survey.csv", index=False)


def child(folder: str) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    import cxlib as cx

    client = cx.load_client(folder)
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    section = cx.practices.open_comments(client)
    done, done_cpu = time.perf_counter(), time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = len(section.to_json().encode("utf-8"))
    print(json.dumps({"comments": section.metrics["comments"].n, "load_s": loaded - start,
                      "load_cpu": loaded_cpu - cpu, "analysis_s": done - loaded,
                      "analysis_cpu": done_cpu - loaded_cpu, "peak_mb": peak,
                      "section_kb": size / 1024}))


def measure(folder: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(folder)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    kinds = KINDS if REVIEWS.is_dir() else KINDS[:1]
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    runs: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (n // 10, n):
            demo = Path(tmp) / f"demo{size}"
            build(demo, size)
            for kind in kinds:
                folder = demo
                if kind == "distinct":
                    folder = Path(tmp) / f"distinct{size}"
                    shutil.copytree(demo, folder)
                    distinct(folder)
                r = runs[kind, size] = measure(folder)
                print(f"{kind:>8} {r['comments']:>7} comments: load {r['load_s']:.1f} s "
                      f"({r['load_cpu']:.1f} s CPU), analysis {r['analysis_s']:.1f} s "
                      f"({r['analysis_cpu']:.1f} s CPU), peak {r['peak_mb']:.0f} MB, "
                      f"section {r['section_kb']:.0f} KB", flush=True)
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    met = True
    for kind in kinds:
        small, big = runs[kind, n // 10], runs[kind, n]
        print(f"{kind}: analysis {big['analysis_cpu'] / small['analysis_cpu']:.1f}x the CPU for "
              f"{big['comments'] / small['comments']:.0f}x the comments; section size "
              f"{big['section_kb'] / small['section_kb']:.2f}x")
        met &= big["analysis_s"] < 60 and big["peak_mb"] < 2048
    print(f"targets at {n:,} comments (analysis < 60 s, peak < 2048 MB): "
          f"{'met' if met else 'NOT met'}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()

"""Benchmark: a batch on a local dask cluster against the process pool, side by side.

The same generated clients are run by `cx run --workers W` (the pool) and by
`cx run --cluster local:W` (a dask LocalCluster of W one-thread workers), alternately,
--repeat times each (the dask side sends each client's files to its worker and gets its
report back, or reads and writes in place with --shared-storage); then dask's own cost per
task is measured on empty tasks. Prints both batch times, their ratio, the overhead per
client, and what 10,000 clients would take on N workers at the measured seconds per client.

Usage: python bench/cluster.py [--clients 50] [--respondents 400] [--workers 2]
                               [--repeat 1] [--deliverables] [--shared-storage]
"""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import CX, measure

from cxlib.inputs.demo import make_client


def empty_task_seconds(workers: int, tasks: int = 400) -> tuple[float, float]:
    """(seconds to start a LocalCluster of `workers`, seconds per empty task through it)."""
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        started = time.perf_counter() - start
        client.submit(int, 0, pure=False).result()              # warm
        start = time.perf_counter()
        for future in [client.submit(int, i, pure=False) for i in range(tasks)]:
            future.result()
        return started, (time.perf_counter() - start) / tasks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--respondents", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--deliverables", action="store_true")
    parser.add_argument("--shared-storage", action="store_true")
    args = parser.parse_args()
    extra = [] if args.deliverables else ["--no-deliverables"]
    w = str(args.workers)
    dask_how = ["--cluster", f"local:{w}"] + (["--shared-storage"] if args.shared_storage else [])
    with tempfile.TemporaryDirectory() as tmp:
        folders = [str(make_client(Path(tmp) / f"client{i}", n_respondents=args.respondents,
                                   seed=300 + i, n_staff=8)) for i in range(args.clients)]
        times = {"pool": [], "dask": []}
        for i in range(args.repeat):                # alternately: load changes hit both
            for name, how in (("pool", ["--workers", w]), ("dask", dask_how)):
                seconds, _, _ = measure(CX, "run", *folders, *how, *extra,
                                        "--output", str(Path(tmp) / f"{name}{i}"))
                times[name].append(seconds)
    pool, dask = statistics.median(times["pool"]), statistics.median(times["dask"])
    start_s, task_s = empty_task_seconds(args.workers)
    per_client = pool * args.workers / args.clients            # worker-seconds per client
    overhead = (dask - pool) * args.workers / args.clients
    print(f"{args.clients} clients of {args.respondents} respondents, {args.workers} workers, "
          f"{'with' if args.deliverables else 'without'} deliverables, median of {args.repeat}")
    print(f"process pool (--workers {w})        : {pool:7.1f} s")
    print(f"dask LocalCluster ({' '.join(dask_how)}): {dask:7.1f} s")
    print(f"ratio dask / pool                  : {dask / pool:7.2f}x")
    print(f"overhead per client (worker-s)     : {overhead:7.2f} s "
          f"(of {per_client:.1f} worker-s per client)")
    print(f"dask alone: cluster start {start_s:.1f} s, {task_s * 1000:.1f} ms per empty task")
    print("10,000 clients at the measured worker-seconds per client (+ dask's overhead):")
    for n in (10, 50, 200):
        hours = 10_000 * (per_client + max(overhead, task_s)) / n / 3600
        print(f"  on {n:3d} workers: {hours:6.1f} h")


if __name__ == "__main__":
    main()

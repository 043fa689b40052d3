"""Run a command and print its wall time, peak memory and CPU time of its process tree.

Usage: python bench/measure.py CMD ARGS...  -> prints "seconds peak_mb code cpu_seconds" on
the last line (what the command prints goes to stderr). Peak memory is the largest resident
set of any one process in the tree, CPU the user and system time of every process in it
(getrusage). This process is the tree's subreaper, so a process left running by the command
(a worker slow to end) is still waited for and counted; the wall time ends when the command
does.
"""
import ctypes
import os
import resource
import subprocess
import sys
import time

_PR_SET_CHILD_SUBREAPER = 36


def main() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    start = time.perf_counter()
    # What the command says goes to this process's stderr (shown should it fail).
    code = subprocess.call(sys.argv[1:], stdout=sys.stderr, stderr=sys.stderr)
    seconds = time.perf_counter() - start
    while True:                 # what the command left behind, reparented here
        try:
            os.wait()
        except ChildProcessError:
            break
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{seconds:.3f} {usage.ru_maxrss / 1024:.0f} {code} "
          f"{usage.ru_utime + usage.ru_stime:.2f}")


if __name__ == "__main__":
    main()

"""Run a command and print its wall time, peak memory and CPU time of its process tree.

Usage: python bench/measure.py CMD ARGS...  -> prints "seconds peak_mb code cpu_seconds" on
the last line. Peak memory is the largest resident set of any one process in the tree, CPU
the user and system time of every process in it that was waited for (getrusage).
"""
import resource
import subprocess
import sys
import time


def main() -> None:
    start = time.perf_counter()
    code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{seconds:.3f} {usage.ru_maxrss / 1024:.0f} {code} "
          f"{usage.ru_utime + usage.ru_stime:.2f}")


if __name__ == "__main__":
    main()

"""Run a command and print its wall time and the peak memory of its process tree.

Usage: python bench/measure.py CMD ARGS...  -> prints "seconds peak_mb" on the last line.
Peak memory is the largest resident set of any one process in the tree (getrusage).
"""
import resource
import subprocess
import sys
import time


def main() -> None:
    start = time.perf_counter()
    code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{seconds:.3f} {peak:.0f} {code}")


if __name__ == "__main__":
    main()

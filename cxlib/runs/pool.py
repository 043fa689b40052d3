"""A batch on one machine: each client in a worker process of its own, at most N at a time.

A worker is `python -m cxlib.runs.pool <client id>` (so `ps` shows which client each one
runs); it reads its task as JSON on stdin and writes its Outcome as JSON on stdout when it
ends. A worker that dies instead (SIGKILL from the out-of-memory killer, a crash) fails
only its client: the reason says how it died, what it left is removed, the batch goes on.
"""
from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..errors import Stopped
from . import staging
from .run import Outcome, run_one

#: Seconds a stopped worker has to clean up after SIGTERM before it is killed.
STOP_GRACE_S = 20
#: Lines of a dead worker's own error output kept for its reason.
_TAIL_LINES = 6


@dataclass
class _Job:
    folder: Path
    process: subprocess.Popen
    started: float
    out: bytearray = field(default_factory=bytearray)
    err: bytearray = field(default_factory=bytearray)
    result_read: bool = False       # stdout closed: only the worker itself holds it


def _start(folder: Path, options: dict) -> subprocess.Popen:
    task = json.dumps({"client": str(folder), "options": _plain(options)})
    process = subprocess.Popen([sys.executable, "-m", "cxlib.runs.pool", folder.name],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdin.write(task.encode("utf-8"))
    process.stdin.close()
    return process


def _plain(options: dict) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in options.items()}


def _death(job: _Job) -> str:
    """Why a worker ended without an outcome, in words."""
    code = job.process.returncode
    if code < 0:
        name = signal.Signals(-code).name
        reason = f"its worker process was killed by {name}"
        if -code == signal.SIGKILL:
            reason += (" (as the out-of-memory killer does: give the batch more memory or "
                       "fewer --workers)")
    else:
        reason = f"its worker process ended with status {code} and no result"
    tail = job.err.decode("utf-8", "replace").strip().splitlines()[-_TAIL_LINES:]
    return reason + ("\n" + "\n".join(tail) if tail else "")


def _outcome(job: _Job, root: Path) -> Outcome:
    lines = job.out.decode("utf-8", "replace").strip().splitlines()
    if job.process.returncode == 0 and lines:
        try:
            return Outcome.from_dict(json.loads(lines[-1]))
        except (ValueError, TypeError, KeyError):
            pass
    # The worker died: remove what it left, unless another run holds the client by now.
    staging.clean(root, [job.folder], only=job.folder.name)
    return Outcome(job.folder.name, False, None, _death(job),
                   time.perf_counter() - job.started)


def _stop(jobs: list[_Job], root: Path, signum: int) -> None:
    """Stop every running worker, give each time to clean up, then remove what is left."""
    for job in jobs:
        if job.process.poll() is None:
            job.process.send_signal(signum)
    deadline = time.monotonic() + STOP_GRACE_S
    for job in jobs:
        try:
            job.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            job.process.kill()
            job.process.wait()
        staging.clean(root, [job.folder], only=job.folder.name)


def run_pool(folders: list[Path], options: dict, workers: int, progress: bool) -> list[Outcome]:
    """Run the clients in up to `workers` processes; every client gets an Outcome, in order."""
    from tqdm import tqdm

    root = Path(options.get("output_root") or paths.REPORTS)
    waiting, running, outcomes = deque(folders), {}, {}
    selector = selectors.DefaultSelector()
    # Outside a terminal (CI logs, pipes) a bar is only noise.
    bar = tqdm(total=len(folders), disable=not progress or not sys.stderr.isatty(),
               unit="client", file=sys.stderr, desc="reports")
    try:
        while waiting or running:
            while waiting and len(running) < workers:
                folder = waiting.popleft()
                job = _Job(folder, _start(folder, options), time.perf_counter())
                running[job.process.pid] = job
                selector.register(job.process.stdout, selectors.EVENT_READ, (job, job.out))
                selector.register(job.process.stderr, selectors.EVENT_READ, (job, job.err))
            for key, _ in selector.select(timeout=0.5):
                job, buffer = key.data
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    buffer.extend(chunk)
                    continue
                selector.unregister(key.fileobj)
                if key.fileobj is job.process.stdout:
                    job.result_read = True
            for pid, job in list(running.items()):
                if job.result_read and job.process.poll() is not None:
                    del running[pid]
                    # Kernels the worker started may hold its error output open a moment
                    # longer: take what is there and let the rest go.
                    _drain(job, selector)
                    outcome = _outcome(job, root)
                    outcomes[job.folder] = outcome
                    bar.set_postfix_str(f"{outcome.client} {'ok' if outcome.ok else 'FAILED'}")
                    bar.update()
    except (KeyboardInterrupt, Stopped) as stop:
        bar.close()
        signum = signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM
        with _signals_ignored():
            _stop(list(running.values()), root, signum)
        raise
    finally:
        bar.close()
        selector.close()
    return [outcomes[f] for f in folders]


def _drain(job: _Job, selector: selectors.BaseSelector) -> None:
    stream = job.process.stderr
    os.set_blocking(stream.fileno(), False)
    try:
        while chunk := os.read(stream.fileno(), 1 << 16):
            job.err.extend(chunk)
    except BlockingIOError:
        pass
    if _registered(selector, stream):
        selector.unregister(stream)
    stream.close()
    job.process.stdout.close()


def _registered(selector: selectors.BaseSelector, stream) -> bool:
    try:
        selector.get_key(stream)
        return True
    except KeyError:
        return False


@contextlib.contextmanager
def _signals_ignored():
    """While workers clean up, a second Ctrl-C must not cut the cleaning short."""
    try:
        before = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:          # not the main thread: signals are not ours to change
        before = {}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _raise_stopped(signum, _frame):
    # Once: a second signal must not interrupt the cleaning up the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Stopped(signal.Signals(signum).name)


def _worker() -> int:
    """A worker's life: one client, its Outcome on stdout; stopped quietly by SIGINT/SIGTERM."""
    signal.signal(signal.SIGTERM, _raise_stopped)
    signal.signal(signal.SIGINT, _raise_stopped)
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)                   # anything else printed goes with the error output
    sys.stdout = sys.stderr
    task = json.loads(sys.stdin.read())
    try:
        outcome = run_one(task["client"], task["options"])
    except Stopped:
        return 128 + signal.SIGTERM  # run_client has removed its staging already
    result.write(json.dumps(outcome.to_dict()) + "\n")
    result.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_worker())

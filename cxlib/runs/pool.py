"""A batch on one machine: clients run in up to N worker processes, one client at a time each.

A worker is `python -m cxlib.runs.pool`: it reads tasks as JSON lines on stdin and writes
each client's Outcome as a JSON line on stdout, so its imports are paid once. A worker that
dies instead (SIGKILL from the out-of-memory killer, a crash) fails only the client it was
running: the reason says how it died, what it left is removed, a new worker takes the rest.
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

#: Seconds stopped workers have to clean up after the signal before they are killed.
STOP_GRACE_S = 20
#: Lines of a dead worker's own error output kept for its reason.
_TAIL_LINES = 6


@dataclass
class _Worker:
    process: subprocess.Popen
    folder: Path | None = None          # the client it runs now
    started: float = 0.0
    out: bytearray = field(default_factory=bytearray)
    err: bytearray = field(default_factory=bytearray)

    def give(self, folder: Path, options: dict) -> bool:
        """Hand the worker a client; False if it has died meanwhile (the client waits on)."""
        task = json.dumps({"client": str(folder), "options": _plain(options)})
        try:
            self.process.stdin.write((task + "\n").encode("utf-8"))
            self.process.stdin.flush()
        except OSError:
            return False
        self.folder, self.started = folder, time.perf_counter()
        self.err.clear()
        return True


def _spawn(selector: selectors.BaseSelector) -> _Worker:
    process = subprocess.Popen([sys.executable, "-m", "cxlib.runs.pool"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    worker = _Worker(process)
    selector.register(process.stdout, selectors.EVENT_READ, (worker, worker.out))
    selector.register(process.stderr, selectors.EVENT_READ, (worker, worker.err))
    return worker


def _plain(options: dict) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in options.items()}


def _death(worker: _Worker) -> str:
    """Why a worker ended without an outcome, in words."""
    code = worker.process.returncode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        reason = f"its worker process was killed by {name}"
        if -code == signal.SIGKILL:
            reason += (" (as the out-of-memory killer does: give the batch more memory or "
                       "fewer --workers)")
    else:
        reason = f"its worker process ended with status {code} and no result"
    tail = worker.err.decode("utf-8", "replace").strip().splitlines()[-_TAIL_LINES:]
    return reason + ("\n" + "\n".join(tail) if tail else "")


def _unregister(selector: selectors.BaseSelector, stream) -> None:
    with contextlib.suppress(KeyError, ValueError):
        selector.unregister(stream)
    stream.close()


def _bury(worker: _Worker, selector: selectors.BaseSelector) -> None:
    """Forget a worker that has ended; its kernels may hold stderr open a moment longer."""
    for stream in (worker.process.stdout, worker.process.stderr, worker.process.stdin):
        _unregister(selector, stream)


def _stop(workers: list[_Worker], root: Path, signum: int) -> None:
    """Stop every worker, give each time to clean up, then remove what is left."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signum)
    deadline = time.monotonic() + STOP_GRACE_S
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
        if worker.folder is not None:
            staging.clean(root, [worker.folder], only=worker.folder.name)


def run_pool(folders: list[Path], options: dict, workers: int, progress: bool) -> list[Outcome]:
    """Run the clients in up to `workers` processes; every client gets an Outcome, in order."""
    from tqdm import tqdm

    root = Path(options.get("output_root") or paths.REPORTS)
    waiting, outcomes, alive = deque(folders), {}, []
    selector = selectors.DefaultSelector()
    # Outside a terminal (CI logs, pipes) a bar is only noise.
    bar = tqdm(total=len(folders), disable=not progress or not sys.stderr.isatty(),
               unit="client", file=sys.stderr, desc="reports")

    def done(worker: _Worker, outcome: Outcome) -> None:
        outcomes[worker.folder] = outcome
        worker.folder = None
        bar.set_postfix_str(f"{outcome.client} {'ok' if outcome.ok else 'FAILED'}")
        bar.update()

    try:
        while waiting or any(w.folder is not None for w in alive):
            for worker in [w for w in alive if w.folder is None] + [
                    _spawn(selector) for _ in range(min(len(waiting), workers - len(alive)))]:
                if worker not in alive:
                    alive.append(worker)
                if waiting and not worker.give(waiting[0], options):
                    continue
                if waiting:
                    waiting.popleft()
            for key, _ in selector.select(timeout=0.5):
                worker, buffer = key.data
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    buffer.extend(chunk)
                else:
                    _unregister(selector, key.fileobj)
            for worker in list(alive):
                while b"\n" in worker.out and worker.folder is not None:
                    line, _, rest = bytes(worker.out).partition(b"\n")
                    worker.out[:] = rest
                    done(worker, Outcome.from_dict(json.loads(line)))
                if worker.process.poll() is not None:
                    alive.remove(worker)
                    _bury(worker, selector)
                    if worker.folder is not None:
                        # Remove what it left, unless another run holds the client by now.
                        staging.clean(root, [worker.folder], only=worker.folder.name)
                        done(worker, Outcome(worker.folder.name, False, None, _death(worker),
                                             time.perf_counter() - worker.started))
    except (KeyboardInterrupt, Stopped) as stop:
        bar.close()
        signum = signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM
        with signals_ignored():
            _stop(alive, root, signum)
        raise
    finally:
        bar.close()
        for worker in alive:                    # no more tasks: each worker ends by itself
            with contextlib.suppress(OSError):
                worker.process.stdin.close()
        for worker in alive:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=STOP_GRACE_S)
            _bury(worker, selector)
        selector.close()
    return [outcomes[f] for f in folders]


@contextlib.contextmanager
def signals_ignored():
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
    """A worker's life: clients one by one, each Outcome a line on stdout; stopped quietly."""
    signal.signal(signal.SIGTERM, _raise_stopped)
    signal.signal(signal.SIGINT, _raise_stopped)
    result = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)                   # anything else printed goes with the error output
    sys.stdout = sys.stderr
    try:
        for line in sys.stdin:
            task = json.loads(line)
            outcome = run_one(task["client"], task["options"])
            result.write(json.dumps(outcome.to_dict()) + "\n")
            result.flush()
    except Stopped:
        return 128 + signal.SIGTERM  # run_client has removed its staging already
    return 0


if __name__ == "__main__":
    sys.exit(_worker())

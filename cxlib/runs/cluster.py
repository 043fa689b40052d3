"""A batch on a dask.distributed cluster: each client one task, retried elsewhere if its worker dies.

The workers read the client folders and write the reports folder themselves, at the paths
the caller uses: storage every worker mounts at the same place (NFS, Lustre, a Kubernetes
volume). Nothing of a client is sent anywhere else: a task carries the client's folder
path and the run's options, and returns the client's Outcome; its data stays in its folder
and its report. Each task is a run on one machine (`run_one` on the worker): the client's
lock, a staging folder published in one swap, manifest.json, recovery of what a killed run
left. A task first checks that its worker sees the caller's reports folder (a token file
the caller wrote) and the caller's client.yml (its SHA-256); a worker that does not is told
so instead of writing a report to a disk of its own.

`--resume` is decided here on the caller, from the manifests on disk, before anything is
submitted (a batch with nothing to do needs no cluster). A client's failure is its Outcome;
only a dead worker or a worker's own fault (not the client's) makes dask try the task
again, a bounded number of times (ALLOWED_FAILURES deaths, `retries` errors). Ctrl-C or
SIGTERM cancels the tasks not started; a cluster on this machine (`local:N`) is shut down,
so its running clients stop, and what they left is cleaned as on one machine.
"""
from __future__ import annotations

import contextlib
import logging
import secrets
import socket
import sys
import time
from collections import deque
from pathlib import Path
from typing import Iterator

from .. import paths
from ..errors import CxError, RunError, Stopped, UsageError
from ..inputs.config import load_config
from . import manifest, staging
from .pool import signals_ignored
from .run import KERNEL, Outcome, ensure_kernel, plan_job, resume_check, run_one

#: How often a task is tried again after it raised (a worker's disk, a kernel that would not
#: start: not the client's data, which fails its client at once).
RETRIES = 2
#: How many times a task may lose its worker before it fails (dask's allowed-failures; set
#: here for local clusters, in the scheduler's own config for a remote one).
ALLOWED_FAILURES = 3
#: Seconds to reach a remote scheduler.
CONNECT_TIMEOUT_S = 20
#: Tasks in flight per worker thread: enough to keep workers busy while the caller decides
#: the next clients (--resume hashes their inputs).
IN_FLIGHT_PER_THREAD = 2
#: The file by which a worker proves it sees the caller's reports folder.
TOKEN_PREFIX = ".cx-batch-"


def parse_cluster(text: str) -> str | int:
    """`local:N` gives N (workers of a cluster on this machine); anything else an address."""
    if text.startswith("local:"):
        n = text.partition(":")[2]
        if not n.isdigit() or int(n) < 1:
            raise UsageError(f"--cluster local:N needs a number of workers N >= 1, got '{text}'")
        return int(n)
    return text if "://" in text else f"tcp://{text}"


def security(ca: Path | None = None, cert: Path | None = None,
             key: Path | None = None):
    """A dask Security for TLS from the given files, or None (dask's own config applies).

    Raises UsageError naming every file that is missing.
    """
    given = {"--tls-ca": ca, "--tls-cert": cert, "--tls-key": key}
    if not any(given.values()):
        return None
    missing = [f"{flag} {path}" for flag, path in given.items()
               if path is not None and not Path(path).is_file()]
    if missing:
        raise UsageError("no such file: " + "; ".join(missing))
    if ca is None or cert is None:
        raise UsageError("TLS needs at least --tls-ca and --tls-cert (and --tls-key unless "
                         "the certificate file holds the key)")
    from distributed.security import Security

    return Security(tls_ca_file=str(ca), tls_client_cert=str(cert),
                    tls_client_key=str(key) if key else None, require_encryption=True)


@contextlib.contextmanager
def connect(cluster: str | int, tls=None) -> Iterator:
    """A dask Client: to the scheduler at an address, or to a new cluster of N local workers."""
    import dask
    from distributed import Client, LocalCluster

    if isinstance(cluster, int):
        if tls is not None:
            raise UsageError("--tls-* settings are for a remote scheduler, not --cluster local:N")
        settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}
        with dask.config.set(settings), \
                LocalCluster(n_workers=cluster, threads_per_worker=1, processes=True,
                             dashboard_address=None, silence_logs=logging.ERROR) as local, \
                Client(local) as client:
            yield client
        return
    try:
        client = Client(cluster, security=tls, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as err:
        raise RunError(f"cannot reach the dask scheduler at {cluster}: {err}") from None
    with client:
        yield client


# --- On the caller ---------------------------------------------------------------------------

@contextlib.contextmanager
def batch_token(root: Path) -> Iterator[str]:
    """Write <root>/.cx-batch-<token> for the batch's lifetime; its tasks look for it."""
    root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    path = root / f"{TOKEN_PREFIX}{token}"
    path.write_text(token, encoding="ascii")
    try:
        yield token
    finally:
        path.unlink(missing_ok=True)


def run_on_cluster(folders: list[Path], options: dict, cluster: str | int,
                   retries: int = RETRIES, tls=None, progress: bool = True) -> list[Outcome]:
    """Run every client as a task on a dask cluster; every client gets an Outcome, in order.

    Parameters
    ----------
    folders : the clients' folders (checked as a batch by run.batch).
    options : run_client's options (output_root, parameters, deliverables, resume, ...).
    cluster : a scheduler address, or N for a cluster of N workers on this machine.
    retries : how often a task that raised (a worker's fault) is tried again.
    tls : a distributed Security (see `security`), for a scheduler across networks.
    progress : show a progress bar (on a terminal).

    Raises RunError when the scheduler cannot be reached; KeyboardInterrupt or Stopped
    after cleaning up when stopped.
    """
    from tqdm import tqdm

    root = Path(options.get("output_root") or paths.REPORTS).resolve()
    options = {**options, "at_once": 1, "kernel": options.get("kernel", KERNEL),
               "output_root": root}
    outcomes: dict[Path, Outcome] = {}
    running: dict = {}
    bar = tqdm(total=len(folders), disable=not progress or not sys.stderr.isatty(),
               unit="client", file=sys.stderr, desc="reports")

    def record(folder: Path, outcome: Outcome) -> None:
        outcomes[folder] = outcome
        bar.set_postfix_str(f"{outcome.client} {'ok' if outcome.ok else 'FAILED'}")
        bar.update()

    try:
        with contextlib.ExitStack() as stack:
            token = stack.enter_context(batch_token(root))
            _run_tasks(stack, folders, options, cluster, retries, tls, token, running, record)
    except (KeyboardInterrupt, Stopped):
        # The cluster is closed by now: a local one's workers are gone with their kernels.
        with signals_ignored():
            for folder in {f for f, _ in running.values()}:
                with contextlib.suppress(CxError, OSError):
                    staging.clean(root, [folder], only=folder.name)
        raise
    finally:
        bar.close()
    return [outcomes[f] for f in folders]


def _run_tasks(stack, folders, options, cluster, retries, tls, token, running, record) -> None:
    from distributed import as_completed

    root, waiting, client = options["output_root"], deque(folders), None

    def connected():
        # Only when a task is to run: a --resume batch with nothing to do needs no cluster.
        nonlocal client
        if client is None:
            try:
                client = stack.enter_context(connect(cluster, tls))
            except CxError as err:
                raise _NoCluster(err) from None     # stops the batch, not one client
        return client

    finished = None                     # as_completed needs a client: made with the first task

    def submit_more() -> None:
        nonlocal finished
        threads = sum(client.nthreads().values()) if client is not None else 0
        while waiting and len(running) < max(4, IN_FLIGHT_PER_THREAD * threads):
            folder = waiting.popleft()
            start = time.perf_counter()
            try:
                submitted = _submit(connected, folder, root, options, retries, token)
            except CxError as err:
                record(folder, Outcome(folder.name, False, None, str(err),
                                       time.perf_counter() - start))
                continue
            if isinstance(submitted, Outcome):
                record(folder, submitted)
                continue
            future, why = submitted
            running[future] = (folder, why)
            if finished is None:
                finished = as_completed([future])
            else:
                finished.add(future)

    try:
        submit_more()
    except _NoCluster as no:
        raise no.args[0] from None
    for future in finished or ():
        folder, why = running.pop(future)
        outcome = _outcome(future, folder.name)
        future.release()
        if outcome.ok and why:
            outcome.reason = f"re-run: {'; '.join(why)}"
        record(folder, outcome)
        submit_more()


class _NoCluster(Exception):
    """The cluster could not be reached (carries the RunError saying so)."""


def _submit(connected, folder: Path, root: Path, options: dict, retries: int, token: str):
    """Decide one client on the caller and submit its task; an Outcome if there is none to run.

    `connected()` gives the dask Client. Returns (future, reasons to re-run) or an Outcome
    (skipped by --resume).
    """
    config = load_config(folder)
    why = None
    if options.get("resume"):
        with staging.client_lock(root, config.id):
            staging.recover(root, config.id)
            job = plan_job(config, root, options.get("parameters"),
                           options.get("deliverables", True))
            why = resume_check(job)
        if why == []:
            return Outcome(config.id, True, job.final / "report.html", "unchanged", 0.0, True)
    # The worker takes the client's lock itself (run_client), as a run on one machine does.
    seen = {"token": token, "client.yml": manifest.sha256(config.folder / "client.yml")}
    future = connected().submit(run_task, str(config.folder), {**options, "resume": False},
                                seen, key=f"cx-{config.id}-{secrets.token_hex(4)}",
                                retries=retries, pure=False)
    return future, why or []


def _outcome(future, name: str) -> Outcome:
    """The Outcome of a finished task, a failed one included."""
    from distributed import KilledWorker

    try:
        return Outcome.from_dict(future.result())
    except KilledWorker:
        return Outcome(name, False, None, f"its worker died {ALLOWED_FAILURES + 1} times "
                       "while running it (killed, or out of memory: give the workers more "
                       "memory)")
    except Exception as err:  # noqa: BLE001 - what the task raised, after its retries
        return Outcome(name, False, None, f"on the cluster: {type(err).__name__}: {err}")


# --- On a worker -----------------------------------------------------------------------------

def _where() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:
        return socket.gethostname()


def storage_problem(folder: Path, root: Path, seen: dict) -> str:
    """Why this worker does not see the caller's client folder and reports folder ("" if
    it does): the batch token in the reports folder, the same client.yml in the client's."""
    where = f"worker {_where()}"
    mount = ("a cluster run needs the client folders and the reports folder on storage "
             "every worker mounts at the same path (docs/cluster.md)")
    token = root / f"{TOKEN_PREFIX}{seen['token']}"
    try:
        if token.read_text(encoding="ascii") != seen["token"]:
            raise OSError
    except OSError:
        return f"{where} does not see the reports folder {root} this batch writes; {mount}"
    config = folder / "client.yml"
    if not config.is_file() or manifest.sha256(config) != seen["client.yml"]:
        return f"{where} does not see {config} as the caller does; {mount}"
    return ""


def run_task(folder: str, options: dict, seen: dict) -> dict:
    """A client's task on a worker: run it in place, as a run on one machine does.

    Returns the Outcome as a dict. A client's own failure (bad data, a notebook's error)
    is its Outcome; anything else raises, so dask tries the task again.
    """
    problem = storage_problem(Path(folder), Path(options["output_root"]), seen)
    if problem:
        return Outcome(Path(folder).name, False, None, problem, worker=_where()).to_dict()
    ensure_kernel(options.get("kernel", KERNEL))
    outcome = run_one(folder, options)
    outcome.worker = _where()
    return outcome.to_dict()

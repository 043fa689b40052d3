"""A batch on a dask.distributed cluster: each client one task, retried elsewhere if its worker dies.

Without shared storage (the default) the caller sends each task the bytes of that client's
input files, exactly the files its manifest lists (nothing of any other client), and the
portfolio benchmark (aggregates only) when there is one. The worker checks that it runs the
code the caller planned with, writes the files into a private temporary folder (mode 0700),
makes the report there and sends it back as a tar. The caller checks the report against its
manifest and the plan, and publishes it as a run on one machine does, under the client's
lock, which it holds from before the task is submitted until the report is in place. The
worker's folder is removed when the task ends, however it ends; one left by a worker killed
outright is removed when its nanny starts it again, or by the next task on that machine.
Client data crosses a network only encrypted: shipping to a scheduler that is not on this
machine needs TLS, and over plain TCP on this machine the tasks go only to workers on it.

With shared storage (`--shared-storage`) the workers read the client folders and write the
reports folder themselves, at the paths the caller uses (`run_one` on the worker), after
checking that they see the caller's reports folder (a token file) and client.yml.

Either way `--resume` is decided here on the caller, from the manifests on disk, before
anything is submitted (a batch with nothing to do needs no cluster). A client's failure is
its Outcome; only a dead worker or a worker's own fault (not the client's) makes dask try
the task again, a bounded number of times (ALLOWED_FAILURES deaths, `retries` errors).
Ctrl-C or SIGTERM cancels every task: a running one stops on its worker and removes what it
wrote; a cluster on this machine (`local:N`) is shut down.
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import ipaddress
import logging
import os
import secrets
import shutil
import socket
import stat
import sys
import tarfile
import tempfile
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from distributed import WorkerPlugin

from .. import paths
from ..errors import CxError, RunError, Stopped, UsageError
from ..inputs.config import load_config
from ..outputs import portfolio
from . import manifest, staging
from .pool import signals_ignored
from .run import KERNEL, Job, Outcome, ensure_kernel, make_report, plan_job, resume_check, run_one

#: How often a task is tried again after it raised (a worker's disk, a kernel that would not
#: start: not the client's data, which fails its client at once).
RETRIES = 2
#: What a worker says when its code is not the code its task was planned with.
NOT_CALLERS_CODE = "does not run the caller's code"
#: How many times a task may lose its worker before it fails (dask's allowed-failures; set
#: here for local clusters, in the scheduler's own config for a remote one).
ALLOWED_FAILURES = 3
#: Seconds to reach a remote scheduler.
CONNECT_TIMEOUT_S = 20
#: Tasks in flight per worker thread: enough to keep workers busy, few enough that the
#: caller holds only so many clients' bytes (and locks) at once.
IN_FLIGHT_PER_THREAD = 2
#: The file by which a worker proves it sees the caller's reports folder (shared storage).
TOKEN_PREFIX = ".cx-batch-"
#: Seconds between a running task's looks at whether it was cancelled.
CANCEL_POLL_S = 0.5


@dataclass
class Task:
    """What a worker needs to make one client's report, and nothing of any other client."""

    job: Job                            # planned by the caller (its paths, its hashes)
    files: dict[str, bytes]             # the client's input files, by relative path
    benchmark: bytes | None             # reports/portfolio.json (aggregates only)
    options: dict                       # kernel, deliverables, at_once, allow_small


class Cancelled(Stopped):
    """Raised in a running task whose future was cancelled (the caller stopped)."""

    def __init__(self):
        super().__init__("cancel", "cancelled by the caller")


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


def _host(address: str) -> str:
    from distributed.comm.addressing import get_address_host

    return get_address_host(address)


def on_this_machine(host: str) -> bool:
    """Whether a host name or address is a loopback address (every address it resolves to)."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(found) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in found)


def encrypted(cluster: str | int, tls=None) -> bool:
    """Whether the connection to the scheduler is TLS with certificates to use for it."""
    if isinstance(cluster, int) or not cluster.startswith("tls://"):
        return False
    from distributed.security import Security

    given = tls or Security()                   # dask's distributed.comm.tls.* config
    return bool(given.tls_ca_file and given.tls_client_cert)


def check_shipping(cluster: str | int, tls=None) -> None:
    """Refuse to send client data to a scheduler off this machine without TLS (UsageError)."""
    if isinstance(cluster, int) or encrypted(cluster, tls):
        return
    if cluster.startswith("tls://"):
        raise UsageError(f"--cluster {cluster}: TLS needs certificates: give --tls-ca, "
                         "--tls-cert and --tls-key (or set dask's distributed.comm.tls.* "
                         "config); see docs/cluster.md")
    if not on_this_machine(_host(cluster)):
        raise UsageError(
            f"--cluster {cluster} is not on this machine and the connection is not "
            "encrypted: cx would send the clients' files across the network in the clear. "
            "Use TLS (--cluster tls://HOST:PORT --tls-ca CA --tls-cert CERT --tls-key KEY), "
            "or --shared-storage if the workers read the client folders from storage they "
            "mount (docs/cluster.md)")


@contextlib.contextmanager
def connect(cluster: str | int, tls=None) -> Iterator:
    """A dask Client: to the scheduler at an address, or to a new cluster of N local workers."""
    import dask
    from distributed import Client, LocalCluster

    if isinstance(cluster, int):
        if tls is not None:
            raise UsageError("--tls-* settings are for a remote scheduler, not --cluster local:N")
        settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}
        # The scheduler serves its status pages even without a dashboard (None means dask's
        # default, port 8787, and a warning when a second batch finds it taken): a free
        # port on this machine's loopback.
        with dask.config.set(settings), \
                LocalCluster(n_workers=cluster, threads_per_worker=1, processes=True,
                             dashboard_address="127.0.0.1:0",
                             silence_logs=logging.ERROR) as local, \
                Client(local) as client:
            yield client
        return
    try:
        client = Client(cluster, security=tls, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as err:
        raise RunError(f"cannot reach the dask scheduler at {cluster}: {err}") from None
    with client:
        yield client


def local_hosts(client, cluster: str | int) -> list[str]:
    """The hosts of this machine's workers, where plain-TCP tasks may carry client data.

    Raises RunError when the scheduler has workers but none on this machine.
    """
    workers = list(client.scheduler_info(n_workers=-1).get("workers", {}))
    hosts = {_host(w) for w in workers}
    here = sorted({h for h in hosts if on_this_machine(h)} | {"127.0.0.1"})
    if workers and not hosts & set(here):
        raise RunError(f"the dask scheduler at {cluster} has no worker on this machine "
                       f"(workers on {', '.join(sorted(hosts))}) and its connections are not "
                       "encrypted: cx does not send client data across the network in the "
                       "clear. Use TLS (docs/cluster.md), or --shared-storage")
    return here


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


def payload(job: Job, options: dict) -> Task:
    """The task for one client: its own input files as bytes and the portfolio benchmark.

    Raises RunError when an input lies outside the client's folder (only the folder's files
    are sent) or a file changed since it was hashed for the plan.
    """
    files, bench = {}, None
    named = manifest.input_files(load_config(job.folder))
    benchmark = str(job.root / portfolio.FILE)
    for name, digest in job.plan.inputs.items():
        if name == benchmark:
            data = bench = Path(name).read_bytes()
        elif name in named and not Path(name).is_absolute():
            data = files[name] = named[name].read_bytes()
        else:
            raise RunError(f"{name}: an input outside the client's folder {job.folder}; a "
                           "cluster run sends only the files inside it: move the file into "
                           "it, or give --shared-storage when the workers see the same files")
        if hashlib.sha256(data).hexdigest() != digest:
            raise RunError(f"{name} changed while the run was being prepared; run again")
    return Task(job, files, bench, options)


def _pack(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(folder, arcname=".")
    return buffer.getvalue()


def _files_only(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo:
    if not (member.isfile() or member.isdir()):
        raise RunError(f"the report sent back holds {member.name}, not a file or folder")
    return tarfile.data_filter(member, path)        # no absolute paths, nothing outside


def _unpack(data: bytes, folder: Path) -> None:
    folder.mkdir(parents=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
            tar.extractall(folder, filter=_files_only)
    except tarfile.TarError as err:
        raise RunError(f"the report sent back cannot be unpacked: {err}") from None


def _receive(job: Job, result: tuple[dict, bytes | None]) -> Outcome:
    """Check a report a worker sent back against the plan and its manifest, then publish it
    (the caller holds the client's lock)."""
    done, data = result
    outcome = Outcome.from_dict(done)
    if not outcome.ok:
        return outcome
    work = staging.staging_folder(job.root, job.plan.client, staging.run_token())
    try:
        _unpack(data, work)
        recorded = manifest.read(work)
        if recorded is None or recorded.get("client") != job.plan.client:
            raise RunError("the report its worker sent back has no manifest for this client")
        why = manifest.differences(work, job.plan)
        extra = manifest.damage(work, recorded)["extra"]
        if extra:
            why.append(f"files not in its manifest: {', '.join(extra[:3])}")
        if why:
            raise RunError(f"the report worker {outcome.worker} sent back is not the one "
                           f"planned: {'; '.join(why)}")
        staging.publish(work, job.final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    outcome.path = job.final / "report.html"
    return outcome


@dataclass
class _Running:
    folder: Path
    job: Job | None                     # None with shared storage (the worker plans)
    lock: contextlib.ExitStack          # the client's lock, held here while shipping
    why: list[str]


def run_on_cluster(folders: list[Path], options: dict, cluster: str | int,
                   shared: bool = False, retries: int = RETRIES, tls=None,
                   progress: bool = True) -> list[Outcome]:
    """Run every client as a task on a dask cluster; every client gets an Outcome, in order.

    Parameters
    ----------
    folders : the clients' folders (checked as a batch by run.batch).
    options : run_client's options (output_root, parameters, deliverables, resume, ...).
    cluster : a scheduler address, or N for a cluster of N workers on this machine.
    shared : the workers see the client folders and the reports folder at the same paths;
        otherwise each task carries its client's files and brings its report back.
    retries : how often a task that raised (a worker's fault) is tried again.
    tls : a distributed Security (see `security`), for a scheduler across networks.
    progress : show a progress bar (on a terminal).

    Raises UsageError when client files would cross a network unencrypted, RunError when the
    scheduler cannot be reached; KeyboardInterrupt or Stopped after cancelling every task.
    """
    from tqdm import tqdm

    if not shared:
        check_shipping(cluster, tls)
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
            token = stack.enter_context(batch_token(root)) if shared else None
            batch = _Batch(stack, cluster, tls, shared, retries, token, options)
            try:
                batch.run(folders, running, record)
            except (KeyboardInterrupt, Stopped):
                with signals_ignored():
                    batch.cancel(running)
                raise
    except (KeyboardInterrupt, Stopped):
        # The cluster is closed by now: a local one's workers are gone with their kernels.
        with signals_ignored():
            for folder in {r.folder for r in running.values()}:
                with contextlib.suppress(CxError, OSError):
                    staging.clean(root, [folder], only=folder.name)
        raise
    finally:
        bar.close()
    return [outcomes[f] for f in folders]


class _NoCluster(Exception):
    """The cluster could not be reached (carries the RunError saying so)."""


class _Batch:
    """Submitting a batch's clients a few at a time and collecting their outcomes."""

    def __init__(self, stack, cluster, tls, shared, retries, token, options):
        self.stack, self.cluster, self.tls, self.shared = stack, cluster, tls, shared
        self.retries, self.token, self.options = retries, token, options
        self.root = options["output_root"]
        self.client = None
        self.hosts = None                       # where plain-TCP tasks may go (shipping)

    def connected(self):
        # Only when a task is to run: a --resume batch with nothing to do needs no cluster.
        if self.client is None:
            try:
                client = self.stack.enter_context(connect(self.cluster, self.tls))
                if not self.shared:
                    if not encrypted(self.cluster, self.tls):
                        self.hosts = local_hosts(client, self.cluster)
                    with contextlib.suppress(Exception):  # noqa: BLE001 - a tidy-up only
                        # (each task removes what killed tasks left, too)
                        client.register_plugin(Tidy(), name=Tidy.name)
            except CxError as err:
                raise _NoCluster(err) from None     # stops the batch, not one client
            self.client = client
        return self.client

    def run(self, folders: list[Path], running: dict, record) -> None:
        from distributed import as_completed

        # as_completed needs a client: it is made with the first task.
        waiting, finished = deque(folders), None

        def submit_more() -> None:
            threads = sum(self.client.nthreads().values()) if self.client is not None else 0
            nonlocal finished
            while waiting and len(running) < max(4, IN_FLIGHT_PER_THREAD * threads):
                folder = waiting.popleft()
                start = time.perf_counter()
                try:
                    submitted = self.submit(folder)
                except CxError as err:
                    record(folder, Outcome(folder.name, False, None, str(err),
                                           time.perf_counter() - start))
                    continue
                if isinstance(submitted, Outcome):
                    record(folder, submitted)
                    continue
                future, task = submitted
                running[future] = task
                if finished is None:
                    finished = as_completed([future])
                else:
                    finished.add(future)

        try:
            submit_more()
        except _NoCluster as no:
            raise no.args[0] from None
        for future in finished or ():
            task = running.pop(future)
            try:
                outcome = self.outcome(future, task)
            finally:
                task.lock.close()
                future.release()
            if outcome.ok and task.why:
                outcome.reason = f"re-run: {'; '.join(task.why)}"
            record(task.folder, outcome)
            submit_more()

    def submit(self, folder: Path):
        """Decide one client here and submit its task: (future, _Running), or an Outcome
        when --resume skips it."""
        config = load_config(folder)
        lock = contextlib.ExitStack()
        lock.enter_context(staging.client_lock(self.root, config.id))
        try:
            staging.recover(self.root, config.id)
            job = plan_job(config, self.root, self.options.get("parameters"),
                           self.options.get("deliverables", True))
            why = resume_check(job) if self.options.get("resume") else None
            if why == []:
                lock.close()
                return Outcome(config.id, True, job.final / "report.html", "unchanged", 0.0,
                               True)
            key = f"cx-{config.id}-{secrets.token_hex(4)}"
            if self.shared:
                lock.close()                # the worker takes the client's lock itself
                seen = {"token": self.token,
                        "client.yml": manifest.sha256(config.folder / "client.yml")}
                future = self.connected().submit(
                    run_shared, str(config.folder), {**self.options, "resume": False}, seen,
                    key=key, retries=self.retries, pure=False)
                return future, _Running(folder, None, lock, why or [])
            task = payload(job, {k: self.options.get(k) for k in
                                 ("kernel", "deliverables", "at_once", "allow_small")})
            client = self.connected()
            with warnings.catch_warnings():
                # The task carries the client's files: that is the point, not a mistake.
                warnings.filterwarnings("ignore", message=".*[Ll]arge object.*")
                future = client.submit(run_task, task, key=key, retries=self.retries,
                                       pure=False, workers=self.hosts)
        except BaseException:
            lock.close()
            raise
        return future, _Running(folder, job, lock, why or [])

    def outcome(self, future, task: _Running) -> Outcome:
        """The Outcome of a finished task, a failed one included."""
        from distributed import KilledWorker

        name = task.folder.name
        try:
            result = future.result()
        except KilledWorker:
            return Outcome(name, False, None, f"its worker died {ALLOWED_FAILURES + 1} times "
                           "while running it (killed, or out of memory: give the workers more "
                           "memory)")
        except Exception as err:  # noqa: BLE001 - what the task raised, after its retries
            return Outcome(name, False, None, f"on the cluster: {type(err).__name__}: {err}")
        if task.job is None:
            return Outcome.from_dict(result)
        try:
            found = _receive(task.job, result)
        except CxError as err:
            return Outcome(name, False, None, str(err))
        if not found.ok and NOT_CALLERS_CODE in found.reason:
            changed = manifest.code_differences(task.job.plan)
            if changed:                 # the workers are not to blame: this checkout changed
                found.reason = (
                    f"the code here changed after {name} was sent: {'; '.join(changed)}; "
                    f"worker {found.worker} runs the files as they are now, so it made no "
                    "report whose manifest would name the code as it was. Run the batch "
                    "again with --resume once the checkout is as wanted")
        return found

    def cancel(self, running: dict) -> None:
        """Cancel every task in flight (each stops on its worker) and let go of the locks."""
        if self.client is not None and running:
            with contextlib.suppress(Exception):
                self.client.cancel(list(running), force=True)
        for task in running.values():
            task.lock.close()


# --- On a worker -----------------------------------------------------------------------------

def _where() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:
        return socket.gethostname()


@contextlib.contextmanager
def _until_cancelled() -> Iterator[None]:
    """Raise Cancelled in this task's thread when its future is cancelled (the caller
    stopped), so the run cleans up as after Ctrl-C on one machine."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except ValueError:
        yield                                   # not on a dask worker
        return
    key, thread = worker.get_current_task(), threading.get_ident()
    done, guard = threading.Event(), threading.Lock()

    def watch() -> None:
        while not done.wait(CANCEL_POLL_S):
            state = worker.state.tasks.get(key)
            if state is None or state.state == "cancelled":
                with guard:
                    if not done.is_set():
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(thread), ctypes.py_object(Cancelled))
                return

    watcher = threading.Thread(target=watch, daemon=True, name=f"cx-watch-{key}")
    watcher.start()
    try:
        yield
    finally:
        with guard:
            done.set()
        watcher.join()


def storage_problem(folder: Path, root: Path, seen: dict) -> str:
    """Why this worker does not see the caller's client folder and reports folder ("" if
    it does): the batch token in the reports folder, the same client.yml in the client's."""
    where = f"worker {_where()}"
    mount = ("a --shared-storage run needs the client folders and the reports folder on "
             "storage every worker mounts at the same path (docs/cluster.md)")
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


def run_shared(folder: str, options: dict, seen: dict) -> dict:
    """A client's task with shared storage: run it in place, as a run on one machine does.

    Returns the Outcome as a dict. A client's own failure (bad data, a notebook's error)
    is its Outcome; anything else raises, so dask tries the task again.
    """
    problem = storage_problem(Path(folder), Path(options["output_root"]), seen)
    if problem:
        return Outcome(Path(folder).name, False, None, problem, worker=_where()).to_dict()
    ensure_kernel(options.get("kernel", KERNEL))
    try:
        with _until_cancelled():
            outcome = run_one(folder, options)
    except Cancelled as stop:
        outcome = Outcome(Path(folder).name, False, None, str(stop))
    outcome.worker = _where()
    return outcome.to_dict()


def tasks_folder() -> Path:
    """This user's folder for task copies on this machine (in the temp folder, mode 0700)."""
    return Path(tempfile.gettempdir()) / f"cx-tasks-{os.getuid()}"


def _private(base: Path) -> Path:
    base.mkdir(mode=0o700, exist_ok=True)
    info = base.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise RunError(f"{base} is not a folder of this user: refusing to put client data in it")
    if stat.S_IMODE(info.st_mode) != 0o700:
        base.chmod(0o700)
    return base


@contextlib.contextmanager
def _workspace() -> Iterator[Path]:
    """A private folder for one task, locked while the task runs, removed afterwards."""
    base = _private(tasks_folder())
    remove_stale(base)
    space = Path(tempfile.mkdtemp(dir=base))      # mode 0700
    with staging.held(space) as lock:
        lock.note(f"pid {os.getpid()} on {socket.gethostname()}, worker {_where()}")
        yield space


def remove_stale(base: Path) -> list[Path]:
    """Remove task folders no live task holds (left by a worker killed outright)."""
    return staging.remove_unheld(sorted(Path(base).glob("*")))


def _write(folder: Path, name: str, data: bytes) -> None:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise RunError(f"refusing to write {name} outside the task's folder")
    path = folder.joinpath(*relative.parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def run_task(task: Task) -> tuple[dict, bytes | None]:
    """A task without shared storage: make the report from the bytes sent, send it back.

    Returns (Outcome as a dict, the report folder as a tar, or None when the client failed).
    A client's own failure (bad data, a notebook's error) is its Outcome; anything else
    raises, so dask tries the task again (on another worker if this one died).
    """
    start, job, where = time.perf_counter(), task.job, _where()
    name = job.plan.client

    def failed(reason: str) -> tuple[dict, None]:
        return Outcome(name, False, None, reason, time.perf_counter() - start,
                       worker=where).to_dict(), None

    differ = manifest.code_differences(job.plan)
    if differ:
        # Not retried: the same worker would differ again.
        return failed(f"worker {where} {NOT_CALLERS_CODE}: {'; '.join(differ)}; "
                      "give the workers the same cx-workbook checkout and environment")
    kernel = task.options.get("kernel") or KERNEL
    ensure_kernel(kernel)
    try:
        with _workspace() as space:
            folder = space / "client" / name            # the folder's name is the client's id
            for relative, data in task.files.items():
                _write(folder, relative, data)
            reports = space / "reports"
            reports.mkdir()
            if task.benchmark is not None:
                (reports / portfolio.FILE).write_bytes(task.benchmark)
            work = reports / name
            with _until_cancelled():
                make_report(job, work, kernel=kernel,
                            deliverables=task.options.get("deliverables", True),
                            at_once=task.options.get("at_once") or 1,
                            allow_small=bool(task.options.get("allow_small")),
                            read_from=folder, benchmark_root=reports)
            report = _pack(work)
    except CxError as err:
        return failed(str(err))
    except Cancelled as stop:
        return failed(str(stop))
    return Outcome(name, True, None, "", time.perf_counter() - start,
                   worker=where).to_dict(), report


class Tidy(WorkerPlugin):
    """Worker plugin: when a worker starts, remove task folders that killed workers left."""

    idempotent = True
    name = "cx-tidy"

    def setup(self, worker=None) -> None:
        with contextlib.suppress(OSError, CxError):
            remove_stale(_private(tasks_folder()))

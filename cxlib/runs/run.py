"""Running the notebooks for one client: validation, papermill, the report, publishing."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import paths
from ..errors import CxError, UsageError
from ..inputs import snapshot
from ..inputs.client import client_folder, load_client
from ..inputs.config import load_config
from ..outputs import portfolio, report
from ..outputs.section import load_sections
from . import manifest, staging
from . import parameters as params
from .notebooks import Notebooks

#: The notebooks a report runs, in order; each saves one or two sections.
NOTEBOOKS = ("00_intake.ipynb", "01_outcomes.ipynb", "02_touchpoints.ipynb",
             "03_perception.ipynb", "04_capabilities.ipynb", "05_comments.ipynb")
#: The Jupyter kernel the venv registers for itself (see the Makefile).
KERNEL = "cx-workbook"
#: Keeps ipykernel's start-up warnings (plain TCP on localhost) out of every run's output.
QUIET = "--IPKernelApp.log_level=ERROR"


@dataclass
class Outcome:
    """How one client's run ended."""

    client: str
    ok: bool
    path: Path | None = None
    reason: str = ""
    seconds: float = 0.0
    skipped: bool = False
    worker: str = ""                    # the dask worker that made it (cluster runs)

    def to_dict(self) -> dict:
        return {**asdict(self), "path": None if self.path is None else str(self.path)}

    @classmethod
    def from_dict(cls, data: dict) -> "Outcome":
        return cls(**{**data, "path": None if data["path"] is None else Path(data["path"])})


def ensure_kernel(name: str = KERNEL) -> str:
    """Register this Python as the named Jupyter kernel unless it already is."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve() and QUIET in spec.argv:
            return name
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    folder = Path(install(kernel_name=name, display_name="cx-workbook", prefix=sys.prefix))
    spec_file = folder / "kernel.json"
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    spec["argv"].append(QUIET)
    spec_file.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return name


@dataclass
class Job:
    """One client's run as decided before it starts: the client, the reports folder, the
    settings and the Plan (what the report is made from; manifest.json records it)."""

    folder: Path                        # the client's folder, as the report records it
    root: Path                          # the reports folder; the report goes to root/<id>
    settings: dict                      # name -> parameters.Setting
    plan: manifest.Plan

    @property
    def final(self) -> Path:
        return self.root / self.plan.client


def plan_job(config, root: Path, parameters: dict | None, deliverables: bool) -> Job:
    """Decide a client's run: resolve its parameters and hash everything it is made from.

    The benchmark <root>/portfolio.json (cx portfolio) is an input of every report.
    """
    settings = params.resolve(config.folder, parameters)
    run = manifest.plan(config, params.records(settings), deliverables)
    if (root / portfolio.FILE).is_file():
        run.inputs[f"{root / portfolio.FILE}"] = manifest.sha256(root / portfolio.FILE)
    return Job(config.folder, root, settings, run)


def make_report(job: Job, work: Path, kernel: str = KERNEL, deliverables: bool = True,
                at_once: int = 1, allow_small: bool = False, read_from: Path | None = None,
                benchmark_root: Path | None = None) -> None:
    """Write the client's whole report into the empty folder `work`, manifest.json last.

    read_from : where the client's files are read, when not job.folder (a cluster worker's
        private copy of them); the report still records job.folder and job.plan.
    benchmark_root : where portfolio.json is read, when not job.root.
    """
    started, folder = dt.datetime.now(dt.timezone.utc), read_from or job.folder
    token = staging.run_token()
    (work / "notebooks").mkdir(parents=True)
    # The kernels start while the client is read and checked.
    with Notebooks(NOTEBOOKS, work / "notebooks", kernel, at_once) as notebooks, \
            staging.snapshot_folder(folder, work, token) as saved:
        loaded = load_client(folder, allow_small=allow_small)
        snapshot.save(loaded, saved)
        notebooks.run({**params.values(job.settings), "client": str(saved),
                       "output_dir": str(work), "live": False})
    sections = load_sections(work)
    benchmark = portfolio.load(benchmark_root or job.root)  # portfolio.json (cx portfolio)
    if benchmark is not None:
        sections["benchmark"] = portfolio.section(loaded, sections, benchmark)
    records = params.records(job.settings)
    report.write(loaded, sections, work, {"settings": records,
                                          "provenance": manifest.short(job.plan, started)})
    if deliverables:
        from ..outputs import deliver

        deliver.write_all(loaded, sections, work)
    shutil.rmtree(work / "sections")
    manifest.write(work, job.plan, started, dt.datetime.now(dt.timezone.utc))


def run_client(client: str | Path, output_root: Path = paths.REPORTS,
               parameters: dict | None = None, kernel: str = KERNEL,
               deliverables: bool = True, resume: bool = False, at_once: int = 1,
               allow_small: bool = False) -> Outcome:
    """Validate a client, run its notebooks and publish reports/<id>/ only when whole.

    Parameters
    ----------
    client : a client id (under data/clients) or a client folder.
    output_root : the reports folder; the report goes to <output_root>/<id>/.
    parameters : values given on the command line; the client's settings.yml and the
        declared defaults fill in the rest (cxlib.runs.parameters.resolve).
    kernel : the Jupyter kernel the notebooks run in.
    deliverables : also write report.pdf, tables.xlsx and figures/.
    resume : skip the run when the report on disk is whole and was made from the same
        inputs, parameters, code and deliverables (cxlib.runs.manifest.differences).
    at_once : how many of the client's notebooks execute at the same time.
    allow_small : run a survey with fewer answers than survey.min_answers (`--allow-small`).

    Returns
    -------
    Outcome. Raises DataError for bad inputs, UsageError for bad parameters, RunError when
    a notebook or step fails or another run holds the client; nothing is left half-written.
    """
    clock = time.perf_counter()
    config = load_config(client_folder(client))
    root = Path(output_root).resolve()     # the kernels run in notebooks/: absolute paths
    with staging.client_lock(root, config.id):
        staging.recover(root, config.id)
        staging.remove_stale_snapshots(config.folder)
        job = plan_job(config, root, parameters, deliverables)
        why = resume_check(job) if resume else None
        if why == []:
            return Outcome(config.id, True, job.final / "report.html", "unchanged", 0.0, True)
        work = staging.staging_folder(root, config.id, staging.run_token())
        try:
            make_report(job, work, kernel, deliverables, at_once, allow_small)
            staging.publish(work, job.final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    again = f"re-run: {'; '.join(why)}" if why else ""
    return Outcome(config.id, True, job.final / "report.html", again, time.perf_counter() - clock)


def resume_check(job: Job) -> list[str] | None:
    """Why the report on disk is not the one `job` would make: [] when it is current (skip
    it), None when there is no report yet."""
    return manifest.differences(job.final, job.plan) if job.final.exists() else None


def run_one(client: str | Path, options: dict) -> Outcome:
    """Run one client; a failure becomes an Outcome with its reason, never an exception.

    KeyboardInterrupt and Stopped still stop it (after run_client has cleaned up).
    """
    start = time.perf_counter()
    try:
        return run_client(client, **options)
    except CxError as err:
        return Outcome(Path(client).name, False, None, str(err), time.perf_counter() - start)
    except Exception as err:  # noqa: BLE001 - one client's bug must not stop the others
        return Outcome(Path(client).name, False, None, f"{type(err).__name__}: {err}",
                       time.perf_counter() - start)


def all_clients() -> list[str]:
    """Every client under data/clients, by id."""
    return sorted(p.parent.name for p in paths.CLIENTS.glob("*/client.yml")
                  if any(p.parent.iterdir()))


def batch(clients: list[str]) -> list[Path]:
    """The clients' folders, checked to be a batch: each known, each id once (UsageError)."""
    folders = [client_folder(c) for c in clients]   # an unknown client stops the batch
    seen: dict[str, list[Path]] = {}
    for folder in folders:
        seen.setdefault(folder.name, []).append(folder)
    twice = {k: v for k, v in seen.items() if len(v) > 1}
    if twice:
        raise UsageError("a batch writes one report per client id, but these ids come more "
                         "than once: " + "; ".join(
                             f"'{k}' ({', '.join(str(p) for p in v)})" for k, v in twice.items()))
    return folders


def run_many(clients: list[str], workers: int = 2, progress: bool = True,
             cluster: str | int | None = None, shared_storage: bool = False, tls=None,
             **options) -> list[Outcome]:
    """Run several clients, each in a worker process of its own; report every outcome.

    At most `workers` notebooks execute at once: up to that many clients side by side,
    and the notebooks of one client several at a time when there are fewer clients.
    One client runs in this process. A worker that dies (killed, out of memory) fails only
    its client, with the reason. Ctrl-C or SIGTERM stops the workers, removes what they
    left unfinished and raises KeyboardInterrupt or Stopped.

    With `cluster` (a dask scheduler's address, or N for N local dask workers) each client
    is a task on that cluster instead (cxlib.runs.cluster): each task carries its client's
    files and brings its report back, or with `shared_storage` the workers read the client
    folders and write the reports folder at the same paths; `tls` is a dask Security.
    """
    params.check(options.get("parameters") or {})   # a bad -p stops the batch before it starts
    folders = batch(clients)
    if cluster is not None:
        from .cluster import run_on_cluster

        outcomes = run_on_cluster(folders, options, cluster, shared=shared_storage, tls=tls,
                                  progress=progress)
        return _named(clients, outcomes)
    ensure_kernel(options.get("kernel", KERNEL))
    workers = max(1, workers)
    # `workers` notebooks at most at once: clients side by side, the rest within a client.
    options = {**options, "at_once": max(1, workers // min(workers, len(folders)))}
    if len(folders) == 1:
        outcomes = [run_one(folders[0], options)]
    else:
        from .pool import run_pool

        outcomes = run_pool(folders, options, workers=workers, progress=progress)
    return _named(clients, outcomes)


def _named(clients: list[str], outcomes: list[Outcome]) -> list[Outcome]:
    for given, outcome in zip(clients, outcomes):
        if not outcome.ok:
            outcome.client = str(given)     # a failure is named as the user named the client
    return outcomes

"""Running the notebooks for clients: papermill, worker processes, staging and publishing."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, paths
from ..outputs import portfolio, report
from ..inputs.client import Client, client_folder, load_client, save_snapshot
from ..errors import CxError, RunError
from ..outputs.section import load_sections
from . import parameters as params

#: The notebooks a report runs, in order; each saves one or two sections.
NOTEBOOKS = ("00_intake.ipynb", "01_outcomes.ipynb", "02_touchpoints.ipynb",
             "03_perception.ipynb", "04_capabilities.ipynb", "05_comments.ipynb")
#: The Jupyter kernel the venv registers for itself (see the Makefile).
KERNEL = "cx-workbook"
_KERNEL_RETRIES = 3
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


def fingerprint(client: Client, settings: dict | None = None) -> str:
    """A hash of the client's inputs, the run's parameters and the cxlib version."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(json.dumps(params.values(settings or {}), sort_keys=True).encode())
    folder = client.config.folder
    files = [folder / "client.yml", client.config.survey.file.path]
    files += [spec.path for spec in client.config.files.values()]
    files += [client.config.codebook] if client.config.codebook else []
    for path in files:
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


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


def _execute(notebook: str, out: Path, parameters: dict, kernel: str) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = str(paths.NOTEBOOKS / notebook)
    declared = pm.inspect_notebook(source)
    parameters = {k: v for k, v in parameters.items() if k in declared}
    for attempt in range(_KERNEL_RETRIES):
        try:
            pm.execute_notebook(source, str(out), parameters=parameters,
                                kernel_name=kernel, cwd=str(paths.NOTEBOOKS),
                                progress_bar=False, log_output=False)
            return
        except PapermillExecutionError as err:
            raise RunError(f"{notebook}, cell {err.exec_count}: {err.ename}: {err.evalue}") \
                from None
        except Exception as err:  # noqa: BLE001 - kernel start-up raises many kinds
            # Parallel kernel starts can collide on a port (papermill issue 511): retry.
            if "Address already in use" not in str(err) or attempt == _KERNEL_RETRIES - 1:
                raise RunError(f"{notebook}: the kernel failed: {type(err).__name__}: {err}") \
                    from None
            time.sleep(0.5 + attempt)


def publish(staging: Path, final: Path) -> None:
    """Move a finished report into place, replacing an older one in one rename."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def run_client(client: str | Path, output_root: Path = paths.REPORTS,
               parameters: dict | None = None, kernel: str = KERNEL,
               deliverables: bool = True, resume: bool = False,
               allow_small: bool = False) -> Outcome:
    """Validate a client, run its notebooks and publish reports/<id>/ only when complete.

    `parameters` are the values given on the command line; the client's settings.yml and
    the declared defaults fill in the rest (cxlib.runs.parameters.resolve).
    """
    start = time.perf_counter()
    loaded = load_client(client, allow_small=allow_small)
    settings = params.resolve(loaded.config.folder, parameters)
    output_root = Path(output_root)
    final = output_root / loaded.id
    stamp = fingerprint(loaded, settings)
    if resume and _is_current(final, stamp):
        return Outcome(loaded.id, True, final / "report.html", "unchanged", 0.0, True)
    output_root.mkdir(parents=True, exist_ok=True)
    staging = output_root / f".{loaded.id}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        (staging / "notebooks").mkdir(parents=True)
        snapshot = save_snapshot(loaded, staging)
        given = {**params.values(settings), "client": str(snapshot),
                 "output_dir": str(staging), "live": False}
        for notebook in NOTEBOOKS:
            _execute(notebook, staging / "notebooks" / notebook, given, kernel)
        sections = load_sections(staging)
        benchmark = portfolio.load(output_root)    # reports/portfolio.json (cx portfolio)
        if benchmark is not None:
            sections["benchmark"] = portfolio.section(loaded, sections, benchmark)
        report.write(loaded, sections, staging,
                     {"fingerprint": stamp, "settings": params.records(settings)})
        if deliverables:
            from ..outputs import deliver

            deliver.write_all(loaded, sections, staging)
        shutil.rmtree(staging / "sections")
        snapshot.unlink()
        publish(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Outcome(loaded.id, True, final / "report.html", "", time.perf_counter() - start)


def _is_current(final: Path, stamp: str) -> bool:
    try:
        results = json.loads((final / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return results.get("fingerprint") == stamp and (final / "report.html").is_file()


def _run_one(client: str, options: dict) -> Outcome:
    """Run one client in a worker; a failure becomes an Outcome, never an exception."""
    start = time.perf_counter()
    try:
        return run_client(client, **options)
    except CxError as err:
        return Outcome(str(client), False, None, str(err), time.perf_counter() - start)
    except Exception as err:  # noqa: BLE001 - one client's bug must not stop the others
        return Outcome(str(client), False, None, f"{type(err).__name__}: {err}",
                       time.perf_counter() - start)


def all_clients() -> list[str]:
    """Every client under data/clients, by id."""
    return sorted(p.parent.name for p in paths.CLIENTS.glob("*/client.yml")
                  if any(p.parent.iterdir()))


def run_many(clients: list[str], workers: int = 2, executor: Executor | None = None,
             progress: bool = True, **options) -> list[Outcome]:
    """Run several clients in parallel worker processes; report each one's outcome."""
    from tqdm import tqdm

    params.check(options.get("parameters") or {})   # a bad -p stops the batch before it starts
    for client in clients:
        client_folder(client)   # an unknown client is a usage error before anything starts
    ensure_kernel(options.get("kernel", KERNEL))
    own = executor is None
    executor = executor or ProcessPoolExecutor(max_workers=max(1, workers))
    outcomes = []
    try:
        futures = {executor.submit(_run_one, c, options): c for c in clients}
        with tqdm(total=len(futures), disable=not progress, unit="client", file=sys.stderr,
                  desc="reports") as bar:
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                bar.set_postfix_str(f"{outcome.client} {'ok' if outcome.ok else 'FAILED'}")
                bar.update()
    finally:
        if own:
            executor.shutdown()
    order = {c: i for i, c in enumerate(clients)}
    return sorted(outcomes, key=lambda o: order.get(o.client, len(order)))

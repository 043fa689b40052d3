"""`cx explore`: the workshop view, the explorer notebook served by Voila as a page without code."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import paths
from ..inputs.client import client_folder
from . import parameters

#: The explorer notebook (journey map, gaps and what-if with their controls).
EXPLORER = paths.NOTEBOOKS / "workshop" / "explore.ipynb"


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parameterized(notebook: Path, values: dict, folder: Path) -> Path:
    """A copy of `notebook` in `folder` with `values` injected after its parameters cell,
    as papermill injects them, for a server (Voila, JupyterLab) to run as it is."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from .run import KERNEL

    book = parameterize_notebook(load_notebook_node(str(notebook)), values, kernel_name=KERNEL)
    target = Path(folder) / notebook.name
    nbformat.write(book, target)
    return target


def prepare(client: str | Path, folder: Path) -> Path:
    """The explorer notebook for one client, written into `folder`, ready for Voila.

    Its parameters are the client's folder and the run parameters `cx run` would use
    (settings.yml over the defaults).
    """
    source = client_folder(client)
    values = {**parameters.values(parameters.resolve(source)), "client": str(source),
              "live": True}
    return parameterized(EXPLORER, values, folder)


#: The Voila page template (templates/jupyter/voila/templates/workshop): Voila's own, with
#: nothing asked of another machine.
TEMPLATE = "workshop"


def command(notebook: Path, port: int) -> list[str]:
    """The Voila command that serves `notebook` on localhost:`port`, code and tracebacks
    hidden; run it in `environment()`."""
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--show_tracebacks=False", f"--template={TEMPLATE}"]


def environment() -> dict[str, str]:
    """This process's environment with the project's Jupyter data folder first on
    JUPYTER_PATH, where Voila finds the workshop page template."""
    found = [str(paths.JUPYTER_DATA), os.environ.get("JUPYTER_PATH", "")]
    return {**os.environ, "JUPYTER_PATH": os.pathsep.join(p for p in found if p)}


def serve(client: str | Path, port: int | None = None) -> int:
    """Serve the workshop view of a client until interrupted; return Voila's exit status."""
    from .run import ensure_kernel

    ensure_kernel()
    folder = Path(tempfile.mkdtemp(prefix="cx-explore-"))
    try:
        notebook = prepare(client, folder)
        port = port or free_port()
        print(f"workshop view of {client}: http://127.0.0.1:{port}/  (Ctrl-C stops it)",
              flush=True)
        return subprocess.call(command(notebook, port), cwd=folder, env=environment())
    finally:
        shutil.rmtree(folder, ignore_errors=True)

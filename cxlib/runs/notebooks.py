"""Executing a run's notebooks: kernels started ahead of need, a few notebooks at a time.

Each notebook gets a kernel of its own, started (forked from the kernel server, which has
imported cxlib: cxlib.runs.kernels) and warmed silently while the run is still reading the
client, so no notebook waits for a kernel. Up to
`at_once` notebooks execute at the same time, each through papermill in a thread of its
own. The threads never see a signal: Ctrl-C and SIGTERM reach the run's main thread, which
kills every kernel, so a stopped run ends at once and leaves no kernel behind.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from .. import paths
from ..errors import RunError
from . import kernels

#: Silently run in a started kernel before its notebook, so the notebook's imports are free:
#: what the kernel server imports (kernels.PRELOAD; cxlib imports its modules on first use,
#: so `import cxlib` alone would not), and plotly's renderer, which the first chart shown
#: imports. Free in a kernel forked from the server, which imported ipywidgets before it
#: was a kernel: the widgets' comm target is registered here.
WARM_UP = ("".join(f"import {name}\n" for name in kernels.PRELOAD)
           + "import ipywidgets\nipywidgets.register_comm_target()\n"
           + "from plotly.io import renderers")
_KERNEL_RETRIES = 3
_READY_TIMEOUT_S = 120


class _Cancelled(Exception):
    """Raised in a notebook's thread when the run stops before the notebook has run."""


class Notebooks:
    """The notebooks of one run, their kernels started on entering the `with` block.

    Parameters
    ----------
    names : notebook files under notebooks/, in order.
    out : the folder the executed notebooks are written to.
    kernel : the Jupyter kernel name.
    at_once : how many notebooks execute at the same time (one more kernel is kept warm).
    """

    def __init__(self, names, out: Path, kernel: str, at_once: int = 1):
        self.names, self.out, self.kernel = tuple(names), Path(out), kernel
        self.at_once = max(1, at_once)
        self._alive = threading.BoundedSemaphore(self.at_once + 1)
        self._running = threading.BoundedSemaphore(self.at_once)
        self._go = threading.Event()
        self._stop = threading.Event()
        self._parameters: dict = {}
        self._managers: list = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=len(self.names), thread_name_prefix="nb")
        self._futures = {}
        # Every failure reaches the run as a RunError; papermill's own log would repeat it
        # (and print "Kernel died ..." for the kernels a stopped run kills).
        logging.getLogger("papermill").setLevel(logging.CRITICAL)

    def __enter__(self) -> "Notebooks":
        kernels.start_server(self.kernel)     # its imports overlap the client's reading
        self._futures = {self._pool.submit(self._one, name): name for name in self.names}
        return self

    def run(self, parameters: dict) -> None:
        """Execute every notebook with `parameters`; raise RunError for the first that fails."""
        self._parameters = dict(parameters)
        self._go.set()
        pending = set(self._futures)
        while pending:
            # A short timeout keeps this thread ready for Ctrl-C and SIGTERM.
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
            if any(f.exception() for f in done):
                self.stop()
                break
        errors = [(self.names.index(self._futures[f]), f.exception()) for f in self._futures
                  if f.done() and f.exception() is not None
                  and not isinstance(f.exception(), _Cancelled)]
        if errors:
            raise min(errors, key=lambda e: e[0])[1]

    def stop(self) -> None:
        """Stop at once: no notebook starts, every kernel is killed."""
        self._stop.set()
        self._go.set()
        with self._lock:
            managers = list(self._managers)
        for manager in managers:
            process = getattr(getattr(manager, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self.stop()
        self._pool.shutdown(wait=True)

    def _one(self, name: str) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            with self._alive:
                manager = self._start(loop, name)
                try:
                    self._wait_for_go()
                    with self._running:
                        self._wait_for_go()
                        self._execute(name, manager)
                finally:
                    with self._lock:
                        self._managers.remove(manager)
                    loop.run_until_complete(_shutdown(manager))
        finally:
            loop.close()

    def _wait_for_go(self) -> None:
        self._go.wait()
        if self._stop.is_set():
            raise _Cancelled()

    def _start(self, loop, name: str):
        from jupyter_client.manager import AsyncKernelManager

        for attempt in range(_KERNEL_RETRIES):
            if self._stop.is_set():
                raise _Cancelled()
            manager = _keeping_clients(AsyncKernelManager(kernel_name=self.kernel))
            try:
                # Forked from the kernel server when the kernel spec allows, else started.
                manager.provisioner = kernels.provisioner(manager)
                if manager.provisioner is not None and \
                        not kernels.server().wait_ready(self._stop):
                    raise _Cancelled()
                loop.run_until_complete(manager.start_kernel(cwd=str(paths.NOTEBOOKS)))
                with self._lock:
                    self._managers.append(manager)
                # A run stopped meanwhile (a client refused at reading) waits no longer.
                if self._stop.is_set():
                    raise _Cancelled()
                loop.run_until_complete(_warm(manager, self._stop))
                return manager
            except Exception as err:  # noqa: BLE001 - kernel start-up raises many kinds
                if self._stop.is_set() or isinstance(err, _Cancelled):
                    raise _Cancelled() from None
                with self._lock:
                    if manager in self._managers:
                        self._managers.remove(manager)
                loop.run_until_complete(_shutdown(manager))
                # Parallel kernel starts can collide on a port (papermill issue 511): retry.
                if "Address already in use" not in str(err) or attempt == _KERNEL_RETRIES - 1:
                    raise RunError(f"{name}: the kernel '{self.kernel}' failed to start: "
                                   f"{type(err).__name__}: {err}") from None
                time.sleep(0.5 + attempt)
        raise AssertionError("unreachable")

    def _execute(self, name: str, manager) -> None:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        source = str(paths.NOTEBOOKS / name)
        declared = pm.inspect_notebook(source)
        given = {k: v for k, v in self._parameters.items() if k in declared}
        try:
            # Written once, when it has run: papermill would otherwise write (and validate)
            # the whole notebook before and after every cell.
            pm.execute_notebook(source, str(self.out / name), parameters=given,
                                kernel_name=self.kernel, km=manager, progress_bar=False,
                                log_output=False, request_save_on_cell_execute=False)
        except PapermillExecutionError as err:
            raise RunError(f"{name}, cell {err.exec_count}: {err.ename}: {err.evalue}") \
                from None
        except Exception as err:  # noqa: BLE001 - nbclient raises many kinds
            if self._stop.is_set():
                raise _Cancelled() from None
            if type(err).__name__ == "DeadKernelError":
                raise RunError(f"{name}: its kernel died (killed from outside, as the "
                               "out-of-memory killer does, or crashed)") from None
            raise RunError(f"{name}: {type(err).__name__}: {err}") from None


async def _warm(manager, stop: threading.Event) -> None:
    """Wait for a new kernel to answer and import cxlib in it without a visible cell."""
    from queue import Empty

    client = manager.client()
    client.start_channels()
    try:
        ready = asyncio.ensure_future(client.wait_for_ready(timeout=_READY_TIMEOUT_S))
        while not ready.done():
            await asyncio.wait({ready}, timeout=0.1)
            if stop.is_set():
                ready.cancel()
                raise _Cancelled()
        ready.result()
        msg_id = client.execute(WARM_UP, silent=True, store_history=False)
        deadline = time.monotonic() + _READY_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                reply = await client.get_shell_msg(timeout=0.5)
            except Empty:
                # A killed kernel never answers: look again at whether it is still there.
                if stop.is_set() or not await manager.is_alive():
                    raise _Cancelled() if stop.is_set() else RuntimeError("kernel died")
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return
        raise TimeoutError(f"no answer to the warm-up imports in {_READY_TIMEOUT_S} s")
    finally:
        client.stop_channels()


def _keeping_clients(manager):
    """`manager`, recording the clients made from it so that _shutdown stops their channels:
    papermill leaves its client's channels open, and their heartbeat, a ping every second
    to the kernel's port, would reach whatever kernel is given that port next."""
    made, client = [], manager.client

    def keep(**kwargs):
        made.append(client(**kwargs))
        return made[-1]

    manager.client, manager.made_clients = keep, made
    return manager


async def _shutdown(manager) -> None:
    for client in manager.made_clients:
        client.stop_channels()
    try:
        if await manager.is_alive():
            await manager.shutdown_kernel(now=True)
    except Exception:  # noqa: BLE001 - a kernel that is already gone is what we want
        pass
    finally:
        try:
            await manager.cleanup_resources()
        except Exception:  # noqa: BLE001
            pass

"""Kernels forked from a process that has already imported what the notebooks use.

A fresh ipykernel costs about 4 s of CPU before a notebook's first cell has done any work:
0.5 s to start, 1.7 s to import cxlib and its stack, and 1.7 s when the first chart is
shown (plotly's renderer imports nbformat, whose jsonschema compiles some 40 grammars of
rfc3987-syntax at import). A run starts six kernels per client. Here one process per run
(or per batch worker) pays those imports once: `python -m cxlib.runs.kernels` imports
`PRELOAD`, then forks a child for each kernel the run asks for, and that child becomes the
kernel (`IPKernelApp` with the kernel spec's own arguments, connection file, working folder
and environment). Each notebook still runs alone in a process of its own that has run no
other code than imports; only the import work is shared.

`ForkProvisioner` makes such a kernel look like a local one to jupyter_client and
papermill: it is polled, signalled and killed by its process id (through a pidfd, since the
kernel is the server's child, not the run's). The server reaps its children, kills them
when it ends and ends when its stdin closes or its parent dies, so no kernel outlives a
run, even one killed with SIGKILL.

A server runs the cxlib it imported. A report's manifest names the cxlib on disk when the
run was planned, and a batch worker's server lives from client to client: so each client's
run (`start_server`) compares the server's cxlib with the files on disk, and when they
differ (the checkout was changed during a batch) starts a new server for its kernels. The
old one ends once none of its kernels is alive.

Only for a kernel spec that runs this Python with `-m ipykernel_launcher`, on a system with
fork and pidfds (Linux); any other kernel starts the ordinary way.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

#: What the server imports before it forks: what `import cxlib as cx` offers the notebooks
#: (pandas, scipy, plotly, pyarrow, ...; cxlib imports them on first use), nbformat
#: (imported by plotly's renderer at the first chart) and the kernel itself.
PRELOAD = ("cxlib.practices", "cxlib.inputs.client", "cxlib.outputs.charts",
           "cxlib.outputs.widgets", "cxlib.outputs.section", "cxlib.statistics.metrics",
           "nbformat", "ipykernel.kernelapp")
#: How often the server looks whether its parent is still there.
_PARENT_POLL_S = 0.5
_LAUNCHER = "ipykernel_launcher"


def forkable(argv: list[str]) -> bool:
    """Whether a kernel spec's command can be served by forking: this Python running
    `-m ipykernel_launcher`, where the system has fork and pidfds."""
    return (hasattr(os, "fork") and hasattr(os, "pidfd_open") and len(argv) > 2
            and Path(argv[0]).resolve() == Path(sys.executable).resolve()
            and _LAUNCHER in argv and argv[argv.index(_LAUNCHER) - 1] == "-m")


class _Server:
    """The forking process of this process, started on first need, one at a time."""

    def __init__(self, python_options: list[str], env: dict):
        from .manifest import source_hash

        # Read before the server imports: a file changed while it imports reads as a change.
        self.code = source_hash()
        self.kernels: set[int] = set()          # its kernels not yet seen to end
        self.retired = False
        self.process = subprocess.Popen(
            [sys.executable, *python_options, "-m", __name__], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env,
            # Not in the run's process group: Ctrl-C in a terminal must not interrupt its
            # imports with a traceback; the run ends it (close) and it ends with the run.
            start_new_session=True)
        self.lock = threading.Lock()
        self.ready = False

    def wait_ready(self, stop: threading.Event) -> bool:
        """Wait until the server has done its imports; False as soon as `stop` is set (a
        stopped run, or a cancelled task, does not wait for them)."""
        while not stop.is_set():
            with self.lock:
                if self.ready:
                    return True
                if select.select([self.process.stdout], [], [], 0.1)[0]:
                    self._answer()
                    self.ready = True
                    return True
        return False

    def fork(self, argv: list[str], env: dict, cwd: str) -> int:
        """A new kernel's process id; raise RuntimeError when the server is gone."""
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n"
        with self.lock:
            try:
                if not self.ready:             # its imports done, or ended
                    self._answer()
                    self.ready = True
                self.process.stdin.write(request.encode("utf-8"))
                self.process.stdin.flush()
                pid = int(self._answer())
                self.kernels.add(pid)
                return pid
            except (OSError, ValueError) as err:
                raise RuntimeError(f"the kernel server ended ({err})") from None

    def ended(self, pid: int) -> None:
        """One of its kernels has ended: a retired server with none left is closed."""
        with self.lock:
            self.kernels.discard(pid)
        self.close_if_done()

    def retire(self) -> None:
        """Serve no more kernels; end as soon as those it has served have ended."""
        with self.lock:
            self.retired = True
        self.close_if_done()

    def close_if_done(self) -> None:
        """Close a retired server whose kernels are all gone (one killed and never waited
        for included: its process id is gone once the server has reaped it)."""
        with self.lock:
            for pid in list(self.kernels):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    self.kernels.discard(pid)
            last = self.retired and not self.kernels
        if last:
            self.close()

    def _answer(self) -> str:
        line = self.process.stdout.readline().decode("utf-8").strip()
        if not line or line.startswith("error"):
            raise RuntimeError(f"the kernel server ended: {line or 'no answer'}")
        return line

    def close(self) -> None:
        if not self.ready:          # still importing, so no kernel yet: no need to wait
            self.process.kill()
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_server: _Server | None = None
_retired: list[_Server] = []                # servers still serving kernels of an older cxlib
_server_lock = threading.Lock()


def server(python_options: list[str] = (), env: dict | None = None,
           code: str | None = None) -> _Server:
    """This process's kernel server, started (in the background) when there is none alive,
    or when `code` (manifest.source_hash) is given and differs from the cxlib it imported."""
    global _server
    with _server_lock:
        if _server is not None and code is not None and _server.code != code:
            _retired.append(_server)
            _server.retire()
            _server = None
        if _server is None or _server.process.poll() is not None:
            if _server is None and not _retired:
                atexit.register(_close)
            _server = _Server(list(python_options), dict(os.environ if env is None else env))
        for each in _retired:
            each.close_if_done()
        _retired[:] = [s for s in _retired if s.process.poll() is None]
        return _server


def _close() -> None:
    for each in [*_retired, _server]:
        if each is not None:
            each.close()


def start_server(kernel_name: str) -> None:
    """Start the kernel server for `kernel_name` now (its imports overlap the caller's
    work), if that kernel is served by forking; otherwise do nothing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        return                  # the kernel's start reports it, with its name
    if forkable(spec.argv):
        from .manifest import source_hash

        server(_python_options(spec.argv), {**os.environ, **spec.env}, source_hash())


def _python_options(argv: list[str]) -> list[str]:
    return argv[1:argv.index(_LAUNCHER) - 1]


class _Forked:
    """A forked kernel as jupyter_client's provisioner sees a process: poll, wait, signal."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, owner: _Server | None = None):
        self.pid, self.owner = pid, owner
        self._fd = os.pidfd_open(pid)
        self.returncode = None
        self._signalled = 0

    def poll(self) -> int | None:
        if self.returncode is None and self._fd is not None:
            if select.select([self._fd], [], [], 0)[0]:
                self._ended()
        return self.returncode

    def _ended(self) -> None:
        # The server reaps it and keeps its status: a signal we sent, or 1 if not known.
        self.returncode = -self._signalled if self._signalled else 1
        os.close(self._fd)
        self._fd = None
        if self.owner is not None:
            self.owner.ended(self.pid)

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._fd is not None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._ended()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            self._signalled = signum if signum in (signal.SIGKILL, signal.SIGTERM) else 0
            signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def provisioner(manager):
    """A ForkProvisioner for `manager` (an AsyncKernelManager not yet started), or None when
    its kernel spec is not served by forking."""
    import uuid

    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """A local kernel forked by the kernel server instead of started by Popen."""

        async def launch_kernel(self, cmd, **kwargs):
            argv = cmd[cmd.index(_LAUNCHER) + 1:]
            env = dict(kwargs.get("env") or os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                owner = server(_python_options(cmd), env)
                pid = owner.fork(argv, env, cwd)
            except RuntimeError:        # the server died (killed from outside): a new one
                owner = server(_python_options(cmd), env)
                pid = owner.fork(argv, env, cwd)
            self.process = _Forked(pid, owner)
            self.pid, self.pgid, self.cwd = pid, pid, cwd   # the kernel leads its own group
            return self.connection_info

    spec = manager.kernel_spec
    if not forkable(spec.argv):
        return None
    manager.kernel_id = manager.kernel_id or str(uuid.uuid4())
    return ForkProvisioner(kernel_id=manager.kernel_id, kernel_spec=spec, parent=manager)


# -- the server process ----------------------------------------------------------------

def _serve() -> int:
    """Import PRELOAD, say "ready", then fork one kernel per request line until stdin ends."""
    import importlib

    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)                   # anything printed goes with the error output
    parent = os.getppid()
    children: set[int] = set()
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the run's; it kills kernels
    signal.signal(signal.SIGTERM, lambda *_: _end(children))
    # As ipykernel_launcher does: the working folder is not on the kernel's import path.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    for name in PRELOAD:
        importlib.import_module(name)
    answers.write("ready\n")
    answers.flush()
    pending = b""
    while True:
        _reap(children)
        if os.getppid() != parent:
            _end(children)
        if not select.select([0], [], [], _PARENT_POLL_S)[0]:
            continue
        chunk = os.read(0, 1 << 16)
        if not chunk:                  # the run closed its end, or ended
            _end(children)
        pending += chunk
        while b"\n" in pending:
            line, _, pending = pending.partition(b"\n")
            children.add(_fork(json.loads(line), answers))


def _fork(request: dict, answers) -> int:
    """Fork the kernel of `request`; answer its process id once it leads its own group."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        _kernel(request, ready_w, answers)
    os.close(ready_w)
    os.read(ready_r, 1)
    os.close(ready_r)
    answers.write(f"{pid}\n")
    answers.flush()
    return pid


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _end(children: set[int]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(0)


def _kernel(request: dict, ready_w: int, answers) -> None:
    """In the forked child: become the kernel of the request; never returns."""
    code = 1
    try:
        os.setsid()
        os.write(ready_w, b"1")
        os.close(ready_w)
        answers.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update({**request["env"], "JPY_PARENT_PID": str(os.getppid())})
        # ipykernel ends when its parent changes, and its parent is this server; the
        # option's default was read from the environment when the server imported it.
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = [_LAUNCHER, *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else 0
    except BaseException:       # noqa: BLE001 - a kernel that cannot start says why and ends
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    sys.exit(_serve())

"""The kernel server: kernels forked with cxlib imported, each a process of its own, none
outliving the server."""
import asyncio
import os
import signal
import sys
import time

import pytest

from cxlib.runs import kernels
from cxlib.runs.run import KERNEL, ensure_kernel

pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def _started(cwd):
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(kernel_name=ensure_kernel(KERNEL))
    manager.provisioner = kernels.provisioner(manager)
    assert manager.provisioner is not None, "this venv's kernel is served by forking"
    await manager.start_kernel(cwd=str(cwd))
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=120)
    return manager, client


async def _run(client, code: str) -> list[str]:
    said = []
    reply = await client.execute_interactive(
        code, timeout=120, output_hook=lambda m: said.append(m["content"].get("text", "")))
    assert reply["content"]["status"] == "ok"
    return "".join(said).split()


def test_forked_kernel_has_cxlib_imported_and_a_process_of_its_own(tmp_path):
    async def check():
        first, one = await _started(tmp_path)
        second, two = await _started(tmp_path)
        code = ("import os, sys; print(os.getpid(), os.getcwd(), 'cxlib' in sys.modules, "
                "os.getpgid(0) == os.getpid())")
        pid1, cwd, preloaded, leader = await _run(one, code + "; only_in_first = 1")
        pid2, *_ = await _run(two, code)
        assert pid1 != pid2 and int(pid1) == first.provisioner.pid
        assert cwd == str(tmp_path) and preloaded == "True" and leader == "True"
        assert kernels.server().process.pid not in (int(pid1), int(pid2), os.getpid())
        # A notebook's names are its own: the second kernel never saw the first's.
        assert await _run(two, "print('only_in_first' in globals())") == ["False"]
        assert await _run(one, "print('only_in_first' in globals())") == ["True"]
        for manager, client in ((first, one), (second, two)):
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
            assert not await manager.is_alive()
        return int(pid1), int(pid2)

    for pid in asyncio.run(check()):
        assert not _alive(pid)


def test_kernels_end_with_the_server(tmp_path):
    async def start():
        manager, client = await _started(tmp_path)
        client.stop_channels()
        return manager.provisioner.pid

    pid = asyncio.run(start())
    assert _alive(pid)
    os.kill(kernels.server().process.pid, signal.SIGKILL)   # as the out-of-memory killer does
    deadline = time.monotonic() + 15
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "a kernel outlived its server"
    # The next kernel asked for comes from a new server.
    asyncio.run(start())


def test_only_this_python_running_ipykernel_is_forked():
    here = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert kernels.forkable(here)
    assert not kernels.forkable(["/usr/bin/python3.9", *here[1:]])
    assert not kernels.forkable([sys.executable, "-m", "other_kernel", "-f", "x"])
    assert not kernels.forkable(["julia", "-i", "kernel.jl", "{connection_file}"])


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        return int(stat.read().split(")")[-1].split()[1])


def test_a_cxlib_changed_on_disk_gets_a_new_server_the_old_ends_with_its_last_kernel(
        tmp_path, monkeypatch):
    """A batch worker's server outlives a client: when the checkout changes under a batch,
    the next client's kernels must run the cxlib its manifest names (the files on disk)."""
    from cxlib.runs import manifest

    async def start():
        manager, client = await _started(tmp_path)
        client.stop_channels()
        return manager

    kernel = ensure_kernel(KERNEL)
    monkeypatch.setattr(manifest, "source_hash", lambda: "as the batch started")
    kernels.start_server(kernel)                          # a server of no kernel yet
    old = kernels.server()
    assert old.code == "as the batch started"
    first = asyncio.run(start())
    assert _parent(first.provisioner.pid) == old.process.pid
    kernels.start_server(kernel)                          # same files: the same server
    assert kernels.server() is old
    monkeypatch.setattr(manifest, "source_hash", lambda: "edited since")
    kernels.start_server(kernel)
    new = kernels.server()
    assert new is not old and new.code == "edited since"
    second = asyncio.run(start())
    assert _parent(second.provisioner.pid) == new.process.pid
    assert old.process.poll() is None, "the old server ended under a kernel it served"
    asyncio.run(first.shutdown_kernel(now=True))
    deadline = time.monotonic() + 15
    while old.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert old.process.poll() is not None, "a retired server outlived its last kernel"
    assert new.process.poll() is None and _alive(second.provisioner.pid)
    asyncio.run(second.shutdown_kernel(now=True))

"""Batches on a dask.distributed cluster (cxlib.runs.cluster).

One real batch on `--cluster local:2` (a LocalCluster of two worker processes started in
this process, as `cx run` starts it): tiny-a's worker is killed with SIGKILL while it runs
tiny-a, tiny-c fails on its own data. Then, without running anything more: --resume decided
on the caller, a worker that does not see the caller's storage, TLS settings reaching the
dask Client, an unreachable scheduler, the refused option combinations.

Budget: one run of the tiny client without deliverables, plus the start of the killed one.
"""
import contextlib
import io
import os
import shutil
import signal
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

from cxlib.runs import cluster as dc
from cxlib.runs import manifest
from cxlib.runs.cli import main


def _wait_for(condition, within_s: float, every_s: float = 0.05):
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(every_s)
    return None


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _marked(mark: str) -> list[str]:
    """Command lines of the processes that inherited CX_TEST_RUN=mark, but for
    multiprocessing's resource tracker (it lives as long as this process)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"CX_TEST_RUN={mark}".encode() in environ.read_bytes():
                line = (environ.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if "resource_tracker" not in line and int(environ.parent.name) != os.getpid():
                    found.append(line)
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def killed_batch(tiny_client, tmp_path_factory):
    """`cx run tiny-a tiny-c --cluster local:2 --no-deliverables`, with the worker process
    running tiny-a killed (SIGKILL) once tiny-a's checked copy is written and its kernels
    start; tiny-c's survey has 5 answers, so it fails on its worker."""
    home = tmp_path_factory.mktemp("batch")
    a, c = (_copy(tiny_client, home / "clients" / f"tiny-{x}") for x in "ac")
    survey = c / "survey.csv"
    survey.write_text("".join(survey.read_text(encoding="utf-8").splitlines(True)[:6]),
                      encoding="utf-8")
    out = home / "reports"
    mark = uuid.uuid4().hex
    os.environ["CX_TEST_RUN"] = mark            # the workers and their kernels inherit it
    killed = []

    def kill_a_s_worker():
        def running_a():
            if not list(a.glob(".cx-snapshot-*/snapshot.json")):
                return None
            note = (out / ".tiny-a.lock").read_text(encoding="utf-8").split()
            return int(note[1]) if note[:1] == ["pid"] else None
        pid = _wait_for(running_a, 300)
        if pid is not None and pid != os.getpid():
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    killer = threading.Thread(target=kill_a_s_worker, daemon=True)
    killer.start()
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["run", str(a), str(c), "--cluster", "local:2", "--no-deliverables",
                         "--output", str(out)])
    finally:
        del os.environ["CX_TEST_RUN"]
    killer.join(timeout=5)
    return {"a": a, "c": c, "out": out, "code": code, "killed": killed, "mark": mark,
            "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def test_a_killed_worker_s_client_is_retried_and_the_batch_completes(killed_batch):
    batch = killed_batch
    stdout, stderr = batch["stdout"], batch["stderr"]
    a, c, out = batch["a"], batch["c"], batch["out"]
    printed = f"stdout:\n{stdout}\nstderr:\n{stderr}"
    assert batch["killed"], "tiny-a's worker was never seen running it"
    assert batch["code"] == 1, printed                      # tiny-c failed
    assert f"tiny-a: {out / 'tiny-a' / 'report.html'} (" in stdout, printed
    assert " on tcp://127.0.0.1:" in stdout, printed
    assert f"{c}: FAILED" in stderr and "min_answers" in stderr, printed
    assert "1 of 2 clients failed" in stderr and "Traceback" not in stderr, printed
    status, text = manifest.verify(out / "tiny-a", a)
    assert status == 0, text
    # Nothing of either run is left: no staging, no lock, no batch token, no report for
    # tiny-c, no checked copy in the client's folder, no kernel of the killed worker.
    assert sorted(p.name for p in out.iterdir()) == ["tiny-a"]
    assert not list(a.glob(".cx-*")) and not list(c.glob(".cx-*"))
    assert not [p for p in out.rglob("*") if p.suffix == ".parquet"]
    assert _wait_for(lambda: not _marked(batch["mark"]), 30, 0.5), _marked(batch["mark"])


def test_resume_on_the_cluster_is_decided_on_the_caller(killed_batch, monkeypatch, capsys):
    a, out = killed_batch["a"], killed_batch["out"]

    def no_cluster(*_args, **_kwargs):
        raise AssertionError("a batch with nothing to run must not start a cluster")

    monkeypatch.setattr(dc, "connect", no_cluster)
    assert main(["run", str(a), "--cluster", "local:2", "--resume", "--no-deliverables",
                 "--output", str(out)]) == 0
    assert f"tiny-a: {out / 'tiny-a' / 'report.html'} (unchanged, skipped)" in capsys.readouterr().out
    # A changed input is submitted, with the reason the caller found.
    (a / "settings.yml").write_text("threshold: 0.3\n", encoding="utf-8")
    submitted = []

    class Scheduler:
        def submit(self, function, folder, options, seen, **kwargs):
            submitted.append((function, folder, options, seen, kwargs))
            return "future"

    future, why = dc._submit(lambda: Scheduler(), a, out.resolve(),
                             {"resume": True, "deliverables": False, "output_root": out.resolve()},
                             1, "token")
    assert (future, why) == ("future", ["inputs changed (settings.yml)",
                                        "parameters changed (threshold)"])
    function, folder, options, seen, kwargs = submitted[0]
    assert function is dc.run_task and folder == str(a) and options["resume"] is False
    assert seen == {"token": "token", "client.yml": manifest.sha256(a / "client.yml")}
    assert kwargs["retries"] == 1 and not list(out.glob(".tiny-a.lock"))


def test_a_worker_that_does_not_see_the_caller_s_storage_says_so(tiny_client, tmp_path):
    root = tmp_path / "reports"
    with dc.batch_token(root) as token:
        seen = {"token": token, "client.yml": manifest.sha256(tiny_client / "client.yml")}
        assert dc.storage_problem(tiny_client, root, seen) == ""
        elsewhere = tmp_path / "worker-disk" / "reports"
        elsewhere.mkdir(parents=True)
        problem = dc.storage_problem(tiny_client, elsewhere, seen)
        assert f"does not see the reports folder {elsewhere}" in problem
        assert "same path" in problem
        other = _copy(tiny_client, tmp_path / "stale" / "tiny")
        (other / "client.yml").write_text((other / "client.yml").read_text() + "# older\n")
        assert f"does not see {other / 'client.yml'} as the caller does" in dc.storage_problem(
            other, root, seen)
        done = dc.run_task(str(other), {"output_root": str(root)}, seen)
        assert not done["ok"] and "as the caller does" in done["reason"]
    assert list(root.iterdir()) == []       # the token goes with the batch
    assert not (other.parent / "reports").exists()


def test_tls_settings_reach_the_dask_client(tiny_client, tmp_path, monkeypatch, capsys):
    import distributed

    files = {}
    for name in ("ca.pem", "cert.pem", "key.pem"):
        files[name] = tmp_path / name
        files[name].write_text("not read by the stand-in Client", encoding="utf-8")
    seen = {}

    def stand_in(address, security=None, timeout=None):
        seen.update(address=address, security=security)
        raise OSError("stand-in: no scheduler")

    monkeypatch.setattr(distributed, "Client", stand_in)
    code = main(["run", str(tiny_client), "--cluster", "tls://scheduler.example:8786",
                 "--tls-ca", str(files["ca.pem"]), "--tls-cert", str(files["cert.pem"]),
                 "--tls-key", str(files["key.pem"]), "--output", str(tmp_path / "out")])
    assert code == 1
    assert "cannot reach the dask scheduler at tls://scheduler.example:8786" in capsys.readouterr().err
    tls = seen["security"]
    assert seen["address"] == "tls://scheduler.example:8786" and tls.require_encryption
    assert (tls.tls_ca_file, tls.tls_client_cert, tls.tls_client_key) == tuple(
        str(files[n]) for n in ("ca.pem", "cert.pem", "key.pem"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_stops_the_batch_in_one_line(tiny_client, tmp_path,
                                                              monkeypatch, capsys):
    monkeypatch.setattr(dc, "CONNECT_TIMEOUT_S", 1)
    a, b = (_copy(tiny_client, tmp_path / "clients" / x) for x in "ab")
    address = f"127.0.0.1:{_free_port()}"
    assert main(["run", str(a), str(b), "--cluster", address, "--output",
                 str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [err[0]] and err[0].startswith(f"cannot reach the dask scheduler at tcp://{address}")
    assert not list((tmp_path / "out").glob("*"))


@pytest.mark.parametrize("args, words", [
    (["--cluster", "local:2", "--shard", "1/2"], "--shard is for array jobs"),
    (["--cluster", "local:0"], "local:N needs a number of workers N >= 1"),
    (["--cluster", "local:2", "--workers", "4"], "--workers is for one machine"),
    (["--tls-ca", "/no/such/ca.pem"], "--tls-* only with --cluster"),
    (["--cluster", "tcp://h:8786", "--tls-ca", "/no/such/ca.pem", "--tls-cert", "/no/c.pem"],
     "no such file: --tls-ca /no/such/ca.pem; --tls-cert /no/c.pem"),
])
def test_cluster_options_are_checked_before_anything_runs(args, words, tmp_path, capsys):
    assert main(["run", "demo", *args, "--output", str(tmp_path / "out")]) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "out").exists()

"""Batches on a dask.distributed cluster (cxlib.runs.cluster).

Against a real `dask scheduler` and two `dask worker` processes started here on localhost
(free ports), `cx run` as a command: tiny-a's worker is killed (SIGKILL) while it makes
tiny-a's report from the files sent to it, and tiny-a completes on a worker; tiny-c fails on
its own data; --resume then skips; and Ctrl-C on a --shared-storage batch cancels its task on
the worker. Without running a report: what a task carries (one client's files only), the
checks on a report sent back, a worker with other code, the workers' private folders,
refusing to ship client data unencrypted off this machine, shared-storage checks, TLS
settings, an unreachable scheduler, the refused option combinations.

Budget: one run of the tiny client without deliverables, the start of the killed one and
the start of the interrupted one, on workers of one thread each (the cluster starts once).
"""
import contextlib
import datetime as dt
import io
import json
import os
import pickle
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from cxlib.errors import RunError
from cxlib.inputs.config import load_config
from cxlib.runs import cluster as dc
from cxlib.runs import manifest
from cxlib.runs.cli import main
from cxlib.runs.run import Job, plan_job

DASK = str(Path(sys.executable).with_name("dask"))
CX = [sys.executable, "-m", "cxlib.runs.cli"]


def _wait_for(condition, within_s: float = 240, every_s: float = 0.1):
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(every_s)
    return None


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _marked(mark: str, word: str = "") -> list[str]:
    """Command lines of the processes that inherited CX_TEST_RUN=mark (and show `word`)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"CX_TEST_RUN={mark}".encode() in environ.read_bytes():
                line = (environ.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if word in line:
                    found.append(line)
        except OSError:
            pass
    return found


def _as_in_a_terminal() -> None:
    """Ctrl-C live, as a terminal gives it (a suite started in the background inherits
    SIGINT ignored, and Python keeps an inherited ignore)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """`dask scheduler` and two `dask worker`s of one thread each, as on one machine of a
    cluster: one temp folder, where their tasks' private folders can be watched. Without
    nannies, so that a killed worker stays dead (its task goes to the other; a restart
    would cost the suite another start)."""
    home = tmp_path_factory.mktemp("dask")
    mark = uuid.uuid4().hex
    env = {**os.environ, "CX_TEST_RUN": mark,
           "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(dc.ALLOWED_FAILURES)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    info = home / "scheduler.json"
    # --idle-timeout and --death-timeout: nothing outlives a test run that dies.
    processes = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                   "--no-dashboard", "--scheduler-file", str(info),
                                   "--idle-timeout", "900"], env=env, **quiet)]
    try:
        address = json.loads(_wait_for(lambda: info.is_file() and info.read_text() or None,
                                       90))["address"]
        temp = home / "tmp"
        temp.mkdir()
        for name in ("w1", "w2"):
            processes.append(subprocess.Popen(
                [DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--name", name,
                 "--no-dashboard", "--local-directory", str(home / name),
                 "--death-timeout", "60"], env={**env, "TMPDIR": str(temp)}, **quiet))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield {"address": address, "temps": [temp], "mark": mark}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _task_folders(temps: list[Path]) -> list[Path]:
    return [p for t in temps for p in t.glob("cx-tasks-*/*")]


def _client_data(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.suffix == ".parquet" or p.name == "snapshot.json"]


def _processing(address: str) -> list:
    from distributed import Client

    with Client(address, timeout=30) as client:
        return [key for keys in client.processing().values() for key in keys]


@pytest.fixture(scope="module")
def killed_batch(dask_cluster, tiny_client, tmp_path_factory):
    """`cx run tiny-a tiny-c --cluster tcp://127.0.0.1:PORT --no-deliverables`, with the
    worker making tiny-a's report killed (SIGKILL) once it has tiny-a's files and its kernels
    start; tiny-c's survey has 5 answers, so it fails on its worker."""
    home = tmp_path_factory.mktemp("batch")
    a, c = (_copy(tiny_client, home / "clients" / f"tiny-{x}") for x in "ac")
    survey = c / "survey.csv"
    survey.write_text("".join(survey.read_text(encoding="utf-8").splitlines(True)[:6]),
                      encoding="utf-8")
    out = home / "reports"
    run = subprocess.Popen([*CX, "run", str(a), str(c), "--cluster", dask_cluster["address"],
                            "--no-deliverables", "--output", str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def running_a():
        # tiny-a's snapshot exists once its files are read and its kernels are starting.
        for space in _task_folders(dask_cluster["temps"]):
            if list((space / "client" / "tiny-a").glob(".cx-snapshot-*/snapshot.json")):
                note = (space / ".lock").read_text(encoding="utf-8").split()
                return int(note[1]), note[-1], space
        return None

    found = _wait_for(running_a, 300, 0.05)
    if found:
        os.kill(found[0], signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=600)
    return {"clients": (a, c), "out": out, "code": run.returncode, "stdout": stdout,
            "stderr": stderr, "killed": found and found[1], "space": found and found[2]}


def test_a_killed_worker_s_client_completes_on_a_worker(killed_batch, dask_cluster):
    batch = killed_batch
    a, c = batch["clients"]
    out = batch["out"]
    printed = f"stdout:\n{batch['stdout']}\nstderr:\n{batch['stderr']}"
    assert batch["killed"], "tiny-a's worker was never seen making its report"
    assert batch["code"] == 1, printed                      # tiny-c failed
    lines = dict(line.split(": ", 1) for line in batch["stdout"].splitlines())
    assert set(lines) == {"tiny-a"}, printed
    assert lines["tiny-a"].startswith(f"{out / 'tiny-a' / 'report.html'} (")
    assert lines["tiny-a"].rsplit(" on ", 1)[1].startswith("tcp://127.0.0.1:"), printed
    assert f"{c}: FAILED" in batch["stderr"] and "min_answers" in batch["stderr"], printed
    assert "1 of 2 clients failed" in batch["stderr"] and "Traceback" not in batch["stderr"]
    status, report = manifest.verify(out / "tiny-a", a)
    assert status == 0, report
    # The report names the caller's folder, never the worker's private copy.
    assert manifest.read(out / "tiny-a")["client_folder"] == str(a)
    for name in ("report.html", "results.json", "manifest.json"):
        assert "cx-tasks-" not in (out / "tiny-a" / name).read_text(encoding="utf-8"), name
    # Nothing of a run is left here: no staging, no lock, no report for tiny-c, no data.
    assert sorted(p.name for p in out.iterdir()) == ["tiny-a"]
    assert _client_data(out) == [] and not list(a.glob(".cx-*")) and not list(c.glob(".cx-*"))
    # The workers' copies are gone, the killed worker's too (removed by the next task on
    # this machine), and so are the kernels of every task, the killed one's included.
    assert _wait_for(lambda: not batch["space"].exists(), 60), batch["space"]
    assert _task_folders(dask_cluster["temps"]) == []
    assert _wait_for(lambda: not _marked(dask_cluster["mark"], "ipykernel"), 30, 0.5), \
        _marked(dask_cluster["mark"], "ipykernel")


def test_resume_on_the_cluster_skips_a_current_report(killed_batch, dask_cluster, capsys):
    a, _ = killed_batch["clients"]
    out = killed_batch["out"]
    assert main(["run", str(a), "--cluster", dask_cluster["address"], "--resume",
                 "--no-deliverables", "--output", str(out)]) == 0
    assert f"tiny-a: {out / 'tiny-a' / 'report.html'} (unchanged, skipped)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["tiny-a"]


def test_ctrl_c_on_a_cluster_batch_cancels_its_task(dask_cluster, tiny_client, tmp_path):
    """With --shared-storage, so that the worker writes in the caller's folders itself:
    after Ctrl-C nothing of the run is left there, and the task stops on its worker."""
    client = _copy(tiny_client, tmp_path / "clients" / "tiny-i")
    out = tmp_path / "reports"
    run = subprocess.Popen([*CX, "run", str(client), "--cluster", dask_cluster["address"],
                            "--shared-storage", "--no-deliverables", "--output", str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, preexec_fn=_as_in_a_terminal)
    # The worker is inside the run: its staging folder made, its kernels starting.
    started = _wait_for(lambda: list(out.glob(".tiny-i.partial-*")), 300, 0.05)
    assert started, run.communicate(timeout=60)
    os.killpg(run.pid, signal.SIGINT)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 130, stderr
    assert stderr.strip().splitlines() == [
        "cx run: stopped by Ctrl-C; finished reports are in place, unfinished ones were removed"]
    assert stdout == ""
    # The task is cancelled and stops on its worker: the scheduler runs nothing, no kernel
    # is left, and the worker removed its staging folder, lock and snapshot.
    assert _wait_for(lambda: not _processing(dask_cluster["address"]), 60, 0.5)
    assert _wait_for(lambda: not _marked(dask_cluster["mark"], "ipykernel"), 30, 0.5), \
        _marked(dask_cluster["mark"], "ipykernel")
    assert _wait_for(lambda: not list(out.iterdir()) and not list(client.glob(".cx-*")), 30)


# --- Without a cluster --------------------------------------------------------------------

def _job(folder: Path, root: Path) -> Job:
    return plan_job(load_config(folder), root.resolve(), None, False)


def test_a_task_carries_its_own_client_s_files_and_nothing_else(tiny_client, tmp_path):
    planted = b"PLANTED-3f9c1e-only-in-client-a"
    a, b = (_copy(tiny_client, tmp_path / "clients" / x) for x in "ab")
    (a / "client.yml").write_bytes((a / "client.yml").read_bytes() + b"# " + planted + b"\n")
    (b / "notes.txt").write_bytes(planted)              # not an input: never sent
    root = tmp_path / "reports"
    root.mkdir()
    (root / "portfolio.json").write_text('{"groups": {}}', encoding="utf-8")
    task = dc.payload(_job(b, root), {})
    assert set(task.files) == set(manifest.input_files(load_config(b)))
    assert "notes.txt" not in task.files and task.benchmark == b'{"groups": {}}'
    assert planted not in pickle.dumps(task)
    assert planted in dc.payload(_job(a, root), {}).files["client.yml"]


def test_an_input_outside_the_client_folder_is_not_shipped(tiny_client, tmp_path):
    # client.yml cannot name one (cxlib.inputs.config): a plan that does is refused too.
    job = _job(tiny_client, tmp_path / "reports")
    job.plan.inputs[str(tmp_path / "elsewhere.csv")] = "0" * 64
    with pytest.raises(RunError, match="outside the client's folder.*--shared-storage"):
        dc.payload(job, {})


def test_a_changed_input_between_plan_and_send_is_refused(tiny_client, tmp_path):
    client = _copy(tiny_client, tmp_path / "client")
    job = _job(client, tmp_path / "reports")
    (client / "settings.yml").write_text("threshold: 0.3\n", encoding="utf-8")
    with pytest.raises(RunError, match="settings.yml changed while the run was being prepared"):
        dc.payload(job, {})


def test_a_worker_with_other_code_refuses_the_task(tiny_client, tmp_path):
    job = _job(tiny_client, tmp_path / "reports")
    job.plan.code["cxlib"]["sha256"] = "0" * 64
    done, data = dc.run_task(dc.Task(job, {}, None, {}))
    assert data is None and not done["ok"] and "code differ (cxlib)" in done["reason"]
    assert "give the workers the same cx-workbook checkout" in done["reason"]
    assert manifest.code_differences(_job(tiny_client, tmp_path / "reports").plan) == []



def test_a_task_refused_because_this_checkout_changed_under_the_batch_says_so(
        tiny_client, tmp_path, monkeypatch):
    """A batch whose checkout is edited (a pull, a merge) while it runs: the clients sent
    before the change are refused by workers that run the new files; the reason names the
    change here, not the workers."""
    job = _job(tiny_client, tmp_path / "reports")
    job.plan.code["cxlib"]["sha256"] = "0" * 64            # planned before the change
    refused = dc.run_task(dc.Task(job, {}, None, {}))

    class Finished:
        def result(self):
            return refused

    batch = dc._Batch(None, 2, None, False, 0, None, {"output_root": tmp_path / "reports"})
    running = dc._Running(tiny_client, job, contextlib.ExitStack(), [])
    found = batch.outcome(Finished(), running)
    assert not found.ok and found.reason.startswith(
        "the code here changed after tiny was sent: code differ (cxlib); worker ")
    assert "--resume once the checkout is as wanted" in found.reason
    # A worker with other code than an unchanged checkout here: the worker's reason.
    monkeypatch.setattr(dc.manifest, "code_differences", lambda plan: [])
    found = batch.outcome(Finished(), running)
    assert "give the workers the same cx-workbook checkout" in found.reason

def _sent_back(job: Job, tmp_path: Path, tamper=None) -> bytes:
    """A report folder as a worker sends it: files, then manifest.json, as a tar."""
    work = tmp_path / "made" / job.plan.client
    (work / "notebooks").mkdir(parents=True)
    (work / "report.html").write_text("<p>report</p>", encoding="utf-8")
    now = dt.datetime.now(dt.timezone.utc)
    manifest.write(work, job.plan, now, now)
    if tamper:
        tamper(work)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(work, arcname=".")
    shutil.rmtree(work.parent)
    return buffer.getvalue()


def test_a_report_sent_back_is_checked_before_it_is_published(tiny_client, tmp_path):
    root = tmp_path / "reports"
    job = _job(tiny_client, root)
    done = {"client": "tiny", "ok": True, "path": None, "reason": "", "seconds": 1.0,
            "skipped": False, "worker": "tcp://127.0.0.1:1"}
    bad = {
        "changed": lambda w: (w / "report.html").write_text("<p>edited</p>"),
        "extra": lambda w: (w / "other.csv").write_text("x"),
        "link": lambda w: (w / "figures").symlink_to("/etc"),
    }
    for name, tamper in bad.items():
        with pytest.raises(RunError, match="sent back"):
            dc._receive(job, (done, _sent_back(job, tmp_path, tamper)))
        assert not root.exists() or list(root.iterdir()) == [], name
    other = _job(tiny_client, root)
    other.plan.parameters = {**other.plan.parameters, "alpha": {"value": 0.2,
                                                              "source": "command line"}}
    with pytest.raises(RunError, match="parameters changed"):
        dc._receive(job, (done, _sent_back(other, tmp_path)))
    outcome = dc._receive(job, (done, _sent_back(job, tmp_path)))
    assert outcome.ok and outcome.path == root / "tiny" / "report.html"
    assert sorted(p.name for p in root.iterdir()) == ["tiny"]
    assert manifest.damage(root / "tiny", manifest.read(root / "tiny")) == {
        "changed": [], "missing": [], "extra": []}


def test_a_task_s_folder_is_private_and_removed_after_a_kill(tmp_path, monkeypatch):
    monkeypatch.setattr(dc.tempfile, "tempdir", str(tmp_path))
    base = dc.tasks_folder()
    dead = base / "dead"
    dead.mkdir(parents=True)
    (dead / "survey.csv").write_text("x", encoding="utf-8")
    (dead / ".lock").touch()                            # its task's process is gone
    with dc._workspace() as space:
        assert stat.S_IMODE(base.stat().st_mode) == 0o700
        assert stat.S_IMODE(space.stat().st_mode) == 0o700
        assert not dead.exists()                        # removed by the next task
        assert dc.remove_stale(base) == [] and space.exists()   # a live one is kept
        (space / "survey.csv").write_text("x", encoding="utf-8")
    assert list(base.iterdir()) == []                   # removed after the task
    with pytest.raises(RunError):
        with dc._workspace():
            raise RunError("the client's notebook failed")
    assert list(base.iterdir()) == []                   # also after a failure


def test_a_task_writes_only_inside_its_folder(tmp_path):
    with pytest.raises(RunError, match="outside"):
        dc._write(tmp_path, "../escape.csv", b"x")
    assert not (tmp_path.parent / "escape.csv").exists()


def test_resume_is_decided_here_and_a_sent_task_holds_the_client_s_lock(tiny_client,
                                                                         tmp_path):
    client = _copy(tiny_client, tmp_path / "clients" / "tiny")
    root = (tmp_path / "reports").resolve()
    submitted = []

    class Scheduler:
        def submit(self, function, *args, **kwargs):
            submitted.append((function, args, kwargs))
            return "future"

    with contextlib.ExitStack() as stack:
        batch = dc._Batch(stack, "tcp://127.0.0.1:1", None, False, 1, None,
                          {"output_root": root, "deliverables": False, "resume": True})
        batch.client, batch.hosts = Scheduler(), ["127.0.0.1"]
        future, running = batch.submit(client)     # no report yet: sent
        assert future == "future" and running.why == [] and (root / ".tiny.lock").exists()
        function, (task,), kwargs = submitted[0]
        assert function is dc.run_task and set(task.files) >= {"client.yml", "survey.csv"}
        assert kwargs["workers"] == ["127.0.0.1"] and kwargs["retries"] == 1
        # The report comes back and is published; the lock goes after it.
        done = {"client": "tiny", "ok": True, "path": None, "reason": "", "seconds": 1.0,
                "skipped": False, "worker": "tcp://127.0.0.1:1"}
        dc._receive(running.job, (done, _sent_back(running.job, tmp_path)))
        running.lock.close()
        assert not (root / ".tiny.lock").exists()
        skipped = batch.submit(client)              # current: nothing is sent
        assert skipped.skipped and skipped.reason == "unchanged" and len(submitted) == 1
        (client / "settings.yml").write_text("threshold: 0.3\n", encoding="utf-8")
        _, running = batch.submit(client)           # a changed input: sent, with the reasons
        running.lock.close()
    assert running.why == ["inputs changed (settings.yml)", "parameters changed (threshold)"]
    assert submitted[1][1][0].files["settings.yml"] == b"threshold: 0.3\n"


@pytest.mark.parametrize("address, shipped", [
    ("tcp://127.0.0.1:8786", True), ("tcp://localhost:8786", True), ("tcp://[::1]:8786", True),
    ("tcp://192.0.2.10:8786", False), ("tls://192.0.2.10:8786", False), (3, True),
])
def test_client_files_are_shipped_unencrypted_only_on_this_machine(address, shipped):
    if shipped:
        dc.check_shipping(address)
    else:
        with pytest.raises(dc.UsageError, match="TLS") as refused:
            dc.check_shipping(address)
        assert "--tls-ca" in str(refused.value)


def test_unencrypted_shipping_off_this_machine_is_refused_before_anything_runs(
        tiny_client, tmp_path, monkeypatch, capsys):
    import distributed

    def stand_in(address, security=None, timeout=None):
        raise OSError("stand-in: no scheduler")

    monkeypatch.setattr(distributed, "Client", stand_in)
    out = tmp_path / "out"
    assert main(["run", str(tiny_client), "--cluster", "192.0.2.10:8786", "--output",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "not on this machine and the connection is not encrypted" in err
    assert "tls://" in err and "--shared-storage" in err and not out.exists()
    # With shared storage nothing is sent: the scheduler is tried.
    assert main(["run", str(tiny_client), "--cluster", "192.0.2.10:8786", "--shared-storage",
                 "--output", str(out)]) == 1
    assert "cannot reach the dask scheduler at tcp://192.0.2.10:8786" in capsys.readouterr().err


def test_plain_tcp_tasks_go_only_to_workers_on_this_machine():
    class Scheduler:
        def __init__(self, *workers):
            self.workers = workers

        def scheduler_info(self, n_workers=-1):
            return {"workers": {w: {} for w in self.workers}}

    assert dc.local_hosts(Scheduler(), "tcp://127.0.0.1:1") == ["127.0.0.1"]
    assert dc.local_hosts(Scheduler("tcp://127.0.0.1:40001", "tcp://192.0.2.7:40002"),
                          "tcp://127.0.0.1:1") == ["127.0.0.1"]
    with pytest.raises(RunError, match="no worker on this machine.*192.0.2.7.*TLS"):
        dc.local_hosts(Scheduler("tcp://192.0.2.7:40002"), "tcp://127.0.0.1:1")


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
        done = dc.run_shared(str(other), {"output_root": str(root)}, seen)
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
    assert not [p for p in (tmp_path / "out").glob("*")]


@pytest.mark.parametrize("args, words", [
    (["--cluster", "local:2", "--shard", "1/2"], "--shard is for array jobs"),
    (["--cluster", "local:0"], "local:N needs a number of workers N >= 1"),
    (["--cluster", "local:2", "--workers", "4"], "--workers is for one machine"),
    (["--tls-ca", "/no/such/ca.pem"], "--tls-* only with --cluster"),
    (["--shared-storage"], "--shared-storage only with --cluster"),
    (["--cluster", "tcp://h:8786", "--tls-ca", "/no/such/ca.pem", "--tls-cert", "/no/c.pem"],
     "no such file: --tls-ca /no/such/ca.pem; --tls-cert /no/c.pem"),
    (["--cluster", "tls://192.0.2.10:8786"], "TLS needs certificates"),
])
def test_cluster_options_are_checked_before_anything_runs(args, words, tmp_path, capsys):
    assert main(["run", "demo", *args, "--output", str(tmp_path / "out")]) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "out").exists()

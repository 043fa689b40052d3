"""Faults: runs killed at random moments, a dying worker, two runs of one client at once.

Each test drives the real `cx` command in a process of its own on the tiny generated client
(without deliverables, so one run is a few seconds of notebooks) and checks what a user
relies on: reports/<id>/ holds a whole report (the new one or the previous one), no copy of
the client's data is left outside its folder, nothing is left once the next run or
`cx clean` has been, no kernel outlives its run, and a stopped run says one line.
"""
import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from cxlib.runs import manifest
from cxlib.runs.cli import main

pytestmark = pytest.mark.slow
CX = [sys.executable, "-m", "cxlib.runs.cli"]
#: Seeded, so a failure names a moment that can be tried again.
RANDOM = random.Random(20261201)


def _duration(report: Path) -> float:
    data = manifest.read(report)
    return (dt.datetime.fromisoformat(data["finished"])
            - dt.datetime.fromisoformat(data["started"])).total_seconds()


def _as_in_a_terminal() -> None:
    """Ctrl-C live, as a terminal gives it: a suite started in the background inherits
    SIGINT ignored, and Python keeps an inherited ignore, so the run would never see it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*args, mark: str) -> subprocess.Popen:
    return subprocess.Popen([*CX, "run", *map(str, args), "--no-deliverables"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_as_in_a_terminal,
                            env={**os.environ, "CX_TEST_RUN": mark})


def _marked(mark: str) -> list[int]:
    """Processes (kernels included) started by the run carrying `mark`."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"CX_TEST_RUN={mark}".encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            pass
    return found


def _no_process_left(mark: str, within_s: float = 15) -> list[int]:
    deadline = time.monotonic() + within_s
    while (left := _marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.25)
    return left


def _wait_for(condition, within_s: float = 300):
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def _copies_of_client_data(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.suffix == ".parquet" or p.name == "snapshot.json"]


@pytest.fixture()
def setup(tmp_path, tiny_client, tiny_report):
    """A copy of the tiny client and a reports folder holding its previous report."""
    client = shutil.copytree(tiny_client, tmp_path / "clients" / "tiny")
    (client / "settings.yml").unlink()          # the new run differs from the previous one
    out = tmp_path / "reports"
    shutil.copytree(tiny_report, out / "tiny")
    return client, out


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_run_killed_at_a_random_moment_leaves_a_whole_report(setup, tiny_report, signum):
    client, out = setup
    previous = manifest.read(out / "tiny")["started"]
    delay = RANDOM.uniform(0.05, 1.1) * (_duration(tiny_report) + 3)
    mark = uuid.uuid4().hex
    run = _start(client, "--output", out, mark=mark)
    time.sleep(delay)
    if signum == signal.SIGINT:
        os.killpg(run.pid, signum)                 # as Ctrl-C in a terminal does
    else:
        run.send_signal(signum)
    _, err = run.communicate(timeout=120)
    moment = f"{signal.Signals(signum).name} after {delay:.1f} s (exit {run.returncode})"
    assert _no_process_left(mark) == [], f"kernels outlived the run: {moment}"
    # The report is whole: the previous one, or the new one if the run got there first.
    status, lines = manifest.verify(out / "tiny", client)
    started = manifest.read(out / "tiny")["started"]
    assert status == (0 if started != previous else 3), f"{moment}: " + "\n".join(lines)
    assert _copies_of_client_data(out) == [], moment
    if signum != signal.SIGKILL:
        # -signum: the signal came while Python was still starting or already ending
        # (cx's handler not yet or no longer set); the report is whole either way.
        assert run.returncode in (0, 128 + signum, -signum), moment
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, (moment, err)
        assert err.strip() == "" or "cx run: stopped by" in err, moment
    else:
        assert main(["clean", "--output", str(out), str(client)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["tiny"], moment
    assert not list(client.glob(".cx-*")), moment


@pytest.fixture()
def pair(tmp_path, tiny_client):
    """Two copies of the tiny client, tiny-a and tiny-b, and an empty reports folder."""
    clients = [shutil.copytree(tiny_client, tmp_path / "clients" / f"tiny-{x}") for x in "ab"]
    return (*clients, tmp_path / "reports")


def test_dead_worker_fails_its_client_and_the_batch_goes_on(pair):
    a, b, out = pair
    mark = uuid.uuid4().hex
    batch = _start(a, b, "--workers", "2", "--output", out, mark=mark)

    def worker_of_b():
        # The lock of tiny-b's report names the worker process that runs it.
        if not list(out.glob(".tiny-b.partial-*")):
            return None
        try:
            holder = (out / ".tiny-b.lock").read_text(encoding="utf-8").split()
        except OSError:
            return None
        pid = int(holder[1]) if holder[:1] == ["pid"] else None
        return pid if pid in _marked(mark) and pid != batch.pid else None

    os.kill(_wait_for(worker_of_b), signal.SIGKILL)     # as the out-of-memory killer does
    stdout, stderr = batch.communicate(timeout=300)
    assert batch.returncode == 1, stderr
    assert "tiny-a: " in stdout and "tiny-a: FAILED" not in stderr
    assert f"{b}: FAILED" in stderr and "killed by SIGKILL" in stderr
    assert "out-of-memory" in stderr and "1 of 2 clients failed" in stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in out.iterdir()) == ["tiny-a"]
    assert not list(b.glob(".cx-*")) and _copies_of_client_data(out) == []
    assert manifest.verify(out / "tiny-a", a)[0] == 0
    assert _no_process_left(mark) == []


def test_second_run_of_the_same_client_is_refused_and_corrupts_nothing(setup, capsys):
    client, out = setup
    mark = uuid.uuid4().hex
    first = _start(client, "--output", out, mark=mark)
    _wait_for(lambda: list(out.glob(".tiny.partial-*")))
    code = main(["run", str(client), "--output", str(out), "--no-deliverables"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"is being written by another cx run (pid {first.pid} on " in err
    assert "wait for it to finish" in err and "Traceback" not in err
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert manifest.verify(out / "tiny", client)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["tiny"]


def test_ctrl_c_stops_a_batch_with_one_line_and_removes_unfinished_work(pair):
    a, b, out = pair
    mark = uuid.uuid4().hex
    batch = _start(a, b, "--workers", "2", "--output", out, mark=mark)
    # Both workers are inside their runs, kernels started.
    _wait_for(lambda: len(list(out.glob(".tiny-*.partial-*"))) == 2
              and list(a.glob(".cx-snapshot-*")) and list(b.glob(".cx-snapshot-*")))
    os.killpg(batch.pid, signal.SIGINT)
    stdout, stderr = batch.communicate(timeout=120)
    assert batch.returncode == 130
    assert stderr.strip().splitlines() == [
        "cx run: stopped by Ctrl-C; finished reports are in place, unfinished ones were removed"]
    assert stdout == ""
    assert _no_process_left(mark) == []
    assert list(out.iterdir()) == []
    assert not list(a.glob(".cx-*")) and not list(b.glob(".cx-*"))

"""Staging: locks, publishing without a moment of no report, recovery after a killed run."""
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from cxlib.errors import RunError
from cxlib.runs import staging


def _report(folder, text):
    folder.mkdir(parents=True)
    (folder / "report.html").write_text(text, encoding="utf-8")
    return folder


def test_lock_second_holder_is_refused_with_who_holds_it(tmp_path):
    with staging.client_lock(tmp_path, "acme"):
        with pytest.raises(RunError, match=r"being written by another cx run \(pid \d+ on "):
            with staging.client_lock(tmp_path, "acme"):
                pass
    with staging.client_lock(tmp_path, "acme"):      # free again once released
        pass
    assert list(tmp_path.iterdir()) == []


def test_lock_held_by_another_process_is_refused(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from cxlib.runs import staging
        with staging.client_lock(Path({str(tmp_path)!r}), "acme"):
            print("held", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunError, match=f"pid {holder.pid}"):
            with staging.client_lock(tmp_path, "acme"):
                pass
    finally:
        holder.kill()
        holder.wait()
    with staging.client_lock(tmp_path, "acme"):      # the OS let go when it died
        pass


def test_publish_replaces_an_older_report_whole(tmp_path):
    final = _report(tmp_path / "demo", "old")
    (final / "old.txt").write_text("old")
    work = _report(staging.staging_folder(tmp_path, "demo", "t1"), "new")
    staging.publish(work, final)
    assert sorted(p.name for p in final.iterdir()) == ["report.html"]
    assert (final / "report.html").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]


def test_publish_never_leaves_a_moment_without_a_report(tmp_path):
    final = _report(tmp_path / "demo", "0")
    seen_missing = []
    done = threading.Event()

    def watch():
        while not done.is_set():
            if not (final / "report.html").exists():
                seen_missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(1, 150):
            staging.publish(_report(staging.staging_folder(tmp_path, "demo", f"t{i}"), str(i)),
                            final)
    finally:
        done.set()
        watcher.join()
    assert (final / "report.html").read_text() == "149"
    assert seen_missing == [], "a reader found no report while one was being published"


def test_publish_killed_between_the_two_renames_keeps_the_previous_report(tmp_path):
    """Where folders cannot be swapped in one step, publishing is two renames: kill -9
    between them, then the next run's recovery (or cx clean) puts the old report back."""
    final = _report(tmp_path / "demo", "previous")
    work = _report(staging.staging_folder(tmp_path, "demo", "t1"), "new")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from cxlib.runs import staging
        staging._exchange = lambda a, b: False
        rename = Path.rename
        def rename_then_die(self, target):
            rename(self, target)
            os.kill(os.getpid(), signal.SIGKILL)
        Path.rename = rename_then_die
        staging.publish(Path({str(work)!r}), Path({str(final)!r}))
    """)
    died = subprocess.run([sys.executable, "-c", script])
    assert died.returncode == -signal.SIGKILL
    assert not final.exists() and len(list(tmp_path.glob(".demo.old-*"))) == 1
    touched, busy = staging.clean(tmp_path)
    assert busy == [] and final in touched
    assert (final / "report.html").read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]


def test_recover_removes_stale_staging_and_keeps_the_report(tmp_path):
    final = _report(tmp_path / "demo", "kept")
    _report(staging.staging_folder(tmp_path, "demo", "dead1"), "half")
    _report(staging.staging_folder(tmp_path, "demo-2", "dead2"), "other client")
    with staging.client_lock(tmp_path, "demo"):
        removed = staging.recover(tmp_path, "demo")
    assert [p.name for p in removed] == [".demo.partial-dead1"]
    assert (final / "report.html").read_text() == "kept"
    assert (tmp_path / ".demo-2.partial-dead2").exists()   # another client's: not touched


def test_clean_leaves_a_running_client_alone(tmp_path):
    work = _report(staging.staging_folder(tmp_path, "busy", "live"), "working")
    _report(staging.staging_folder(tmp_path, "idle", "dead"), "half")
    with staging.client_lock(tmp_path, "busy"):
        touched, busy = staging.clean(tmp_path)
    assert busy == ["busy"] and work.exists()
    assert [p.name for p in touched] == [".idle.partial-dead"]


def test_snapshot_folder_is_in_the_client_folder_and_goes_away(tmp_path):
    client, work = tmp_path / "client", tmp_path / "work"
    client.mkdir()
    work.mkdir()
    with staging.snapshot_folder(client, work, "t1") as folder:
        assert folder.parent == client
        (folder / "survey.parquet").write_bytes(b"data")
        assert staging.remove_stale_snapshots(client) == []    # held by this run
    assert list(client.iterdir()) == []


def test_snapshot_folder_of_a_read_only_client_goes_in_staging(tmp_path, monkeypatch):
    client, work = tmp_path / "client", tmp_path / "work"
    client.mkdir()
    work.mkdir()
    mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.parent == client:
            raise PermissionError(13, "Read-only file system")
        return mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    with staging.snapshot_folder(client, work, "t1") as folder:
        assert folder.parent == work
    assert list(work.iterdir()) == [] and list(client.iterdir()) == []


def test_stale_snapshot_of_a_killed_run_is_removed(tmp_path):
    client = tmp_path / "client"
    stale = client / ".cx-snapshot-dead"
    stale.mkdir(parents=True)
    (stale / ".lock").write_text("")
    (stale / "survey.parquet").write_bytes(b"data")
    assert staging.remove_stale_snapshots(client) == [stale]
    assert list(client.iterdir()) == []


def test_a_folder_being_taken_is_not_removed_by_a_cleaner_at_that_moment(tmp_path, monkeypatch):
    """Two batch workers on one machine: one takes a new task folder (`held`) while the
    other removes unheld folders. The cleaner, run at the worst moment (just before the
    taker locks its lock file), must leave the folder: the lock file only appears locked."""
    folder = tmp_path / "task"
    folder.mkdir()
    real_flock, removed, cleaning = staging.fcntl.flock, [], []

    def flock(fd, operation):
        if not cleaning:                 # the taker's lock: a cleaner runs first
            cleaning.append(True)
            removed.extend(staging.remove_unheld([folder]))
            cleaning.clear()
        return real_flock(fd, operation)

    monkeypatch.setattr(staging.fcntl, "flock", flock)
    with staging.held(folder):
        (folder / "client.yml").write_text("name: x\n", encoding="utf-8")
        assert removed == [] and folder.is_dir() and (folder / ".lock").exists()
        monkeypatch.setattr(staging.fcntl, "flock", real_flock)
        assert staging.remove_unheld([folder]) == []      # locked: a live task's
    assert not folder.exists()

"""Where a run works before its report is whole: locks, staging, snapshots, publishing, cleaning.

Next to reports/<id>/ a run keeps, under the output folder:
  .<id>.lock            held (flock) while a run of <id> works; the OS lets go if it dies
  .<id>.partial-<run>   the report being written; moved into place only when whole
  .<id>.old-<run>       the previous report, only for a moment while publishing
and in the client's own folder the checked client its notebooks read:
  .cx-snapshot-<run>/   (Parquet), so the client's data never sits anywhere else
Whatever a killed run leaves is removed by the next run of that client or by `cx clean`,
each under the client's lock, so a run never removes another live run's files.
"""
from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import os
import secrets
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Iterator

from ..errors import RunError

_PARTIAL, _OLD, _LOCK = ".partial-", ".old-", ".lock"
SNAPSHOT_PREFIX = ".cx-snapshot-"
#: A snapshot folder without its lock file is being made for this long at most.
_UNLOCKED_GRACE_S = 60


def run_token() -> str:
    """A name for one run's working folders, unique across hosts and processes."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Lock:
    """An exclusive, non-blocking lock on a file (flock); the OS releases it when a process dies."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; return whether it was taken."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    return False
                raise
            # A cleaner may have removed the file between open and flock: lock the new one.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return True
            os.close(fd)

    def create(self) -> None:
        """Make the lock file, already locked: it is locked under a name of its own and
        then renamed into place, so that a cleaner (`remove_unheld`) never finds it there
        unlocked, between its making and its locking, and removes the folder in use."""
        fd, name = tempfile.mkstemp(prefix=f"{self.path.name}-", dir=self.path.parent)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.chmod(name, 0o644)
            os.rename(name, self.path)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
            raise
        self._fd = fd

    def note(self, text: str) -> None:
        """Say in the lock file who holds it, for the message another run shows."""
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, text.encode("utf-8"), 0)

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def release(self, remove: bool = False) -> None:
        if self._fd is None:
            return
        if remove:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@contextlib.contextmanager
def client_lock(root: Path, client_id: str) -> Iterator[Lock]:
    """Hold the lock on reports/<id>/ for a run; RunError at once if another run holds it."""
    root.mkdir(parents=True, exist_ok=True)
    lock = Lock(root / f".{client_id}{_LOCK}")
    if not lock.acquire():
        holder = lock.holder()
        raise RunError(f"{root / client_id} is being written by another cx run"
                       f"{' (' + holder + ')' if holder else ''}; wait for it to finish "
                       "(or stop it), then run again")
    lock.note(f"pid {os.getpid()} on {socket.gethostname()}, since {_now()}")
    try:
        yield lock
    finally:
        lock.release(remove=True)


def staging_folder(root: Path, client_id: str, token: str) -> Path:
    """The folder a run writes its report in before publishing it."""
    return root / f".{client_id}{_PARTIAL}{token}"


def _leftovers(root: Path, client_id: str, kind: str) -> list[Path]:
    return sorted(root.glob(f".{client_id}{kind}*"), key=lambda p: p.stat().st_mtime)


def recover(root: Path, client_id: str) -> list[Path]:
    """Undo what a killed run of `client_id` left; call it holding the client's lock.

    A publish cut between its two renames left no reports/<id>/ but the previous report
    under .<id>.old-*: it is put back. Every staging folder is removed. Returns what was
    removed or restored.
    """
    touched = []
    final = root / client_id
    previous = _leftovers(root, client_id, _OLD)
    if previous and not final.exists():
        previous[-1].rename(final)
        touched.append(final)
        previous = previous[:-1]
    for path in previous + _leftovers(root, client_id, _PARTIAL):
        shutil.rmtree(path, ignore_errors=True)
        touched.append(path)
    return touched


_libc = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def publish(staging: Path, final: Path) -> None:
    """Put a whole report in place of the previous one; reports/<id>/ is never half-written.

    Where the system can swap two folders in one step, that is done and there is no moment
    without a report; elsewhere two renames, and `recover` puts the previous report back if
    the run is killed between them.
    """
    if not final.exists():
        staging.rename(final)
        return
    if _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)      # now the previous report
        return
    old = final.with_name(f".{final.name}{_OLD}{staging.name.rpartition(_PARTIAL)[2]}")
    final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def held(folder: Path) -> Iterator[Lock]:
    """Hold a new folder with a lock file of its own while it is used; remove it afterwards.

    `remove_unheld` removes such a folder only when no live process holds it.
    """
    lock = Lock(folder / _LOCK)
    lock.create()
    try:
        yield lock
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        lock.release()


def remove_unheld(folders) -> list[Path]:
    """Remove the folders (made for `held`) that no live process holds: left by a killed one."""
    removed = []
    for folder in folders:
        lock = Lock(folder / _LOCK)
        try:
            if not (folder / _LOCK).exists():
                if time.time() - folder.stat().st_mtime < _UNLOCKED_GRACE_S:
                    continue                      # being made right now
            elif not lock.acquire():
                continue                          # a live process uses it
        except FileNotFoundError:
            continue                              # removed meanwhile
        shutil.rmtree(folder, ignore_errors=True)
        lock.release()
        removed.append(folder)
    return removed


@contextlib.contextmanager
def snapshot_folder(client_folder: Path, staging: Path, token: str) -> Iterator[Path]:
    """A folder for the run's snapshot of the client, inside the client's own folder.

    Held with a lock of its own while the run uses it, removed afterwards. Where the client's
    folder cannot be written (a read-only share), the snapshot goes in the staging folder.
    """
    folder = client_folder / f"{SNAPSHOT_PREFIX}{token}"
    try:
        folder.mkdir()
    except OSError:
        folder = staging / "snapshot"
        folder.mkdir()
    with held(folder):
        yield folder


def remove_stale_snapshots(client_folder: Path) -> list[Path]:
    """Remove snapshot folders in a client's folder that no live run holds."""
    return remove_unheld(sorted(Path(client_folder).glob(f"{SNAPSHOT_PREFIX}*")))


def clean(root: Path, client_folders: list[Path] = (),
          only: str | None = None) -> tuple[list[Path], list[str]]:
    """Remove what killed runs left under `root` and in the given client folders.

    `only`: just this client id. Returns (paths removed or restored, ids skipped because a
    run holds them).
    """
    touched, busy = [], []
    root = Path(root)
    ids = set()
    if root.is_dir():
        for path in root.glob(".*"):
            name = path.name[1:]
            for marker in (_PARTIAL, _OLD, _LOCK):
                if marker in name:
                    ids.add(name.rpartition(marker)[0] if marker != _LOCK
                            else name.removesuffix(_LOCK))
    for client_id in sorted(ids):
        if only is not None and client_id != only:
            continue
        lock = Lock(root / f".{client_id}{_LOCK}")
        if not lock.acquire():
            busy.append(client_id)
            continue
        try:
            touched += recover(root, client_id)
        finally:
            lock.release(remove=True)
    for folder in client_folders:
        touched += remove_stale_snapshots(folder)
    return touched, busy

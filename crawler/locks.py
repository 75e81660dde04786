"""One run per spider at a time: an exclusive ``flock`` on ``<data>/locks/<spider>.lock``.

The lock belongs to an open file, not to a pid written in it, so it survives crashes
cleanly: when the process holding it dies (even by SIGKILL) the kernel releases it, and
no stale file ever blocks the next run.  The scheduler takes the lock and hands the open
descriptor to the crawl process (``pass_fds``), so the crawl holds it for its lifetime.

    fd = try_lock(lock_path("data/jobs.db", "upwork"))   # None: a run is in progress

`jobtrends crawl` takes the same lock (:func:`hold_spider_locks`), so a manual crawl
never overlaps a scheduled one; a crawl started by a launcher that holds the lock for
it (the scheduler, or ``flock data/locks/upwork.lock jobtrends crawl upwork``) finds the
inherited descriptor and runs.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def lock_path(db_path: str | os.PathLike, spider: str) -> Path:
    """``data/jobs.db`` + ``upwork`` -> ``data/locks/upwork.lock``."""
    return Path(db_path).resolve().parent / "locks" / f"{spider}.lock"


def try_lock(path: str | os.PathLike) -> int | None:
    """An open descriptor holding the exclusive lock, or None when someone else holds it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    # The pid is only a hint for humans (`cat data/locks/upwork.lock`); the flock is the lock.
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def inherited(path: str | os.PathLike) -> int | None:
    """A descriptor on ``path`` this process inherited open (its launcher holds the lock
    for it), or None.  Compared by device and inode, so any path spelling matches."""
    try:
        want = os.stat(path)
    except FileNotFoundError:
        return None
    limit = min(os.sysconf("SC_OPEN_MAX"), 4096)
    for fd in range(3, limit):
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (want.st_dev, want.st_ino):
            return fd
    return None


def hold_spider_locks(db_path: str | os.PathLike, spiders: list[str]) -> list[int]:
    """Take each spider's lock for this process (released when it exits, or by
    :func:`release`); a spider whose lock another process holds is a UserError."""
    held: list[int] = []
    for spider in spiders:
        path = lock_path(db_path, spider)
        if inherited(path) is not None:
            continue
        fd = try_lock(path)
        if fd is None:
            for other in held:
                release(other)
            owner = path.read_text().strip() if path.exists() else "?"
            from crawler.errors import UserError

            raise UserError(
                f"another {spider} crawl is running (it holds {path}, pid {owner or '?'}):"
                " wait for it to finish"
            )
        held.append(fd)
    return held


def is_locked(path: str | os.PathLike) -> bool:
    fd = try_lock(path)
    if fd is None:
        return True
    release(fd)
    return False


def release(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class SpiderLock:
    """``with SpiderLock(db, "upwork") as held: if held: ...`` for in-process runs."""

    def __init__(self, db_path: str | os.PathLike, spider: str):
        self.path = lock_path(db_path, spider)
        self.fd: int | None = None

    def __enter__(self) -> bool:
        self.fd = try_lock(self.path)
        return self.fd is not None

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            release(self.fd)
            self.fd = None

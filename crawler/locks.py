"""One run per spider at a time: an exclusive ``flock`` on ``<data>/locks/<spider>.lock``.

The lock belongs to an open file, not to a pid written in it, so it survives crashes
cleanly: when the process holding it dies (even by SIGKILL) the kernel releases it, and
no stale file ever blocks the next run.  The scheduler takes the lock and hands the open
descriptor to the crawl process (``pass_fds``), so the crawl holds it for its lifetime.

    fd = try_lock(lock_path("data/jobs.db", "upwork"))   # None: a run is in progress
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

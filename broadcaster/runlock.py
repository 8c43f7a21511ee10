"""The daemon's run lock: ``<data_dir>/broadcaster.pid``, held (``flock``) while it runs.

What must not happen under a running daemon (``broadcaster restore`` replacing its database)
asks ``holder()``; the kernel drops the lock with the process, so a killed daemon leaves no
stale lock behind, only a file with an old pid in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_NAME = "broadcaster.pid"


class RunLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock and write our pid; False when another process holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock; the file stays (no race on unlink)
            self._fd = None


def holder(data_dir: Path) -> int | None:
    """The pid of the daemon running on ``data_dir`` (0 if it cannot be read), None if none."""
    path = data_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        with contextlib.suppress(ValueError, OSError):
            return int(path.read_text().strip() or 0)
        return 0
    finally:
        os.close(fd)
    return None

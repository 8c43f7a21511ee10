"""Another process holding the database's write lock, as a backup tool, a `sqlite3` shell or a
long scan transaction does (``BEGIN IMMEDIATE``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], timeout=30)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # until told to let go (or the parent dies)
connection.rollback()
"""


@contextmanager
def write_lock_held(database: Path) -> Iterator[subprocess.Popen[str]]:
    """The write lock of ``database`` held by a child process from entry to exit."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(database)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.stdin is not None:
            holder.stdin.close()  # let go
        try:
            holder.wait(10)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()

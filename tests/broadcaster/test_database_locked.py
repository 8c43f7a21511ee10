"""A database locked by another writer (a scan, a backup, a second process) makes a write wait
and retry, not fail: SQLite's busy timeout, set on every connection of the daemon's engine."""

from __future__ import annotations

import sqlite3
import threading
import time

from broadcaster.db import make_engine
from broadcaster.playlog import PlayLog
from tests.kit.factories import T0


def test_a_play_log_write_waits_for_a_lock_held_elsewhere_then_lands(tmp_path):
    path = tmp_path / "broadcaster.db"
    engine = make_engine(f"sqlite:///{path}")
    log = PlayLog(engine)
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    release = threading.Timer(1.0, other.commit)
    release.start()
    started = time.monotonic()
    row = log.open(layer="voice", kind="announcement", title="欢迎光临", requested_by="test",
                   started_at=T0)  # fmt: skip
    waited = time.monotonic() - started
    release.join()
    other.close()
    assert waited >= 0.9  # it really met the lock and waited for it
    assert [r.title for r in log.query()] == ["欢迎光临"] and row > 0
    engine.dispose()

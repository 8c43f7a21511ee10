"""A database locked by another writer (a scan, a backup, a `sqlite3` shell, a second process)
never holds up the one who writes the air's records: the writes wait in order in the writer,
the fault shows while they wait, and every row lands, in order, once the lock goes."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

from broadcaster.db import make_engine
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.writer import Writer
from tests.kit.factories import T0
from tests.kit.waiting import wait_for


def test_play_log_writes_never_wait_for_a_lock_and_land_in_order_after_it(tmp_path):
    path = tmp_path / "broadcaster.db"
    engine = make_engine(f"sqlite:///{path}")
    faults: list[str | None] = []
    writer = Writer(engine, fault_after_s=0.5)
    writer.on_fault(faults.append)
    log = PlayLog(engine, writer)
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    started = time.monotonic()
    first = log.open(layer="voice", kind="announcement", title="欢迎光临", requested_by="test",
                     started_at=T0)  # fmt: skip
    log.close(first, ended_at=T0 + timedelta(seconds=5), outcome=Outcome.COMPLETED)
    log.record(layer="voice", kind="page", title="寻人", requested_by="test", requested_at=T0,
               outcome=Outcome.EXPIRED.value)  # fmt: skip
    second = log.open(layer="bed", kind="music", title="song", requested_by="test", started_at=T0)
    assert time.monotonic() - started < 0.05  # handed over, not written
    wait_for("the fault to show", writer.fault, 5)
    assert "database" in (writer.fault() or "") and "数据库" in (writer.fault() or "")
    assert writer.pending() == 4
    other.commit()  # the lock goes
    other.close()
    assert writer.flush(5)
    rows = log.query()
    assert [(r.title, r.outcome) for r in rows] == [
        ("欢迎光临", "completed"), ("寻人", "expired"), ("song", None)]  # fmt: skip
    assert writer.fault() is None and faults[-1] is None and faults[0] is not None
    log.close(second, ended_at=T0, outcome=Outcome.PREEMPTED)
    assert [r.outcome for r in log.query()][-1] == "preempted"
    writer.stop()
    engine.dispose()


def test_a_write_that_cannot_be_made_is_dropped_and_the_others_land(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'broadcaster.db'}")
    writer = Writer(engine)
    log = PlayLog(engine, writer)

    def broken(session: object) -> None:
        raise ValueError("a bug in one write")

    log.record(layer="voice", kind="page", title="before", requested_by="test")
    writer.submit(broken)
    log.record(layer="voice", kind="page", title="after", requested_by="test")
    assert writer.flush(5)
    assert [r.title for r in log.query()] == ["before", "after"]
    writer.stop()
    engine.dispose()


def test_a_stop_with_the_database_locked_ends_in_bounded_time(tmp_path):
    path = tmp_path / "broadcaster.db"
    engine = make_engine(f"sqlite:///{path}")
    writer = Writer(engine)
    log = PlayLog(engine, writer)
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    log.record(layer="voice", kind="page", title="lost", requested_by="test")
    started = time.monotonic()
    assert writer.stop(0.5) == 1  # said, not silently lost
    assert time.monotonic() - started < 2.5
    other.rollback()
    other.close()
    engine.dispose()

"""The daemon's library thread: scans one at a time, interrupted ones marked, rescans on time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from broadcaster.db import make_engine
from broadcaster.library.jobs import LibraryJobs, interrupt_unfinished
from broadcaster.library.models import JobStatus, ScanJob
from tests.kit.media import make_tone


def now() -> datetime:
    return datetime.now(UTC)


def jobs(engine) -> list[ScanJob]:
    with Session(engine) as session:
        return list(session.exec(select(ScanJob)).all())


def wait_done(engine, count: int) -> list[ScanJob]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = jobs(engine)
        if len(found) >= count and all(j.status is JobStatus.DONE for j in found):
            return found
        time.sleep(0.05)
    raise AssertionError(f"jobs did not finish: {jobs(engine)}")


@pytest.mark.audio
def test_scans_run_at_start_on_request_and_on_the_interval_and_no_more(tmp_path):
    music = tmp_path / "music"
    make_tone(music / "a.wav", 1.0)
    engine = make_engine(f"sqlite:///{tmp_path / 'lib.db'}")
    library = LibraryJobs(engine, folders=[music], music_dir=music, now=now, rescan_every_s=1.0)
    library.start()
    try:
        first = wait_done(engine, 1)[0]
        assert first.requested_by == "daemon start" and first.measured == 1
        library.request("supervisor")
        time.sleep(2.6)  # two more intervals
    finally:
        library.stop()
    done = jobs(engine)
    assert [j.requested_by for j in done[:2]] == ["daemon start", "supervisor"]
    rescans = [j for j in done if j.requested_by == "scheduled rescan"]
    assert 1 <= len(rescans) <= 3, [j.requested_by for j in done]
    engine.dispose()


def test_jobs_left_running_by_a_stopped_daemon_are_marked_interrupted(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'lib.db'}")
    with Session(engine) as session:
        session.add(ScanJob(requested_by="x", requested_at=now(), status=JobStatus.RUNNING))
        session.add(ScanJob(requested_by="y", requested_at=now()))
        session.commit()
    assert interrupt_unfinished(engine, now()) == 2
    assert {j.status for j in jobs(engine)} == {JobStatus.INTERRUPTED}
    assert all("daemon stopped" in (j.message or "") for j in jobs(engine))
    engine.dispose()

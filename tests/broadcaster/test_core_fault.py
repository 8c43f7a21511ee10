"""A sound device that fails and comes back: the play log keeps one row for the outage and
listeners are told at once (the real device's loss and return: tests/test_output_recovery.py)."""

from __future__ import annotations

from datetime import timedelta

from broadcaster.outages import FAULT_TITLE
from tests.kit.factories import T0, make_rig


def test_an_outage_is_one_row_from_its_start_to_the_sound_coming_back(tmp_path):
    rig = make_rig(tmp_path)
    told: list[tuple[str, object]] = []
    rig.core.subscribe(lambda kind, data: told.append((kind, data.get("fault"))))
    rig.run(10)
    rig.output.set_fault("No sound is reaching the speakers")
    rig.run(0.1)
    assert told[-1] == ("fault", "No sound is reaching the speakers")
    assert rig.core.snapshot() is not None and rig.core.fault() == told[-1][1]
    rows = [r for r in rig.log() if r.kind == "fault"]
    assert [(r.title, r.outcome, r.started_at) for r in rows] == [
        (FAULT_TITLE, None, T0 + timedelta(seconds=10))
    ]
    rig.output.set_fault("No sound is reaching the speakers")  # the same fault: nothing new
    rig.run(20)
    rig.output.set_fault(None)
    rig.run(0.1)
    assert told[-1] == ("fault", None)
    rows = [r for r in rig.log() if r.kind == "fault"]
    assert len(rows) == 1
    assert (rows[0].outcome, rows[0].ended_at) == ("recovered", T0 + timedelta(seconds=30.1))
    assert "No sound is reaching the speakers" in rows[0].detail
    # Music went on being logged as before: the outage row is beside it, not instead of it.
    assert [r.kind for r in rig.log()].count("music") >= 1


def test_an_outage_still_on_when_the_daemon_stops_is_closed_as_such(tmp_path):
    rig = make_rig(tmp_path)
    rig.output.set_fault("No sound is reaching the speakers")
    rig.run(5)
    rig.core.shutdown()
    row = next(r for r in rig.log() if r.kind == "fault")
    assert row.outcome == "failed" and "daemon stopped while the fault was on" in row.detail

"""What survives a crash: queued announcements and an active emergency are kept in the database
while the core holds them, and a new run gets them back in their order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, select

from broadcaster.air_store import RESUMED, AirRequest, AirStore
from broadcaster.requests import Kind, Segment
from broadcaster.writer import Writer
from tests.kit.factories import make_rig, request


def kept(engine, writer: Writer) -> list[str]:
    """The rows as they are once every write handed to ``writer`` so far has landed."""
    assert writer.flush()
    with Session(engine) as session:
        return [r.title for r in session.exec(select(AirRequest).order_by(AirRequest.seq))]


def files(tmp_path: Path, *names: str) -> dict[str, Segment]:
    for run in ("first", "second"):
        (tmp_path / run).mkdir(exist_ok=True)
    made = {}
    for name in names:
        path = tmp_path / f"{name}.wav"
        path.write_bytes(b"RIFF")  # the fake output knows its duration; the file must exist
        made[name] = Segment(path, 5000)
    return made


def test_announcements_and_an_emergency_are_kept_until_the_core_is_done_with_them(tmp_path):
    said = files(tmp_path, "a", "b", "alert")
    rig = make_rig(tmp_path, durations={s.path: s.duration_ms for s in said.values()})
    AirStore(rig.engine, rig.playlog.writer).attach(rig.core)
    rig.done(rig.core.submit(request(title="A", segments=(said["a"],))))
    rig.done(rig.core.submit(request(title="B", segments=(said["b"],))))
    assert kept(rig.engine, rig.playlog.writer) == ["A", "B"]
    rig.run(6)  # A played in full
    assert kept(rig.engine, rig.playlog.writer) == ["B"]
    rig.done(rig.core.submit(request(Kind.PAGE, title="page")))  # the pager keeps its own
    assert kept(rig.engine, rig.playlog.writer) == ["B"]
    rig.done(rig.core.start_emergency(request(Kind.EMERGENCY, title="fire",
                                              segments=(said["alert"],))))  # fmt: skip
    assert sorted(kept(rig.engine, rig.playlog.writer)) == [
        "B",
        "fire",
    ]  # B, cut off or waiting, is still kept
    rig.done(rig.core.clear_emergency("test"))
    assert kept(rig.engine, rig.playlog.writer) == ["B"]


def test_a_new_run_gets_the_emergency_then_the_queue_in_its_moved_order(tmp_path):
    said = files(tmp_path, "a", "b", "c", "alert")
    durations = {s.path: s.duration_ms for s in said.values()}
    first = make_rig(tmp_path / "first", durations=durations)
    AirStore(first.engine, first.playlog.writer).attach(first.core)
    a = first.done(first.core.submit(request(title="A", segments=(said["a"],))))
    first.done(first.core.submit(request(title="B", segments=(said["b"],))))
    c = first.done(first.core.submit(request(title="C", segments=(said["c"],))))
    first.run(1)  # A on air; B, C wait
    first.done(first.core.move(c.id, 0, "test"))  # C before B
    first.done(first.core.start_emergency(request(Kind.EMERGENCY, title="fire",
                                                  segments=(said["alert"],))))  # fmt: skip
    first.run(1)  # A was cut off by the emergency: back at the head of the queue
    assert a.id in [r["id"] for r in first.core.snapshot()["queue"]]
    # The daemon dies here (nothing is closed). A new run, on a new core, resumes:
    assert first.playlog.writer.flush()
    with Session(first.engine) as session:
        rows_before = sorted(r.id for r in session.exec(select(AirRequest)))
    second = make_rig(tmp_path / "second", durations=durations)
    writer = Writer(first.engine)
    store = AirStore(first.engine, writer)  # the new run's store, on the same database
    store.attach(second.core)
    assert store.resume(second.core, emergency=True) == 1
    assert store.resume(second.core, emergency=False) == 3
    assert sorted(kept(first.engine, writer)) == ["A", "B", "C", "fire"]  # a crash loses nothing
    second.run(1)
    # Each resumed request took over its row: none lost, none doubled, whenever a crash comes.
    assert sorted(kept(first.engine, writer)) == ["A", "B", "C", "fire"]
    assert writer.flush()
    with Session(first.engine) as session:
        assert sorted(r.id for r in session.exec(select(AirRequest))) == rows_before
    snapshot = second.core.snapshot()
    assert snapshot["emergency"]["title"] == "fire"
    assert [r["title"] for r in snapshot["queue"]] == ["A", "C", "B"]
    (fire,) = [row for row in second.log() if row.kind == "emergency"]
    assert RESUMED in fire.detail  # the log says why it is on air again


def test_a_request_whose_file_is_gone_is_not_resumed(tmp_path):
    said = files(tmp_path, "a", "b")
    durations = {s.path: s.duration_ms for s in said.values()}
    first = make_rig(tmp_path / "first", durations=durations)
    AirStore(first.engine, first.playlog.writer).attach(first.core)
    first.done(first.core.submit(request(title="A", segments=(said["a"],))))
    first.done(first.core.submit(request(title="B", segments=(said["b"],))))
    assert first.playlog.writer.flush()
    said["a"].path.unlink()
    second = make_rig(tmp_path / "second", durations=durations)
    assert AirStore(first.engine).resume(second.core, emergency=False) == 1
    second.run(1)
    assert second.core.snapshot()["voice"]["title"] == "B"


ZONES = ("1F", "2F")


def zoned_rig(tmp_path: Path, run: str, said: dict[str, Segment], zones=ZONES):
    rig = make_rig(tmp_path / run, zones=zones,
                   durations={s.path: s.duration_ms for s in said.values()})  # fmt: skip
    rig.run(10)
    return rig


def kept_zones(engine, writer: Writer) -> dict[str, str | None]:
    assert writer.flush()
    with Session(engine) as session:
        return {r.title: r.zones for r in session.exec(select(AirRequest))}


def voices(rig, zone: str) -> list[Path]:
    return [p.path for p in rig.outputs[zone].history if p.layer == "voice"]


def test_a_partial_call_heard_in_1f_comes_back_after_a_restart_in_2f_only(tmp_path):
    """2F is held by an emergency; a partial announcement for both floors is heard in 1F and
    waits for 2F. The store keeps the zones it is still owed: after a crash it comes back in
    2F only (1F heard it already), behind 2F's emergency, and plays there once it is cleared."""
    said = files(tmp_path, "a", "alert")
    first = zoned_rig(tmp_path, "first", said)
    AirStore(first.engine, first.playlog.writer).attach(first.core)
    fire = replace(request(Kind.EMERGENCY, title="fire", segments=(said["alert"],)),
                   zones=frozenset({"2F"}))  # fmt: skip
    first.done(first.core.start_emergency(fire))
    a = replace(request(title="A", segments=(said["a"],)), zones=frozenset(ZONES), partial=True)
    first.done(first.core.submit(a))
    first.run(1)
    assert voices(first, "1F") == [said["a"].path]  # on air in 1F, waiting for 2F
    assert kept_zones(first.engine, first.playlog.writer) == {"A": "1F,2F", "fire": "2F"}
    first.run(6)  # heard in full in 1F
    assert kept_zones(first.engine, first.playlog.writer) == {"A": "2F", "fire": "2F"}
    # The daemon dies here. A new run on the same database resumes what was kept:
    second = zoned_rig(tmp_path, "second", said)
    store = AirStore(first.engine, Writer(first.engine))
    store.attach(second.core)
    assert store.resume(second.core, emergency=True) == 1
    assert store.resume(second.core, emergency=False) == 1
    second.run(6)
    assert voices(second, "1F") == []  # not again in 1F
    assert second.core.snapshot()["zones"]["2F"]["emergency"]["title"] == "fire"
    second.done(second.core.clear_emergency("test"))
    second.run(6)
    assert voices(second, "2F")[-1] == said["a"].path and voices(second, "1F") == []
    (row,) = [r for r in second.log() if r.title == "A"]
    assert (row.zones, row.outcome) == ("2F", "completed") and RESUMED in row.detail


def test_an_emergency_cleared_in_2f_comes_back_after_a_restart_in_1f_only(tmp_path):
    said = files(tmp_path, "alert")
    first = zoned_rig(tmp_path, "first", said)
    AirStore(first.engine, first.playlog.writer).attach(first.core)
    first.done(first.core.start_emergency(request(Kind.EMERGENCY, title="fire",
                                                  segments=(said["alert"],))))  # fmt: skip
    first.run(1)
    assert kept_zones(first.engine, first.playlog.writer) == {"fire": None}  # every zone
    assert first.done(first.core.clear_emergency("test", frozenset({"2F"})))
    assert kept_zones(first.engine, first.playlog.writer) == {"fire": "1F"}
    second = zoned_rig(tmp_path, "second", said)
    assert AirStore(first.engine, Writer(first.engine)).resume(second.core, emergency=True) == 1
    second.run(1)
    zones = second.core.snapshot()["zones"]
    assert zones["1F"]["emergency"]["title"] == "fire" and zones["2F"]["emergency"] is None
    assert voices(second, "2F") == [] and zones["2F"]["bed"]["mode"] == "playing"


def test_a_kept_request_plays_in_the_zones_that_remain_after_the_settings_changed(tmp_path):
    """The settings lost 2F between two runs: a request kept for 1F and 2F plays in 1F, its
    row saying 2F was left out; one kept for 2F alone is logged skipped."""
    said = files(tmp_path, "a", "b", "alert")
    first = zoned_rig(tmp_path, "first", said)
    AirStore(first.engine, first.playlog.writer).attach(first.core)
    fire = replace(request(Kind.EMERGENCY, title="fire", segments=(said["alert"],)),
                   zones=frozenset({"1F"}))  # fmt: skip
    first.done(first.core.start_emergency(fire))  # holds 1F: both wait
    first.done(first.core.submit(replace(request(title="B", segments=(said["b"],)),
                                         zones=frozenset({"2F"}))))  # fmt: skip
    first.done(first.core.submit(replace(request(title="A", segments=(said["a"],)),
                                         zones=frozenset(ZONES))))  # fmt: skip
    first.run(6)  # B played in 2F; A waits for 1F (not partial: all or nothing)
    assert kept_zones(first.engine, first.playlog.writer) == {"A": "1F,2F", "fire": "1F"}
    first.done(first.core.submit(replace(request(title="C", segments=(said["b"],)),
                                         zones=frozenset({"2F"}))))  # fmt: skip
    first.run(1)  # C on air in 2F when the daemon dies
    assert first.playlog.writer.flush()  # C's row landed (off the air path: it may lag under load)
    second = zoned_rig(tmp_path, "second", said, zones=("1F", "3F"))  # 2F removed
    assert AirStore(first.engine, Writer(first.engine)).resume(second.core, emergency=False) == 2
    second.run(6)
    assert voices(second, "1F") == [said["a"].path] and voices(second, "3F") == []
    rows = {r.title: r for r in second.log() if r.kind == "announcement"}
    assert (rows["A"].zones, rows["A"].outcome) == ("1F", "completed")
    assert "left out: 2F" in rows["A"].detail
    assert (rows["C"].zones, rows["C"].outcome) == ("2F", "skipped")
    assert "left out: 2F" in rows["C"].detail

"""What survives a crash: queued announcements and an active emergency are kept in the database
while the core holds them, and a new run gets them back in their order."""

from __future__ import annotations

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

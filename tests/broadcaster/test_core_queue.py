"""Moving a waiting request within the queue: the announcer's order, never past a priority."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from broadcaster.arbiter import move
from broadcaster.problems import Invalid
from broadcaster.requests import Kind, Request
from tests.kit.factories import ALERT, make_rig, request

ANN = [request(Kind.ANNOUNCEMENT, title=f"ann {n}", seq=n) for n in (1, 2, 3)]
PAGES = [request(Kind.PAGE, title=f"page {n}", seq=n) for n in (4, 5)]


def titles(queue: tuple[Request, ...] | list[dict]) -> list[str]:
    return [r.title if isinstance(r, Request) else r["title"] for r in queue]


@pytest.mark.parametrize(
    ("queue", "moving", "to", "order", "position", "clamped"),
    [
        ((*ANN,), ANN[2], 0, ["ann 3", "ann 1", "ann 2"], 0, False),
        ((*ANN,), ANN[0], 2, ["ann 2", "ann 3", "ann 1"], 2, False),
        ((*ANN,), ANN[1], 1, ["ann 1", "ann 2", "ann 3"], 1, False),
        ((*ANN, *PAGES), ANN[2], 0, ["page 4", "page 5", "ann 3", "ann 1", "ann 2"], 2, True),
        ((*ANN, *PAGES), PAGES[0], 4, ["page 5", "page 4", "ann 1", "ann 2", "ann 3"], 1, True),
        ((*ANN, *PAGES), PAGES[1], 0, ["page 5", "page 4", "ann 1", "ann 2", "ann 3"], 0, False),
    ],
    ids=["last to first", "first to last", "in place", "an announcement cannot pass a page",
         "a page cannot fall behind an announcement", "pages among themselves"],
)  # fmt: skip
def test_move_reorders_within_a_priority_and_clamps_at_its_edges(
    queue, moving, to, order, position, clamped
):
    moved = move(queue, moving.id, to)
    assert moved is not None
    assert titles(moved.queue) == order
    assert (moved.position, moved.clamped, moved.request.id) == (position, clamped, moving.id)
    # The run keeps its seq values between them, so the next decision keeps the order.
    assert sorted(r.seq for r in moved.queue) == sorted(r.seq for r in queue)
    assert titles(sorted(moved.queue, key=lambda r: (-r.priority, r.seq))) == order


def test_move_of_a_request_not_in_the_queue_is_none():
    assert move((*ANN,), 424242, 0) is None


def test_the_announcer_moves_the_second_waiting_announcement_first_and_it_plays_first(tmp_path):
    rig = make_rig(tmp_path)
    seen: list[tuple[str, dict]] = []
    rig.core.subscribe(lambda kind, payload: seen.append((kind, payload)))
    rig.core.submit(request(title="on air"))
    first = rig.done(rig.core.submit(request(title="first")))
    second = rig.done(rig.core.submit(request(title="second")))
    rig.run(1)
    assert titles(rig.core.snapshot()["queue"]) == ["first", "second"]

    moved = rig.done(rig.core.move(second.id, 0, "Zhou Min"))

    assert moved is not None and (moved.position, moved.was, moved.clamped) == (0, 1, False)
    assert titles(rig.core.snapshot()["queue"]) == ["second", "first"]
    event = next(payload for kind, payload in seen if kind == "queue_moved")
    assert (event["id"], event["from"], event["to"], event["by"]) == (second.id, 1, 0, "Zhou Min")
    later = rig.done(rig.core.submit(request(title="later")))
    assert titles(rig.core.snapshot()["queue"]) == ["second", "first", "later"]
    rig.run(30)
    played = [r.title for r in rig.log() if r.kind == "announcement" and r.started_at]
    assert played == ["on air", "second", "first", "later"]
    assert first.id != later.id


def test_an_announcement_cannot_jump_ahead_of_a_waiting_page(tmp_path):
    rig = make_rig(tmp_path)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="drill", segments=(ALERT,)))
    rig.run(1)  # everything else waits behind the emergency
    ann = rig.done(rig.core.submit(request(title="sale")))
    page = rig.done(rig.core.submit(request(Kind.PAGE, title="lost child")))
    assert titles(rig.core.snapshot()["queue"]) == ["lost child", "sale"]

    moved = rig.done(rig.core.move(ann.id, 0, "Zhou Min"))
    assert moved is not None and (moved.position, moved.clamped) == (1, True)
    moved = rig.done(rig.core.move(page.id, 1, "Zhou Min"))
    assert moved is not None and (moved.position, moved.clamped) == (0, True)
    assert titles(rig.core.snapshot()["queue"]) == ["lost child", "sale"]

    rig.core.clear_emergency("Zhou Min")
    rig.run(30)
    played = [r.title for r in rig.log() if r.kind != "music" and r.started_at]
    assert played == ["drill", "lost child", "sale"]


def test_only_a_waiting_request_moves_and_only_to_a_place_in_the_queue(tmp_path):
    rig = make_rig(tmp_path)
    on_air = rig.done(rig.core.submit(request(title="on air")))
    waiting = rig.done(rig.core.submit(request(title="waiting")))
    later = rig.clock.now() + timedelta(minutes=10)
    held = rig.done(rig.core.submit(replace(request(title="held"), planned_at=later)))
    rig.run(1)
    assert rig.done(rig.core.move(on_air.id, 0, "Zhou Min")) is None  # on air: not waiting
    assert rig.done(rig.core.move(held.id, 0, "Zhou Min")) is None  # not due yet
    assert rig.done(rig.core.move(424242, 0, "Zhou Min")) is None
    for place in (1, -1):
        future = rig.core.move(waiting.id, place, "Zhou Min")
        rig.core.process_pending()
        with pytest.raises(Invalid) as refused:
            future.result(timeout=0)
        assert "position" in {p.field for p in refused.value.problems}
    assert titles(rig.core.snapshot()["queue"]) == ["waiting"]

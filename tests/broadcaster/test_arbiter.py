"""The arbiter's decisions as a table of cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from broadcaster.arbiter import ArbiterState, BedMode, decide
from broadcaster.requests import Kind, Request
from tests.kit.factories import T0, request

ANN1 = request(Kind.ANNOUNCEMENT, seq=1)
ANN2 = request(Kind.ANNOUNCEMENT, seq=2)
PAGE3 = request(Kind.PAGE, seq=3)
PAGE4 = request(Kind.PAGE, seq=4)
EMER5 = request(Kind.EMERGENCY, seq=5)
EMER6 = request(Kind.EMERGENCY, seq=6)
OLD_ANN = request(Kind.ANNOUNCEMENT, seq=7, expires_in=30)
REPLAYED = Request(**{**ANN1.__dict__, "requeued": True})
LATER = T0 + timedelta(seconds=60)


def ids(requests: tuple[Request, ...]) -> list[int]:
    return [r.id for r in requests]


CASES = [
    # (name, on_air, emergency, queue, now, voice, bed, queue after, preempted, requeued, expired)
    ("idle: music plays", None, None, (), T0, None, BedMode.PLAYING, [], None, False, []),
    ("announcement takes the free voice layer", None, None, (ANN1,), T0,
     ANN1, BedMode.DUCKED, [], None, False, []),
    ("same priority: first come first served", None, None, (ANN2, ANN1), T0,
     ANN1, BedMode.DUCKED, [ANN2], None, False, []),
    ("page outranks a waiting announcement", None, None, (ANN1, PAGE3), T0,
     PAGE3, BedMode.DUCKED, [ANN1], None, False, []),
    ("announcement waits while another plays", ANN1, None, (ANN2,), T0,
     ANN1, BedMode.DUCKED, [ANN2], None, False, []),
    ("page waits while a page plays", PAGE3, None, (PAGE4,), T0,
     PAGE3, BedMode.DUCKED, [PAGE4], None, False, []),
    ("page preempts an announcement, which goes back to the head", ANN1, None, (ANN2, PAGE3), T0,
     PAGE3, BedMode.DUCKED, [ANN1, ANN2], ANN1, True, []),
    ("an announcement is put back only once", REPLAYED, None, (PAGE3,), T0,
     PAGE3, BedMode.DUCKED, [], REPLAYED, False, []),
    ("emergency stops the bed and preempts a page", PAGE3, EMER5, (ANN1,), T0,
     EMER5, BedMode.STOPPED, [PAGE3, ANN1], PAGE3, True, []),
    ("requests wait during an emergency", EMER5, EMER5, (PAGE4, ANN1), T0,
     EMER5, BedMode.STOPPED, [PAGE4, ANN1], None, False, []),
    ("second emergency replaces the first", EMER5, EMER6, (), T0,
     EMER6, BedMode.STOPPED, [], EMER5, False, []),
    ("a request not started by expires_at expires", None, None, (OLD_ANN, ANN2), LATER,
     ANN2, BedMode.DUCKED, [], None, False, [OLD_ANN]),
    ("an expired announcement is not put back", OLD_ANN, None, (PAGE3,), LATER,
     PAGE3, BedMode.DUCKED, [], OLD_ANN, False, []),
    ("expiry applies during an emergency too", EMER5, EMER5, (OLD_ANN,), LATER,
     EMER5, BedMode.STOPPED, [], None, False, [OLD_ANN]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("on_air", "emergency", "queue", "now", "voice", "bed", "after", "preempted", "requeued",
     "expired"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)  # fmt: skip
def test_decision_table(on_air, emergency, queue, now, voice, bed, after, preempted, requeued,
                        expired):  # fmt: skip
    decision = decide(ArbiterState(on_air, emergency, queue), now)
    assert (decision.voice.id if decision.voice else None) == (voice.id if voice else None)
    assert decision.bed is bed
    assert ids(decision.queue) == ids(tuple(after))
    assert (decision.preempted.id if decision.preempted else None) == (
        preempted.id if preempted else None
    )
    assert decision.requeued is requeued
    assert ids(decision.expired) == ids(tuple(expired))


def test_requeued_request_is_marked_so_it_is_not_put_back_twice():
    decision = decide(ArbiterState(ANN1, None, (PAGE3,)), T0)
    assert decision.queue[0].id == ANN1.id and decision.queue[0].requeued

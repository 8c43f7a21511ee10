"""The wall clock is stepped (an NTP correction, someone setting the time) while things play.
A real device plays on in real time, so lengths of time — how long a file played, the rest of
a track before its crossfade, the gap between emergency repeats — are measured on the clock's
monotonic reading, and timers worked out as a length move with the step; planned instants keep
their time. (Cues and the scheduler: tests/broadcaster/programme/test_clock_jumps.py.)"""

from __future__ import annotations

from datetime import timedelta

from broadcaster.clock import JumpingClock
from broadcaster.loop import EventLoop
from broadcaster.requests import Kind
from tests.kit.factories import ALERT, MESSAGE, MUSIC, SPEECH, T0, make_rig, request


def step(rig, seconds: float) -> None:  # type: ignore[no-untyped-def]
    rig.clock.jump(seconds)
    rig.output.wall_clock_stepped(seconds)


def test_an_announcement_on_air_when_the_clock_is_set_back_is_logged_completed(tmp_path):
    rig = make_rig(tmp_path, clock=JumpingClock(T0))
    rig.run(10)
    rig.core.submit(request(Kind.ANNOUNCEMENT, title="promo", segments=(SPEECH,)))
    rig.run(2)
    assert rig.output.playing("voice") == SPEECH.path
    step(rig, -120)
    rig.run(5)
    row = next(r for r in rig.log() if r.title == "promo")
    assert row.outcome == "completed", (
        row.detail
    )  # was "failed: speech.wav stopped after -115000 ms"


def test_the_bed_crossfades_after_the_tracks_length_whichever_way_the_clock_moves(tmp_path):
    for jump in (-120, 120):
        (tmp_path / str(jump)).mkdir()
        rig = make_rig(tmp_path / str(jump), clock=JumpingClock(T0))
        rig.run(60)
        step(rig, jump)
        rig.run(125)  # 185 s of the 180 s track have passed
        music = [r for r in rig.log() if r.kind == "music"]
        assert [r.media_path for r in music[:2]] == [str(MUSIC[0]), str(MUSIC[1])], jump
        assert music[0].outcome == "completed"
        assert music[0].detail == "crossfaded into the next track", (jump, music[0].detail)
        # The crossfade began 178 s after the start, read on the stepped wall clock.
        assert music[1].started_at == T0 + timedelta(seconds=178 + jump), jump


def test_emergency_repeats_keep_their_gap_when_the_clock_is_set_back(tmp_path):
    rig = make_rig(tmp_path, clock=JumpingClock(T0))
    rig.run(5)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="fire", segments=(ALERT, MESSAGE)))
    rig.run(9.5)  # the first pass (3 s + 6 s) is over: the 2 s gap runs
    assert rig.output.playing("voice") is None
    step(rig, -120)
    rig.run(2)
    assert rig.output.playing("voice") == ALERT.path  # not 2 minutes later


def test_a_duration_timer_moves_with_a_step_and_a_planned_one_keeps_its_time():
    clock = JumpingClock(T0)
    loop = EventLoop(clock)
    fired: list[str] = []
    loop.schedule(T0 + timedelta(seconds=10), lambda: fired.append("length"), duration=True)
    loop.schedule(T0 + timedelta(seconds=10), lambda: fired.append("instant"))
    clock.jump(-120)
    clock.advance(10)
    loop.process_pending()
    assert fired == ["length"]  # 10 s passed: the length is over; the instant is 2 min ahead
    clock.advance(120)
    loop.process_pending()
    assert fired == ["length", "instant"]

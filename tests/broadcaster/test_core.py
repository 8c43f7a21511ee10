"""The core's behaviour on fakes and a virtual clock: what a listener would hear, and the log."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from broadcaster.audio.output import SILENT_DB
from broadcaster.bed import BED_LAYERS
from broadcaster.requests import Kind, Segment
from tests.kit.factories import ALERT, CHIME, MESSAGE, MUSIC, SPEECH, T0, make_rig, request


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def test_music_starts_at_once_and_each_track_is_logged(tmp_path):
    rig = make_rig(tmp_path)
    assert rig.bed_playing() == MUSIC[0]
    assert rig.bed_volume() == 0.0
    rig.run(185)
    assert rig.bed_playing() == MUSIC[1]
    rows = [r for r in rig.log() if r.kind == "music"]
    assert rows[0].outcome == "completed" and rows[0].media_path == str(MUSIC[0])
    assert rows[0].ended_at == at(180) and rows[0].detail == "crossfaded into the next track"
    assert rows[1].outcome is None  # on air now
    # No gap: the next track was checked ahead and started 2 s (the crossfade) before the end.
    assert rows[1].started_at == at(178)


def test_announcement_ducks_the_bed_then_speaks_then_restores(tmp_path):
    rig = make_rig(tmp_path)
    rig.run(10)
    rig.core.submit(request(Kind.ANNOUNCEMENT, at=rig.clock.now()))
    rig.run(0.1)
    assert rig.output.playing("voice") is None  # duck first ...
    rig.run(0.05)
    assert rig.output.playing("voice") == SPEECH.path  # ... then speak
    assert rig.bed_volume() == -15.0
    rig.run(5)
    assert rig.output.playing("voice") is None
    rig.run(1)
    assert rig.bed_volume() == 0.0
    assert rig.bed_playing() == MUSIC[0]  # never stopped
    row = next(r for r in rig.log() if r.kind == "announcement")
    assert (row.outcome, row.duck_db, row.started_at) == ("completed", -15.0, at(10.15))


def test_page_plays_chime_then_speech_and_preempts_an_announcement_that_replays(tmp_path):
    rig = make_rig(tmp_path)
    ann = rig.done(rig.core.submit(request(Kind.ANNOUNCEMENT, title="promo")))
    rig.run(2)
    page = request(Kind.PAGE, title="lost child", segments=(CHIME, SPEECH), at=rig.clock.now())
    rig.core.submit(page)
    rig.run(0.01)
    assert rig.output.playing("voice") == CHIME.path
    rig.run(2)
    assert rig.output.playing("voice") == SPEECH.path
    rig.run(5)
    assert rig.output.playing("voice") == SPEECH.path  # the announcement again
    assert rig.bed_volume() == -15.0  # still ducked between the two
    rig.run(6)
    rows = [(r.title, r.outcome) for r in rig.log() if r.kind != "music"]
    assert rows == [("promo", "preempted"), ("lost child", "completed"), ("promo", "completed")]
    assert ann.id == page.id - 1


def test_emergency_stops_the_bed_repeats_until_cleared_and_music_resumes_where_it_stopped(
    tmp_path,
):
    rig = make_rig(tmp_path)
    rig.run(60)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="fire", segments=(ALERT, MESSAGE)))
    rig.run(0)
    assert rig.bed_playing() is None  # stopped, not ducked
    assert rig.output.playing("voice") == ALERT.path  # at once, no duck wait
    rig.core.submit(request(Kind.PAGE, title="lost child", segments=(CHIME, SPEECH)))
    silences, last_end = [], None
    for _ in range(400):  # watch 40 s in 100 ms steps
        rig.run(0.1)
        playing = rig.output.playing("voice")
        assert playing in (None, ALERT.path, MESSAGE.path)  # nothing else gets on air
        if playing is None and last_end is None:
            last_end = rig.clock.now()
        if playing is not None and last_end is not None:
            silences.append((rig.clock.now() - last_end).total_seconds())
            last_end = None
    assert len(silences) >= 3 and max(silences) <= 10
    rig.core.clear_emergency("supervisor")
    rig.run(0)
    assert rig.bed_playing() == MUSIC[0]
    bed_plays = [h for h in rig.output.history if h.layer in BED_LAYERS]
    assert bed_plays[-1].start_ms == 60_000  # the same track, where it stopped
    rig.run(1)
    assert rig.output.playing("voice") in (CHIME.path, SPEECH.path)  # the page waited
    rig.run(1)
    assert rig.bed_volume() == -15.0  # and the bed faded back in under it
    fire = next(r for r in rig.log() if r.kind == "emergency")
    assert fire.outcome == "completed" and "cleared by supervisor" in fire.detail


def test_second_emergency_replaces_the_first(tmp_path):
    rig = make_rig(tmp_path)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="drill", segments=(ALERT,)))
    rig.run(1)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="fire", segments=(ALERT, MESSAGE)))
    rig.run(1)
    rows = {r.title: r for r in rig.log() if r.kind == "emergency"}
    assert rows["drill"].outcome == "preempted" and "replaced" in rows["drill"].detail
    assert rows["fire"].outcome is None
    assert rig.core.snapshot()["emergency"]["title"] == "fire"


def test_request_not_started_before_it_expires_is_logged_expired(tmp_path):
    rig = make_rig(tmp_path)
    rig.core.start_emergency(request(Kind.EMERGENCY, segments=(ALERT,)))
    rig.core.submit(request(Kind.ANNOUNCEMENT, title="sale", expires_in=30, at=rig.clock.now()))
    rig.run(40)
    rig.core.clear_emergency("test")
    rig.run(10)
    sale = next(r for r in rig.log() if r.title == "sale")
    assert sale.outcome == "expired" and sale.started_at is None


def test_cancel_a_queued_and_an_on_air_request(tmp_path):
    rig = make_rig(tmp_path)
    first = rig.done(rig.core.submit(request(title="first")))
    second = rig.done(rig.core.submit(request(title="second")))
    rig.run(1)
    assert rig.done(rig.core.cancel(second.id, "announcer")) is True
    assert rig.done(rig.core.cancel(first.id, "announcer")) is True
    assert rig.done(rig.core.cancel(9999, "announcer")) is False
    rig.run(1)
    assert rig.output.playing("voice") is None
    outcomes = {r.title: r.outcome for r in rig.log() if r.kind == "announcement"}
    assert outcomes == {"first": "cancelled", "second": "cancelled"}
    rig.run(1)
    assert rig.bed_volume() == 0.0


def test_bad_tracks_in_the_bed_list_are_skipped_before_they_are_due_and_logged(tmp_path):
    missing, empty, corrupt = Path("/m/missing.mp3"), Path("/m/empty.mp3"), Path("/m/bad.mp3")
    music = [MUSIC[0], missing, empty, corrupt, MUSIC[1]]
    rig = make_rig(tmp_path, music=music, durations={empty: 0, corrupt: 0})
    rig.run(180)
    assert rig.bed_playing() == MUSIC[1]
    rows = [r for r in rig.log() if r.kind == "music"]
    failed = [r.media_path for r in rows if r.outcome == "failed"]
    assert failed == [str(missing), str(empty), str(corrupt)]
    assert rows[-1].started_at == at(178)  # no silence at all: skipped ahead of time


def test_voice_file_that_fails_is_logged_and_the_bed_comes_back(tmp_path):
    broken = Segment(Path("/audio/broken.wav"), 4000)
    rig = make_rig(tmp_path)
    rig.core.submit(request(title="broken", segments=(broken,)))
    rig.run(2)
    row = next(r for r in rig.log() if r.title == "broken")
    assert row.outcome == "failed" and "not found" in row.detail
    rig.run(1)
    assert rig.bed_volume() == 0.0


def test_status_snapshot_and_events_follow_every_change(tmp_path):
    rig = make_rig(tmp_path)
    seen: list[str] = []
    rig.core.subscribe(lambda kind, payload: seen.append(kind))
    rig.core.submit(request(title="hello"))
    rig.run(0.3)
    snap = rig.core.snapshot()
    assert snap["ducked"] is True and snap["voice"]["title"] == "hello"
    assert snap["bed"]["title"] == MUSIC[0].stem
    rig.run(6)
    assert rig.core.snapshot()["voice"] is None
    for kind in ("queued", "bed_mode", "voice_started", "voice_ended"):
        assert kind in seen


def test_silent_db_is_reported_for_a_layer_with_nothing_on_it(tmp_path):
    rig = make_rig(tmp_path)
    assert rig.output.volume_at("voice") == SILENT_DB


def test_a_voice_file_named_in_gbk_is_logged_with_its_name_kept(tmp_path):
    """A recording copied from an old Chinese Windows PC keeps its GBK bytes in its name: the
    log row is written (the name as \\xHH text, as the library keeps it), not dropped."""
    gbk = Path(os.fsdecode(b"/audio/\xb2\xe2\xca\xd4.wav"))  # 测试 in GBK
    rig = make_rig(tmp_path, durations={gbk: 4000})
    rig.core.submit(request(Kind.ANNOUNCEMENT, at=rig.clock.now(),
                            segments=(Segment(gbk, 4000),)))  # fmt: skip
    rig.run(6)
    (row,) = [r for r in rig.log() if r.kind == "announcement"]
    assert row.outcome == "completed" and row.media_path == "/audio/\\xb2\\xe2\\xca\\xd4.wav"

"""Programme cues in the core: exact starts, waiting for the track end, songs and playlists."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from broadcaster.bed_tracks import Song
from broadcaster.requests import Kind, Request
from playlists.sources import track_list
from tests.kit.factories import MUSIC, SPEECH, T0, make_rig

SONG = Path("/songs/farewell.ogg")
OTHER = [Path("/music/pop1.ogg"), Path("/music/pop2.ogg")]


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def cue(planned: float, *, grace: float = 60, after_track: bool = False, key: str = "7:x:0"):
    return Request(
        kind=Kind.ANNOUNCEMENT, title="promo", segments=(SPEECH,), requested_by="programme: promo",
        requested_at=T0, planned_at=at(planned), expires_at=at(planned + grace),
        cue_key=key, after_track=after_track,
    )  # fmt: skip


def test_a_planned_cue_ducks_ahead_and_speaks_on_its_planned_instant(tmp_path):
    rig = make_rig(tmp_path)
    rig.done(rig.core.submit(cue(60)))
    assert rig.core.snapshot()["scheduled"][0]["title"] == "promo"
    rig.run(59.8)
    assert rig.bed_volume() == 0.0  # nothing yet
    rig.run(0.1)
    assert rig.bed_volume() < 0.0  # ducking
    assert rig.output.playing("voice") is None
    rig.run(0.1)
    assert rig.output.playing("voice") == SPEECH.path
    row = next(r for r in rig.log() if r.kind == "announcement")
    assert row.started_at == row.planned_at == at(60)
    assert row.cue_key == "7:x:0"


def test_a_cue_that_waits_for_the_track_end_plays_between_tracks(tmp_path):
    rig = make_rig(tmp_path)
    rig.done(rig.core.submit(cue(30, grace=600, after_track=True)))
    rig.run(120)
    assert rig.output.playing("voice") is None  # the first track (180 s) still plays
    rig.run(61)
    assert rig.output.playing("voice") == SPEECH.path
    assert rig.bed_playing() == MUSIC[1]  # the next track runs under it, ducked
    row = next(r for r in rig.log() if r.kind == "announcement")
    # The track "ends" when the next one starts to cross-fade in, 2 s before its last sample.
    assert row.started_at is not None and at(178) <= row.started_at <= at(178.5)


def test_a_waiting_cue_cuts_in_before_its_grace_runs_out(tmp_path):
    rig = make_rig(tmp_path)
    rig.done(rig.core.submit(cue(30, grace=60, after_track=True)))
    rig.run(100)
    row = next(r for r in rig.log() if r.kind == "announcement")
    assert row.started_at is not None and at(88) <= row.started_at < at(90)
    assert row.outcome == "completed"


def test_a_cancelled_scheduled_cue_never_plays(tmp_path):
    rig = make_rig(tmp_path)
    request = rig.done(rig.core.submit(cue(60)))
    assert rig.done(rig.core.cancel(request.id, "supervisor"))
    rig.run(120)
    rows = [r for r in rig.log() if r.kind == "announcement"]
    assert [(r.outcome, r.started_at) for r in rows] == [("cancelled", None)]


def test_a_programme_song_cuts_in_on_time_and_the_playlist_goes_on_after(tmp_path):
    rig = make_rig(tmp_path, durations={SONG: 90_000})
    song = Song(SONG, "送宾曲 farewell", "programme: farewell", planned_at=at(30), cue_key="9:x:0")
    rig.done(rig.core.play_song(song, cut=True))
    rig.run(29.9)
    assert rig.bed_playing() == MUSIC[0]
    rig.run(0.2)
    assert rig.bed_playing() == SONG
    rig.run(91)
    assert rig.bed_playing() in MUSIC
    rows = [r for r in rig.log() if r.kind == "music"]
    assert (rows[0].outcome, rows[1].title, rows[1].started_at) == (
        "preempted",
        "送宾曲 farewell",
        at(30),
    )
    assert rows[1].cue_key == "9:x:0" and rows[1].outcome == "completed"


def test_a_playlist_change_waits_for_the_track_end_unless_it_cuts(tmp_path):
    rig = make_rig(tmp_path, durations={p: 60_000 for p in OTHER})
    rig.done(rig.core.set_music(lambda: track_list(OTHER), cut=False))
    rig.run(177)
    assert rig.bed_playing() == MUSIC[0]
    rig.run(2)
    assert rig.bed_playing() == OTHER[0]  # cross-fading in since 178 s
    rig.done(rig.core.set_music(lambda: track_list(MUSIC), cut=True))
    rig.run(0.1)
    assert rig.bed_playing() == MUSIC[0]
    cut = next(r for r in rig.log() if r.media_path == str(OTHER[0]))
    assert cut.outcome is None  # fading out under the new track for 2 s
    rig.run(2.5)
    cut = next(r for r in rig.log() if r.media_path == str(OTHER[0]))
    assert cut.outcome == "preempted" and cut.detail.startswith("cut for a playlist change")

"""The bed's two players: crossfades, loudness gains, cuts, ducking and emergencies mid-fade."""

from __future__ import annotations

from datetime import timedelta

import pytest

from broadcaster.audio.output import SILENT_DB
from broadcaster.bed import BED_LAYERS
from broadcaster.requests import Kind
from broadcaster.settings import AudioSettings
from tests.kit.factories import ALERT, MESSAGE, MUSIC, SPEECH, T0, make_rig, request

GAINS = {MUSIC[0]: -6.0, MUSIC[1]: 3.0, MUSIC[2]: -9.5}


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def layers_playing(rig) -> dict[str, str]:
    return {name: rig.output.playing(name).stem for name in BED_LAYERS if rig.output.playing(name)}


def test_the_next_track_crossfades_in_on_the_other_player_with_equal_power(tmp_path):
    rig = make_rig(tmp_path, gains=GAINS)
    first = rig.core.bed.current.layer
    rig.run(177.9)
    assert layers_playing(rig) == {first: "one"}
    rig.run(1.1)  # 179 s: half way through the 2 s crossfade
    second = rig.core.bed.current.layer
    assert second != first and layers_playing(rig) == {first: "one", second: "two"}
    # Each at half its power (-3 dB) on top of its own gain: together, steady loudness.
    assert rig.output.volume_at(first) == pytest.approx(-6.0 - 3.01, abs=0.05)
    assert rig.output.volume_at(second) == pytest.approx(3.0 - 3.01, abs=0.05)
    rig.run(1.5)
    assert layers_playing(rig) == {second: "two"}
    assert rig.bed_volume() == pytest.approx(3.0)


def test_every_track_plays_at_its_gain_and_ducks_from_there(tmp_path):
    rig = make_rig(tmp_path, gains=GAINS)
    assert rig.bed_volume() == -6.0
    rig.done(rig.core.submit(request(Kind.ANNOUNCEMENT, title="promo", segments=(SPEECH,))))
    rig.run(1)
    assert rig.bed_volume() == -6.0 - 15.0
    row = next(r for r in rig.log() if r.kind == "music")
    assert row.detail == "gain -6.0 dB"


def test_a_zero_crossfade_plays_the_tracks_back_to_back(tmp_path):
    rig = make_rig(tmp_path, audio=AudioSettings(crossfade_ms=0))
    rig.run(179.9)
    assert rig.bed_playing() == MUSIC[0]
    rig.run(0.2)
    assert rig.bed_playing() == MUSIC[1]
    rows = [r for r in rig.log() if r.kind == "music"]
    assert rows[0].ended_at == rows[1].started_at == at(180)


def test_speech_during_a_crossfade_ducks_the_new_track_and_sends_the_old_one_away(tmp_path):
    rig = make_rig(tmp_path)
    rig.run(178.5)
    outgoing = next(name for name in BED_LAYERS if name != rig.core.bed.current.layer)
    rig.done(rig.core.submit(request(Kind.ANNOUNCEMENT, title="promo", segments=(SPEECH,))))
    rig.run(0.2)  # the duck fade is 150 ms
    assert rig.bed_volume() == pytest.approx(-15.0)
    assert (
        rig.output.volume_at(outgoing) <= SILENT_DB + 1e-9 or rig.output.playing(outgoing) is None
    )
    rig.run(1)
    assert rig.output.playing(outgoing) is None


def test_an_emergency_mid_crossfade_silences_both_players_and_resumes_the_new_track(tmp_path):
    rig = make_rig(tmp_path)
    rig.run(179)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="fire", segments=(ALERT, MESSAGE)))
    rig.run(0)
    assert layers_playing(rig) == {}
    rows = {r.media_path: r for r in rig.log() if r.kind == "music"}
    assert rows[str(MUSIC[0])].outcome == "preempted"
    rig.core.clear_emergency("supervisor")
    rig.run(0)
    assert rig.bed_playing() == MUSIC[1]  # the track that was coming in, where it was
    assert rig.output.history[-1].start_ms == 1000


def test_a_track_that_fails_while_playing_is_replaced_at_once(tmp_path):
    rig = make_rig(tmp_path)
    rig.run(30)
    rig.output.fail(rig.core.bed.current.layer, "decoder error")
    rig.run(0)
    assert rig.bed_playing() == MUSIC[1]
    failed = next(r for r in rig.log() if r.kind == "music" and r.outcome == "failed")
    assert failed.media_path == str(MUSIC[0]) and "decoder error" in failed.detail


def test_now_playing_names_the_track_its_gain_and_the_next_one(tmp_path):
    rig = make_rig(tmp_path, gains=GAINS)
    rig.run(1)
    now = rig.core.snapshot()["bed"]["now_playing"]
    assert now["title"] == "one" and now["gain_db"] == -6.0 and now["duration_ms"] == 180_000
    assert now["next"]["title"] == "two" and now["crossfading"] is False


def test_a_track_resumed_after_an_emergency_keeps_its_gain_though_it_was_measured_meanwhile(
    tmp_path,
):
    gains = {MUSIC[0]: -6.0}  # not measured yet: the library's default gain
    rig = make_rig(tmp_path, gains=gains)
    rig.run(30)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="fire", segments=(ALERT, MESSAGE)))
    rig.run(1)
    gains[MUSIC[0]] = -11.0  # the background measurement finished during the emergency
    rig.core.clear_emergency("supervisor")
    rig.run(3)
    assert rig.bed_playing() == MUSIC[0] and rig.bed_volume() == pytest.approx(-6.0)

"""A file that fails never holds the air: set aside, logged once per failure episode, the
rotation moves on at once; no song twice in a row; an in-order list carries on where it was;
a playlist with nothing playable falls back to the whole library."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from playlists.rotation import Rotation
from playlists.sources import Listed, PlaylistSource, SetAside
from tests.kit.factories import T0, make_rig

SONGS = [Path(f"/music/{n:02d}.ogg") for n in range(1, 6)]
GOOD = {path: 60_000 for path in SONGS}  # one minute each


def listed(paths: list[Path]) -> list[Listed]:
    return [Listed(p, p.stem) for p in paths]


def shuffled(paths: list[Path], **kwargs) -> PlaylistSource:
    pool = listed(paths)
    return PlaylistSource("shuffled", lambda: pool, rotation=Rotation(seed=7), **kwargs)


def started(rig) -> list[str]:
    rows = sorted((r for r in rig.log() if r.kind == "music" and r.started_at), key=lambda r: r.id)
    return [Path(r.media_path).stem for r in rows]


def failed_rows(rig, stem: str) -> int:
    return sum(1 for r in rig.log() if r.outcome == "failed" and Path(r.media_path).stem == stem)


def test_a_missing_file_in_a_shuffle_is_logged_once_and_the_others_play_on(tmp_path):
    missing = Path("/music/gone.ogg")
    rig = make_rig(tmp_path, durations=GOOD, source=shuffled([*SONGS[:4], missing]))
    silent = 0
    for _ in range(45 * 60):  # 45 minutes, looked at every second
        rig.run(1)
        silent += rig.core.bed.current is None
    assert failed_rows(rig, "gone") == 1
    assert silent <= 1
    assert rig.core.bed.fault is None
    assert len(started(rig)) >= 44


def test_a_file_that_fails_while_playing_is_set_aside_and_not_retried_at_once(tmp_path):
    rig = make_rig(tmp_path, durations=GOOD, source=shuffled(SONGS))
    for _ in range(20):
        rig.run(0.5)
        track = rig.core.bed.current
        if track is not None and track.info.path == SONGS[0]:
            rig.output.fail(track.layer, "decoder error")
    rig.run(30 * 60)
    played = started(rig)
    assert failed_rows(rig, "01") <= 2  # the first play, and at most one after its rest
    assert all(a != b for a, b in itertools.pairwise(played))


def test_shuffle_never_plays_the_same_song_twice_in_a_row(tmp_path):
    rig = make_rig(tmp_path, durations=GOOD, source=shuffled(SONGS))
    rig.run(60 * 60)
    played = started(rig)
    assert len(played) >= 55
    twice = [a for a, b in itertools.pairwise(played) if a == b]
    assert twice == [], played[:20]


def test_an_in_order_list_carries_on_where_it_was_after_a_library_change(tmp_path):
    version = [0]
    pool = listed(SONGS)
    source = PlaylistSource("in order", lambda: pool, version=lambda: version[0])
    rig = make_rig(tmp_path, durations=GOOD, source=source)
    rig.run(2 * 60 + 30)  # 01, 02 played; 03 playing (04 already checked)
    version[0] += 1  # a scan ended, or a playlist was saved through the API
    rig.run(3 * 60)
    assert started(rig)[:6] == ["01", "02", "03", "04", "05", "01"]


def test_a_playlist_with_nothing_playable_falls_back_to_the_whole_library(tmp_path):
    aside = SetAside()
    everything = shuffled(SONGS, aside=aside)
    bad = [Path("/music/bad1.ogg"), Path("/music/bad2.ogg")]
    pool = listed(bad)
    source = PlaylistSource("bad", lambda: pool, aside=aside, fallback=lambda: everything)
    rig = make_rig(tmp_path, durations=GOOD, source=source)
    rig.run(10 * 60)
    assert len(started(rig)) >= 9 and set(started(rig)) <= {p.stem for p in SONGS}
    assert "whole library" in (rig.core.bed.fault or "")
    assert failed_rows(rig, "bad1") == failed_rows(rig, "bad2") == 1
    # Shown to people (the status's fault), but music is on air: not a fault for /health.
    assert "whole library" in (rig.core.fault() or "") and rig.core.air_fault() is None


def test_no_playable_music_is_said_only_when_nothing_plays(tmp_path):
    bad = [Path("/music/bad1.ogg"), Path("/music/bad2.ogg")]
    rig = make_rig(tmp_path, durations=GOOD, source=shuffled(bad))
    rig.run(10 * 60)
    assert rig.core.bed.current is None
    assert "no playable music" in (rig.core.bed.fault or "")
    assert "no playable music" in (rig.core.air_fault() or "")  # silence: /health says 503
    assert failed_rows(rig, "bad1") == failed_rows(rig, "bad2") == 1


def test_a_file_put_back_plays_again_after_the_next_scan_without_a_new_row(tmp_path):
    version = [0]
    durations = dict(GOOD)
    del durations[SONGS[4]]
    pool = listed(SONGS)
    source = PlaylistSource("in order", lambda: pool, version=lambda: version[0])
    rig = make_rig(tmp_path, durations=durations, source=source)
    rig.run(5 * 60)
    assert failed_rows(rig, "05") == 1 and "05" not in started(rig)
    rig.output._probe = lambda path: 60_000  # the file is back
    version[0] += 1
    rig.run(5 * 60)
    assert "05" in started(rig)
    assert failed_rows(rig, "05") == 1
    assert rig.clock.now() - T0 >= timedelta(minutes=10)

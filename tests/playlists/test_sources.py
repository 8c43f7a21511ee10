"""Bed sources: lists and folders, in order or shuffled by a rotation; re-read once per round."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playlists.rotation import Rotation, RotationRules
from playlists.sources import Listed, PlaylistSource, folder_playlist, track_list
from tests.kit.media import make_empty

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def paths(source: PlaylistSource, n: int) -> list[Path]:
    picked = [source.next_track(NOW) for _ in range(n)]
    return [t.path for t in picked if t is not None]


def test_a_list_cycles_in_order_and_keeps_entries_it_cannot_check():
    source = track_list([Path("/a.mp3"), Path("/missing.ogg")])
    assert paths(source, 4) == [Path("/a.mp3"), Path("/missing.ogg")] * 2


def test_files_added_to_a_folder_join_at_the_next_round(tmp_path):
    make_empty(tmp_path / "1.mp3")
    make_empty(tmp_path / "2.ogg")
    make_empty(tmp_path / "notes.txt")
    make_empty(tmp_path / ".hidden" / "x.mp3")
    source = folder_playlist(tmp_path)
    assert paths(source, 1) == [tmp_path / "1.mp3"]
    make_empty(tmp_path / "0.wav")
    assert paths(source, 1) == [tmp_path / "2.ogg"]  # this round goes on as it began
    assert paths(source, 3) == [tmp_path / n for n in ("0.wav", "1.mp3", "2.ogg")]


def test_an_empty_or_missing_folder_gives_nothing(tmp_path):
    assert folder_playlist(tmp_path / "nope").next_track(NOW) is None
    assert folder_playlist(tmp_path / "nope").key == folder_playlist(tmp_path / "nope").key


def test_a_shuffled_source_never_repeats_within_the_window_once_told_what_played():
    pool = [Listed(Path(f"/m/{n}.mp3"), str(n), f"artist {n % 4}") for n in range(8)]
    rotation = Rotation(
        RotationRules(no_repeat=timedelta(hours=1), artist_apart=timedelta(0)), seed=3
    )
    source = PlaylistSource("x", lambda: pool, rotation=rotation)
    heard = []
    for minute in range(0, 8 * 4, 4):  # eight 4-minute songs: all different
        now = NOW + timedelta(minutes=minute)
        track = source.next_track(now)
        assert track is not None
        source.played(track, now)
        heard.append(track.path)
    assert sorted(heard) == sorted(t.path for t in pool)


def test_a_changed_version_reloads_the_pool_at_once():
    version = [0]
    pools = {0: [Listed(Path("/a.mp3"), "a")], 1: [Listed(Path("/b.mp3"), "b")]}
    source = PlaylistSource("x", lambda: pools[version[0]], version=lambda: version[0])
    assert paths(source, 1) == [Path("/a.mp3")]
    version[0] = 1
    assert paths(source, 2) == [Path("/b.mp3")] * 2

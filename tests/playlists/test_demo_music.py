"""The synthesised demo music, encoded by the real ffmpeg and read back by ffprobe/ffmpeg."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from playlists.demo_music import PLAYLISTS, STYLES, integrated_loudness, synthesize_demo_music
from playlists.sources import AUDIO_SUFFIXES, folder_tracks
from tests.kit.analysis import peak_db, rms_db

pytestmark = pytest.mark.audio  # makes or measures sound with a real tool (tests/conftest.py)

SECONDS = 6.0


def probe(path: Path) -> tuple[float, dict[str, str]]:
    """Duration as decoded and the tags, whether the container keeps them per file (MP3) or per
    stream (Ogg)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:format_tags:stream_tags",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    info = json.loads(out)
    tags = dict(info["format"].get("tags", {}))
    for stream in info.get("streams", []):
        tags.update(stream.get("tags", {}))
    return float(info["format"]["duration"]), {k.lower(): v for k, v in tags.items()}


def decode(path: Path) -> np.ndarray:
    """All of the file, decoded by ffmpeg to 44.1 kHz float stereo, as (2, samples)."""
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2",
         "-ar", "44100", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, "<f4").reshape(-1, 2).T


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[Path]], list]:
    dest = tmp_path_factory.mktemp("music")
    calls: list[tuple[int, int, str]] = []
    result = synthesize_demo_music(
        dest,
        seconds_per_track=SECONDS,
        tracks_per_playlist=2,
        progress=lambda done, total, name: calls.append((done, total, name)),
    )
    return dest, result, calls


def test_every_playlist_gets_its_tracks_in_order(made) -> None:
    dest, result, calls = made
    assert list(result) == list(PLAYLISTS)
    for playlist, paths in result.items():
        assert len(paths) == 2
        for index, path in enumerate(paths, start=1):
            assert path.parent == dest / playlist
            assert path.name.startswith(f"{index:02d}-")
            assert path.suffix == f".{STYLES[playlist].codec}"
            assert path.suffix in AUDIO_SUFFIXES
            assert path.stat().st_size > 10_000
        assert [
            t.path for t in folder_tracks(dest / playlist)
        ] == paths  # nothing else in the folder
    assert [(done, total) for done, total, _ in calls] == [(i, 10) for i in range(1, 11)]
    assert calls[0][2] == f"piano/{result['piano'][0].name}"


def test_tracks_decode_to_their_length_with_title_and_artist(made) -> None:
    _, result, _ = made
    titles = set()
    for paths in result.values():
        for path in paths:
            duration, tags = probe(path)
            assert duration == pytest.approx(SECONDS, abs=0.1), path.name
            assert tags.get("title") and tags.get("artist"), (path.name, tags)
            assert any("\u4e00" <= c <= "\u9fff" for c in tags["title"])  # Chinese and English
            assert any(c.isascii() and c.isalpha() for c in tags["title"])
            titles.add(tags["title"])
    assert len(titles) == 2 * len(PLAYLISTS)


def test_tracks_are_music_at_a_broadcast_level_without_clipping(made) -> None:
    _, result, _ = made
    for paths in result.values():
        for path in paths:
            audio = decode(path)
            mono = audio.mean(axis=0).astype(np.float64)
            assert peak_db(audio.ravel().astype(np.float64)) < -1.0, path.name
            assert rms_db(mono, 44100, 0.5, SECONDS - 1.5) > -35, f"{path.name} is (nearly) silent"
            assert integrated_loudness(audio) == pytest.approx(-18, abs=2.5), path.name
            # Not a drone: the level moves (notes start and decay) over 100 ms windows.
            windows = [rms_db(mono, 44100, t, t + 0.1) for t in np.arange(0.5, SECONDS - 2, 0.1)]
            assert np.std(windows) > 0.5, path.name
            assert not np.allclose(audio[0], audio[1]), f"{path.name} is not stereo"


def test_tracks_are_deterministic_and_differ_from_each_other(made, tmp_path: Path) -> None:
    _, result, _ = made
    again = synthesize_demo_music(tmp_path, seconds_per_track=SECONDS, tracks_per_playlist=1)
    first = decode(result["pop"][0])
    assert np.max(np.abs(decode(again["pop"][0]) - first)) < 1e-4  # same seed, same music
    other = decode(result["pop"][1])
    assert np.max(np.abs(other[:, : first.shape[1]] - first[:, : other.shape[1]])) > 0.05


def test_a_second_run_keeps_what_exists_and_makes_only_what_is_missing(made) -> None:
    dest, result, _ = made
    before = {p: p.stat().st_mtime_ns for paths in result.values() for p in paths}
    removed = result["light"][1]
    removed.unlink()
    calls: list[tuple[int, int, str]] = []
    again = synthesize_demo_music(
        dest,
        seconds_per_track=SECONDS,
        tracks_per_playlist=2,
        progress=lambda done, total, name: calls.append((done, total, name)),
    )
    assert again == result
    assert removed.stat().st_size > 0
    for path, mtime in before.items():
        if path != removed:
            assert path.stat().st_mtime_ns == mtime, f"{path.name} was rewritten"
    assert len(calls) == 10


def test_an_empty_file_is_remade(tmp_path: Path) -> None:
    first = synthesize_demo_music(tmp_path, seconds_per_track=2, tracks_per_playlist=1)
    path = first["upbeat"][0]
    path.write_bytes(b"")
    synthesize_demo_music(tmp_path, seconds_per_track=2, tracks_per_playlist=1)
    assert path.stat().st_size > 0
    assert probe(path)[0] == pytest.approx(2, abs=0.1)

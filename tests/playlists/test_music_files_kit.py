"""The test library kit makes real, tagged, playable files of every format, quickly."""

from __future__ import annotations

from pathlib import Path

import pytest

from playlists.imports import read_playlist
from playlists.tags import read_track
from playlists.track_loudness import measure_track
from tests.kit.music_files import (
    FORMATS,
    make_gbk_m3u,
    make_library,
    plan_library,
    windows_path,
)

pytestmark = pytest.mark.audio  # makes or measures sound with a real tool (tests/conftest.py)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    dest = tmp_path_factory.mktemp("kit") / "音乐"
    return dest, make_library(dest, 60)


def test_sixty_distinct_files_of_every_format_are_made(library: tuple[Path, list[Path]]) -> None:
    dest, paths = library

    assert len(paths) == 60 and len(set(paths)) == 60
    assert {p.suffix[1:] for p in paths} == set(FORMATS)
    assert len({p.parent for p in paths}) >= 3
    assert any(any("\u4e00" <= c <= "\u9fff" for c in p.name) for p in paths)
    assert all(p.is_relative_to(dest) for p in paths)
    assert len({p.read_bytes() for p in paths}) == 60  # distinct tags, distinct files
    assert not (dest / ".bases").exists()


def test_every_file_reads_back_its_planned_tags_and_length(
    library: tuple[Path, list[Path]],
) -> None:
    dest, paths = library
    plan = plan_library(60)

    for path, track in zip(paths, plan, strict=True):
        info = read_track(path)
        assert path == dest.joinpath(*track.relative.parts)
        assert (info.title, info.artist, info.album, info.format) == (
            track.title,
            track.artist,
            track.album,
            track.format,
        ), path
        assert abs(info.duration_ms - 4000) <= 60, path
    taggings = {track.tagging for track in plan}
    assert {"id3-gbk", "info-utf8", "info-gbk", "wav-id3"} <= taggings
    assert any(track.title.isascii() for track in plan)
    assert any(not track.title.isascii() for track in plan)


def test_levels_differ_from_quiet_to_loud(library: tuple[Path, list[Path]]) -> None:
    _, paths = library
    plan = plan_library(60)
    quietest = min(range(60), key=lambda i: plan[i].level_lufs)
    loudest = max(range(60), key=lambda i: plan[i].level_lufs)

    for i in (quietest, loudest):
        assert measure_track(paths[i]).lufs == pytest.approx(plan[i].level_lufs, abs=1.5)
    assert plan[loudest].level_lufs - plan[quietest].level_lufs >= 20


def test_same_seed_same_plan_other_seed_other_plan() -> None:
    assert plan_library(30, seed=3) == plan_library(30, seed=3)
    assert plan_library(30, seed=3) != plan_library(30, seed=4)


def test_progress_is_reported_per_file(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []

    make_library(tmp_path, 7, seconds=1.0, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(i, 7) for i in range(1, 8)]


def test_gbk_m3u_with_windows_paths_imports_into_the_library(
    library: tuple[Path, list[Path]],
) -> None:
    dest, paths = library
    plan = plan_library(60)[:12]
    m3u = make_gbk_m3u(dest.parent / "歌单.m3u", [windows_path(t.relative) for t in plan])

    raw = m3u.read_bytes()
    assert raw.startswith(b"#EXTM3U\r\n") and raw.count(b"\r\n") == 13
    assert windows_path(plan[0].relative).encode("gbk") in raw
    imported = read_playlist(m3u, music_dirs=[dest], drive_roots={"D:": dest.parent})
    assert [e.path for e in imported.entries] == [p.resolve() for p in paths[:12]]
    assert imported.unresolved == ()

"""`broadcaster library scan|tracks|playlists` on a real library, as a technician runs them."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from api.cli_library import ProgressBar
from tests.kit.cli import Ran, run_cli
from tests.kit.media import make_corrupt, make_empty, make_tone
from tests.kit.music_files import make_library, plan_library


def cli(data: Path, *args: str) -> Ran:
    return run_cli(data, "library", *args)


@pytest.mark.audio
def test_scan_shows_progress_then_a_summary_and_a_rescan_finds_nothing_new(tmp_path):
    data = tmp_path / "data"
    make_library(data / "music", 6, seconds=2.0)
    make_corrupt(data / "music" / "坏.mp3")
    first = cli(data, "scan")
    assert first.returncode == 0, first.stderr
    assert "tags " in first.stderr and "loudness" in first.stderr and "100%" in first.stderr
    assert (
        "7 files: 7 added, 0 changed, 0 removed, 1 unreadable; loudness measured 6" in first.stdout
    )
    assert "新增 7" in first.stdout
    again = cli(data, "scan", "--no-loudness")
    assert "7 files: 0 added, 0 changed, 0 removed, 0 unreadable" in again.stdout
    chinese = next(t for t in plan_library(6) if not t.title.isascii())
    listed = cli(data, "tracks", chinese.title.split()[0])
    assert chinese.title in listed.stdout and " dB]" in listed.stdout
    folders = {t.relative.parts[0] for t in plan_library(6)}
    playlists = cli(data, "playlists").stdout
    assert all(f"{name}  (folder: " in playlists for name in folders), playlists


def test_the_bar_writes_one_line_per_tenth_when_not_on_a_terminal():
    out = io.StringIO()
    bar = ProgressBar(out)
    for done in range(101):
        bar.show("tags", done, 100)
    bar.end()
    lines = out.getvalue().splitlines()
    assert len(lines) == 11 and lines[-1].startswith("tags") and "100% 100/100" in lines[-1]


@pytest.mark.audio
def test_scan_and_tracks_name_each_problem_file_with_its_reason(tmp_path):
    data = tmp_path / "data"
    make_library(data / "music", 2, seconds=2.0)
    make_empty(data / "music" / "empty.mp3")
    gbk = os.fsdecode(os.fsencode(data / "music") + "/月亮.mp3".encode("gbk"))
    make_tone(Path(gbk), 2.0, 440)
    scan = cli(data, "scan")
    assert scan.returncode == 0, scan.stderr
    assert "1 files cannot be played" in scan.stdout
    assert "empty.mp3: " in scan.stdout and "文件是空的" in scan.stdout
    assert "not UTF-8" in scan.stderr and "月亮.mp3" in scan.stderr
    listed = cli(data, "tracks").stdout
    line = next(x for x in listed.splitlines() if "empty.mp3" in x)
    assert "not played: " in line and "empty" in line
    assert "月亮" in listed

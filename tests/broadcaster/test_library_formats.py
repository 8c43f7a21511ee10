"""The formats an old Chinese broadcast PC holds (WMA, AIFF, M4B, MP4 audio) are scanned and
played; other files are counted, problem files carry their reason (issue 14, items 7 and 9)."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from broadcaster.audio.output import MediaError, MediaInfo
from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.clock import SystemClock
from broadcaster.db import make_engine
from broadcaster.library.models import LibraryTrack, ScanJob
from broadcaster.library.scan import scan_tags
from tests.kit.media import make_empty, make_text, make_tone

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
FORMATS = {"a.wma": "wma", "b.aif": "aiff", "c.aiff": "aiff", "d.m4b": "m4b", "e.mp4": "mp4"}


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    for name in FORMATS:
        make_tone(folder / name, 2.0, 440)
    make_text(folder / "song.mid")
    make_text(folder / "cover.jpg")
    make_empty(folder / "empty.mp3")
    return folder


def test_old_formats_are_scanned_and_other_files_counted(music, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    job = ScanJob(requested_by="test", requested_at=NOW)
    scan_tags(engine, [music], job, now=lambda: NOW, report=lambda job: None)
    with Session(engine) as session:
        rows = {r.path.rsplit("/", 1)[1]: r for r in session.exec(select(LibraryTrack)).all()}
    assert {n: rows[n].format for n in FORMATS} == FORMATS
    assert all(rows[n].problem is None and 1900 <= rows[n].duration_ms <= 2100 for n in FORMATS)
    assert "empty" in (rows["empty.mp3"].problem or "") and "空" in (
        rows["empty.mp3"].problem or ""
    )
    assert job.message is not None and "2 other files" in job.message
    assert "1 × .mid" in job.message and "1 × .jpg" in job.message


@pytest.mark.vlc
def test_vlc_plays_every_one_of_them(music):
    output = VlcOutput(SystemClock(), output="null")
    output.start(lambda event: None)
    try:
        for name in FORMATS:
            answer: Future[MediaInfo | MediaError] = Future()
            output.preflight(music / name, answer.set_result)
            result = answer.result(timeout=10)
            assert isinstance(result, MediaInfo), (name, result)
            assert 1900 <= result.duration_ms <= 2200, (name, result.duration_ms)
    finally:
        output.close()

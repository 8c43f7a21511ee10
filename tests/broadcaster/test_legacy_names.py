"""File names that are not UTF-8 (a zip from Chinese Windows unpacks to GBK bytes): scanned,
stored losslessly, shown readably, played by VLC, exported and imported, reported once per
folder and never fatal (issue 14, item 2)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from broadcaster.actors import Actor
from broadcaster.audio.output import MediaError, MediaInfo
from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.clock import SystemClock
from broadcaster.db import make_engine
from broadcaster.library import playlist_files
from broadcaster.library.models import LibraryTrack, Playlist, ScanJob
from broadcaster.library.music import MusicLibrary
from broadcaster.library.scan import scan_tags
from playlists.names import display_name, path_text, readable, text_path
from tests.kit.media import make_tone

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
GBK_FOLDER = "解压".encode("gbk")  # 解压: "unzipped"
GBK_SONG = "月亮代表我的心".encode("gbk") + b".mp3"
BIG5_SONG = "晴天".encode("big5") + b".ogg"


def fs(*parts: bytes | str) -> Path:
    """A path from raw name bytes, as Python shows it (``surrogateescape``)."""
    return Path(os.fsdecode(os.path.join(*(os.fsencode(p) for p in parts))))


@pytest.fixture
def library(tmp_path):
    music = tmp_path / "music"
    gbk_song = make_tone(fs(music, GBK_FOLDER, GBK_SONG), 2.0, 440)
    big5_song = make_tone(fs(music, GBK_FOLDER, BIG5_SONG), 2.0, 550)
    plain = make_tone(music / "plain" / "a.wav", 2.0, 660)
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    return music, engine, [gbk_song, big5_song, plain]


def scan(engine, music: Path) -> ScanJob:
    job = ScanJob(requested_by="test", requested_at=NOW)
    scan_tags(engine, [music], job, now=lambda: NOW, report=lambda job: None, music_dir=music)
    return job


def test_the_stored_text_gives_back_the_exact_bytes_and_a_readable_name():
    for raw in (b"/m/" + GBK_SONG, "/m/月亮.mp3".encode(), b"/m/a\\xd4b.mp3", b"/m/\xff.mp3"):
        path = Path(os.fsdecode(raw))
        text = path_text(path)
        text.encode("utf-8")  # storable in SQLite and JSON
        assert os.fsencode(text_path(text)) == raw
    assert display_name(os.fsdecode(GBK_SONG)) == "月亮代表我的心.mp3"
    assert display_name(os.fsdecode(BIG5_SONG)) == "晴天.ogg"  # not GBK's 锤ぱ
    assert (
        readable(f"file not found: {os.fsdecode(GBK_SONG)}") == "file not found: 月亮代表我的心.mp3"
    )


def test_a_scan_stores_every_file_and_reports_the_folder_once(library):
    music, engine, songs = library
    job = scan(engine, music)
    assert (job.files, job.added, job.unreadable) == (3, 3, 0)
    assert job.message is not None and job.message.count("not UTF-8") == 1
    assert "解压" in job.message
    with Session(engine) as session:
        rows = session.exec(select(LibraryTrack).order_by(LibraryTrack.path)).all()
        names = {r.title for r in rows}
        assert {os.fsencode(text_path(r.path)) for r in rows} == {os.fsencode(s) for s in songs}
        folder_lists = session.exec(select(Playlist.name)).all()
    assert {"月亮代表我的心", "晴天", "a"} == names
    assert "解压" in folder_lists


def test_the_folder_playlist_plays_the_true_files_and_exports_and_imports_them(library, tmp_path):
    music, engine, songs = library
    scan(engine, music)
    lib = MusicLibrary(engine, music_dir=music, target_lufs=-23, unmeasured_gain_db=0)
    source = lib.playlist("解压")
    given = {source.next_track(NOW).path for _ in range(2)}  # type: ignore[union-attr]
    assert {os.fsencode(p) for p in given} == {os.fsencode(s) for s in songs[:2]}
    with Session(engine) as session:
        row = session.exec(select(Playlist).where(Playlist.name == "解压")).one()
        assert row.id is not None
        text = playlist_files.export_playlist(session, playlist_id=row.id, relative_to=music)
        text.encode("utf-8")
        assert "%D4%C2" in text  # 月 in GBK, percent-encoded in a file:// URL
        m3u = tmp_path / "back.m3u8"
        m3u.write_text(text, encoding="utf-8")
        copy, imported = playlist_files.import_playlist(
            session, file=m3u, name="copy", shuffle=False, actor=Actor("test", "test"),
            folders=[music], drive_roots={}, now=NOW,
        )  # fmt: skip
        assert imported.unresolved == ()
        assert [os.fsencode(e.path) for e in imported.entries] == [
            os.fsencode(p) for p in sorted(songs[:2], key=path_text)
        ]
        assert copy.id is not None


def test_a_gbk_playlist_naming_a_gbk_file_finds_it(library, tmp_path):
    music, _, songs = library
    m3u = tmp_path / "old.m3u"
    from playlists.imports import read_playlist

    m3u.write_bytes("#EXTM3U\nD:\\解压\\月亮代表我的心.mp3\n".encode("gbk"))
    result = read_playlist(m3u, music_dirs=[music], drive_roots={"D:": music})
    assert [os.fsencode(e.path) for e in result.entries] == [os.fsencode(songs[0])]


def test_a_percent_encoded_gbk_url_that_is_missing_is_refused_readably(library, tmp_path):
    music, _, _ = library
    m3u = tmp_path / "urls.m3u"
    m3u.write_text("file:///D:/%E8%A7%A3%E5%8E%8B/%D4%C2%C1%C1.mp3\n", encoding="utf-8")
    from playlists.imports import read_playlist

    result = read_playlist(m3u, music_dirs=[music], drive_roots={"D:": music})
    (missing,) = result.unresolved
    missing.reason.encode("utf-8")  # no lone surrogates: it can be stored and sent as JSON
    missing.reason_zh.encode("utf-8")


@pytest.mark.vlc
def test_vlc_checks_and_plays_a_file_whose_name_is_gbk(library):
    _, _, songs = library
    output = VlcOutput(SystemClock(), output="null")
    output.start(lambda event: None)
    try:
        from concurrent.futures import Future

        answer: Future[MediaInfo | MediaError] = Future()
        output.preflight(songs[0], answer.set_result)
        result = answer.result(timeout=10)  # before: the check raised and never answered
        assert isinstance(result, MediaInfo) and 1900 <= result.duration_ms <= 2100
    finally:
        output.close()


def test_the_bed_plays_and_logs_a_gbk_named_file(tmp_path):
    from playlists.sources import track_list
    from tests.kit.factories import make_rig

    song = fs("/music", GBK_FOLDER, GBK_SONG)
    rig = make_rig(tmp_path, durations={song: 60_000}, source=track_list([song]))
    rig.run(5)
    (row,) = [r for r in rig.log() if r.kind == "music"]
    assert row.title == "月亮代表我的心" and row.started_at is not None
    assert os.fsencode(text_path(row.media_path or "")) == os.fsencode(song)
    assert rig.core.bed.now_playing()["file"] == "月亮代表我的心.mp3"  # type: ignore[index]

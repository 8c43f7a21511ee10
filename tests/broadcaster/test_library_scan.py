"""The library scan on real files in every format (GBK tags included), and the bed's sources
built from it: tags, loudness and gains, rescans that find added, changed and removed files,
folder and list playlists, and a GBK M3U from a Windows PC imported through drive_roots."""

from __future__ import annotations

import os
import queue
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mutagen.flac import FLAC
from sqlmodel import Session, select

from broadcaster.actors import SYSTEM
from broadcaster.db import make_engine
from broadcaster.library import crud, playlist_files
from broadcaster.library import scan as scan_module
from broadcaster.library.models import LibraryTrack, Loudness, Playlist, PlaylistKind, ScanJob
from broadcaster.library.music import MusicLibrary
from broadcaster.library.scan import measure_pending, scan_tags
from broadcaster.problems import Invalid
from playlists.track_loudness import gain_db
from tests.kit.media import make_corrupt
from tests.kit.music_files import make_gbk_m3u, make_library, plan_library, windows_path

pytestmark = pytest.mark.audio  # makes or measures sound with a real tool (tests/conftest.py)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
COUNT = 12  # two files of each of the six formats


def now() -> datetime:
    return NOW


def scan(engine, folder: Path, *, loudness: bool = False) -> ScanJob:
    job = ScanJob(requested_by="test", requested_at=NOW)
    scan_tags(engine, [folder], job, now=now, report=lambda j: None, music_dir=folder)
    if loudness:
        measure_pending(engine, job, now=now, report=lambda j: None, workers=2)
    return job


def tracks(engine) -> dict[str, LibraryTrack]:
    with Session(engine) as session:
        return {Path(r.path).name: r for r in session.exec(select(LibraryTrack)).all()}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("library")
    make_library(root / "music", COUNT, seconds=3.0)
    return root / "music"


@pytest.fixture
def music(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "music"
    shutil.copytree(made, copy)
    return copy


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'lib.db'}")
    yield engine
    engine.dispose()


def test_a_scan_reads_every_format_with_chinese_and_gbk_tags_and_measures_loudness(music, engine):
    job = scan(engine, music, loudness=True)
    assert (job.files, job.added, job.unreadable) == (COUNT, COUNT, 0)
    assert (job.measured, job.measure_failed) == (COUNT, 0)
    rows = tracks(engine)
    for planned in plan_library(COUNT):
        row = rows[planned.relative.name]
        assert (row.title, row.artist, row.album) == (planned.title, planned.artist, planned.album)
        assert row.format == planned.format and 2900 <= row.duration_ms <= 3200
        assert row.loudness is Loudness.MEASURED and row.lufs is not None
        assert row.lufs == pytest.approx(planned.level_lufs, abs=1.0), planned.relative
    assert {r.format for r in rows.values()} == {"mp3", "m4a", "flac", "ogg", "opus", "wav"}
    assert any(p.tagging == "id3-gbk" for p in plan_library(COUNT))  # and it read as Chinese


def test_a_rescan_finds_added_changed_and_removed_files_and_a_file_that_came_back(music, engine):
    scan(engine, music)
    files = sorted(p for p in music.rglob("*") if p.is_file())
    flac = next(p for p in files if p.suffix == ".flac")
    gone = next(p for p in files if p.suffix == ".ogg")
    assert scan(engine, music).added == 0  # nothing new
    tags = FLAC(flac)
    tags["title"] = "新的标题"
    tags.save()
    os.utime(flac, ns=(0, flac.stat().st_mtime_ns + 10**9))
    kept = gone.read_bytes()
    gone.unlink()
    shutil.copy(files[0], music / "新歌.mp3")
    job = scan(engine, music)
    assert (job.added, job.changed, job.removed) == (1, 1, 1)
    rows = tracks(engine)
    assert rows[flac.name].title == "新的标题" and rows[flac.name].loudness is Loudness.PENDING
    assert rows[gone.name].present is False and rows[gone.name].removed_at is not None
    first_id = rows[gone.name].id
    gone.write_bytes(kept)
    job = scan(engine, music)
    assert (job.added, job.removed) == (1, 0)
    assert tracks(engine)[gone.name].id == first_id and tracks(engine)[gone.name].present


def test_bad_files_are_recorded_with_a_reason_and_never_offered_to_the_bed(music, engine):
    make_corrupt(music / "流行" / "坏文件.mp3")
    (music / "流行" / "空.flac").write_bytes(b"")
    (music / ".hidden").mkdir()
    shutil.copy(next(music.rglob("*.mp3")), music / ".hidden" / "x.mp3")
    job = scan(engine, music, loudness=True)
    assert job.unreadable == 2 and job.files == COUNT + 2
    rows = tracks(engine)
    assert "x.mp3" not in rows  # hidden folders are not music
    assert rows["坏文件.mp3"].problem and "/" in rows["坏文件.mp3"].problem  # both languages
    library = MusicLibrary(engine, music_dir=music, target_lufs=-20, unmeasured_gain_db=-6)
    offered = {t.path.name for t in library.playlist("流行")._load()}
    assert offered and "坏文件.mp3" not in offered and "空.flac" not in offered


def test_top_folders_become_playlists_and_play_at_their_measured_gain(music, engine):
    scan(engine, music, loudness=True)
    with Session(engine) as session:
        names = {p.name: p for p in session.exec(select(Playlist)).all()}
    assert {"流行", "Jazz", "轻音乐", "Ambient"} <= set(names)
    assert all(p.kind is PlaylistKind.FOLDER for p in names.values())
    asked: list[Path] = []
    library = MusicLibrary(engine, music_dir=music, target_lufs=-20, unmeasured_gain_db=-6,
                           measure_first=asked.append, seed=1)  # fmt: skip
    source = library.playlist("轻音乐")  # includes its sub-folder 钢琴
    picked = source.next_track(NOW)
    assert picked is not None and picked.path.is_relative_to(music / "轻音乐")
    row = tracks(engine)[picked.path.name]
    assert (
        library.gain_for(picked.path) == pytest.approx(-20 - row.lufs, abs=0.01) or row.lufs < -32
    )
    assert library.gain_for(music / "unknown.mp3") == -6 and asked == [music / "unknown.mp3"]


def test_a_folder_not_scanned_yet_plays_its_files_as_they_are(tmp_path, engine, made):
    library = MusicLibrary(engine, music_dir=made, target_lufs=-20, unmeasured_gain_db=-6)
    assert library.exists("Jazz") and not library.exists("nope") and not library.exists("../x")
    listed = library.playlist("Jazz")._load()
    assert listed and all(t.path.is_relative_to(made / "Jazz") for t in listed)


def test_a_scan_committing_while_the_bed_loads_a_folder_never_makes_it_look_empty(music, engine):
    """The daemon scans while the zones' beds load their music: a scan's commit landing during
    the load once made a scanned folder look empty ("no music" shown while a track played)."""
    from sqlalchemy import event

    library = MusicLibrary(engine, music_dir=music, target_lufs=-20, unmeasured_gain_db=-6)
    source = library.everything()
    scanned: list[bool] = []

    def scan_after_the_first_read(conn, cursor, statement, *args) -> None:
        if not scanned and statement.lstrip().startswith("SELECT track."):
            scanned.append(True)
            scan(engine, music)  # its own connection: committed before the load reads again

    event.listen(engine, "after_cursor_execute", scan_after_the_first_read)
    try:
        listed = source._load()
    finally:
        event.remove(engine, "after_cursor_execute", scan_after_the_first_read)
    assert scanned and len(listed) == COUNT
    assert len(source._load()) == COUNT  # and from the rows, now that it is scanned


def test_a_gbk_m3u_with_windows_paths_imports_through_drive_roots(music, engine, tmp_path):
    scan(engine, music)
    plan = plan_library(COUNT)
    lines = [windows_path(t.relative, root="D:\\") for t in plan[:4]]
    lines += ["D:\\没有这首歌.mp3", "http://radio.example/stream", "..\\..\\etc\\passwd"]
    m3u = make_gbk_m3u(tmp_path / "旧电脑.m3u", lines)
    with Session(engine) as session:
        row, imported = playlist_files.import_playlist(
            session, file=m3u, name="旧电脑", shuffle=False, actor=SYSTEM, folders=[music],
            drive_roots={"d": music}, now=NOW,
        )  # fmt: skip
        assert imported.encoding.lower() in ("gb18030", "gbk")
        assert len(imported.entries) == 4 and len(imported.unresolved) == 3
        detail = crud.playlist_detail(session, row, -20)
    assert [e.track.title for e in detail.entries] == [t.title for t in plan[:4]]
    library = MusicLibrary(engine, music_dir=music, target_lufs=-20, unmeasured_gain_db=-6)
    in_order = library.playlist("旧电脑")
    assert (
        [in_order.next_track(NOW).title for _ in range(5)]
        == [  # type: ignore[union-attr]
            *(t.title for t in plan[:4]),
            plan[0].title,
        ]
    )


def test_a_playlist_that_is_not_one_is_refused_and_nothing_is_created(music, engine, tmp_path):
    scan(engine, music)
    binary = tmp_path / "x.m3u"
    binary.write_bytes(bytes(range(256)) * 10)
    nothing = make_gbk_m3u(tmp_path / "nothing.m3u", ["C:\\别的\\歌.mp3"])
    with Session(engine) as session:
        before = crud.list_playlists(session)
        for bad in (binary, nothing):
            with pytest.raises(Invalid) as refused:
                playlist_files.import_playlist(session, file=bad, name=bad.stem, shuffle=True, actor=SYSTEM,
                                     folders=[music], drive_roots={}, now=NOW)  # fmt: skip
            assert refused.value.problems[0].field == "file"
        assert crud.list_playlists(session) == before


def test_a_measurement_of_a_file_changed_meanwhile_is_not_stored(music, engine, monkeypatch):
    scan(engine, music)
    target = next(p for p in music.rglob("*.wav"))
    real = scan_module.measure_track

    def measure_while_the_file_changes(path: Path, **kwargs):
        result = real(path, **kwargs)
        with Session(engine) as session:  # a rescan saw a new version meanwhile
            row = session.exec(select(LibraryTrack).where(LibraryTrack.path == str(path))).one()
            row.size += 1
            session.add(row)
            session.commit()
        return result

    monkeypatch.setattr(scan_module, "measure_track", measure_while_the_file_changes)
    first: queue.SimpleQueue[Path] = queue.SimpleQueue()
    first.put(target)
    job = ScanJob(requested_by="test", requested_at=NOW)
    measure_pending(engine, job, now=now, report=lambda j: None, first=first, only_first=True)
    assert tracks(engine)[target.name].loudness is Loudness.PENDING  # measured again next time
    assert sum(r.loudness is Loudness.MEASURED for r in tracks(engine).values()) == 0


def test_the_bed_hears_of_each_measurement_without_reloading_the_library(music, engine):
    scan(engine, music)
    library = MusicLibrary(engine, music_dir=music, target_lufs=-20, unmeasured_gain_db=-6)
    track = next(music.rglob("*.flac"))
    assert library.gain_for(track) == -6
    job = ScanJob(requested_by="test", requested_at=NOW)
    measure_pending(engine, job, now=now, report=lambda j: None, measured=library.measured)
    row = tracks(engine)[track.name]
    assert row.lufs is not None
    expected = gain_db(row.lufs, -20, true_peak_dbtp=row.true_peak_dbtp)
    assert expected != -6 and library.gain_for(track) == pytest.approx(expected, abs=0.01)

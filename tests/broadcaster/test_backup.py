"""Backup and restore: one archive (database snapshot, settings, recordings; not the caches),
checked before anything is replaced; refused while the daemon runs; PostgreSQL sent to pg_dump;
the nightly backup's time and retention."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import sqlite3
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from api.cli import main
from broadcaster.backup import BackupError, restore_backup, take_backup
from broadcaster.backup_nightly import NIGHTLY_PREFIX, NightlyBackup, next_run, prune
from broadcaster.clock import FakeClock
from broadcaster.db import make_engine
from broadcaster.playlog import PlayLog
from broadcaster.runlock import RunLock
from broadcaster.settings import load_settings
from tests.kit.daemon_process import free_port
from tests.kit.waiting import wait_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _room(data: Path, rows: int = 3):
    data.mkdir(parents=True)
    config = data.parent / "broadcaster.toml"
    config.write_text(
        f'data_dir = "{data}"\ntimezone = "Asia/Shanghai"\n[http]\nport = {free_port()}\n'
    )
    settings = load_settings(config)
    engine = make_engine(settings.db_url)
    log = PlayLog(engine)
    for n in range(rows):
        log.record(layer="voice", kind="announcement", title=f"通知 {n}", requested_by="tests",
                   started_at=datetime.now(UTC), ended_at=datetime.now(UTC),
                   outcome="completed")  # fmt: skip
    assert log.writer.stop() == 0  # the rows are written (the writer never blocks the caller)
    engine.dispose()
    for name in ("recordings/script-1.wav", "announcements/recorded/mic-1.webm", "songs/a.wav",
                 "cache/speech/ab/abc.wav", "tones/chime.wav", "music/轻音乐/t.mp3"):  # fmt: skip
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(name.encode() * 10)
    return settings


def _titles(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [r[0] for r in db.execute("SELECT title FROM play_log ORDER BY id")]


def test_backup_then_restore_brings_back_the_database_settings_and_recordings(tmp_path):
    settings = _room(tmp_path / "data")
    archive, manifest = take_backup(settings, tmp_path / "b.tar.gz")
    assert manifest.play_log_rows == 3 and manifest.schema
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {
        "manifest.json",
        "database/broadcaster.db",
        "settings/broadcaster.toml",
        "data/recordings/script-1.wav",
        "data/announcements/recorded/mic-1.webm",
        "data/songs/a.wav",
    } == names  # fmt: skip  (no cache, tones, music)

    other = load_settings(data_dir=tmp_path / "elsewhere")
    (tmp_path / "elsewhere" / "recordings").mkdir(parents=True)
    (tmp_path / "elsewhere" / "recordings" / "newer.wav").write_bytes(b"kept aside")
    restored, aside = restore_backup(other, archive)
    assert restored.play_log_rows == 3
    assert _titles(tmp_path / "elsewhere" / "broadcaster.db") == ["通知 0", "通知 1", "通知 2"]
    assert (tmp_path / "elsewhere" / "recordings" / "script-1.wav").is_file()
    assert (aside / "recordings" / "newer.wav").read_bytes() == b"kept aside"  # nothing lost
    assert "Asia/Shanghai" in (aside / "settings-from-backup.toml").read_text()
    make_engine(other.db_url).dispose()  # the daemon can open it (and migrate it)


def test_the_command_line_backs_up_to_the_backup_folder_and_restores(tmp_path, capsys):
    settings = _room(tmp_path / "data")
    config = str(settings.config_file)
    assert main(["--config", config, "backup"]) == 0
    (made,) = (tmp_path / "data" / "backups").glob("broadcaster-backup-*.tar.gz")
    assert "3 play-log rows" in capsys.readouterr().out
    assert main(["--config", config, "restore", str(made)]) == 0
    assert "已恢复" in capsys.readouterr().out


def _repack(archive: Path, target: Path, *, manifest=None, database: bytes | None = None) -> Path:
    with tarfile.open(archive) as old, tarfile.open(target, "w:gz") as new:
        meta = json.loads(old.extractfile("manifest.json").read())  # type: ignore[union-attr]
        if manifest:
            meta.update(manifest)
        for member in old.getmembers():
            data = old.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                data = json.dumps(meta).encode()
            elif member.name == "database/broadcaster.db" and database is not None:
                data = database
                meta["files"][member.name]["sha256"] = hashlib.sha256(data).hexdigest()
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    if database is not None:  # the manifest was written before the new checksum: again
        return _repack(target, target.with_suffix(".2.tar.gz"), manifest=meta)
    return target


WHY = {"not_a_tar": "not a backup archive", "checksum": "damaged (checksum)",
       "integrity": "integrity check", "newer_schema": "newer than this version",
       "escapes": "leaves its folder"}  # fmt: skip


@pytest.mark.parametrize("damage", list(WHY))
def test_a_bad_archive_is_refused_and_nothing_is_changed(tmp_path, damage):
    settings = _room(tmp_path / "data")
    archive, _ = take_backup(settings, tmp_path / "b.tar.gz")
    if damage == "not_a_tar":
        archive.write_bytes(b"not an archive")
    elif damage == "checksum":
        archive = _repack(archive, tmp_path / "c.tar.gz",
                          manifest={"files": {"database/broadcaster.db": {"sha256": "0" * 64}}})  # fmt: skip
    elif damage == "integrity":
        raw = bytearray((tmp_path / "data" / "broadcaster.db").read_bytes())
        for page in range(1, len(raw) // 4096):  # every b-tree page's header overwritten
            raw[page * 4096 : page * 4096 + 8] = b"\x0f" * 8
        archive = _repack(archive, tmp_path / "c.tar.gz", database=bytes(raw))
    elif damage == "newer_schema":
        archive = _repack(archive, tmp_path / "c.tar.gz", manifest={"schema": "9999"})
    else:
        files = {"../../etc/x": {"sha256": "0" * 64, "size": 1},
                 "database/broadcaster.db": {"sha256": "0", "size": 1}}  # fmt: skip
        archive = _repack(archive, tmp_path / "c.tar.gz", manifest={"files": files})
    target = load_settings(data_dir=tmp_path / "target")
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "broadcaster.db").write_bytes(b"the current database")
    with pytest.raises(BackupError, match="cannot be restored") as refused:
        restore_backup(target, archive)
    assert "无法恢复" in str(refused.value) and WHY[damage] in str(refused.value)
    assert (tmp_path / "target" / "broadcaster.db").read_bytes() == b"the current database"
    assert not list((tmp_path / "target").glob("before-restore-*"))


def test_restore_refuses_while_the_daemon_runs(tmp_path):
    settings = _room(tmp_path / "data")
    archive, _ = take_backup(settings, tmp_path / "b.tar.gz")
    lock = RunLock(settings.data_dir)
    assert lock.acquire()
    try:
        with pytest.raises(BackupError, match="the daemon runs"):
            restore_backup(settings, archive)
    finally:
        lock.release()
    with socket.socket() as listening:  # a daemon of another data folder on our port
        listening.bind(("127.0.0.1", settings.http.port))
        listening.listen()
        with pytest.raises(BackupError, match="answers on"):
            restore_backup(settings, archive)
    restore_backup(settings, archive)  # stopped: fine


def test_postgresql_is_sent_to_pg_dump(tmp_path, capsys):
    settings = load_settings(data_dir=tmp_path, database_url="postgresql://u@localhost/shop")
    with pytest.raises(BackupError, match="pg_dump") as refused:
        take_backup(settings)
    assert "请用 pg_dump" in str(refused.value)
    config = tmp_path / "pg.toml"
    config.write_text('database_url = "postgresql://u@localhost/shop"\n')
    assert main(["--config", str(config), "backup"]) == 1
    assert "pg_dump" in capsys.readouterr().err


def test_the_nightly_backup_runs_at_its_time_and_keeps_only_keep_days(tmp_path):
    at_0329 = datetime(2026, 11, 23, 3, 29, tzinfo=SHANGHAI)
    assert next_run(at_0329, "03:30", SHANGHAI) == at_0329 + timedelta(minutes=1)
    assert next_run(at_0329 + timedelta(minutes=1), "03:30", SHANGHAI) == at_0329 + timedelta(
        days=1, minutes=1
    )
    settings = _room(tmp_path / "data")
    settings.backup.keep_days = 2
    clock = FakeClock(at_0329.astimezone(UTC))
    nightly = NightlyBackup(settings, clock)
    old = settings.backup_path / f"{NIGHTLY_PREFIX}broadcaster-backup-20261101-000000.tar.gz"
    by_hand = settings.backup_path / "broadcaster-backup-20261101-000000.tar.gz"
    for path in (old, by_hand):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        three_days = (clock.now() - timedelta(days=3)).timestamp()
        os.utime(path, (three_days, three_days))
    made = nightly.run_once()
    assert made is not None and made.name.startswith(NIGHTLY_PREFIX)
    assert not old.exists() and by_hand.exists()  # only nightly archives are pruned
    assert prune(settings.backup_path, 2, clock.now()) == []


def test_the_nightly_thread_backs_up_when_its_time_comes(tmp_path):
    settings = _room(tmp_path / "data")
    clock = FakeClock(datetime(2026, 11, 23, 3, 29, 58, tzinfo=SHANGHAI).astimezone(UTC))
    nightly = NightlyBackup(settings, clock)
    nightly.start()
    try:
        assert not settings.backup_path.exists()  # not yet 03:30
        clock.advance(3)
        made = wait_for("the nightly archive",
                        lambda: next(settings.backup_path.glob(f"{NIGHTLY_PREFIX}*.tar.gz"), None),
                        10)  # fmt: skip
        assert made.name == f"{NIGHTLY_PREFIX}broadcaster-backup-20261122-193001.tar.gz"
    finally:
        nightly.stop()
    settings.backup.keep_days = 0
    off = NightlyBackup(settings, clock)
    off.start()
    assert off._thread is None  # keep_days = 0: no nightly backup

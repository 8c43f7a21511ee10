"""Backup and restore of a broadcast room: one archive with the database, the settings file,
recordings and uploaded content — taken while the daemon plays.

A SQLite database in WAL mode cannot be copied with ``cp`` while the daemon writes (the copy
mixes pages of different moments, and the newest rows sit in the ``-wal`` file). SQLite's online
backup API copies one consistent snapshot in a single read transaction instead; in WAL mode the
daemon's writes go on meanwhile. PostgreSQL has its own tool for that: ``pg_dump``.

What is not in the archive: the speech cache and the generated tones (made again on demand),
the music library's files (the store keeps the originals; the library's table of them is in
the database), and earlier backups.

The archive (``.tar.gz``):
    manifest.json            format, when, schema revision, play-log rows, every file's sha256
    database/broadcaster.db  the snapshot
    settings/broadcaster.toml  the settings file the daemon was started with (if any)
    data/<folder>/...        recordings, announcements, programme songs (CONTENT_FOLDERS)
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import socket
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import make_url

from broadcaster import runlock
from broadcaster.settings import Settings

FORMAT = 1
DB_MEMBER = "database/broadcaster.db"
SETTINGS_MEMBER = "settings/broadcaster.toml"
MANIFEST = "manifest.json"
CONTENT_FOLDERS = ("recordings", "announcements", "songs")  # in the data dir


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do, in
    English and Chinese."""


@dataclass(frozen=True)
class Manifest:
    made_at: str
    schema: str | None
    play_log_rows: int
    play_log_max_id: int
    files: dict[str, dict[str, Any]]


def sqlite_path(settings: Settings) -> Path:
    """The database file; PostgreSQL is refused with what to use instead."""
    url = make_url(settings.db_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError(
            "The database is PostgreSQL: back it up with pg_dump (e.g. `pg_dump -Fc -f "
            "broadcaster.dump DBNAME`, restore with pg_restore); `broadcaster backup` copies "
            "only a SQLite database.\n"
            "数据库是 PostgreSQL：请用 pg_dump 备份（如 `pg_dump -Fc -f broadcaster.dump 数据库名`，"
            "用 pg_restore 恢复）；`broadcaster backup` 只能备份 SQLite 数据库。"
        )
    return Path(url.database)


def default_name(now: datetime) -> str:
    return f"broadcaster-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.tar.gz"


def take_backup(settings: Settings, target: Path | None = None, *, now: datetime | None = None,
                name_prefix: str = "") -> tuple[Path, Manifest]:  # fmt: skip
    """Write the archive to ``target`` (a file, or a folder for a dated name; the backup
    folder by default) and return it with its manifest. The archive appears complete or not at
    all (written beside it, then renamed)."""
    now = now or datetime.now(UTC)
    database = sqlite_path(settings)
    if not database.is_file():
        raise BackupError(f"No database at {database}: nothing to back up.\n"
                          f"{database} 没有数据库，无需备份。")  # fmt: skip
    target = target or settings.backup_path
    if target.is_dir() or target == settings.backup_path:
        target.mkdir(parents=True, exist_ok=True)
        target = target / (name_prefix + default_name(now))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work:
        snapshot = Path(work) / "broadcaster.db"
        _snapshot(database, snapshot)
        schema, rows, max_id = _describe(snapshot)
        members = [(DB_MEMBER, snapshot)]
        config = settings.config_file
        if config is not None and config.is_file():
            members.append((SETTINGS_MEMBER, config))
        members.extend(_content_files(settings.data_dir))
        files = {name: {"size": path.stat().st_size, "sha256": _sha256(path)}
                 for name, path in members}  # fmt: skip
        manifest = Manifest(now.astimezone(UTC).isoformat(), schema, rows, max_id, files)
        try:
            with tarfile.open(partial, "w:gz", compresslevel=1) as archive:
                _add_bytes(archive, MANIFEST, json.dumps(
                    {"format": FORMAT, **manifest.__dict__}, ensure_ascii=False, indent=1
                ).encode())  # fmt: skip
                for name, path in members:
                    archive.add(path, arcname=name, recursive=False)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return target, manifest


def _snapshot(database: Path, snapshot: Path) -> None:
    """One consistent copy through the online backup API (one step: one read transaction)."""
    source = sqlite3.connect(database, timeout=15)
    copy = sqlite3.connect(snapshot)
    try:
        source.execute("PRAGMA busy_timeout=15000")
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        copy.close()
        source.close()


def _describe(database: Path) -> tuple[str | None, int, int]:
    connection = sqlite3.connect(database)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        schema = None
        if "alembic_version" in tables:
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            schema = found[0] if found else None
        rows, max_id = 0, 0
        if "play_log" in tables:
            rows, max_id = connection.execute(
                "SELECT count(*), coalesce(max(id), 0) FROM play_log"
            ).fetchone()
        return schema, rows, max_id
    finally:
        connection.close()


def _content_files(data_dir: Path) -> Iterator[tuple[str, Path]]:
    for folder in CONTENT_FOLDERS:
        root = data_dir / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            # Regular files only; a half-uploaded file is hidden (".upload-…") and skipped.
            if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                yield f"data/{path.relative_to(data_dir).as_posix()}", path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


# -- restore ---------------------------------------------------------------------------------


def check_archive(archive_path: Path, into: Path) -> Manifest:
    """Read the archive into the folder ``into`` and check everything before anything is
    changed: a known format, every file present with its checksum, names that stay inside,
    the database passing SQLite's integrity check, a schema this version knows."""
    from broadcaster.migrations import known_revisions

    def bad(why: str, why_zh: str) -> BackupError:
        return BackupError(f"{archive_path} cannot be restored: {why}\n"
                           f"{archive_path} 无法恢复：{why_zh}")  # fmt: skip

    try:
        archive = tarfile.open(archive_path, "r:*")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise bad(f"not a backup archive ({exc})", f"不是备份文件（{exc}）") from exc
    with archive:
        try:
            raw = archive.extractfile(MANIFEST)
            meta = json.loads(raw.read()) if raw else None
        except (KeyError, ValueError, tarfile.TarError) as exc:
            raise bad("it has no manifest", "缺少清单文件 manifest.json") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise bad("unknown archive format", "备份格式未知")
        manifest = Manifest(meta["made_at"], meta["schema"], meta["play_log_rows"],
                            meta["play_log_max_id"], meta["files"])  # fmt: skip
        if DB_MEMBER not in manifest.files:
            raise bad("it holds no database", "其中没有数据库")
        for name, expected in manifest.files.items():
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or parts[0] not in ("database", "settings",
                                                                         "data"):  # fmt: skip
                raise bad(f"a file name leaves its folder: {name}", f"文件名越出目录：{name}")
            try:
                member = archive.getmember(name)
                source = archive.extractfile(member) if member.isfile() else None
            except KeyError:
                source = None
            if source is None:
                raise bad(f"{name} is missing", f"缺少文件 {name}")
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            if _sha256(target) != expected["sha256"]:
                raise bad(f"{name} is damaged (checksum)", f"文件 {name} 已损坏（校验和不符）")
    database = into / DB_MEMBER
    connection = sqlite3.connect(database)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    finally:
        connection.close()
    if verdict != "ok":
        raise bad(f"the database fails its integrity check: {verdict}",
                  f"数据库完整性检查未通过：{verdict}")  # fmt: skip
    if manifest.schema is not None and manifest.schema not in known_revisions():
        raise bad(f"its schema ({manifest.schema}) is newer than this version of broadcaster",
                  f"其数据表结构（{manifest.schema}）比本程序版本新，请先升级程序")  # fmt: skip
    return manifest


def daemon_running(settings: Settings) -> str | None:
    """Why a restore must wait, or None: the run lock is held, or the HTTP port answers."""
    pid = runlock.holder(settings.data_dir)
    if pid is not None:
        return f"the daemon runs (pid {pid or '?'})"
    host = settings.http.host
    host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    try:
        with socket.create_connection((host, settings.http.port), timeout=1):
            return f"something answers on {host}:{settings.http.port}"
    except OSError:
        return None


def restore_backup(settings: Settings, archive_path: Path, *, now: datetime | None = None,
                   ) -> tuple[Manifest, Path]:  # fmt: skip
    """Check the archive, then put its database and files in place. What they replace is moved
    into ``<data_dir>/before-restore-<time>/`` (nothing is deleted); the backup's settings file
    is written beside it for the technician to compare (machine settings such as the sound
    device stay as they are). Returns the manifest and that folder."""
    busy = daemon_running(settings)
    if busy:
        raise BackupError(
            f"Not restoring while {busy}: stop it first (systemctl stop broadcaster).\n"
            f"广播程序正在运行（{busy}），不能恢复：请先停止（systemctl stop broadcaster）。"
        )
    database = sqlite_path(settings)
    now = now or datetime.now(UTC)
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as work:
        unpacked = Path(work)
        manifest = check_archive(archive_path, unpacked)
        aside = data_dir / f"before-restore-{now.astimezone(UTC):%Y%m%d-%H%M%S}"
        aside.mkdir()
        for suffix in ("", "-wal", "-shm"):
            old = database.with_name(database.name + suffix)
            if old.exists():  # (database_url may put it on another disk: move, not rename)
                shutil.move(old, aside / old.name)
        for folder in CONTENT_FOLDERS:
            if (data_dir / folder).exists():
                (data_dir / folder).replace(aside / folder)
        database.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(unpacked / DB_MEMBER, database)
        for folder in CONTENT_FOLDERS:
            if (unpacked / "data" / folder).is_dir():
                shutil.move(unpacked / "data" / folder, data_dir / folder)
        if (unpacked / SETTINGS_MEMBER).is_file():
            shutil.move(unpacked / SETTINGS_MEMBER, aside / "settings-from-backup.toml")
    return manifest, aside

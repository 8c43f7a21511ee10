"""Backups taken under load, checked from outside: the play-log rows a running daemon's database
holds at one moment, a `broadcaster backup` beside it, and which of those rows a restore lacks.
Shared by tests/test_backup_under_load.py and bench/soak.py --backup-at."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

Row = tuple[int, str, str, str | None]  # id, kind, title, requested_at


def play_log_rows(database: Path) -> dict[int, Row]:
    """Every committed row, read as another process would (WAL: the daemon keeps writing)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=15) as db:
        found = db.execute("SELECT id, kind, title, requested_at FROM play_log").fetchall()
    return {row[0]: row for row in found}


@dataclass
class BackupRun:
    before: dict[int, Row]  # the rows that existed when the backup started
    archive: Path
    seconds: float
    output: str


def backup_now(env: dict[str, str], data_dir: Path, archive: Path) -> BackupRun:
    """Note the rows, then run `broadcaster backup ARCHIVE` as a separate process."""
    before = play_log_rows(data_dir / "broadcaster.db")
    started = time.monotonic()
    made = subprocess.run(
        [sys.executable, "-m", "api.cli", "backup", str(archive)],
        env={**env, "BROADCASTER_DATA_DIR": str(data_dir)}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert made.returncode == 0, made.stderr
    return BackupRun(before, archive, seconds, made.stdout)


def restore(archive: Path, data_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    """`broadcaster restore ARCHIVE` into ``data_dir`` (a daemon must not run there)."""
    env = {**os.environ, "BROADCASTER_DATA_DIR": str(data_dir),
           "BROADCASTER_HTTP__PORT": str(port)}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "api.cli", "restore", str(archive)], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def missing_rows(before: dict[int, Row], restored: Path) -> list[Row]:
    """The rows of ``before`` that the restored database lacks or holds differently."""
    after = play_log_rows(restored)
    return [row for key, row in sorted(before.items()) if after.get(key) != row]

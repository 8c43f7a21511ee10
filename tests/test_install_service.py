"""`broadcaster install-service --root DIR`: the real install (the application built from this
checkout into a virtual environment with the system's Python, units, settings, music folder,
starter scripts, default programme, HTTPS certificate) written under a temporary root, then
looked at as the broadcast room's technician would."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from broadcaster.install import SYSTEM_PYTHON, not_world_readable
from broadcaster.settings import load_settings

CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(900)  # pip builds the application (~1 min), the voice renders 36 scripts
def test_install_into_a_temporary_root_gives_a_room_ready_but_for_music_and_admin(tmp_path):
    root = tmp_path / "root"
    python = SYSTEM_PYTHON if SYSTEM_PYTHON.exists() else Path(sys.executable)
    # pip's compiling every installed module to bytecode (about a third of the install's CPU
    # here) is pip's own, and the broadcast PC's install keeps it: skipped in the test only.
    made = subprocess.run(
        [str(python), "-m", "broadcaster.install", "--root", str(root), "--python", str(python)],
        cwd=CHECKOUT, capture_output=True, text=True, env={**os.environ, "PIP_NO_COMPILE": "1"},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-3000:]

    # The application: its own environment under /opt, runtime dependencies only, nothing
    # pointing back at the checkout, every file readable by the service user.
    venv = root / "opt/broadcaster/venv"
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "api" / "cli.py").is_file() and (site / "api" / "templates").is_dir()
    for dev_tool in ("pytest", "playwright", "ruff", "schemathesis", "hypothesis"):
        assert not (site / dev_tool).exists(), f"{dev_tool} installed on the broadcast PC"
    assert not any(str(CHECKOUT) in p.read_text() for p in site.glob("*.pth"))
    assert not_world_readable(venv / "bin" / "python") is None
    assert all(p.stat().st_mode & 0o004 for p in (site / "api").rglob("*.py"))
    assert (root / "opt/broadcaster/README.md").is_file()

    units = root / "etc/systemd/system"
    daemon_unit = (units / "broadcaster.service").read_text()
    assert "ExecStart=/opt/broadcaster/venv/bin/broadcaster --config " in daemon_unit
    for line in ("Type=notify", "Restart=always", "WatchdogSec=30", "StartLimitIntervalSec=0",
                 "Environment=PULSE_SERVER=unix:/run/pulse/native"):  # fmt: skip
        assert line in daemon_unit
    assert str(tmp_path) not in daemon_unit  # the unit names the real paths, not the root's
    assert "--system" in (units / "broadcaster-pulse.service").read_text()
    if shutil.which("systemd-analyze"):
        verify = subprocess.run(["systemd-analyze", "verify", *map(str, units.iterdir())],
                                capture_output=True, text=True)  # fmt: skip
        # The ExecStart path exists only under the temporary root.
        problems = [line for line in verify.stderr.splitlines()
                    if "/opt/broadcaster/venv/bin/broadcaster" not in line]  # fmt: skip
        assert not problems, verify.stderr
    config = root / "etc/broadcaster/broadcaster.toml"
    settings = load_settings(config)
    assert settings.data_dir == Path("/var/lib/broadcaster") and settings.audio.output == "pulse"
    assert settings.http.uses_tls  # on the store's network, over HTTPS

    # The data folder: music folder and songs folder with their README (Chinese first), the
    # starter scripts approved, the default programme, their speech rendered, the certificate.
    data = root / "var/lib/broadcaster"
    readme = (data / "music" / "README.txt").read_text()
    assert readme.startswith("背景音乐文件夹") and "Background music folder" in readme
    assert (data / "songs" / "README.txt").read_text().startswith("节目单用的歌曲")
    with sqlite3.connect(data / "broadcaster.db") as db:
        scripts = db.execute("SELECT count(*) FROM script").fetchone()[0]
        rules = db.execute("SELECT count(*) FROM programme_rule").fetchone()[0]
    assert scripts == 36 and rules > 10
    assert len(list((data / "cache" / "speech").rglob("*.wav"))) >= 36
    assert (data / "tls" / "ca.crt").is_file() and (data / "tls" / "server.key").is_file()

    # What is still missing, said by the installed application's own check.
    check = subprocess.run(
        [str(venv / "bin" / "broadcaster"), "--config", str(config), "check", "--lang", "en"],
        env={**os.environ, "BROADCASTER_DATA_DIR": str(data)}, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 1
    assert "✗ admin      no admin account yet" in check.stdout, check.stdout
    assert "✗ music      no music yet" in check.stdout
    assert "✓ https" in check.stdout and "ca.crt" in check.stdout

    # A second install keeps the technician's settings; --no-content adds no scripts.
    config.write_text(config.read_text() + "\n# edited by the technician\n")
    again = subprocess.run(
        [str(python), "-m", "broadcaster.install", "--root", str(root), "--python", str(python),
         "--no-content"], cwd=CHECKOUT, capture_output=True, text=True,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert "edited by the technician" in config.read_text()
    assert "starter scripts" not in again.stdout

"""Settings: TOML file, environment on top, clear errors that name the setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from broadcaster.settings import SettingsError, load_settings


def serve(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`broadcaster serve` with only ``env``; these tests expect it to refuse to start."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "serve"], env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_defaults_are_sensible(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.timezone == "Asia/Shanghai"
    assert (settings.http.host, settings.http.port) == ("127.0.0.1", 8000)
    assert settings.audio.duck_db == -15.0
    assert settings.db_url == f"sqlite:///{tmp_path / 'data' / 'broadcaster.db'}"
    assert settings.music_path == Path("data") / "music"
    assert settings.live_mic.source is None  # the sound server's default source
    assert settings.live_recordings_path == Path("data") / "recordings" / "live"


def test_toml_file_then_environment(tmp_path, monkeypatch):
    config = tmp_path / "b.toml"
    config.write_text(
        'data_dir = "/srv/b"\ntimezone = "Europe/Berlin"\n[audio]\nduck_db = -20\noutput = "null"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BROADCASTER_AUDIO__DUCK_DB", "-18")
    settings = load_settings(config)
    assert settings.data_dir == Path("/srv/b") and settings.timezone == "Europe/Berlin"
    assert settings.audio.output == "null"
    assert settings.audio.duck_db == -18.0  # the environment wins


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("[audio]\nduck_db = 3\n", "audio.duck_db"),
        ('timezone = "Mars/Olympus"\n', "timezone"),
        ('[audio]\noutput = "speakers"\n', "audio.output"),
        ("[http]\nport = 70000\n", "http.port"),
        ("colour = 1\n", "colour"),
        ("[audio]\nemergency_gap_ms = 60000\n", "audio.emergency_gap_ms"),
        ("[audio]\ncrossfade_ms = -1\n", "audio.crossfade_ms"),
        ('[live_mic]\nsource = "USB mic"\n', "live_mic.source"),
        ("[live_mic]\nlatency_ms = 1\n", "live_mic.latency_ms"),
        ('[library.drive_roots]\n"DD:" = "/srv/music"\n', "library.drive_roots"),
        ("[library]\nunmeasured_gain_db = 6\n", "library.unmeasured_gain_db"),
        ("[library]\nloudness_workers = 0\n", "library.loudness_workers"),
    ],
)
def test_invalid_settings_name_the_setting_in_english_and_chinese(tmp_path, content, named):
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings(config)
    message = str(error.value)
    assert named in message and "设置" in message


def test_broken_or_missing_config_file_is_reported(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("data_dir = [unclosed", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(broken)
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_daemon_refuses_to_start_with_bad_settings(tmp_path):
    env = {"BROADCASTER_AUDIO__DUCK_DB": "loud"}
    proc = serve(env, tmp_path)
    assert proc.returncode == 2
    assert "BROADCASTER_AUDIO__DUCK_DB" in proc.stderr and "设置项" in proc.stderr


def test_a_first_start_without_a_terminal_says_how_to_make_the_admin(tmp_path):
    # (stopped by the missing chime right after, so the test does not wait for a server)
    env = {"BROADCASTER_AUDIO__CHIME": str(tmp_path / "nope.wav"),
           "BROADCASTER_AUDIO__OUTPUT": "null"}  # fmt: skip
    proc = serve(env, tmp_path)
    assert "broadcaster user add NAME --role admin" in proc.stderr and "管理员" in proc.stderr


def test_a_configured_chime_that_does_not_exist_stops_start_up(tmp_path):
    env = {"BROADCASTER_AUDIO__CHIME": str(tmp_path / "nope.wav"),
           "BROADCASTER_AUDIO__OUTPUT": "null"}  # fmt: skip
    proc = serve(env, tmp_path)
    assert proc.returncode == 2 and "audio.chime" in proc.stderr and "找不到文件" in proc.stderr

"""``broadcaster check``: each check finds what is really there and says what to do."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest

from api.cli import main
from broadcaster import check, check_sound
from broadcaster.check import Status
from broadcaster.db import make_engine
from broadcaster.settings import load_settings
from tests.kit.pulse import PulseServer

Usage = namedtuple("Usage", "total used free")


def findings(settings, name):
    return [f for f in check.run_checks(settings) if f.name.startswith(name)]


def only(settings, check_function):
    (finding,) = list(check_function(settings))
    return finding


def test_a_data_dir_that_cannot_be_made_fails_with_what_to_do(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    settings = load_settings(data_dir=tmp_path / "file" / "data")
    found = only(settings, check.check_data_dir)
    assert found.status is Status.FAIL and "cannot write" in found.found
    assert "chown" in found.fix and "无法写入" in found.found_zh


def test_little_free_disk_warns_then_fails(tmp_path, monkeypatch):
    settings = load_settings(data_dir=tmp_path)
    for free_mb, status in ((5000, Status.OK), (500, Status.WARN), (50, Status.FAIL)):
        monkeypatch.setattr(shutil, "disk_usage", lambda _p, f=free_mb: Usage(0, 0, f * 2**20))
        assert only(settings, check.check_disk).status is status, free_mb


def test_the_database_is_read_without_creating_or_migrating_it(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    missing = only(settings, check.check_database)
    assert missing.status is Status.WARN and "does not exist" in missing.found
    assert not (tmp_path / "broadcaster.db").exists()
    make_engine(settings.db_url).dispose()  # what the daemon does at start
    found = only(settings, check.check_database)
    assert found.status is Status.OK and "(wal)" in found.found


@pytest.mark.vlc
def test_vlc_lists_its_audio_outputs(tmp_path):
    found = only(load_settings(data_dir=tmp_path, audio={"output": "null"}), check.check_vlc)
    assert found.status is Status.OK and "adummy" in found.found


def test_the_null_output_is_a_warning_not_a_pass(tmp_path):
    found = only(load_settings(data_dir=tmp_path, audio={"output": "null"}), check.check_sound)
    assert found.status is Status.WARN and "nothing is heard" in found.found


@pytest.mark.e2e
def test_the_test_tone_is_heard_on_the_sink_and_silence_fails(tmp_path, monkeypatch):
    with PulseServer() as pulse:
        for key, value in pulse.env.items():
            monkeypatch.setenv(key, value)
        settings = load_settings(data_dir=tmp_path, audio={"output": "pulse"})
        heard = only(settings, check.check_sound)
        assert heard.status is Status.OK, heard
        assert pulse.sink in heard.found and "dBFS" in heard.found
        monkeypatch.setattr(check_sound, "play_tone", lambda *_: None)  # VLC "plays" nothing
        silent = only(settings, check.check_sound)
        assert silent.status is Status.FAIL and "silence" in silent.found


@pytest.mark.e2e
def test_pulseaudio_falling_back_to_its_dummy_sink_fails(tmp_path, monkeypatch):
    with PulseServer(sink=check_sound.FALLBACK_SINK) as pulse:
        for key, value in pulse.env.items():
            monkeypatch.setenv(key, value)
        found = only(load_settings(data_dir=tmp_path), check.check_sound)
    assert found.status is Status.FAIL and "no sound card" in found.found
    assert "声卡" in found.found_zh and "pactl" in found.fix


def test_each_configured_voice_speaks_and_a_missing_model_fails(tmp_path):
    assert [f.status for f in findings(load_settings(data_dir=tmp_path), "voice")] == [
        Status.OK
    ] * 2
    broken = load_settings(data_dir=tmp_path, speech={"voice_en": "piper"},
                           voices={"piper": {"model": str(tmp_path / "missing.onnx")}})  # fmt: skip
    en = [f for f in check.check_voices(broken) if f.name == "voice en"]
    assert en[0].status is Status.FAIL and "piper" in en[0].found


def test_the_command_prints_a_report_and_exits_1_on_a_failure(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    config = tmp_path / "settings.toml"
    config.write_text(
        f'data_dir = "{(tmp_path / "file" / "data").as_posix()}"\n[audio]\noutput = "null"\n'
    )
    assert main(["--config", str(config), "check", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "✗ data" in out and "! sound" in out and "✓ disk" in out
    assert "✗ music" in out and "Result: 2 failed" in out  # a new room: no music yet


def test_the_emergency_content_is_checked_against_the_profile(tmp_path):
    from datetime import UTC, datetime

    from sqlmodel import Session

    from broadcaster.actors import Actor, Role
    from broadcaster.scripts import crud
    from broadcaster.scripts.models import ScriptCreate
    from scripts_library.spec import Category, Language
    from tests.kit.media import make_tone

    alert = make_tone(tmp_path / "short_alert.wav", 3, 900)
    settings = load_settings(data_dir=tmp_path, audio={"alert": str(alert)},
                             emergency={"profile": "gb50116", "message_max_s": 12})  # fmt: skip
    engine = make_engine(settings.db_url)
    supervisor, now = Actor("Wang Fang", Role.SUPERVISOR), datetime.now(UTC)
    with Session(engine) as session:
        for code, text in (("short", "Please leave the building now."),
                           ("long", "Attention please. / " * 12 + "Please leave the building.")):  # fmt: skip
            made = crud.create_script(session, data=ScriptCreate(
                code=code, title=code, category=Category.EMERGENCY, language=Language.EN,
                text=text), by=supervisor, now=now, data_dir=tmp_path)  # fmt: skip
            crud.approve(session, script_id=made.id, by=supervisor, now=now)
    engine.dispose()
    found = list(check.check_emergency(settings))
    failed = [f for f in found if f.status is Status.FAIL]
    assert len(failed) == 2, found
    assert "audio.alert" in failed[0].found and "8–20 s" in failed[0].found
    assert "“long”" in failed[1].found and "s too long" in failed[1].found
    assert "超出" in failed[1].found_zh
    (ok,) = [f for f in found if f.status is Status.OK]
    assert "short" in ok.found and "GB 50116" in ok.found

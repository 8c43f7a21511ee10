"""The espeak-ng voice, with the real espeak-ng."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts_library.voices import LANGUAGES, VOICES, EspeakVoice, Voice, VoiceError, get_voice
from tests.kit.analysis import band_level_db, load_wav, rms_db

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


def spoken_seconds(path: Path) -> float:
    samples, rate = load_wav(path)
    assert rms_db(samples, rate) > -40, f"{path.name} is silent"
    assert band_level_db(samples, rate, 200, 4000) > -40, f"{path.name} has no speech band"
    return len(samples) / rate


def test_the_registry_names_the_espeak_voice() -> None:
    assert VOICES["espeak"] is EspeakVoice
    voice = get_voice("espeak")
    assert isinstance(voice, Voice)
    assert voice.name == "espeak"
    assert LANGUAGES == ("zh-CN", "en")
    with pytest.raises(VoiceError, match="unknown voice"):
        get_voice("nobody")


def test_chinese_and_english_become_speech_of_a_plausible_length(tmp_path: Path) -> None:
    voice = EspeakVoice()
    zh = voice.render("各位顾客，欢迎光临本商场。", "zh-CN", tmp_path / "zh.wav")
    en = voice.render("Welcome to our mall. Have a pleasant day.", "en", tmp_path / "en.wav")
    assert zh == tmp_path / "zh.wav" and en == tmp_path / "en.wav"
    assert 1.5 < spoken_seconds(zh) < 10
    assert 1.5 < spoken_seconds(en) < 8
    longer = voice.render("欢迎光临。" * 4, "zh-CN", tmp_path / "long.wav")
    assert spoken_seconds(longer) > spoken_seconds(voice.render("欢迎光临。", "zh-CN", zh))


def test_a_hostile_text_is_spoken_not_executed(tmp_path: Path) -> None:
    stray = tmp_path / "x"
    tmp_x_existed = Path("/tmp/x").exists()
    text = f"-w {stray}; rm -rf / <script>alert(1)</script> $(touch {stray}) `touch {stray}`"
    out = EspeakVoice().render(text, "en", tmp_path / "out" / "hostile.wav")
    assert spoken_seconds(out) > 2  # it was read out
    assert not stray.exists()
    assert Path("/tmp/x").exists() == tmp_x_existed
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["hostile.wav", "out"]
    starts_with_dash = EspeakVoice().render("-v en-us --stdout", "en", tmp_path / "dash.wav")
    assert spoken_seconds(starts_with_dash) > 0.5


def test_failures_are_voice_errors_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="language"):
        EspeakVoice().render("Bonjour", "fr", tmp_path / "fr.wav")
    with pytest.raises(VoiceError, match="empty"):
        EspeakVoice().render("  \n", "en", tmp_path / "empty.wav")
    with pytest.raises(VoiceError, match="not installed"):
        EspeakVoice(binary="espeak-ng-missing").render("hello", "en", tmp_path / "a.wav")
    with pytest.raises(VoiceError, match=r"failed \(exit 1\)"):  # an engine that fails
        EspeakVoice(binary="false").render("hello", "en", tmp_path / "b.wav")
    assert list(tmp_path.iterdir()) == []  # no partial files left behind

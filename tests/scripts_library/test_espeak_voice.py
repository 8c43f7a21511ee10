"""The espeak-ng voice, with the real espeak-ng."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts_library.markup import Pause, Span, parse
from scripts_library.voices import LANGUAGES, VOICES, EspeakVoice, Voice, VoiceError, get_voice
from tests.kit.analysis import longest_silence_seconds, spoken_seconds

pytestmark = [
    pytest.mark.audio,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing"),
]


def test_the_registry_names_the_espeak_voice() -> None:
    assert VOICES["espeak"] is EspeakVoice
    voice = get_voice("espeak")
    assert isinstance(voice, Voice)
    assert voice.name == "espeak"
    assert voice.languages() == LANGUAGES == ("zh-CN", "en")
    with pytest.raises(VoiceError, match="unknown voice"):
        get_voice("nobody")


def test_settings_reach_the_voice_and_an_unknown_setting_is_named() -> None:
    voice = get_voice("espeak", speed_wpm=120)
    assert isinstance(voice, EspeakVoice) and voice.speed_wpm == 120
    with pytest.raises(VoiceError, match=r"voices\.espeak\.speed\b"):
        get_voice("espeak", speed=120)


def test_chinese_and_english_become_speech_of_a_plausible_length(tmp_path: Path) -> None:
    voice = EspeakVoice()
    zh = voice.render(parse("各位顾客，欢迎光临本商场。"), "zh-CN", tmp_path / "zh.wav")
    en = voice.render(parse("Welcome to our mall. Have a pleasant day."), "en", tmp_path / "en.wav")
    assert zh == tmp_path / "zh.wav" and en == tmp_path / "en.wav"
    assert 1.5 < spoken_seconds(zh) < 10
    assert 1.5 < spoken_seconds(en) < 8
    longer = voice.render(parse("欢迎光临。" * 4), "zh-CN", tmp_path / "long.wav")
    assert spoken_seconds(longer) > spoken_seconds(voice.render(parse("欢迎光临。"), "zh-CN", zh))


def test_a_pause_is_heard_as_that_much_silence(tmp_path: Path) -> None:
    voice = EspeakVoice()
    words = (Span("Attention please"), Span(" the mall closes soon"))
    paused = (Span("Attention please"), Pause(1000), Span("the mall closes soon"))
    without = spoken_seconds(voice.render(words, "en", tmp_path / "without.wav"))
    with_pause = voice.render(paused, "en", tmp_path / "with.wav")
    assert 0.8 < spoken_seconds(with_pause) - without < 1.4
    assert 0.9 < longest_silence_seconds(with_pause) < 1.3
    # The announcer's mark, in Chinese: "//" after a full stop is a long pause (0.7 s). espeak
    # makes it the whole gap, in place of the shorter pause a full stop has on its own.
    zh_plain = voice.render(parse("欢迎光临本商场。感谢您的光临。"), "zh-CN", tmp_path / "a.wav")
    zh_marked = voice.render(
        parse("欢迎光临本商场。// 感谢您的光临。"), "zh-CN", tmp_path / "b.wav"
    )
    assert longest_silence_seconds(zh_plain) < 0.55
    assert 0.6 < longest_silence_seconds(zh_marked) < 0.9
    assert spoken_seconds(zh_marked) > spoken_seconds(zh_plain) + 0.15


def test_emphasis_is_accepted_and_spoken(tmp_path: Path) -> None:
    speech = parse("本商场将于 *二十分钟后* 结束营业。")
    assert any(isinstance(part, Span) and part.emphasis for part in speech)
    out = EspeakVoice().render(speech, "zh-CN", tmp_path / "stressed.wav")
    plain = EspeakVoice().render(
        parse("本商场将于二十分钟后结束营业。"), "zh-CN", tmp_path / "p.wav"
    )
    assert spoken_seconds(out) > 0.7 * spoken_seconds(plain)


def test_ssml_special_characters_are_read_not_interpreted(tmp_path: Path) -> None:
    voice = EspeakVoice()
    before = "Prices drop"
    after = " and then the rest of this sentence is still read out loud"
    hostile = f'{before} < 5 & "more" \'today\' </speak> <break time="9s"/>{after}'
    words_only = voice.render((Span(before + after),), "en", tmp_path / "words.wav")
    out = voice.render((Span(hostile),), "en", tmp_path / "hostile.wav")
    # Longer than the words around them: the marks were read out, the words after "</speak>"
    # too, and the fake break did not become 9 s of silence.
    assert spoken_seconds(out) > spoken_seconds(words_only) + 1
    assert longest_silence_seconds(out) < 1.0


def test_a_hostile_text_is_spoken_not_executed(tmp_path: Path) -> None:
    stray = tmp_path / "x"
    tmp_x_existed = Path("/tmp/x").exists()
    text = f"-w {stray}; rm -rf / <script>alert(1)</script> $(touch {stray}) `touch {stray}`"
    out = EspeakVoice().render((Span(text),), "en", tmp_path / "out" / "hostile.wav")
    assert spoken_seconds(out) > 2  # it was read out
    assert not stray.exists()
    assert Path("/tmp/x").exists() == tmp_x_existed
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["hostile.wav", "out"]
    starts_with_dash = EspeakVoice().render(parse("-v en-us --stdout"), "en", tmp_path / "d.wav")
    assert spoken_seconds(starts_with_dash) > 0.5


def test_identity_names_the_engine_and_changes_with_speed() -> None:
    identity = EspeakVoice().identity()
    assert "espeak-ng" in identity and "cmn" in identity and "en-gb" in identity
    assert any(char.isdigit() for char in identity.split(";")[0])  # the engine's version
    assert EspeakVoice().identity() == identity
    assert EspeakVoice(speed_wpm=120).identity() != identity
    missing = EspeakVoice(binary="espeak-ng-missing").identity()
    assert "missing" in missing and missing != identity


def test_failures_are_voice_errors_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="language"):
        EspeakVoice().render(parse("Bonjour"), "fr", tmp_path / "fr.wav")
    with pytest.raises(VoiceError, match="empty"):
        EspeakVoice().render((Span("  "), Pause(300)), "en", tmp_path / "empty.wav")
    with pytest.raises(VoiceError, match="not installed"):
        EspeakVoice(binary="espeak-ng-missing").render(parse("hi"), "en", tmp_path / "a.wav")
    with pytest.raises(VoiceError, match=r"failed \(exit 1\)"):  # an engine that fails
        EspeakVoice(binary="false").render(parse("hello"), "en", tmp_path / "b.wav")
    assert list(tmp_path.iterdir()) == []  # no partial files left behind

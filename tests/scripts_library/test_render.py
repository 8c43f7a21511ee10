"""Rendering notices: trimmed, at the target loudness under the peak ceiling, one file per
notice, cached by everything that changes the sound, and nothing half-written left behind."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scripts_library.markup import MarkupError, Speech
from scripts_library.render import (
    NothingToSay,
    Rendered,
    Renderer,
    RenderError,
    RenderSettings,
    measure_lufs,
)
from scripts_library.voices import LANGUAGES, EspeakVoice, VoiceError
from tests.kit.analysis import load_wav, peak_db

TARGET = RenderSettings().target_lufs
EDGE_S = RenderSettings().edge_ms / 1000
GAP_S = RenderSettings().language_gap_ms / 1000
AUDIBLE = 10 ** (-40 / 20)  # well above the fake voices' noise floor, even after the gain


class ToneVoice:
    """A fake voice: ``seconds`` of a sine (or noise) at ``level_db`` dBFS between ``lead_s``
    and ``tail_s`` of a faint noise floor. Counts its calls; can fail, be silent or add peaks."""

    name = "tone"

    def __init__(
        self,
        *,
        level_db: float = -20.0,
        seconds: float = 1.0,
        lead_s: float = 0.5,
        tail_s: float = 0.5,
        noise: bool = False,
        peaks: bool = False,
        rate: int = 22050,
        channels: int = 1,
        version: str = "1",
        error: str | None = None,
        delay_s: float = 0.0,
    ) -> None:
        self.level_db, self.seconds, self.lead_s, self.tail_s = level_db, seconds, lead_s, tail_s
        self.noise, self.peaks, self.rate, self.channels = noise, peaks, rate, channels
        self.version, self.error, self.delay_s = version, error, delay_s
        self.calls: list[tuple[Speech, str]] = []

    def languages(self) -> tuple[str, ...]:
        return LANGUAGES

    def identity(self) -> str:
        return f"tone {self.version}"

    def render(self, speech: Speech, language: str, dest: Path) -> Path:
        self.calls.append((speech, language))
        time.sleep(self.delay_s)
        if self.error:
            dest.write_bytes(b"RIFF")  # a half-written file, as a crashing engine leaves
            raise VoiceError(self.error)
        rng = np.random.default_rng(0)  # the same sound each time
        n = round(self.seconds * self.rate)
        amplitude = 10 ** (self.level_db / 20)
        if self.noise:
            body = np.clip(rng.normal(0, amplitude / 3, n), -amplitude, amplitude)
        else:
            body = amplitude * np.sin(2 * np.pi * 440 * np.arange(n) / self.rate)
        if self.peaks:  # a 3 ms click at -0.5 dBFS every 250 ms: loudness barely, peaks a lot
            click = 0.94 * np.sin(
                2 * np.pi * 3000 * np.arange(round(0.003 * self.rate)) / self.rate
            )
            for start in range(round(0.1 * self.rate), n - len(click), round(0.25 * self.rate)):
                body[start : start + len(click)] = click
        floor = 10 ** (-70 / 20)
        lead = rng.normal(0, floor, round(self.lead_s * self.rate))
        tail = rng.normal(0, floor, round(self.tail_s * self.rate))
        mono = np.concatenate([lead, body, tail])
        pcm = np.round(np.clip(mono, -1, 1) * 32767).astype("<i2")
        with wave.open(str(dest), "wb") as out:
            out.setnchannels(self.channels)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            out.writeframes(np.repeat(pcm, self.channels).tobytes())
        return dest


def renderer(tmp_path: Path, voice: ToneVoice | None = None, **settings: Any) -> Renderer:
    voice = voice or ToneVoice()
    return Renderer(tmp_path / "cache", {"zh-CN": voice, "en": voice}, RenderSettings(**settings))


def audible_span(rendered: Rendered) -> tuple[float, float, float]:
    """Seconds of near-silence before the sound, after it, and the file's length."""
    samples, rate = load_wav(rendered.path)
    loud = np.flatnonzero(np.abs(samples) > AUDIBLE)
    return loud[0] / rate, (len(samples) - 1 - loud[-1]) / rate, len(samples) / rate


def files_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def test_silence_at_both_ends_is_trimmed_to_the_edge(tmp_path: Path) -> None:
    voice = ToneVoice(seconds=1.0, lead_s=0.7, tail_s=1.3)
    rendered = renderer(tmp_path, voice).render([("zh-CN", "欢迎光临。")])
    before, after, length = audible_span(rendered)
    assert EDGE_S - 0.005 <= before <= EDGE_S + 0.02
    assert EDGE_S - 0.005 <= after <= EDGE_S + 0.02
    assert length == pytest.approx(1.0 + 2 * EDGE_S, abs=0.025)
    assert rendered.duration_ms == pytest.approx(length * 1000, abs=1)
    with wave.open(str(rendered.path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (
            1,
            2,
            RenderSettings().sample_rate,
        )


@pytest.mark.parametrize(
    "voice",
    [
        ToneVoice(level_db=-3),
        ToneVoice(level_db=-40),
        ToneVoice(level_db=-6, noise=True, rate=48000, channels=2),
        ToneVoice(level_db=-38, noise=True),
    ],
    ids=["loud sine", "quiet sine", "loud stereo noise at 48 kHz", "quiet noise"],
)
def test_loud_and_quiet_voices_come_out_at_the_target_loudness(
    tmp_path: Path, voice: ToneVoice
) -> None:
    rendered = renderer(tmp_path, voice).render([("en", "Welcome.")])
    assert measure_lufs(rendered.path) == pytest.approx(TARGET, abs=1.0)
    assert rendered.lufs == pytest.approx(measure_lufs(rendered.path), abs=0.01)
    assert peak_db(load_wav(rendered.path)[0]) <= -1.0


def test_a_peaky_voice_is_limited_under_the_ceiling_and_keeps_its_loudness(
    tmp_path: Path,
) -> None:
    voice = ToneVoice(level_db=-30, peaks=True, seconds=3.0)
    rendered = renderer(tmp_path, voice).render([("zh-CN", "请注意。")])
    samples, rate = load_wav(rendered.path)
    assert peak_db(samples) <= -1.0
    assert measure_lufs(rendered.path) == pytest.approx(TARGET, abs=0.5)
    # Without the limiter the clicks would have clipped: the gain alone lifts them past 0 dBFS.
    raw = voice.render((), "zh-CN", tmp_path / "raw.wav")
    assert peak_db(load_wav(raw)[0]) + TARGET - measure_lufs(raw) > 0
    # The limiter lets go quickly: 100 ms after a click the tone is back within 1.5 dB of its
    # level before it.
    t = 0.1 + 0.25 * 4 + EDGE_S  # the fifth click
    quiet = np.sqrt(np.mean(samples[round((t - 0.08) * rate) : round((t - 0.01) * rate)] ** 2))
    settled = np.sqrt(np.mean(samples[round((t + 0.1) * rate) : round((t + 0.17) * rate)] ** 2))
    assert 20 * np.log10(settled / quiet) == pytest.approx(0, abs=1.5)


def test_a_clip_shorter_than_a_loudness_block_is_still_normalised(tmp_path: Path) -> None:
    voice = ToneVoice(seconds=0.1, level_db=-30)
    rendered = renderer(tmp_path, voice).render([("en", "Hi.")])
    assert rendered.duration_ms == pytest.approx(100 + 2 * 1000 * EDGE_S, abs=25)
    assert measure_lufs(rendered.path) == pytest.approx(TARGET, abs=1.0)
    assert peak_db(load_wav(rendered.path)[0]) <= -1.0


def test_the_same_notice_again_comes_from_the_cache(tmp_path: Path) -> None:
    voice = ToneVoice()
    first = renderer(tmp_path, voice).render([("zh-CN", "欢迎光临。")])
    again = renderer(tmp_path, voice).render([("zh-CN", "欢迎光临。")])
    assert len(voice.calls) == 1
    assert not first.cached and again.cached
    assert (again.path, again.key, again.duration_ms) == (first.path, first.key, first.duration_ms)
    assert again.lufs == pytest.approx(first.lufs)
    assert first.path == tmp_path / "cache" / first.key[:2] / f"{first.key}.wav"


def test_text_voice_identity_and_settings_each_make_a_new_file(tmp_path: Path) -> None:
    base = renderer(tmp_path).render([("zh-CN", "欢迎光临。")])
    others = [
        renderer(tmp_path).render([("zh-CN", "欢迎光临！")]),
        renderer(tmp_path).render([("zh-CN", "欢迎 / 光临。")]),
        renderer(tmp_path, ToneVoice(version="2")).render([("zh-CN", "欢迎光临。")]),
        renderer(tmp_path, target_lufs=-18.0).render([("zh-CN", "欢迎光临。")]),
        renderer(tmp_path, edge_ms=40).render([("zh-CN", "欢迎光临。")]),
    ]
    assert len({r.key for r in [base, *others]}) == 6
    assert not any(r.cached for r in others)
    assert all(r.path.is_file() for r in [base, *others])
    assert measure_lufs(others[3].path) == pytest.approx(-18.0, abs=1.0)


def test_a_bilingual_notice_is_one_file_with_a_gap_between_the_languages(tmp_path: Path) -> None:
    zh, en = ToneVoice(seconds=1.0), ToneVoice(seconds=1.5, noise=True)
    messages: list[str] = []
    rendered = Renderer(tmp_path / "cache", {"zh-CN": zh, "en": en}).render(
        [("zh-CN", "请注意。"), ("en", "Attention please.")], progress=messages.append
    )
    assert [len(zh.calls), len(en.calls)] == [1, 1]
    assert zh.calls[0][1] == "zh-CN" and en.calls[0][1] == "en"
    assert [p.suffix for p in files_in(tmp_path / "cache")] == [".json", ".wav"]
    assert rendered.duration_ms == pytest.approx(1000 + 1500 + 1000 * (GAP_S + 2 * EDGE_S), abs=40)
    samples, rate = load_wav(rendered.path)
    gap_start, gap_end = EDGE_S + 1.0 + 0.01, EDGE_S + 1.0 + GAP_S - 0.01
    quiet = np.abs(samples[round(gap_start * rate) : round(gap_end * rate)])
    assert quiet.max() < AUDIBLE  # the gap between the parts is silent
    assert "synthesising zh-CN…" in messages and "synthesising en…" in messages
    assert "normalising loudness…" in messages


@pytest.mark.parametrize("trouble", ["voice error", "silent voice"])
def test_a_failing_or_silent_voice_is_a_render_error_and_leaves_no_file(
    tmp_path: Path, trouble: str
) -> None:
    voice = (
        ToneVoice(error="engine crashed") if trouble == "voice error" else ToneVoice(level_db=-80)
    )
    with pytest.raises(RenderError) as caught:
        renderer(tmp_path, voice).render([("zh-CN", "欢迎光临。"), ("en", "Welcome.")])
    assert caught.value.message and caught.value.message_zh
    assert (
        "engine crashed" if trouble == "voice error" else "said nothing"
    ) in caught.value.message
    # Silence is blamed on the text (a 422 for the person), a voice error on the voice (503).
    assert isinstance(caught.value, NothingToSay) == (trouble != "voice error")
    assert "中文" in caught.value.message_zh
    assert files_in(tmp_path / "cache") == []


def test_a_language_without_a_voice_is_a_render_error(tmp_path: Path) -> None:
    voice = ToneVoice()
    only_zh = Renderer(tmp_path / "cache", {"zh-CN": voice})
    with pytest.raises(RenderError, match="'en'") as caught:
        only_zh.render([("zh-CN", "欢迎光临。"), ("en", "Welcome.")])
    assert "en" in caught.value.message_zh
    with pytest.raises(RenderError):
        only_zh.render([])
    assert voice.calls == [] and files_in(tmp_path / "cache") == []


def test_bad_markup_is_a_markup_error(tmp_path: Path) -> None:
    voice = ToneVoice()
    with pytest.raises(MarkupError):
        renderer(tmp_path, voice).render([("zh-CN", "请 *注意。"), ("en", "Attention.")])
    assert voice.calls == []


@pytest.mark.parametrize("damage", ["truncated", "garbage", "loudness lost"])
def test_a_damaged_cache_file_is_rendered_again(tmp_path: Path, damage: str) -> None:
    voice = ToneVoice()
    first = renderer(tmp_path, voice).render([("zh-CN", "欢迎光临。")])
    data = first.path.read_bytes()
    if damage == "truncated":
        first.path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        first.path.write_bytes(b"\x00" * len(data))
    else:
        first.path.with_suffix(".json").unlink()
    again = renderer(tmp_path, voice).render([("zh-CN", "欢迎光临。")])
    assert not again.cached and len(voice.calls) == 2
    assert again.path == first.path and again.path.read_bytes() == data


def test_two_threads_rendering_one_notice_synthesise_it_once(tmp_path: Path) -> None:
    voice = ToneVoice(delay_s=0.3)
    results: list[Rendered] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(renderer(tmp_path, voice).render([("en", "Hello.")]))
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(voice.calls) == 1
    assert len({r.path for r in results}) == 1
    assert sorted(r.cached for r in results) == [False, True, True]
    assert measure_lufs(results[0].path) == pytest.approx(TARGET, abs=1.0)
    assert [p.suffix for p in files_in(tmp_path / "cache")] == [".json", ".wav"]


IMPORT_SPY = """
import sys, traceback
HEAVY, seen = {"numpy", "scipy", "pyloudnorm", "pydub"}, {}
class Spy:  # notes which of our files first imports each heavy package
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in HEAVY and top not in seen:
            ours = [f"{f.filename}:{f.lineno}" for f in traceback.extract_stack() if "scripts_library" in f.filename]
            seen[top] = ours[-1] if ours else "?"
sys.meta_path.insert(0, Spy())
import scripts_library.render
print(seen)
"""


def test_importing_the_renderer_does_not_load_the_audio_libraries() -> None:
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_SPY], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "{}", f"imported by: {out.stdout}"


needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


@needs_espeak
@pytest.mark.parametrize(
    "parts",
    [
        [("zh-CN", "各位顾客，/ 欢迎光临本商场。// 祝您购物愉快。")],
        [("en", "Dear customers, / welcome to our mall. // Have a *pleasant* day.")],
        [
            ("zh-CN", "请注意：/ 本商场将于 *二十分钟后* 结束营业。"),
            ("en", "Attention please: / the mall will close in *twenty minutes*."),
        ],
    ],
    ids=["Chinese", "English", "bilingual"],
)
@pytest.mark.audio
def test_espeak_notices_render_at_the_target_loudness(
    tmp_path: Path, parts: list[tuple[str, str]]
) -> None:
    voice = EspeakVoice()
    rendered = Renderer(tmp_path / "cache", {"zh-CN": voice, "en": voice}).render(parts)
    assert rendered.duration_ms > 1500 * len(parts)
    assert measure_lufs(rendered.path) == pytest.approx(TARGET, abs=1.0)
    assert peak_db(load_wav(rendered.path)[0]) <= -1.0
    before, after, _ = audible_span(rendered)
    assert before <= EDGE_S + 0.02 and after <= EDGE_S + 0.02

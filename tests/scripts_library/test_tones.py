"""The chime and the alert tone: the declared notes, at the declared times, at safe levels."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from scripts_library.tones import (
    ALERT_FREQS_HZ,
    ALERT_SECONDS,
    ALERT_STEP_S,
    CHIME_FREQS_HZ,
    CHIME_NOTE_STARTS_S,
    CHIME_SECONDS,
    make_alert_tone,
    make_chime,
)
from tests.kit.analysis import load_wav, peak_db, rms_db, tone_level_db


def test_the_chime_strikes_its_notes_in_order(tmp_path: Path) -> None:
    path = make_chime(tmp_path / "tones" / "chime.wav")
    samples, rate = load_wav(path)
    assert len(samples) / rate == pytest.approx(CHIME_SECONDS, abs=0.01)
    assert 1.5 <= CHIME_SECONDS <= 3.0
    assert 3 <= len(CHIME_FREQS_HZ) <= 4
    for i, start in enumerate(CHIME_NOTE_STARTS_S):
        levels = [
            tone_level_db(samples, rate, f, start + 0.02, start + 0.3) for f in CHIME_FREQS_HZ
        ]
        assert levels[i] > -20, f"note {i} ({CHIME_FREQS_HZ[i]} Hz) missing: {levels}"
        assert levels[i] == max(levels), f"note {i} is not the loudest in its slot: {levels}"
        for later in levels[i + 1 :]:
            assert later < levels[i] - 30, "a note sounds before it is struck"
    # A bell decays: quieter at the end of the tail than at the last strike.
    last = CHIME_NOTE_STARTS_S[-1]
    assert rms_db(samples, rate, CHIME_SECONDS - 0.2) < rms_db(samples, rate, last, last + 0.2) - 12
    assert -10 < peak_db(samples) < -1


def test_the_alert_alternates_its_two_tones_loudly(tmp_path: Path) -> None:
    path = make_alert_tone(tmp_path / "alert.wav")
    samples, rate = load_wav(path)
    assert len(samples) / rate == pytest.approx(ALERT_SECONDS, abs=0.01)
    steps = round(ALERT_SECONDS / ALERT_STEP_S)
    for step in range(steps):
        t0, t1 = step * ALERT_STEP_S + 0.02, (step + 1) * ALERT_STEP_S - 0.02
        on = ALERT_FREQS_HZ[step % 2]
        off = ALERT_FREQS_HZ[(step + 1) % 2]
        assert tone_level_db(samples, rate, on, t0, t1) > -6, f"step {step}: {on} Hz missing"
        assert tone_level_db(samples, rate, off, t0, t1) < -40, f"step {step}: {off} Hz leaks"
    assert -3 < peak_db(samples) < -0.5  # strong, but no sample at full scale
    assert rms_db(samples, rate) > -6


def test_tones_are_stereo_16_bit_wav(tmp_path: Path) -> None:
    for make in (make_chime, make_alert_tone):
        path = make(tmp_path / f"{make.__name__}.wav")
        with wave.open(str(path)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100)


def test_the_alert_is_generated_to_any_length_in_either_shape(tmp_path: Path) -> None:
    from scripts_library.tones import WHOOP_HZ, WHOOP_PAUSE_S, WHOOP_SWEEP_S

    two_tone = make_alert_tone(tmp_path / "gb.wav", seconds=10.0, shape="two_tone")
    samples, rate = load_wav(two_tone)
    assert len(samples) / rate == pytest.approx(10.0, abs=0.01)
    assert tone_level_db(samples, rate, ALERT_FREQS_HZ[0], 9.5 + 0.02, 9.75 - 0.02) > -6

    whoop = make_alert_tone(tmp_path / "en54.wav", seconds=5.0, shape="slow_whoop")
    samples, rate = load_wav(whoop)
    assert len(samples) / rate == pytest.approx(5.0, abs=0.01)
    low, high = WHOOP_HZ
    # Rising: low at the start of a sweep, high at its end, then a pause, then low again.
    assert tone_level_db(samples, rate, low, 0.0, 0.1, tolerance_hz=25) > -12
    end = WHOOP_SWEEP_S
    assert tone_level_db(samples, rate, high, end - 0.1, end, tolerance_hz=25) > -12
    assert rms_db(samples, rate, end + 0.05, end + WHOOP_PAUSE_S - 0.05) < -60
    again = WHOOP_SWEEP_S + WHOOP_PAUSE_S
    assert tone_level_db(samples, rate, low, again, again + 0.1, tolerance_hz=25) > -12
    with pytest.raises(ValueError, match="slow_whoop"):
        make_alert_tone(tmp_path / "x.wav", shape="siren")

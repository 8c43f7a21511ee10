"""Measuring a music track's loudness with ffmpeg, checked against the speech renderer's meter."""

from __future__ import annotations

import math
import random
import subprocess
from pathlib import Path

import pytest

from playlists.track_loudness import LoudnessError, gain_db, measure_track
from scripts_library.loudness import measure_lufs


def make_sine(path: Path, amplitude: float, *extra: str, seconds: float = 4.0) -> Path:
    """A stereo 1 kHz sine at ``amplitude`` of full scale (0.1 is -20 dBFS)."""
    source = (
        f"aevalsrc={amplitude}*sin(2*PI*1000*t)|{amplitude}*sin(2*PI*1000*t):s=44100:d={seconds}"
    )
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", source),
            *extra,
            str(path),
        ],
        check=True,
    )
    return path


@pytest.mark.audio
def test_sine_10_db_louder_measures_10_lu_louder(tmp_path: Path) -> None:
    quiet = measure_track(make_sine(tmp_path / "quiet.wav", 0.1))
    loud = measure_track(make_sine(tmp_path / "loud.wav", 0.316228))

    assert loud.lufs - quiet.lufs == pytest.approx(10.0, abs=0.2)
    assert quiet.true_peak_dbtp == pytest.approx(-20.0, abs=0.3)
    assert quiet.duration_ms == pytest.approx(4000, abs=50)


@pytest.mark.audio
def test_agrees_with_the_speech_renderers_meter(tmp_path: Path) -> None:
    path = make_sine(tmp_path / "tone.wav", 0.1, "-c:a", "pcm_s16le")

    assert measure_track(path).lufs == pytest.approx(measure_lufs(path), abs=0.5)


@pytest.mark.audio
def test_mp3_and_wav_of_the_same_music_agree(tmp_path: Path) -> None:
    wav = make_sine(tmp_path / "same.wav", 0.2)
    mp3 = make_sine(tmp_path / "same.mp3", 0.2, "-c:a", "libmp3lame", "-b:a", "192k")

    assert measure_track(mp3).lufs == pytest.approx(measure_track(wav).lufs, abs=0.5)


@pytest.mark.audio
def test_silent_file_has_minus_infinite_loudness(tmp_path: Path) -> None:
    path = make_sine(tmp_path / "silence.wav", 0.0, seconds=2)

    loudness = measure_track(path)

    assert loudness.lufs == -math.inf
    assert gain_db(loudness.lufs, -16.0) == 0.0


@pytest.mark.parametrize(
    "content", [b"", random.Random(7).randbytes(64 * 1024)], ids=["empty", "random"]
)
@pytest.mark.audio
def test_corrupt_file_raises_loudness_error_in_both_languages(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(content)

    with pytest.raises(LoudnessError) as caught:
        measure_track(path)

    assert "broken.mp3" in caught.value.message
    assert "broken.mp3" in caught.value.message_zh
    assert caught.value.message != caught.value.message_zh


@pytest.mark.audio
def test_timeout_raises_loudness_error(tmp_path: Path) -> None:
    path = make_sine(tmp_path / "long.wav", 0.1, seconds=30)

    with pytest.raises(LoudnessError, match="more than"):
        measure_track(path, timeout_s=0.01)


def test_gain_brings_track_to_target_within_the_clamp() -> None:
    assert gain_db(-20.0, -16.0) == pytest.approx(4.0)
    assert gain_db(-10.0, -16.0) == pytest.approx(-6.0)
    assert gain_db(-40.0, -16.0) == 12.0
    assert gain_db(5.0, -16.0) == -12.0
    assert gain_db(-40.0, -16.0, max_gain_db=6.0) == 6.0
    assert gain_db(-math.inf, -16.0) == 0.0
    assert gain_db(math.nan, -16.0) == 0.0


def test_a_quiet_track_is_raised_only_as_far_as_its_peaks_allow() -> None:
    # Wants +10 dB, but its true peak is at -4 dBTP: raised 3 dB, to the -1 dBTP ceiling.
    assert gain_db(-30.0, -20.0, true_peak_dbtp=-4.0) == pytest.approx(3.0)
    # Peaks already over the ceiling: not raised at all (never lowered for it either).
    assert gain_db(-30.0, -20.0, true_peak_dbtp=0.5) == 0.0
    # A loud track is lowered fully whatever its peaks.
    assert gain_db(-8.0, -20.0, true_peak_dbtp=1.2) == pytest.approx(-12.0)
    assert gain_db(-30.0, -20.0, true_peak_dbtp=-20.0) == pytest.approx(10.0)

"""The headless audio kit itself: a private PulseAudio server that really carries sound from a
player to a recording, and the analysis functions that read recordings."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.kit.analysis import (
    SILENCE_DB,
    band_level_db,
    first_time_above,
    first_time_below,
    last_time_above,
    level_track,
    load_wav,
    peak_db,
    rms_db,
    sine,
    spans_above,
    tone_level_db,
)
from tests.kit.media import make_tone
from tests.kit.pulse import PulseError, PulseServer

RATE = 44100


# -- the server ----------------------------------------------------------------------------


def test_a_tone_played_into_the_sink_is_in_the_recording(
    pulse_server: PulseServer,
    tmp_path: Path,
) -> None:
    tone = make_tone(tmp_path / "tone.wav", 1.0, 1000.0, level_db=-12)
    with pulse_server.record(tmp_path / "air.wav") as recording:
        time.sleep(0.5)
        played_at = time.monotonic() - recording.started
        subprocess.run(["paplay", str(tone)], env=pulse_server.child_env(), check=True)
        time.sleep(0.5)
    samples, rate = load_wav(tmp_path / "air.wav")

    # The recording is a faithful timeline: as long as the block ran, the tone where it was played.
    assert len(samples) / rate == pytest.approx(2.1, abs=0.15)
    series = level_track(samples, rate, 1000.0, 0.01, window_s=0.02)
    onset, offset = first_time_above(series, -30), last_time_above(series, -30)
    assert onset is not None and offset is not None
    # Not before it was played; paplay's own start (a process, a connection) may take a few
    # hundred ms on a loaded machine, which is not the recording's doing.
    assert played_at - 0.02 <= onset <= played_at + 0.5, (onset, played_at)
    assert offset - onset == pytest.approx(1.0, abs=0.05)
    # Loud while playing (the mono recording of the -12 dB stereo tone), silent around it.
    assert tone_level_db(samples, rate, 1000.0, onset + 0.1, offset - 0.1) > -13
    assert tone_level_db(samples, rate, 1000.0, 0.0, onset - 0.1) < -80
    assert tone_level_db(samples, rate, 1000.0, offset + 0.1) < -80


def test_clients_reach_the_private_server_only_through_its_env(
    pulse_server: PulseServer,
) -> None:
    env = pulse_server.env
    assert env["PULSE_SERVER"] == f"unix:{pulse_server.socket}"
    assert env["PULSE_SINK"] == pulse_server.sink
    info = pulse_server.pactl("info")
    assert f"Default Sink: {pulse_server.sink}" in info
    assert pulse_server.sink_inputs() == []  # the clock keeper records; it adds no stream


def test_stopping_leaves_nothing_running(tmp_path: Path) -> None:
    server = PulseServer(sink="kit_stop_test").start()
    directory = server.directory
    recording = server.record(tmp_path / "cut.wav")
    recording.__enter__()  # a recorder left running is stopped with the server
    pids = list(server._groups)
    assert len(pids) == 3  # the server, its clock keeper and the recorder
    server.stop()
    server.stop()  # twice is harmless
    assert not directory.exists()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# -- analysis on synthetic signals ----------------------------------------------------------


@pytest.mark.parametrize("freq", [440.0, 1000.0, 1234.5, 5000.0])
def test_a_sine_reads_its_level_whatever_the_frequency(freq: float) -> None:
    x = sine(freq, 1.0, level_db=-20)
    assert tone_level_db(x, RATE, freq) == pytest.approx(-20, abs=0.1)
    assert tone_level_db(x, RATE, freq, 0.2, 0.337) == pytest.approx(-20, abs=0.2)
    assert band_level_db(x, RATE, freq - 100, freq + 100) == pytest.approx(-20, abs=0.2)
    assert rms_db(x, RATE) == pytest.approx(-20, abs=0.05)
    assert peak_db(x) == pytest.approx(-20, abs=0.05)


def test_two_tones_are_read_apart() -> None:
    x = sine([800.0, 1000.0], 0.5, level_db=[-10.0, -30.0])
    assert tone_level_db(x, RATE, 800.0) == pytest.approx(-10, abs=0.5)
    assert tone_level_db(x, RATE, 1000.0) == pytest.approx(-30, abs=0.5)
    assert tone_level_db(x, RATE, 1000.0, 0.1, 0.2) == pytest.approx(-30, abs=1)
    assert tone_level_db(x, RATE, 1500.0) < -80
    assert band_level_db(x, RATE, 900.0, 1100.0) == pytest.approx(-30, abs=0.5)
    both = 10 * np.log10(10 ** (-10 / 10) + 10 ** (-30 / 10))
    assert rms_db(x, RATE) == pytest.approx(both, abs=0.05)


def test_tolerance_finds_a_slightly_detuned_tone() -> None:
    x = sine(1003.0, 1.0, level_db=-20)
    assert tone_level_db(x, RATE, 1000.0) < -30  # a 1 s window is sharp: 3 Hz off is missed
    assert tone_level_db(x, RATE, 1000.0, tolerance_hz=5) == pytest.approx(-20, abs=0.2)


def test_silence_and_empty_windows_read_the_floor() -> None:
    x = np.zeros(RATE)
    assert tone_level_db(x, RATE, 1000.0) == SILENCE_DB
    assert band_level_db(x, RATE, 100, 200) == SILENCE_DB
    assert rms_db(x, RATE) == SILENCE_DB
    assert rms_db(sine(1000.0, 1.0), RATE, 2.0, 3.0) == SILENCE_DB


def test_onsets_and_spans_are_found_in_a_level_track() -> None:
    x = np.concatenate(
        [np.zeros(RATE // 2), sine(1000.0, 0.5, level_db=-6), np.zeros(RATE), sine(1000.0, 0.25)]
    )
    series = level_track(x, RATE, 1000.0, 0.01, window_s=0.02)
    assert first_time_above(series, -20) == pytest.approx(0.5, abs=0.02)
    assert first_time_below(series, -60, after=0.6) == pytest.approx(1.0, abs=0.02)
    assert first_time_above(series, -20, after=1.1) == pytest.approx(2.0, abs=0.02)
    assert last_time_above(series, -20) == pytest.approx(2.25, abs=0.02)
    assert first_time_above(series, 10) is None
    spans = spans_above(series, -20)
    assert [(round(a, 1), round(b, 1)) for a, b in spans] == [(0.5, 1.0), (2.0, 2.2)]
    assert series.at(0.75) == pytest.approx(-6, abs=0.5)
    rms = level_track(x, RATE, None, 0.1)
    assert rms.at(0.75) == pytest.approx(-6, abs=0.5)
    band = level_track(x, RATE, (900.0, 1100.0), 0.1)
    assert band.at(2.15) == pytest.approx(0, abs=0.5)


def test_wav_files_of_every_common_encoding_load(tmp_path: Path) -> None:
    for codec in ("pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8"):
        path = make_tone(tmp_path / "tone.wav", 0.5, 1000.0, level_db=-6)
        converted = tmp_path / f"{codec}.wav"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(path), "-c:a", codec, str(converted)],
            check=True,
        )  # fmt: skip
        samples, rate = load_wav(converted)
        assert rate == RATE
        assert len(samples) == RATE // 2
        assert tone_level_db(samples, rate, 1000.0) == pytest.approx(-6, abs=0.3), codec


def test_a_wav_cut_off_mid_write_still_loads(tmp_path: Path) -> None:
    path = make_tone(tmp_path / "tone.wav", 1.0, 1000.0)
    data = bytearray(path.read_bytes())
    size_at = data.index(b"data") + 4
    # a data size never filled in, as a killed writer leaves it
    data[size_at : size_at + 4] = bytes(4)
    (tmp_path / "cut.wav").write_bytes(bytes(data[: len(data) // 2]))
    samples, rate = load_wav(tmp_path / "cut.wav")
    assert len(samples) / rate == pytest.approx(0.5, abs=0.01)


def test_a_server_that_cannot_start_says_why_and_cleans_up() -> None:
    server = PulseServer(channels=99)  # more channels than PulseAudio allows: no sink
    with pytest.raises(PulseError, match=r"did not load(.|\n)*Invalid sample format"):
        server.start()
    assert not server.running
    with pytest.raises(ValueError, match="sink name"):
        PulseServer(sink="two words")

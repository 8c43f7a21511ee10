"""The music bed as a listener hears it across track changes: a real Core plays three tracks of
clearly different loudness through VlcOutput into a private PulseAudio null sink, with a 2 s
crossfade and each track's measured loudness gain, and the sink's monitor is recorded.

The recording must show no gap (no 50 ms window far under the bed's level from the first sound
on) and no loudness step between consecutive tracks of more than 1 LU. The same measurement on
the same tracks played without their gains shows the steps the gains remove, so the test can
fail.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.clock import SystemClock
from broadcaster.db import make_engine
from broadcaster.settings import AudioSettings
from broadcaster.station import build_station
from playlists.sources import track_list
from playlists.track_loudness import gain_db, measure_track
from tests.kit.analysis import Samples, first_time_above, level_track, load_wav, rms_db
from tests.kit.pulse import PulseServer

pytestmark = pytest.mark.vlc

TARGET_LUFS = -20.0
CROSSFADE_MS = 2000
TRACK_S = 7.0  # the next track starts 5 s in: 3 s of each track play alone, after its fade-in
# (name, loudness, pink-noise seed, chord in Hz): different content, so the tracks are uncorrelated
TRACKS = [
    ("loud", -12.0, 1, (220.0, 261.63, 329.63)),
    ("quiet", -26.0, 2, (196.0, 246.94, 293.66)),
    ("middle", -18.0, 3, (174.61, 233.08, 349.23)),
]
MEASURE_S = 2.0  # each track's loudness is read over this much of its steady middle
FADE_MARGIN_S = 0.3  # kept clear of a fade, beyond its nominal end (VLC starts 50-150 ms late)
GAP_WINDOW_S = 0.05
GAP_DB = 12.0  # a 50 ms window this far under the median level would be a gap (or a hole)


def make_music(path: Path, lufs: float, seed: int, chord: tuple[float, ...]) -> Path:
    """A music-like stereo track: pink noise band-limited to 150 Hz-6 kHz under a three-note
    chord with a 4 Hz tremolo, scaled to ``lufs`` (measured, then corrected by ffmpeg)."""
    base = path.with_name(f"{path.stem}.base.wav")
    notes = "+".join(f"0.1*sin(2*PI*{f}*t)" for f in chord)
    graph = (
        f"anoisesrc=color=pink:amplitude=0.25:seed={seed}:duration={TRACK_S}:r=44100,"
        "highpass=f=150,lowpass=f=6000[noise];"
        f"aevalsrc='{notes}':s=44100:d={TRACK_S},tremolo=f=4:d=0.5[chord];"
        "[noise][chord]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=c0"
    )
    ffmpeg = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    subprocess.run([*ffmpeg, "-filter_complex", graph, str(base)], check=True)
    correction = lufs - measure_track(base).lufs
    subprocess.run([*ffmpeg, "-i", str(base), "-af", f"volume={correction:.2f}dB", str(path)],
                   check=True)  # fmt: skip
    base.unlink()
    return path


@dataclass(frozen=True)
class Music:
    paths: list[Path]
    gains: dict[str, float]  # file name -> gain to the target, as the library computes it


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Music:
    folder = tmp_path_factory.mktemp("music")
    paths, gains = [], {}
    for name, lufs, seed, chord in TRACKS:
        path = make_music(folder / f"{name}.wav", lufs, seed, chord)
        measured = measure_track(path)
        assert measured.lufs == pytest.approx(lufs, abs=0.5)
        gain = gain_db(measured.lufs, TARGET_LUFS, true_peak_dbtp=measured.true_peak_dbtp)
        # not limited by the true peak (that would be an intended step, not a failure)
        assert gain == pytest.approx(TARGET_LUFS - measured.lufs, abs=0.01), (name, measured)
        print(f"{name}: {measured.lufs:.1f} LUFS, true peak {measured.true_peak_dbtp} dBTP, "
              f"gain {gain:+.1f} dB")  # fmt: skip
        paths.append(path)
        gains[path.name] = gain
    return Music(paths, gains)


@pytest.fixture
def pulse(pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseServer]:
    for key, value in pulse_server.env.items():  # VLC runs in this process: it reads our env
        monkeypatch.setenv(key, value)
    yield pulse_server


@dataclass(frozen=True)
class Aired:
    samples: Samples
    rate: int
    starts: list[float]  # each track's start (its STARTED event), in seconds into the recording


def play_three_tracks(
    pulse: PulseServer, music: Music, gains: Mapping[str, float], tmp_path: Path
) -> Aired:
    """Run a real Core on the three tracks and record the sink until the third track has played
    alone for a while; the play log says when each track started."""
    clock = SystemClock()
    output = VlcOutput(clock, output="pulse", device=pulse.sink)
    station = build_station(
        clock=clock, output=output, engine=make_engine(f"sqlite:///{tmp_path / 'log.db'}"),
        music=track_list(music.paths), audio=AudioSettings(crossfade_ms=CROSSFADE_MS),
        gain_for=lambda path: gains.get(path.name, 0.0), desk=False,
    )  # fmt: skip
    core, playlog = station.core, station.playlog
    stop = threading.Event()
    thread = threading.Thread(target=core.run_forever, args=(stop,), daemon=True)
    air = tmp_path / "air.wav"
    try:
        with pulse.record(air) as recording:
            wall0 = time.time() - (time.monotonic() - recording.started)
            core.start()
            thread.start()
            deadline = time.monotonic() + 3 * TRACK_S
            rows = playlog.query(kinds=["music"])
            while len(rows) < 3 or rows[2].started_at is None:
                assert time.monotonic() < deadline, f"the third track did not start: {rows}"
                time.sleep(0.05)
                rows = playlog.query(kinds=["music"])
            third = rows[2].started_at
            assert third is not None
            end = third.timestamp() + CROSSFADE_MS / 1000 + FADE_MARGIN_S + MEASURE_S + 0.2
            time.sleep(max(0.0, end - time.time()))
    finally:
        stop.set()
        thread.join(5)
        core.shutdown()
        output.close()

    assert [Path(r.media_path or "").name for r in rows[:3]] == [p.name for p in music.paths]
    assert all(r.outcome != "failed" for r in rows), rows

    def seconds_in(stamp: datetime | None) -> float:
        assert stamp is not None
        return stamp.timestamp() - wall0

    samples, rate = load_wav(air)
    return Aired(samples, rate, [seconds_in(r.started_at) for r in rows[:3]])


def steady_windows(starts: list[float]) -> list[tuple[float, float]]:
    """Where each track plays alone at its own level, the same length for each: after its
    fade-in (the first track has none) and before the next track's crossfade."""
    fade = CROSSFADE_MS / 1000
    _, t2, t3 = starts
    return [
        (t2 - FADE_MARGIN_S - MEASURE_S, t2 - FADE_MARGIN_S),
        (t3 - FADE_MARGIN_S - MEASURE_S, t3 - FADE_MARGIN_S),
        (t3 + fade + FADE_MARGIN_S, t3 + fade + FADE_MARGIN_S + MEASURE_S),
    ]


def track_levels(aired: Aired) -> list[tuple[float, float]]:
    """Each track's (K-weighted loudness in LUFS, RMS level in dB) in the recording."""
    meter = pyloudnorm.Meter(aired.rate)
    levels = []
    for t0, t1 in steady_windows(aired.starts):
        part = aired.samples[round(t0 * aired.rate) : round(t1 * aired.rate)]
        assert len(part) == round(MEASURE_S * aired.rate), "the recording ended too early"
        lufs = float(meter.integrated_loudness(part))
        levels.append((lufs, rms_db(aired.samples, aired.rate, t0, t1)))
    return levels


def report(levels: list[tuple[float, float]], starts: list[float]) -> list[float]:
    steps = [b[0] - a[0] for a, b in pairwise(levels)]
    print("track starts (s into the recording): " + ", ".join(f"{t:.2f}" for t in starts))
    for (name, *_), (lufs, rms) in zip(TRACKS, levels, strict=True):
        print(f"  {name}: {lufs:.2f} LUFS, {rms:.2f} dB RMS")
    print("steps between consecutive tracks: " + ", ".join(f"{s:+.2f} LU" for s in steps))
    return steps


def test_track_changes_have_no_gap_and_no_loudness_step_after_gain(
    pulse: PulseServer, music: Music, tmp_path: Path
) -> None:
    aired = play_three_tracks(pulse, music, music.gains, tmp_path)
    steps = report(track_levels(aired), aired.starts)

    # Crossfaded: each next track started 2 s before the end of the one before, not after it.
    for before, after in pairwise(aired.starts):
        assert after - before == pytest.approx(TRACK_S - CROSSFADE_MS / 1000, abs=0.5)

    # (a) no gap: from the first sound to 3 s into the third track, no 50 ms window is far down.
    series = level_track(aired.samples, aired.rate, None, GAP_WINDOW_S)
    first = first_time_above(series, -60.0)
    assert first is not None, "nothing was heard"
    span = (series.times >= first + GAP_WINDOW_S) & (series.times <= aired.starts[2] + 3.0)
    levels = series.levels_db[span]
    assert len(levels) >= round(2 * (TRACK_S - CROSSFADE_MS / 1000) / GAP_WINDOW_S)
    median = float(np.median(levels))
    lowest = int(np.argmin(levels))
    print(f"gap check: {len(levels)} windows of {GAP_WINDOW_S * 1000:.0f} ms from "
          f"{first:.2f} s, median {median:.2f} dB, lowest {levels[lowest] - median:+.2f} dB "
          f"at {series.times[span][lowest]:.2f} s")  # fmt: skip
    for start in aired.starts[1:]:  # the crossfades themselves, for the record
        fading = (series.times >= start - 0.3) & (series.times <= start + CROSSFADE_MS / 1000)
        print(f"  crossfade at {start:.2f} s: lowest "
              f"{series.levels_db[fading].min() - median:+.2f} dB")  # fmt: skip
    holes = series.times[span][levels < median - GAP_DB]
    assert not len(holes), (
        f"the music dropped out (more than {GAP_DB:g} dB under its median level) in "
        f"{len(holes)} windows of 50 ms, at {', '.join(f'{t:.2f}' for t in holes)} s; "
        f"tracks started at {', '.join(f'{t:.2f}' for t in aired.starts)} s"
    )

    # (b) no loudness step between consecutive tracks after their gains
    assert all(abs(step) <= 1.0 for step in steps), f"loudness steps {steps} LU"


def test_without_gains_the_same_measurement_shows_the_steps(
    pulse: PulseServer, music: Music, tmp_path: Path
) -> None:
    aired = play_three_tracks(pulse, music, {}, tmp_path)
    steps = report(track_levels(aired), aired.starts)
    # the files differ by 14 and 8 LU: the measurement sees that when nothing corrects it
    assert all(abs(step) > 6.0 for step in steps), f"loudness steps {steps} LU"

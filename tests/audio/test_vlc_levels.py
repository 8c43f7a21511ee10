"""What VlcOutput's volumes really sound like: VLC plays into a private PulseAudio null sink and
the sink's monitor is recorded, so the levels asserted are the levels a listener would hear.

Measured on libvlc 3.0.24 with PulseAudio 16.1: VLC hands its volume to PulseAudio as the
stream's volume, which is cubic like VLC's own software volume, so v = 100·10^(dB/60) holds both
below 100 (attenuation) and above it (gain).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from broadcaster.audio.output import SILENT_DB, FadeShape, OutputEvent, OutputEventKind
from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.clock import SystemClock
from tests.kit.analysis import level_track, load_wav, rms_db, tone_level_db
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer

pytestmark = pytest.mark.vlc

TONE_HZ = 1000.0
FILE_LEVEL_DB = -20.0  # low enough that +12 dB of gain does not clip


class Recorded:
    """A VlcOutput playing into ``pulse``'s sink, with the events it sent."""

    def __init__(self, pulse: PulseServer) -> None:
        self.pulse = pulse
        self.events: list[OutputEvent] = []
        self.output = VlcOutput(SystemClock(), output="pulse", device=pulse.sink)
        self.output.start(self.events.append)

    def wait_for(self, kind: OutputEventKind, token: int, seconds: float = 2.0) -> None:
        deadline = time.monotonic() + seconds
        while not any(e.kind == kind and e.token == token for e in list(self.events)):
            assert time.monotonic() < deadline, f"no {kind} for token {token}: {self.events}"
            time.sleep(0.01)


@pytest.fixture
def recorded(pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorded]:
    for key, value in pulse_server.env.items():  # VLC runs in this process: it reads our env
        monkeypatch.setenv(key, value)
    rec = Recorded(pulse_server)
    yield rec
    rec.output.close()


def make_noise(path: Path, seconds: float, seed: int, marker_hz: float) -> Path:
    """Pink noise above 200 Hz (different seeds give uncorrelated signals; without its lowest
    octaves, 100 ms windows of it read within about ±0.5 dB of its long-term level, where full
    pink noise swings ±3 dB) plus a marker tone at -36 dBFS, so a recording shows which file is
    audible. Stereo, both channels alike."""
    graph = (
        f"anoisesrc=color=pink:amplitude=0.2:seed={seed}:duration={seconds}:r=44100,"
        "highpass=f=200[noise];"
        f"sine=frequency={marker_hz}:sample_rate=44100:duration={seconds},volume=0.125[marker];"
        "[noise][marker]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=c0"
    )
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-filter_complex", graph, str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_volumes_above_the_file_level_amplify_and_below_attenuate(
    recorded: Recorded, tmp_path: Path
) -> None:
    tone = make_tone(tmp_path / "tone.wav", 2.6, TONE_HZ, level_db=FILE_LEVEL_DB)
    out = recorded.output
    steps = [(0.0, 0.0), (0.8, 6.0), (1.6, -12.0)]  # (seconds after the start, volume dB)
    with recorded.pulse.record(tmp_path / "air.wav") as recording:
        out.play("bed_a", tone, token=1, volume_db=0.0)
        recorded.wait_for(OutputEventKind.STARTED, 1)
        began, changed_at = time.monotonic(), []
        for at, volume_db in steps:
            time.sleep(max(0.0, began + at - time.monotonic()))
            if at:
                out.set_volume("bed_a", volume_db)
            changed_at.append(time.monotonic() - recording.started)
        time.sleep(0.8)
    samples, rate = load_wav(tmp_path / "air.wav")

    # each volume held for 0.8 s: read the middle 0.5 s of it
    level = [tone_level_db(samples, rate, TONE_HZ, t + 0.2, t + 0.7) for t in changed_at]
    assert level[0] == pytest.approx(FILE_LEVEL_DB, abs=0.5)  # 0 dB: the file as it is
    assert level[1] - level[0] == pytest.approx(6.0, abs=0.7)
    assert level[2] - level[0] == pytest.approx(-12.0, abs=0.7)


def test_every_item_starts_at_the_volume_play_asked_for(recorded: Recorded, tmp_path: Path) -> None:
    """Not only a layer's first item: also one that replaces another, or follows a stop."""
    tone = make_tone(tmp_path / "tone.wav", 2.0, TONE_HZ, level_db=FILE_LEVEL_DB)
    out = recorded.output
    plays = [(0.0, None), (-12.0, None), (6.0, "stop")]  # (volume dB, what comes first)
    ended_at = []  # when each play's sound gave way to the next command (or the recording ended)
    with recorded.pulse.record(tmp_path / "air.wav") as recording:
        for token, (volume_db, before) in enumerate(plays):
            if token:
                ended_at.append(time.monotonic() - recording.started)
            if before == "stop":
                out.stop("bed_a")
                time.sleep(0.2)
            out.play("bed_a", tone, token=token, volume_db=volume_db)
            recorded.wait_for(OutputEventKind.STARTED, token)
            time.sleep(0.7)
        ended_at.append(time.monotonic() - recording.started)
    samples, rate = load_wav(tmp_path / "air.wav")

    # Each play's level over the last 0.35 s before the next command: what it settled at, even
    # if a loaded machine started it a few hundred ms after it was asked for.
    level = [tone_level_db(samples, rate, TONE_HZ, t - 0.4, t - 0.05) for t in ended_at]
    assert level[0] == pytest.approx(FILE_LEVEL_DB, abs=0.5)
    assert level[1] - level[0] == pytest.approx(-12.0, abs=0.7)
    assert level[2] - level[0] == pytest.approx(6.0, abs=0.7)


MARKER_A_HZ, MARKER_B_HZ = 2500.0, 3500.0


def test_an_equal_power_crossfade_keeps_the_level_steady(
    recorded: Recorded, tmp_path: Path
) -> None:
    a = make_noise(tmp_path / "a.wav", 6.0, seed=1, marker_hz=MARKER_A_HZ)
    b = make_noise(tmp_path / "b.wav", 6.0, seed=2, marker_hz=MARKER_B_HZ)
    out = recorded.output
    with recorded.pulse.record(tmp_path / "air.wav") as recording:
        out.play("bed_a", a, token=1, volume_db=0.0)
        out.play("bed_b", b, token=2, volume_db=SILENT_DB)
        recorded.wait_for(OutputEventKind.STARTED, 1)
        recorded.wait_for(OutputEventKind.STARTED, 2)
        time.sleep(1.0)
        fade_at = time.monotonic() - recording.started
        out.set_volume("bed_b", 0.0, fade_ms=2000, shape=FadeShape.POWER)
        out.set_volume("bed_a", SILENT_DB, fade_ms=2000, shape=FadeShape.POWER)
        recorded.wait_for(OutputEventKind.FADED, 1, 3.0)
        recorded.wait_for(OutputEventKind.FADED, 2, 1.0)
        time.sleep(0.6)
    samples, rate = load_wav(tmp_path / "air.wav")

    def marker(freq: float, t0: float, t1: float) -> float:
        return tone_level_db(samples, rate, freq, fade_at + t0, fade_at + t1)

    # A crossfade it was: only bed_a before, both 3 dB down halfway, only bed_b after.
    full = marker(MARKER_A_HZ, -0.8, -0.1)
    assert full > -40, f"bed_a was not heard before the crossfade ({full:.1f} dB)"
    assert marker(MARKER_B_HZ, -0.8, -0.1) < full - 15
    # Halfway each is about 3 dB down (the sound lags the command by VLC's buffer, ~0.1-0.2 s
    # on a loaded machine, so each alone gets 1.5 dB), and together they keep the full power.
    halfway = [marker(freq, 0.85, 1.15) for freq in (MARKER_A_HZ, MARKER_B_HZ)]
    for level in halfway:
        assert level == pytest.approx(full - 3.0, abs=1.5)
    together = 10 * np.log10(sum(10 ** (level / 10) for level in halfway))
    assert together == pytest.approx(full, abs=0.6)
    assert marker(MARKER_B_HZ, 2.1, 2.5) == pytest.approx(full, abs=0.5)
    assert marker(MARKER_A_HZ, 2.1, 2.5) < full - 15

    # and the level heard stayed where it was, 100 ms window by 100 ms window
    before = rms_db(samples, rate, fade_at - 0.8, fade_at)
    track = level_track(samples, rate, None, 0.1)
    across = (track.times > fade_at - 0.2) & (track.times < fade_at + 2.4)
    deviation = track.levels_db[across] - before
    assert len(deviation) >= 24
    assert np.all(np.abs(deviation) <= 1.0), (
        f"level moved {deviation.min():+.2f}..{deviation.max():+.2f} dB across the crossfade"
    )

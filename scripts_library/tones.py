"""The two fixed tones of the broadcast: the prompt chime (提示音) before an announcement and the
emergency alert tone. Synthesised, written as 16-bit stereo WAV (identical channels).

The frequencies are public so tests can find the tones in a recording of the output.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 44100

CHIME_FREQS_HZ: tuple[float, ...] = (783.99, 659.26, 523.25)
"""The chime's notes, in order: G5, E5, C5 — a falling "ding-dong-dang"."""
CHIME_NOTE_STARTS_S: tuple[float, ...] = (0.0, 0.5, 1.0)
"""When each chime note is struck, from the start of the file."""
CHIME_SECONDS = 2.2
CHIME_PEAK_DBFS = -6.0

ALERT_FREQS_HZ: tuple[float, ...] = (800.0, 1000.0)
"""The alert alternates between these, starting with the first, every ``ALERT_STEP_S``."""
ALERT_STEP_S = 0.25
ALERT_SECONDS = 3.0
ALERT_PEAK_DBFS = -1.5
WHOOP_HZ: tuple[float, float] = (500.0, 1200.0)
"""The slow whoop sweeps from the first to the second …"""
WHOOP_SWEEP_S = 3.5
"""… in this long, then is silent for ``WHOOP_PAUSE_S`` (NEN 2575's slow whoop)."""
WHOOP_PAUSE_S = 0.5

Float = npt.NDArray[np.float64]


def make_chime(path: Path, *, rate: int = RATE) -> Path:
    """Write the prompt chime, about 2 s: three bell-like notes, each ringing into the next."""
    t = np.arange(round(CHIME_SECONDS * rate)) / rate
    out = np.zeros_like(t)
    for freq, start in zip(CHIME_FREQS_HZ, CHIME_NOTE_STARTS_S, strict=True):
        out += _bell(freq, np.maximum(t - start, 0.0)) * (t >= start)
    fade = np.clip((CHIME_SECONDS - t) / 0.25, 0.0, 1.0)  # no click at the end of the tail
    return write_stereo_wav(path, _normalise(out * fade, CHIME_PEAK_DBFS), rate)


def make_alert_tone(
    path: Path, *, seconds: float = ALERT_SECONDS, shape: str = "two_tone", rate: int = RATE
) -> Path:
    """Write the emergency alert, ``seconds`` long, in one of two shapes
    (scripts_library.spec.AlertTone), phase-continuous so it changes pitch without clicks:

    - ``two_tone``: a loud "hi-lo" alternating between ``ALERT_FREQS_HZ`` every ``ALERT_STEP_S``;
    - ``slow_whoop``: a sweep from ``WHOOP_HZ[0]`` up to ``WHOOP_HZ[1]`` in ``WHOOP_SWEEP_S``,
      then ``WHOOP_PAUSE_S`` of silence, repeated (the last sweep is cut at the length)."""
    n = round(seconds * rate)
    t = np.arange(n) / rate
    gate = np.ones_like(t)
    if shape == "two_tone":
        step = (t // ALERT_STEP_S).astype(int) % len(ALERT_FREQS_HZ)
        freq = np.asarray(ALERT_FREQS_HZ)[step]
    elif shape == "slow_whoop":
        cycle = WHOOP_SWEEP_S + WHOOP_PAUSE_S
        into = t % cycle
        low, high = WHOOP_HZ
        freq = low + (high - low) * np.minimum(into, WHOOP_SWEEP_S) / WHOOP_SWEEP_S
        gate = np.clip(np.minimum(into, WHOOP_SWEEP_S - into) / 0.01, 0.0, 1.0)
    else:
        raise ValueError(f"unknown alert shape {shape!r}; use two_tone or slow_whoop")
    phase = 2 * np.pi * np.cumsum(freq) / rate
    out = np.sin(phase) + 0.2 * np.sin(3 * phase)  # a little third harmonic: harder, more urgent
    edges = np.clip(np.minimum(t, seconds - t) / 0.01, 0.0, 1.0)
    return write_stereo_wav(path, _normalise(out * edges * gate, ALERT_PEAK_DBFS), rate)


def _bell(freq: float, t: Float) -> Float:
    """A struck bell/vibraphone bar: a long fundamental, a quieter octave and a brief
    inharmonic shimmer, with a 3 ms strike."""
    strike = 1 - np.exp(-t / 0.003)
    body = (
        np.sin(2 * np.pi * freq * t) * np.exp(-t / 0.45)
        + 0.25 * np.sin(2 * np.pi * 2 * freq * t) * np.exp(-t / 0.25)
        + 0.12 * np.sin(2 * np.pi * 2.76 * freq * t) * np.exp(-t / 0.08)
    )
    result: Float = strike * body
    return result


def _normalise(x: Float, peak_dbfs: float) -> Float:
    result: Float = x * (10 ** (peak_dbfs / 20) / np.max(np.abs(x)))
    return result


def write_stereo_wav(path: Path, mono: Float, rate: int) -> Path:
    """``mono`` (floats, full scale 1.0) as a 16-bit stereo WAV, both channels alike."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = np.round(np.clip(mono, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(pcm, 2).tobytes())
    return path

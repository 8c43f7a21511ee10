"""Measure what a recording contains: tone, band and overall levels, and how they change over time.

Every level here is in dB relative to full scale with one calibration (the AES17 convention): a
full-scale sine reads 0 dB whichever function measures it, so a sine at amplitude 0.1 reads
-20 dB as a tone, as a band containing it and as an RMS level (a full-scale square wave therefore
reads +3 dB RMS). Nothing measurable reads ``SILENCE_DB`` rather than ``-inf``, so levels can be
compared and subtracted freely.

Times are in seconds from the start of the samples. Windows given as ``t0``/``t1`` are clipped
to the signal; ``None`` means its start/end.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]

SILENCE_DB = -120.0
"""What every level function returns for digital silence or an empty window."""

_FLOOR = 10 ** (SILENCE_DB / 20)


def load_wav(path: Path) -> tuple[Samples, int]:
    """Read a WAV file into a mono float array in [-1, 1] and its sample rate.

    Channels are averaged (identical channels keep their level). Reads 8/16/24/32-bit integer
    PCM and 32/64-bit float, plain or WAVE_FORMAT_EXTENSIBLE. Tolerates the headers of streams
    that were cut off or written to a pipe (a data size of 0 or larger than the file), as
    ``parecord`` or ``espeak-ng --stdout`` may leave them: the data then runs to the end of file.
    """
    data = Path(path).read_bytes()
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RIFX") or data[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a RIFF/WAVE file")
    if data[:4] == b"RIFX":
        raise ValueError(f"{path}: big-endian WAV (RIFX) is not supported")
    fmt: tuple[int, int, int, int] | None = None  # format tag, channels, rate, bits
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = pos + 8
        if chunk_id == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if (
                tag == 0xFFFE and size >= 26
            ):  # WAVE_FORMAT_EXTENSIBLE: subformat GUID's first two bytes
                (tag,) = struct.unpack_from("<H", data, body + 24)
            fmt = (tag, channels, rate, bits)
        elif chunk_id == b"data":
            if fmt is None:
                raise ValueError(f"{path}: data chunk before fmt chunk")
            end = len(data) if size == 0 or body + size > len(data) else body + size
            return _decode(data[body:end], *fmt, path=path), fmt[2]
        pos = body + size + (size & 1)
    raise ValueError(f"{path}: no audio data chunk")


def _decode(raw: bytes, tag: int, channels: int, rate: int, bits: int, *, path: Path) -> Samples:
    width = bits // 8
    if channels < 1 or width < 1:
        raise ValueError(f"{path}: bad format ({channels} channels, {bits} bits)")
    raw = raw[: len(raw) - len(raw) % (width * channels)]
    if tag == 1 and bits == 8:
        x = (np.frombuffer(raw, np.uint8).astype(np.float64) - 128.0) / 128.0
    elif tag == 1 and bits == 16:
        x = np.frombuffer(raw, "<i2").astype(np.float64) / 32768.0
    elif tag == 1 and bits == 24:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = np.where(v >= 1 << 23, v - (1 << 24), v).astype(np.float64) / float(1 << 23)
    elif tag == 1 and bits == 32:
        x = np.frombuffer(raw, "<i4").astype(np.float64) / float(1 << 31)
    elif tag == 3 and bits in (32, 64):
        x = np.frombuffer(raw, "<f4" if bits == 32 else "<f8").astype(np.float64)
    else:
        raise ValueError(f"{path}: unsupported WAV encoding (format {tag}, {bits} bits)")
    result: Samples = x.reshape(-1, channels).mean(axis=1)
    return result


def _segment(samples: Samples, rate: int, t0: float | None, t1: float | None) -> Samples:
    n = len(samples)
    i0 = 0 if t0 is None else min(n, max(0, round(t0 * rate)))
    i1 = n if t1 is None else min(n, max(0, round(t1 * rate)))
    return np.asarray(samples[i0:i1], dtype=np.float64)


def _db(amplitude: float) -> float:
    """20·log10 of a sine-equivalent amplitude, floored at SILENCE_DB."""
    return float(20 * np.log10(max(float(amplitude), _FLOOR)))


def peak_db(
    samples: Samples, rate: int = 1, t0: float | None = None, t1: float | None = None
) -> float:
    """The highest absolute sample value in the window, in dBFS (1.0 reads 0 dB)."""
    seg = _segment(samples, rate, t0, t1)
    return _db(float(np.max(np.abs(seg)))) if len(seg) else SILENCE_DB


def rms_db(samples: Samples, rate: int, t0: float | None = None, t1: float | None = None) -> float:
    """The RMS level of the window, calibrated so a full-scale sine reads 0 dB (RMS dBFS + 3.01)."""
    seg = _segment(samples, rate, t0, t1)
    if not len(seg):
        return SILENCE_DB
    return _db(float(np.sqrt(2 * np.mean(seg**2))))


def tone_level_db(
    samples: Samples,
    rate: int,
    freq: float,
    t0: float | None = None,
    t1: float | None = None,
    *,
    tolerance_hz: float = 0.0,
) -> float:
    """The level of a pure tone at ``freq`` Hz in the window: 0 dB for a full-scale sine.

    Evaluates the Hann-windowed spectrum exactly at ``freq`` (a single-bin DFT, like Goertzel),
    so it does not matter whether ``freq`` falls on an FFT bin. Other tones are rejected by the
    window's side lobes (below -60 dB from about 8·rate/N Hz away, N the window's samples: with a
    0.1 s window, tones 80 Hz apart do not disturb each other). With ``tolerance_hz`` the
    highest level within ``freq ± tolerance_hz`` is returned, for sources whose pitch is not
    exact. Windows shorter than a few periods of ``freq`` read low.
    """
    if not 0 < freq < rate / 2:
        raise ValueError(f"frequency {freq} Hz outside (0, {rate / 2}) Hz")
    seg = _segment(samples, rate, t0, t1)
    n = len(seg)
    if n < 2:
        return SILENCE_DB
    window = np.hanning(n)
    weighted = seg * window
    step = rate / n / 4
    count = 1 if tolerance_hz <= 0 else 2 * int(np.ceil(tolerance_hz / step)) + 1
    freqs = np.linspace(freq - tolerance_hz, freq + tolerance_hz, count) if count > 1 else [freq]
    phase_step = -2j * np.pi * np.arange(n) / rate
    best = max(abs(np.dot(weighted, np.exp(phase_step * f))) for f in freqs)
    return _db(2 * best / window.sum())


def band_level_db(
    samples: Samples,
    rate: int,
    lo: float,
    hi: float,
    t0: float | None = None,
    t1: float | None = None,
) -> float:
    """The level of everything between ``lo`` and ``hi`` Hz in the window: a full-scale sine
    inside the band reads 0 dB, white noise reads its in-band share.

    Sums the power of the Hann-windowed spectrum's bins in the band (Parseval). A tone within
    two bins (2·rate/N Hz) of an edge is partly counted.
    """
    seg = _segment(samples, rate, t0, t1)
    n = len(seg)
    if n < 2:
        return SILENCE_DB
    window = np.hanning(n)
    power = np.abs(np.fft.rfft(seg * window)) ** 2
    power[1 : (n + 1) // 2] *= 2  # one-sided spectrum: every bin but DC and Nyquist counts twice
    freqs = np.fft.rfftfreq(n, 1 / rate)
    in_band = (freqs >= lo) & (freqs <= hi)
    mean_square = power[in_band].sum() / (n * np.sum(window**2))
    return _db(float(np.sqrt(2 * mean_square)))


@dataclass(frozen=True)
class LevelSeries:
    """Levels over time: ``levels_db[i]`` was measured in a window centred on ``times[i]``."""

    times: npt.NDArray[np.float64]
    levels_db: npt.NDArray[np.float64]

    def at(self, t: float) -> float:
        """The level measured nearest to time ``t``."""
        return float(self.levels_db[int(np.argmin(np.abs(self.times - t)))])


def level_track(
    samples: Samples,
    rate: int,
    freq: float | tuple[float, float] | None,
    step_s: float,
    *,
    window_s: float | None = None,
) -> LevelSeries:
    """Measure a level every ``step_s`` seconds over windows of ``window_s`` (default
    ``step_s``): of the tone at ``freq`` Hz (as ``tone_level_db``), of the band ``(lo, hi)``
    (as ``band_level_db``) or, with ``None``, of everything (as ``rms_db``).

    Each time is a window's centre, so an onset shows where a window straddles it, within
    ``window_s / 2`` of the truth; use short windows for timing and longer ones (≥ 0.05 s) to
    separate tones that are close in frequency.
    """
    window_len = max(2, round((window_s if window_s is not None else step_s) * rate))
    hop = max(1, round(step_s * rate))
    x = np.asarray(samples, dtype=np.float64)
    if len(x) < window_len:
        return LevelSeries(np.zeros(0), np.zeros(0))
    frames = np.lib.stride_tricks.sliding_window_view(x, window_len)[::hop]
    times = (np.arange(len(frames)) * hop + window_len / 2) / rate
    if freq is None:
        amplitude = np.sqrt(2 * np.mean(frames**2, axis=1))
    elif isinstance(freq, tuple):
        lo, hi = freq
        window = np.hanning(window_len)
        power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
        power[:, 1 : (window_len + 1) // 2] *= 2
        freqs = np.fft.rfftfreq(window_len, 1 / rate)
        in_band = (freqs >= lo) & (freqs <= hi)
        amplitude = np.sqrt(2 * power[:, in_band].sum(axis=1) / (window_len * np.sum(window**2)))
    else:
        if not 0 < freq < rate / 2:
            raise ValueError(f"frequency {freq} Hz outside (0, {rate / 2}) Hz")
        window = np.hanning(window_len)
        kernel = window * np.exp(-2j * np.pi * freq * np.arange(window_len) / rate)
        amplitude = 2 * np.abs(frames @ kernel) / window.sum()
    levels = 20 * np.log10(np.maximum(amplitude, _FLOOR))
    return LevelSeries(times, levels)


def first_time_above(
    series: LevelSeries, threshold_db: float, *, after: float | None = None
) -> float | None:
    """The first time (at or after ``after``) the level reaches ``threshold_db``, or None."""
    return _first(series, series.levels_db >= threshold_db, after)


def first_time_below(
    series: LevelSeries, threshold_db: float, *, after: float | None = None
) -> float | None:
    """The first time (at or after ``after``) the level is under ``threshold_db``, or None."""
    return _first(series, series.levels_db < threshold_db, after)


def last_time_above(series: LevelSeries, threshold_db: float) -> float | None:
    """The last time the level reaches ``threshold_db``, or None."""
    hits = np.flatnonzero(series.levels_db >= threshold_db)
    return float(series.times[hits[-1]]) if len(hits) else None


def spans_above(
    series: LevelSeries, threshold_db: float, *, min_duration_s: float = 0.0
) -> list[tuple[float, float]]:
    """The (start, end) times of each run of levels at or over ``threshold_db``, dropping runs
    shorter than ``min_duration_s``: e.g. how many times, and when, a chime sounded."""
    above = np.concatenate(([False], series.levels_db >= threshold_db, [False]))
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    spans: list[tuple[float, float]] = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        span = (float(series.times[start]), float(series.times[stop - 1]))
        if span[1] - span[0] >= min_duration_s:
            spans.append(span)
    return spans


def _first(series: LevelSeries, mask: npt.NDArray[np.bool_], after: float | None) -> float | None:
    if after is not None:
        mask = mask & (series.times >= after)
    hits = np.flatnonzero(mask)
    return float(series.times[hits[0]]) if len(hits) else None


def sine(
    freqs: Sequence[float] | float,
    seconds: float,
    rate: int = 44100,
    *,
    level_db: float | Sequence[float] = 0.0,
) -> Samples:
    """A sum of sines (one per frequency, each at its ``level_db``): test signals for the above."""
    freq_list = [freqs] if isinstance(freqs, int | float) else list(freqs)
    levels = [level_db] * len(freq_list) if isinstance(level_db, int | float) else list(level_db)
    t = np.arange(round(seconds * rate)) / rate
    out = np.zeros_like(t)
    for f, db in zip(freq_list, levels, strict=True):
        out += 10 ** (db / 20) * np.sin(2 * np.pi * f * t)
    return out


def spoken_seconds(path: Path) -> float:
    """How long a speech file lasts, after checking it is audible and has speech in it."""
    samples, rate = load_wav(path)
    assert rms_db(samples, rate) > -40, f"{path.name} is silent"
    assert band_level_db(samples, rate, 200, 4000) > -40, f"{path.name} has no speech band"
    return len(samples) / rate


def longest_silence_seconds(path: Path) -> float:
    """The longest run of 10 ms windows under -50 dBFS: how long a pause sounds."""
    samples, rate = load_wav(path)
    quiet = level_track(samples, rate, None, 0.01).levels_db < -50
    longest = run = 0
    for is_quiet in quiet:
        run = run + 1 if is_quiet else 0
        longest = max(longest, run)
    return longest * 0.01


def dominant_hz(samples: Samples, rate: int) -> float:
    """The strongest frequency of ``samples`` (Hann window)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def dominant_from_ms(samples: Samples, rate: int, hz: float, step_ms: int = 5) -> float | None:
    """How far into ``samples`` ``hz`` (within 100 Hz) takes over: the end of the first 10 ms
    window, in ``step_ms`` steps, where it is the strongest frequency. None: never."""
    window, step = rate // 100, rate * step_ms // 1000
    for at in range(0, len(samples) - window, step):
        if abs(dominant_hz(samples[at : at + window], rate) - hz) < 100:
            return (at + window) * 1000 / rate
    return None

"""Levels and loudness of rendered speech: load a voice's audio as mono samples, trim its
silence, measure its loudness (ITU-R BS.1770-4 integrated loudness, by pyloudnorm), bring it to a
target, and keep sample peaks under a ceiling with a look-ahead limiter.

numpy, scipy and pyloudnorm are imported inside the functions that use them: the daemon imports
the renderer at start and should not carry them (about 75 MB more) until it renders.

A clip shorter than one 400 ms gating block is measured padded with silence to one block: the
absolute gate drops blocks of pure silence, but this one block also holds the clip, so the clip
reads as its energy spread over 400 ms — quieter than its own mean square, much as the ear hears
a very short sound as quieter. The renderer and ``measure_lufs`` use the same rule, so a short
clip is normalised to read the target when measured again.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Float = npt.NDArray[np.float64]

TRIM_FRAME_MS = 10
"""Silence is judged on the RMS level of frames this long."""
BLOCK_S = 0.4
"""The BS.1770 gating block: the shortest signal pyloudnorm can measure."""
LIMITER_ATTACK_MS = 1.0
"""Look-ahead of the limiter: its gain starts falling this long before a peak."""
LIMITER_RELEASE_MS = 50.0
"""Time constant with which the limiter's gain reduction dies away after a peak."""
CEILING_MARGIN_DB = 0.01
"""Head-room under the requested ceiling for rounding to 16-bit samples."""
MAX_PASSES = 3
AIM_LU = 0.2
"""Limiting passes stop once the loudness is this close to the target (the promise is 0.5)."""
FIRST_STEP = 1.5
"""The first correction after limiting, times what is missing: more gain means more limiting,
which takes back part of it (about a third, for speech)."""


def measure_lufs(path: Path) -> float:
    """The integrated loudness (LUFS) of a PCM WAV file; ``-inf`` for digital silence. A file
    shorter than 400 ms is measured padded with silence (see the module's docstring)."""
    samples, rate = read_wav(path)
    return integrated_loudness(samples, rate)


def read_wav(path: Path) -> tuple[Float, int]:
    """A WAV file's samples as floats in [-1, 1]: shape (frames,) if mono, else (frames,
    channels); and its sample rate. Reads 8, 16, 24 and 32-bit integer PCM."""
    import numpy as np

    with wave.open(str(path), "rb") as w:
        channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        raw = w.readframes(w.getnframes())
    raw = raw[: len(raw) - len(raw) % (width * channels)]
    if width == 1:
        x = (np.frombuffer(raw, np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 3:  # little-endian 24-bit: shift into the top of an int32
        wide = np.zeros((len(raw) // 3, 4), np.uint8)
        wide[:, 1:] = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        x = wide.view("<i4").ravel().astype(np.float64) / 2.0**31
    else:
        x = np.frombuffer(raw, f"<i{width}").astype(np.float64) / 2.0 ** (8 * width - 1)
    return (x if channels == 1 else x.reshape(-1, channels)), rate


def load_mono(path: Path, rate: int) -> Float:
    """An audio file (WAV directly, anything else through ffmpeg; pydub) as mono float samples
    at ``rate``. ValueError if it cannot be decoded."""
    import warnings

    import numpy as np
    from scipy.signal import resample_poly

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pydub imports audioop
        from pydub import AudioSegment

    try:
        segment = AudioSegment.from_file(str(path)).set_channels(1)
    except Exception as exc:  # pydub fails in many ways on a file it cannot decode
        raise ValueError(f"its audio cannot be read ({exc})") from exc
    full_scale = float(1 << (8 * segment.sample_width - 1))
    samples = np.asarray(segment.get_array_of_samples(), dtype=np.float64) / full_scale
    if segment.frame_rate != rate:  # band-limited, unlike pydub's linear interpolation
        common = math.gcd(segment.frame_rate, rate)
        samples = resample_poly(samples, rate // common, segment.frame_rate // common)
    result: Float = samples
    return result


def trim_silence(samples: Float, rate: int, *, threshold_dbfs: float, edge_ms: int) -> Float | None:
    """``samples`` from ``edge_ms`` before the first ``TRIM_FRAME_MS`` frame whose RMS level is
    above ``threshold_dbfs`` to ``edge_ms`` after the last one, padded with silence where the
    audio had less; None if no frame is above."""
    import numpy as np

    frame = max(1, rate * TRIM_FRAME_MS // 1000)
    count = -(-len(samples) // frame)
    frames = np.pad(samples, (0, count * frame - len(samples))).reshape(count, frame)
    loud = np.flatnonzero(np.sqrt(np.mean(frames**2, axis=1)) > 10 ** (threshold_dbfs / 20))
    if not loud.size:
        return None
    edge = round(edge_ms * rate / 1000)
    padded = np.pad(samples, edge)  # index i of samples is i + edge here
    start, end = loud[0] * frame, min(len(samples), (loud[-1] + 1) * frame) + 2 * edge
    result: Float = padded[start:end]
    return result


def integrated_loudness(samples: Float, rate: int) -> float:
    """BS.1770-4 integrated loudness of float samples ((frames,) or (frames, channels))."""
    import numpy as np
    import pyloudnorm

    short = int(BLOCK_S * rate) + 1 - len(samples)
    if short > 0:
        pad = [(0, short)] + [(0, 0)] * (samples.ndim - 1)
        samples = np.pad(samples, pad)
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def normalise(
    samples: Float, rate: int, *, target_lufs: float, peak_dbfs: float
) -> tuple[Float, float]:
    """``samples`` (mono, not silent) at ``target_lufs``, no sample above ``peak_dbfs``, and
    their loudness.

    1. Measure and apply the gain that reaches the target; done if the peak stays under.
    2. Otherwise limit the peaks (``limit``) and measure again, at most ``MAX_PASSES`` times,
       stopping within ``AIM_LU``; keep the pass nearest the target. Each pass corrects the gain
       before the limiter: the first by ``FIRST_STEP`` times what is missing, the next ones by
       a model fitted to the last two passes, energy = A·gain² + B, where A is what scales with
       the gain and B the energy of peaks the limiter holds at the ceiling. (Assuming that
       everything scales makes each pass fall short when the peaks carry much of the loudness.)
    The limiter always holds the ceiling; the loudness can stay short of the target only for
    audio that is almost all peaks.
    """
    import numpy as np

    measured = integrated_loudness(samples, rate)
    if not np.isfinite(measured):
        raise ValueError("the audio is silent: its loudness cannot be measured")
    gain_db = target_lufs - measured
    ceiling = 10 ** ((peak_dbfs - CEILING_MARGIN_DB) / 20)
    if max(float(samples.max()), -float(samples.min())) * 10 ** (gain_db / 20) <= ceiling:
        return samples * 10 ** (gain_db / 20), target_lufs
    passes: list[tuple[float, float]] = []  # (gain_db, loudness)
    best: tuple[float, Float, float] | None = None  # (miss, samples, loudness)
    for _ in range(MAX_PASSES):
        limited = limit(samples, rate, ceiling, pre_gain=10 ** (gain_db / 20))
        loudness = integrated_loudness(limited, rate)
        passes.append((gain_db, loudness))
        if best is None or abs(loudness - target_lufs) < best[0]:
            best = (abs(loudness - target_lufs), limited, loudness)
        del limited  # at most two passes' audio alive at once
        if best[0] <= AIM_LU:
            break
        gain_db = _next_gain(passes, target_lufs)
    assert best is not None
    return best[1], best[2]


def _next_gain(passes: list[tuple[float, float]], target_lufs: float) -> float:
    gain_db, loudness = passes[-1]
    if len(passes) < 2:
        return gain_db + FIRST_STEP * (target_lufs - loudness)
    step = gain_db + target_lufs - loudness
    (g1, l1), (g2, l2) = passes[-2], passes[-1]
    p1, p2, e1, e2 = 10 ** (g1 / 10), 10 ** (g2 / 10), 10 ** (l1 / 10), 10 ** (l2 / 10)
    if p1 == p2:
        return step
    scales = (e2 - e1) / (p2 - p1)
    held = e1 - scales * p1
    wanted = 10 ** (target_lufs / 10) - held
    if scales <= 0 or wanted <= 0:
        return step
    return min(10 * math.log10(wanted / scales), gain_db + 20.0)


def limit(samples: Float, rate: int, ceiling: float, *, pre_gain: float = 1.0) -> Float:
    """A look-ahead peak limiter: ``samples × pre_gain`` times a smooth gain that keeps every
    sample's magnitude at or under ``ceiling`` (linear).

    1. Each sample x needs a gain of at most ``ceiling / |x·pre_gain|`` (1 if under the ceiling).
    2. Attack: the lowest need over the next ``LIMITER_ATTACK_MS`` (a moving minimum looking
       ahead), then a moving average over the same length looking back. Every value averaged
       into sample n covers n, so the gain is still at most n's need, and it ramps linearly into
       each peak instead of jumping.
    3. Release: the gain reduction (1 - gain) after a peak decays exponentially with time
       constant ``LIMITER_RELEASE_MS`` unless the attack asks for more. Computed without a
       per-sample loop: r[n] = max over k <= n of r1[k]·a^(n-k), i.e. in logs a running maximum
       of log r1[k] - k·log a, plus n·log a.
    """
    import numpy as np
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    # In place where possible: a minute of audio is 20 MB an array.
    need = np.abs(samples)  # 1.
    need *= pre_gain
    np.maximum(need, 1e-12, out=need)
    np.divide(ceiling, need, out=need)
    np.minimum(need, 1.0, out=need)
    look = max(1, round(rate * LIMITER_ATTACK_MS / 1000))  # 2.
    gain = minimum_filter1d(need, look, mode="constant", cval=1.0, origin=-(look // 2))
    uniform_filter1d(gain, look, output=gain, mode="constant", cval=1.0, origin=(look - 1) // 2)
    np.minimum(gain, need, out=gain)
    np.subtract(1.0, gain, out=gain)  # 3. the reduction, in logs
    np.log(np.maximum(gain, 1e-300, out=gain), out=gain)
    k = np.arange(len(samples), dtype=np.float64)
    k *= -1000.0 / (LIMITER_RELEASE_MS * rate)  # k·log a
    gain -= k
    np.maximum.accumulate(gain, out=gain)
    gain += k
    del k
    np.exp(gain, out=gain)
    np.subtract(1.0, gain, out=gain)  # back to a gain, never above any sample's need
    np.clip(gain, 0.0, need, out=gain)
    del need
    gain *= samples
    gain *= pre_gain
    return gain

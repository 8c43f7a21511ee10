"""Mastering: fades at both ends, loudness normalised to ``TARGET_LUFS`` (integrated loudness
after ITU-R BS.1770) and peaks held under ``PEAK_CEILING_DBFS`` by a look-ahead limiter.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .audio import RATE, Float

TARGET_LUFS = -18.0
PEAK_CEILING_DBFS = -2.0  # before encoding; lossy codecs add a few tenths of a dB of overshoot


def _master(audio: Float, seconds: float) -> Float:
    fade_in = min(audio.shape[1], round(0.05 * RATE))
    audio[:, :fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
    fade_out = min(audio.shape[1], round(min(3.0, seconds * 0.2) * RATE))  # a raised cosine
    ramp = 0.5 * (1 + np.cos(np.linspace(0, np.pi, fade_out)))
    audio[:, audio.shape[1] - fade_out :] *= ramp.astype(np.float32)
    loudness = integrated_loudness(audio)
    if np.isfinite(loudness):
        audio *= np.float32(10 ** ((TARGET_LUFS - loudness) / 20))
    return _limit(audio, 10 ** (PEAK_CEILING_DBFS / 20))


def integrated_loudness(audio: npt.NDArray[Any], rate: int = RATE) -> float:
    """Integrated loudness in LUFS after ITU-R BS.1770 (K-weighting applied in the frequency
    domain per 100 ms, 400 ms blocks with 75 % overlap, absolute and relative gates).
    ``audio`` is (channels, samples). ``-inf`` for silence."""
    hop = rate // 10
    blocks = audio.shape[1] // hop
    if blocks < 4:
        return float("-inf")
    weight = _k_weighting(np.asarray(np.fft.rfftfreq(hop, 1 / rate), np.float64))
    weight[1:] *= 2  # one-sided
    power = np.zeros(blocks)  # mean square per 100 ms, summed over channels
    for channel in audio:
        for first in range(0, blocks, 600):  # a minute at a time: bounded memory
            last = min(blocks, first + 600)
            frames = np.asarray(channel[first * hop : last * hop], np.float64).reshape(-1, hop)
            power[first:last] += (np.abs(np.fft.rfft(frames, axis=1)) ** 2 @ weight) / hop**2
    gating = np.convolve(power, np.ones(4) / 4, "valid")  # 400 ms blocks every 100 ms
    loud = -0.691 + 10 * np.log10(np.maximum(gating, 1e-20))
    kept = gating[loud > -70]
    if not len(kept):
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10
    kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def _k_weighting(freqs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """|H(f)|² of BS.1770's K filter (high shelf + high pass), its 48 kHz design."""
    z = np.exp(-1j * 2 * np.pi * freqs / 48000)
    shelf = (1.53512485958697 - 2.69169618940638 * z + 1.19839281085285 * z**2) / (
        1 - 1.69065929318241 * z + 0.73248077421585 * z**2
    )
    highpass = (1 - 2 * z + z**2) / (1 - 1.99004745483398 * z + 0.99007225036621 * z**2)
    result: npt.NDArray[np.float64] = np.abs(shelf * highpass) ** 2
    return result


def _limit(audio: Float, ceiling: float) -> Float:
    """A look-ahead peak limiter: per 10 ms block the gain that keeps it under ``ceiling``,
    spread to the neighbouring blocks and interpolated, so peaks are turned down smoothly
    (usually nowhere: the mix rarely needs it)."""
    block = RATE // 100
    n = audio.shape[1]
    blocks = -(-n // block)
    peaks = np.zeros(blocks * block, np.float32)
    peaks[:n] = np.abs(audio[0])
    np.maximum(peaks[:n], np.abs(audio[1]), out=peaks[:n])
    block_peak = peaks.reshape(blocks, block).max(axis=1)
    gain = np.minimum(1.0, ceiling / np.maximum(block_peak, 1e-9))
    if gain.min() < 1.0:
        padded = np.pad(gain, 2, constant_values=1.0)
        eroded = np.min(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)
        smooth = np.convolve(np.pad(eroded, 1, mode="edge"), np.ones(3) / 3, "valid")
        centres = (np.arange(blocks) + 0.5) * block
        audio *= np.interp(np.arange(n), centres, smooth).astype(np.float32)
    peak = max(float(np.max(audio)), -float(np.min(audio)))
    if peak > ceiling:  # cannot happen but for rounding; never let a clip out
        audio *= np.float32(ceiling / peak)
    return audio

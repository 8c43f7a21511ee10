"""Mixing: a song's events placed into a stereo dry bus (constant-power pan, a little human
looseness in timing and velocity) and a mono reverb send, each distinct note rendered once and
mixed in wherever it recurs; the room is a noise-burst reverb convolved at a quarter of the
sample rate.
"""

from __future__ import annotations

import numpy as np

from .audio import RATE, Float
from .compose import _Event
from .instruments import _DRUM_PAN, _INSTRUMENTS, _drum_kit, _hz
from .styles import _Style


def _pan(pan: float) -> tuple[float, float]:
    angle = (pan + 1) * np.pi / 4  # constant power
    return float(np.cos(angle)), float(np.sin(angle))


class _Mixer:
    """Places notes, each rendered once per (instrument, pitches, length), into a stereo dry
    bus and a mono reverb send; ``finish`` adds the reverb."""

    def __init__(self, samples: int, style: _Style, rng: np.random.Generator) -> None:
        self.samples = samples
        self.style = style
        self.rng = rng
        self.dry = np.zeros((2, samples), np.float32)
        self.send = np.zeros(samples, np.float32)
        self.notes: dict[tuple[str, tuple[int, ...], int], Float] = {}
        self.drums = {k: v.astype(np.float32) for k, v in _drum_kit(7).items()}

    def _note(
        self, instrument: str, pitches: tuple[int, ...], sixteenths: int, spb: float
    ) -> Float:
        key = (instrument, pitches, sixteenths)
        wave = self.notes.get(key)
        if wave is None:
            on = sixteenths * spb / 4
            parts = [_INSTRUMENTS[instrument](_hz(p), on) for p in pitches]
            total = np.zeros(max(len(p) for p in parts))
            for part in parts:
                total[: len(part)] += part
            wave = total.astype(np.float32)
            self.notes[key] = wave
        return wave

    def add(self, event: _Event, spb: float) -> None:
        if event.drum:
            wave = self.drums[event.drum]
            left, right = _pan(_DRUM_PAN.get(event.drum, 0.0))
        else:
            wave = self._note(event.part.instrument, event.pitches, round(event.beats * 4), spb)
            left, right = _pan(event.part.pan)
        jitter = self.style.humanize_s * float(self.rng.uniform(-1, 1))
        velocity = event.velocity * (1 + 0.08 * float(self.rng.uniform(-1, 1)))
        start = max(0, round((event.beat * spb + jitter) * RATE))
        end = min(self.samples, start + len(wave))
        if end <= start:
            return
        chunk = wave[: end - start] * np.float32(velocity * event.part.gain)
        self.dry[0, start:end] += chunk * np.float32(left)
        self.dry[1, start:end] += chunk * np.float32(right)
        if event.part.send:
            self.send[start:end] += chunk * np.float32(event.part.send)

    def finish(self) -> Float:
        wet = _reverb(self.send, self.style.reverb_s, self.rng)
        wet *= np.float32(self.style.reverb_gain)
        self.dry += wet
        return self.dry


def _reverb(send: Float, seconds: float, rng: np.random.Generator) -> Float:
    """A stereo room: the send convolved with decaying noise (independent per side), computed at
    a quarter of the sample rate — reverb tails are dark anyway — and interpolated back."""
    factor = 4
    n = len(send)
    low_rate = RATE / factor
    padded = np.zeros(-(-n // factor) * factor, np.float32)
    padded[:n] = send
    low = padded.reshape(-1, factor).mean(axis=1, dtype=np.float64)
    del padded
    t = np.arange(round(seconds * low_rate)) / low_rate
    size = 1 << int(np.ceil(np.log2(len(low) + len(t))))
    spectrum = np.fft.rfft(low, size)
    out = np.empty((2, len(low) * factor), np.float32)
    pre_delay = round(0.02 * low_rate)
    steps = np.arange(factor, dtype=np.float32) / factor
    for side in range(2):
        ir = np.zeros(len(t) + pre_delay)
        ir[pre_delay:] = np.convolve(rng.standard_normal(len(t)), [0.5, 0.5], "same")
        ir[pre_delay:] *= np.exp(-6.9 * t / seconds)
        ir /= np.sqrt(np.sum(ir**2))
        wet = np.fft.irfft(spectrum * np.fft.rfft(ir, size), size)[: len(low) + 1]
        wet = wet.astype(np.float32)
        # linear interpolation back to the full rate: factor samples between each pair
        upsampled = out[side].reshape(-1, factor)
        upsampled[:] = wet[:-1, None] * (1 - steps) + wet[1:, None] * steps
    return out[:, :n]

"""The voices and the drum kit, numpy only.

Each voice maps (frequency in Hz, seconds held) to one mono float64 note, additive or FM
synthesis shaped by attack, decay and release envelopes, ringing on past the held time as its
release needs. The drum kit is one-shot samples made from noise and sine sweeps, seeded, so
every run sounds the same.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .audio import RATE

_TWO_PI = 2 * np.pi


def _hz(midi: int) -> float:
    return float(440.0 * 2 ** ((midi - 69) / 12))


def _time(seconds: float) -> npt.NDArray[np.float64]:
    return np.arange(max(1, round(seconds * RATE))) / RATE


def _attack(t: npt.NDArray[np.float64], seconds: float) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = 1 - np.exp(-t / seconds)
    return result


def _release(t: npt.NDArray[np.float64], off: float, seconds: float) -> npt.NDArray[np.float64]:
    """1 until ``off``, then a raised-cosine fall to 0 over ``seconds``."""
    x = np.clip((t - off) / seconds, 0.0, 1.0)
    result: npt.NDArray[np.float64] = 0.5 * (1 + np.cos(np.pi * x))
    return result


def _partials(
    f: float,
    t: npt.NDArray[np.float64],
    amps: tuple[float, ...],
    taus: tuple[float, ...] | None = None,
    ratios: tuple[float, ...] | None = None,
) -> npt.NDArray[np.float64]:
    out = np.zeros_like(t)
    for k, amp in enumerate(amps):
        ratio = ratios[k] if ratios is not None else k + 1
        if f * ratio >= 0.45 * RATE or amp == 0:
            continue
        wave = np.sin(_TWO_PI * f * ratio * t)
        if taus is not None:
            wave *= np.exp(-t / taus[k])
        out += amp * wave
    return out


def _piano(f: float, on: float) -> npt.NDArray[np.float64]:
    tau = float(np.clip(2.0 * (262 / f) ** 0.7, 0.35, 4.0))
    off = min(on, 4 * tau)
    t = _time(off + 0.25)
    n = np.arange(1, 9)
    ratios = tuple(float(r) for r in n * np.sqrt(1 + 0.0003 * n**2))  # stiff strings: stretched
    amps = (1.0, 0.5, 0.28, 0.2, 0.1, 0.07, 0.05, 0.03)
    taus = tuple(tau / (1 + 0.5 * k) for k in range(8))
    body = _partials(f, t, amps, taus, ratios) * (0.55 + 0.45 * np.exp(-t / 0.15))
    return body * _attack(t, 0.002) * _release(t, off, 0.25)


def _epiano(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.3)
    index = 1.2 * np.exp(-t / 0.3) + 0.15
    phase = _TWO_PI * f * t
    tone = np.sin(phase + index * np.sin(phase))
    if 7 * f < 0.45 * RATE:
        tone += 0.08 * np.sin(7 * phase) * np.exp(-t / 0.04)  # the tine's ping
    env = np.exp(-t / 1.6) * (0.7 + 0.3 * np.exp(-t / 0.2))
    return tone * env * _attack(t, 0.003) * _release(t, on, 0.3)


def _pad(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 1.0)
    amps = (1.0, 0.45, 0.22, 0.12, 0.06)
    tone = _partials(f * 1.003, t, amps) + _partials(f / 1.003, t, amps)  # detuned: a chorus
    rise = np.clip(t / min(0.6, on / 2), 0.0, 1.0)
    return tone * 0.5 * (1 - np.cos(np.pi * rise)) / 2 * _release(t, on, 1.0)


def _flute(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.15)
    vibrato = 1 + 0.004 * np.sin(_TWO_PI * 5.2 * t) * np.clip((t - 0.2) / 0.3, 0.0, 1.0)
    phase = _TWO_PI * f * np.cumsum(vibrato) / RATE
    tone = np.sin(phase) + 0.22 * np.sin(2 * phase) + 0.06 * np.sin(3 * phase)
    env = 0.85 + 0.15 * np.exp(-t / 0.5)
    return tone * env * _attack(t, 0.05) * _release(t, on, 0.15)


def _lead(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.12)
    vibrato = 1 + 0.005 * np.sin(_TWO_PI * 5.5 * t) * np.clip((t - 0.25) / 0.3, 0.0, 1.0)
    phase = _TWO_PI * f * np.cumsum(vibrato) / RATE
    tone = np.sin(phase) + 0.15 * np.sin(2 * phase) + 0.22 * np.sin(3 * phase)
    tone += 0.08 * np.sin(5 * phase) + 0.03 * np.sin(7 * phase)
    env = 0.75 + 0.25 * np.exp(-t / 0.3)
    return tone * env * _attack(t, 0.012) * _release(t, on, 0.12)


def _synth(f: float, on: float, brightness: float, decay: float) -> npt.NDArray[np.float64]:
    """A saw-like tone whose upper harmonics die away (a closing filter)."""
    t = _time(on + 0.08)
    out = np.zeros_like(t)
    for k in range(1, 11):
        if k * f >= 0.45 * RATE:
            break
        fade = 0.2 + 0.8 * np.exp(-t * (k - 1) * brightness)
        out += (1 / k**1.2) * np.sin(_TWO_PI * k * f * t) * fade
    env = np.exp(-t / decay) if decay else 1.0
    return out * env * _attack(t, 0.004) * _release(t, on, 0.08)


def _guitar(f: float, on: float) -> npt.NDArray[np.float64]:
    tau = float(np.clip(1.4 * (196 / f) ** 0.5, 0.4, 2.5))
    off = min(on, 3 * tau)
    t = _time(off + 0.1)
    # plucked at 18 % of the string: that harmonic series
    amps = tuple(abs(float(np.sin(np.pi * k * 0.18))) / k**1.6 for k in range(1, 13))
    taus = tuple(tau / (1 + 0.35 * k) for k in range(12))
    return _partials(f, t, amps, taus) * _attack(t, 0.002) * _release(t, off, 0.1)


def _vibes(f: float, on: float) -> npt.NDArray[np.float64]:
    off = min(on + 0.4, 4.0)
    t = _time(off + 0.2)
    tone = np.sin(_TWO_PI * f * t) * np.exp(-t / 1.8)
    if 4 * f < 0.45 * RATE:
        tone += 0.25 * np.sin(_TWO_PI * 4 * f * t) * np.exp(-t / 0.3)
    tremolo = 1 - 0.12 * (1 + np.sin(_TWO_PI * 5.5 * t))
    return tone * tremolo * _attack(t, 0.002) * _release(t, off, 0.2)


def _bell(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(2.5)
    tone = _partials(f, t, (1.0, 0.3, 0.1), (1.0, 0.3, 0.1), (1.0, 2.76, 5.4))
    return tone * _attack(t, 0.001) * _release(t, 2.2, 0.3)


def _bass(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.08)
    tone = _partials(f, t, (1.0, 0.3, 0.1))
    return tone * (0.7 + 0.3 * np.exp(-t / 0.2)) * _attack(t, 0.005) * _release(t, on, 0.08)


def _upright(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.1)
    tone = _partials(f, t, (1.0, 0.45, 0.15, 0.06), (1.2, 0.6, 0.3, 0.15))
    return tone * _attack(t, 0.004) * _release(t, on, 0.1)


_INSTRUMENTS: dict[str, Callable[[float, float], npt.NDArray[np.float64]]] = {
    "piano": _piano,
    "epiano": _epiano,
    "pad": _pad,
    "flute": _flute,
    "lead": _lead,
    "synth_lead": lambda f, on: _synth(f, on, 3.0, 0.0),
    "stab": lambda f, on: _synth(f, on, 12.0, 0.25),
    "synth_bass": lambda f, on: _synth(f, on, 6.0, 0.0),
    "guitar": _guitar,
    "vibes": _vibes,
    "bell": _bell,
    "bass": _bass,
    "upright": _upright,
}


def _drum_kit(seed: int) -> dict[str, npt.NDArray[np.float64]]:
    rng = np.random.default_rng(seed)

    def noise(seconds: float) -> npt.NDArray[np.float64]:
        return rng.uniform(-1, 1, round(seconds * RATE))

    def highpass(x: npt.NDArray[np.float64], times: int) -> npt.NDArray[np.float64]:
        for _ in range(times):
            x = np.diff(x, prepend=0.0)
        return x / np.max(np.abs(x))

    def smooth(x: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
        return np.convolve(x, np.ones(width) / width, mode="same")

    t = _time(0.4)
    sweep = _TWO_PI * np.cumsum(45 + 90 * np.exp(-t / 0.035)) / RATE
    kick = np.sin(sweep) * np.exp(-t / 0.16) + 0.3 * noise(0.4) * np.exp(-t / 0.003)
    t = _time(0.25)
    snare = 0.55 * highpass(smooth(noise(0.25), 2), 1) * np.exp(-t / 0.07)
    snare += (0.5 * np.sin(_TWO_PI * 185 * t) + 0.2 * np.sin(_TWO_PI * 330 * t)) * np.exp(-t / 0.05)
    clap_env = sum(np.exp(-np.maximum(t - d, 0) / 0.012) * (t >= d) for d in (0.0, 0.011, 0.022))
    clap = smooth(highpass(noise(0.25), 1), 3) * (0.6 * clap_env + 0.4 * np.exp(-t / 0.12))
    t = _time(0.08)
    hat = highpass(noise(0.08), 2) * np.exp(-t / 0.015)
    t = _time(0.35)
    open_hat = highpass(noise(0.35), 2) * np.exp(-t / 0.09)
    t = _time(0.12)
    shaker = highpass(noise(0.12), 2) * (t / 0.02) * np.exp(1 - t / 0.02) * 0.6
    t = _time(0.06)
    rim = (np.sin(_TWO_PI * 1700 * t) + 0.6 * np.sin(_TWO_PI * 820 * t)) * np.exp(-t / 0.012)
    kit = {
        "kick": (kick, 0.9),
        "snare": (snare, 0.6),
        "clap": (clap, 0.45),
        "hat": (hat, 0.18),
        "open_hat": (open_hat, 0.15),
        "shaker": (shaker, 0.16),
        "rim": (rim, 0.35),
    }
    return {name: wave / np.max(np.abs(wave)) * gain for name, (wave, gain) in kit.items()}


_DRUM_PAN = {"hat": 0.3, "open_hat": 0.3, "shaker": -0.35, "rim": 0.2}

"""Real audio files for tests, made here or with ffmpeg (never committed)."""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from scripts_library.tones import write_stereo_wav
from tests.kit import real_audio


def make_tone(
    path: Path, seconds: float, freq: float = 440.0, *, level_db: float = -12.0, rate: int = 44100
) -> Path:
    """A stereo sine tone at ``freq`` Hz and ``level_db`` dBFS in each channel, in the format the
    suffix names. Each distinct tone is made once per process and copied (ffmpeg making the
    suite's two-minute bed for every API test cost about a second each)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() != ".wav":
        real_audio.note("ffmpeg (a tone encoded once per process)")
    shutil.copyfile(_made_tone(seconds, freq, level_db, rate, path.suffix.lower()), path)
    return path


@functools.cache
def _made_tone(seconds: float, freq: float, level_db: float, rate: int, suffix: str) -> Path:
    path = _tone_cache() / f"{seconds}-{freq}-{level_db}-{rate}{suffix}"
    wav = path if suffix == ".wav" else path.with_suffix(".source.wav")
    # The samples here (numpy, about 0.1 s for the two-minute bed); ffmpeg's expression source
    # took over a second for it, once in each test process.
    t = np.arange(round(seconds * rate)) / rate
    write_stereo_wav(wav, 10 ** (level_db / 20) * np.sin(2 * np.pi * freq * t), rate)
    if wav != path:  # another format: ffmpeg encodes it
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), str(path)],
                       check=True)  # fmt: skip
        wav.unlink()
    return path


@functools.cache
def _tone_cache() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tones-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


LEAD_IN, BODY, LEAD_IN_MS = 440.0, 1000.0, 300.0  # make_alert: 0.3 s at 440 Hz, then 1 kHz


def make_alert(path: Path) -> Path:
    """An alert whose start can be told apart: a 300 ms 440 Hz lead-in, then 2.7 s at 1 kHz
    (48 kHz, peak 0.5)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"sine=f={LEAD_IN}:d=0.3",
         "-f", "lavfi", "-i", f"sine=f={BODY}:d=2.7", "-filter_complex",
         "[0][1]concat=n=2:v=0:a=1,volume=4", "-ar", "48000", str(path)],
        check=True,
    )  # fmt: skip
    return path


def make_corrupt(path: Path, size: int = 4096) -> Path:
    """Random bytes with an audio file's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(size)))
    return path


def make_empty(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def make_text(path: Path, text: str = "not audio at all\n" * 40) -> Path:
    """A plain text file with an audio file's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_quiet_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A silent mono WAV of the given length, written directly (fast): for tests that only need
    real files with real durations, such as the day simulator's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(2 * round(seconds * rate)))
    return path


@contextmanager
def tones_made_once(*paths: Path) -> Iterator[None]:
    """Around an in-process daemon's start, with the tones it generates when missing (its
    ``chime`` and ``alert``: the alert's name says its shape and length): each is made once per
    process and copied to the later daemons (about 0.1 s of CPU a start; the tones themselves
    are tested in tests/scripts_library/test_tones.py). A tone already there is left alone."""
    missing = [path for path in paths if not path.exists()]
    for path in missing:
        made = _tone_cache() / f"daemon-{path.name}"
        if made.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(made, path)
    yield
    for path in missing:
        made = _tone_cache() / f"daemon-{path.name}"
        if path.is_file() and not made.exists():
            shutil.copyfile(path, made)

"""Encoding: a track's float audio piped to ffmpeg as Ogg Vorbis or MP3 with its tags,
written under a hidden partial name and renamed into place only once complete.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from .audio import RATE, Float


class DemoMusicError(RuntimeError):
    """The demo music could not be made (ffmpeg missing or failing)."""


def _encode(audio: Float, path: Path, codec: str, tags: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    command += ["-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0"]
    if codec == "ogg":
        command += ["-c:a", "libvorbis", "-q:a", "5", "-f", "ogg"]
    else:
        command += ["-c:a", "libmp3lame", "-q:a", "2", "-id3v2_version", "3", "-f", "mp3"]
    for key, value in tags.items():
        command += ["-metadata", f"{key}={value}"]
    command.append(str(partial))
    interleaved = np.ascontiguousarray(audio.T, dtype="<f4")
    del audio
    try:
        result = subprocess.run(
            command, input=interleaved.data.cast("B"), capture_output=True, check=False
        )
        if result.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            detail = result.stderr.decode("utf-8", "replace").strip()
            raise DemoMusicError(f"ffmpeg could not encode {path.name}: {detail}")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)

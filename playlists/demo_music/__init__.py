"""Demo background music, synthesised at first run so a fresh install has something pleasant to
play and nothing copyrighted (or large) needs committing.

Five playlists, each a style: ``piano`` (solo piano, arpeggiated), ``light`` (soft pads, flute
and bells), ``pop`` (electric piano, bass and drums), ``upbeat`` (a faster dance beat with synth
bass) and ``foreign`` (a bossa nova: nylon guitar, vibraphone, upright bass, rim and shaker).
Each track is composed from its own seed (playlist, index) — key, tempo, chord progressions and
an A-A'-B-A' melody with proper cadences — so every run makes the same music. Tracks are about
-18 LUFS with peaks under -2 dBFS before encoding, tagged, and encoded by ffmpeg (Ogg Vorbis
or MP3: both formats are exercised).

The synthesis is numpy only: each distinct note is rendered once (additive/FM synthesis with
attack and decay envelopes) and mixed in wherever it recurs; the room is a noise-burst reverb
convolved at a quarter of the sample rate.

The package, one module per stage: ``styles`` (the style tables, titles and file names),
``compose`` (harmony, melody, song structure), ``instruments`` (the voices and drum kit), ``mix``
(mixer and reverb), ``master`` (fades, loudness, limiter) and ``encode`` (ffmpeg and tags), on
the sample format of ``audio``. This module runs them: a track at a time (``render_track``) and
all of them, encoded, in parallel (``synthesize_demo_music``).
"""

from __future__ import annotations

import os
import shutil
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .audio import RATE, Float
from .compose import _compose
from .encode import DemoMusicError, _encode
from .master import PEAK_CEILING_DBFS, TARGET_LUFS, _master, integrated_loudness
from .mix import _Mixer
from .styles import ALBUM, PLAYLISTS, STYLES, track_filename, track_title

__all__ = [
    "ALBUM",
    "PEAK_CEILING_DBFS",
    "PLAYLISTS",
    "RATE",
    "STYLES",
    "TARGET_LUFS",
    "DemoMusicError",
    "Float",
    "Progress",
    "integrated_loudness",
    "render_track",
    "synthesize_demo_music",
    "track_filename",
    "track_title",
]

Progress = Callable[[int, int, str], None]


def synthesize_demo_music(
    dest: Path,
    *,
    seconds_per_track: float = 150,
    tracks_per_playlist: int = 3,
    progress: Progress | None = None,
) -> dict[str, list[Path]]:
    """Write the demo playlists into ``dest/<playlist>/NN-title.(ogg|mp3)`` and return the files
    of each playlist, in order.

    A file that already exists and is not empty is kept as it is, so a second run only makes
    what is missing (an interrupted encode leaves no file under the final name). Tracks are
    made in parallel, one per CPU; ``progress(done, total, "playlist/file")`` is called from
    this thread after each file, made or kept.
    """
    if seconds_per_track <= 0 or tracks_per_playlist < 0:
        raise ValueError("seconds_per_track must be > 0 and tracks_per_playlist >= 0")
    dest = Path(dest)
    result = {
        playlist: [
            dest / playlist / track_filename(playlist, i) for i in range(tracks_per_playlist)
        ]
        for playlist in PLAYLISTS
    }
    jobs = [
        (playlist, index, path)
        for playlist, paths in result.items()
        for index, path in enumerate(paths)
    ]
    total, done = len(jobs), 0

    def report(path: Path) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, f"{path.parent.name}/{path.name}")

    missing = []
    for job in jobs:
        path = job[2]
        if path.is_file() and path.stat().st_size > 0:
            report(path)
        else:
            missing.append(job)
    if not missing:
        return result
    if shutil.which("ffmpeg") is None:
        raise DemoMusicError("ffmpeg is not installed: cannot encode the demo music")
    workers = max(1, min(len(missing), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-music") as pool:
        futures: list[tuple[Path, Future[None]]] = [
            (path, pool.submit(_make_track, playlist, index, path, seconds_per_track))
            for playlist, index, path in missing
        ]
        try:
            for path, future in futures:
                future.result()
                report(path)
        except BaseException:
            for _, future in futures:
                future.cancel()
            raise
    return result


def _make_track(playlist: str, index: int, path: Path, seconds: float) -> None:
    audio = render_track(playlist, index, seconds)
    style = STYLES[playlist]
    tags = {
        "title": track_title(playlist, index),
        "artist": style.artist,
        "album": ALBUM,
        "genre": style.genre,
        "track": str(index + 1),
        "comment": "Synthesised demo music, free to use",
    }
    _encode(audio, path, style.codec, tags)


def render_track(playlist: str, index: int, seconds: float) -> Float:
    """Synthesise one track: float32 stereo, shape (2, samples), loudness-normalised."""
    style = STYLES[playlist]
    rng = np.random.default_rng(zlib.crc32(f"{playlist}/{index}".encode()))
    song = _compose(style, rng, seconds)
    mix = _Mixer(round(seconds * RATE), style, rng)
    for event in song.events:
        mix.add(event, song.spb)
    audio = mix.finish()
    return _master(audio, seconds)

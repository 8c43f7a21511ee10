"""The VLC output's preflight: is a file playable audio? Owned by ``vlc_output`` and run only on
its engine thread (every call here is a libvlc call).

A parse is started without waiting and polled on the engine's 20 ms tick, so a slow file never
holds up the air; it ends in a ``MediaInfo`` (duration) or a ``MediaError`` saying why not.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadcaster.audio.output import MediaError, MediaInfo, PreflightCallback
from broadcaster.audio.vlc_setup import audio_tracks, new_media, path_problem, vlc

PARSE_TIMEOUT_MS = 2000

Guard = Callable[[Callable[[], None]], None]  # runs a callback, logging what it raises


@dataclass(frozen=True)
class _Parse:
    media: Any
    path: Path
    done: PreflightCallback
    deadline: float  # monotonic


class Preflights:
    """The parses under way on one libvlc instance."""

    def __init__(self, instance: Any, guard: Guard) -> None:
        self._instance, self._guard = instance, guard
        self._parses: list[_Parse] = []

    def start(self, path: Path, done: PreflightCallback) -> None:
        problem = path_problem(path)
        if problem:
            done(MediaError(problem))
            return
        media = new_media(self._instance, path)
        if media.parse_with_options(vlc.MediaParseFlag.local, PARSE_TIMEOUT_MS) == -1:
            media.release()
            done(MediaError(f"VLC could not start reading {path}"))
            return
        deadline = time.monotonic() + PARSE_TIMEOUT_MS / 1000 + 1
        self._parses.append(_Parse(media, path, done, deadline))

    def poll(self, now: float) -> None:
        """Answer every parse that has finished or run out of time."""
        for job in list(self._parses):
            self._poll(job, now)

    def close(self) -> None:
        """Stop every parse; each is answered that the output closed."""
        for job in self._parses:
            job.media.parse_stop()
            job.media.release()
            self._guard(functools.partial(job.done, MediaError(f"output closed: {job.path}")))
        self._parses.clear()

    def _poll(self, job: _Parse, now: float) -> None:
        media, path = job.media, job.path
        status = media.get_parsed_status().value
        if status == 0 and now < job.deadline:
            return
        self._parses.remove(job)
        result: MediaInfo | MediaError
        if status == 0:
            media.parse_stop()
            result = MediaError(f"VLC took too long to read {path}")
        elif status != vlc.MediaParsedStatus.done.value:
            result = MediaError(f"VLC could not read {path} ({vlc.MediaParsedStatus(status)})")
        elif audio_tracks(media) == 0:
            result = MediaError(f"not audio (no audio track): {path}")
        elif media.get_duration() <= 0:
            result = MediaError(f"not playable audio (no duration): {path}")
        else:
            result = MediaInfo(path, int(media.get_duration()))
        media.release()
        self._guard(lambda: job.done(result))

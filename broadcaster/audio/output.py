"""The narrow seam between the daemon and whatever makes sound.

An output owns a set of named *layers* (``bed``, ``voice``); each layer plays one file at a time.
The core commands it (play, stop, set volume with a fade) and hears back through events
(started, ended, failed). Implementations: ``VlcOutput`` (the only module that imports ``vlc``)
and ``FakeOutput`` (in memory, driven by a virtual clock). One contract test suite runs against
both.

Rules every implementation keeps:
1. Methods may be called from any thread and never block on audio; results arrive as events.
2. Events go to the sink given to ``start``; the sink only enqueues (it must not call back).
3. Volumes are in dB relative to the file's own level (0 dB = unchanged, never above 0).
4. A ``play`` carries a token chosen by the caller; its events carry the same token, so a late
   event from an item that was already replaced can be recognised and ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

SILENT_DB = -90.0  # treated as silence by every output


class MediaError(Exception):
    """A file that cannot be played: missing, empty, not audio, or without duration."""


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration_ms: int


class OutputEventKind(StrEnum):
    STARTED = "started"
    ENDED = "ended"
    FAILED = "failed"
    FADED = "faded"  # a fade reached its target volume


@dataclass(frozen=True)
class OutputEvent:
    layer: str
    token: int
    kind: OutputEventKind
    at: datetime
    detail: str = ""


EventSink = Callable[[OutputEvent], None]
PreflightCallback = Callable[[MediaInfo | MediaError], None]


@dataclass(frozen=True)
class LayerState:
    """What a layer is doing, as last known to the output."""

    token: int | None
    path: Path | None
    position_ms: int
    volume_db: float
    playing: bool


class AudioOutput(Protocol):
    """The output protocol the core drives."""

    def start(self, sink: EventSink) -> None:
        """Open the device and begin delivering events to ``sink``."""

    def close(self) -> None:
        """Stop everything and release the device."""

    def preflight(self, path: Path, done: PreflightCallback) -> None:
        """Check that ``path`` is playable audio; call ``done`` with its info or a MediaError.

        ``done`` may be called from another thread; like the event sink it must only enqueue."""

    def play(
        self, layer: str, path: Path, *, token: int, start_ms: int = 0, volume_db: float = 0.0
    ) -> None:
        """Replace whatever ``layer`` plays with ``path`` from ``start_ms`` at ``volume_db``."""

    def stop(self, layer: str) -> None:
        """Silence ``layer`` at once. No event follows for the stopped item."""

    def set_volume(self, layer: str, volume_db: float, fade_ms: int = 0) -> None:
        """Move ``layer`` to ``volume_db``, evenly in dB over ``fade_ms``; a FADED event (with the
        token of the layer's item) follows when the target is reached, if something plays."""

    def layer_state(self, layer: str) -> LayerState:
        """The layer's current item, position and volume (the target of a running fade)."""

    def fault(self) -> str | None:
        """A problem a person must fix (e.g. no sound device), or None when all is well."""


def db_to_vlc_volume(volume_db: float) -> int:
    """VLC's software volume is cubic, gain = (v/100)^3: so v = 100 * 10^(dB/60), in 0..100."""
    if volume_db <= SILENT_DB:
        return 0
    return max(0, min(100, round(100 * 10 ** (min(volume_db, 0.0) / 60))))

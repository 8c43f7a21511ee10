"""The narrow seam between the daemon and whatever makes sound.

An output owns a set of named *layers* (``bed_a``, ``bed_b``, ``voice``); each layer plays one file
at a time.
The core commands it (play, stop, set volume with a fade) and hears back through events
(started, ended, failed). Implementations: ``VlcOutput`` (with the ``vlc_*`` modules it owns,
the only code that imports ``vlc``) and ``FakeOutput`` (in memory, driven by a virtual clock).
One contract test suite runs against both.

Rules every implementation keeps:
1. Methods may be called from any thread and never block on audio; results arrive as events.
2. Events go to the sink given to ``start``; the sink only enqueues (it must not call back).
3. Volumes are in dB relative to the file's own level: 0 dB = unchanged, from silence
   (``SILENT_DB`` or below) up to ``+MAX_GAIN_DB`` (a quiet track raised to the bed's loudness
   target); anything louder is clamped to ``MAX_GAIN_DB``.
4. A ``play`` carries a token chosen by the caller; its events carry the same token, so a late
   event from an item that was already replaced can be recognised and ignored.
5. When ``fault()`` changes the output sends a FAULT event (layer ``OUTPUT``, token 0, the new
   fault or "" in ``detail``), so the core can tell people and log it without polling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

SILENT_DB = -90.0  # treated as silence by every output
MAX_GAIN_DB = 12.0  # the most an output raises a file above its own level
VLC_MAX_VOLUME = 200  # VLC's own top (its 200 %); libvlc 3 itself only refuses negatives


class MediaError(Exception):
    """A file that cannot be played: missing, empty, not audio, or without duration."""


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration_ms: int


class FadeShape(StrEnum):
    """How a fade moves between its start and target volume.

    ``DB``: evenly in dB (a steady, audible ramp: ducking under speech, fading out an item).
    ``POWER``: the layer's power moves linearly from start to target, so its amplitude is
    sqrt((1-w)·a0² + w·a1²) at elapsed fraction w (silence counts as amplitude 0). Two layers
    fading in and out over the same time with this shape keep their summed power, and so the
    loudness of uncorrelated music, constant: an equal-power crossfade.
    """

    DB = "db"
    POWER = "power"


def clamp_gain_db(volume_db: float) -> float:
    """``volume_db`` limited to the most an output amplifies (rule 3)."""
    return min(volume_db, MAX_GAIN_DB)


def fade_db(from_db: float, to_db: float, frac: float, shape: FadeShape = FadeShape.DB) -> float:
    """The volume a fade from ``from_db`` to ``to_db`` has reached at elapsed fraction ``frac``
    (clipped to 0..1), following ``shape``; at or below ``SILENT_DB`` counts as silence."""
    w = max(0.0, min(1.0, frac))
    if w >= 1.0:
        return to_db
    if w <= 0.0:
        return from_db
    if shape == FadeShape.POWER:
        power = (1 - w) * _power(from_db) + w * _power(to_db)
        return max(SILENT_DB, 10 * math.log10(power)) if power > 0 else SILENT_DB
    return from_db + (to_db - from_db) * w


def _power(volume_db: float) -> float:
    return 0.0 if volume_db <= SILENT_DB else 10 ** (volume_db / 10)


class OutputEventKind(StrEnum):
    STARTED = "started"
    ENDED = "ended"
    FAILED = "failed"
    FADED = "faded"  # a fade reached its target volume
    FAULT = "fault"  # fault() changed (rule 5)


OUTPUT = "output"  # the layer name of the output's own events (FAULT)


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

    def set_volume(
        self, layer: str, volume_db: float, fade_ms: int = 0, *, shape: FadeShape = FadeShape.DB
    ) -> None:
        """Move ``layer`` to ``volume_db`` (clamped to ``MAX_GAIN_DB``) over ``fade_ms``, along
        ``shape``: evenly in dB by default, or linearly in power for an equal-power crossfade
        (fade one layer in and another out with ``FadeShape.POWER`` over the same time). A FADED
        event (with the token of the layer's item) follows when the target is reached, if
        something plays."""

    def arm(self, path: Path | None) -> None:
        """Keep ``path`` ready to start at once (the emergency's alert): a later ``play`` of it
        from its start, on any layer, starts without opening it (VLC: one unpause of a player
        holding it paused at its first sample). It is armed again after each play and follows
        a change of the file on disk. None: nothing armed. A ``play`` of any file works the
        same without it; only its start is slower."""

    def layer_state(self, layer: str) -> LayerState:
        """The layer's current item, position and volume (the target of a running fade)."""

    def fault(self) -> str | None:
        """A problem a person must fix (e.g. no sound device), or None when all is well."""


def db_to_vlc_volume(volume_db: float) -> int:
    """VLC's volume is cubic, gain = (v/100)^3 (above 100 it amplifies): so v = 100·10^(dB/60),
    from 0 (silence) to about 158 (+MAX_GAIN_DB), never past VLC's own top of 200."""
    if volume_db <= SILENT_DB:
        return 0
    volume = round(100 * 10 ** (clamp_gain_db(volume_db) / 60))
    return max(0, min(VLC_MAX_VOLUME, volume))

"""A file kept armed on the VLC output: opened, demuxer and decoder ready, paused at its first
sample on a player of its own, so playing it is one unpause. The emergency alert is armed on
every zone's output (``AudioOutput.arm``). Owned by ``vlc_output`` and used only on its engine
thread (these are libvlc calls).

Measured (libvlc 3.0.24, PulseAudio 16, null sinks read as the sound arrives): a media opened
with ``:start-paused`` waits in state Paused with no PulseAudio stream yet (VLC connects one
for the first decoded block); nothing of it is heard while it waits, and after ``set_pause(0)``
(a call of 0.04 ms) the first sample on the sink's monitor is the file's first, 1-2 ms after
the call on an idle machine. A fresh ``set_media`` + ``play`` took 12-50 ms there (the input
opens, demuxer and decoder start), more under load, and differently in each zone.
The stream is made (and the output's filters built) by the decoder's thread after the unpause;
VLC drops a buffer that reaches its output more than 60 ms after its time (``buffer too late:
dropped`` in its log). So a machine that stalls as the alert starts loses the alert's first
buffer in that zone: 45 and 65 ms of it, in 2 of 17 runs of ``tests/test_zones_armed_alert.py``
beside a full test suite on 2 cores (none in 10 runs beside 3-5 busy loops). Left as VLC's.
Tried and dropped (``bench/armed_start.py``, 2 zones, idle machine): arming by playing the file
at volume 0 until its stream is connected, then pausing and ``set_time(0)``, so that unpausing
uncorks a connected stream. It loses 70-80 ms of the file's start (35 ms with 100 ms between
the pause and the seek) and the skew between zones was no smaller (p50 6.9 ms, p95 13.6 ms,
against 0.9 and 11.1 ms start-paused).

1. ``arm(path)``: the file to keep armed (None: none); it is armed after the engine's current
   batch of commands (``settle``), on the spare player.
2. ``play_on(layer, item, ...)``: a ``play`` of the armed file from its start, unchanged on
   disk since it was armed (size and modification time) and still paused, takes the armed
   player and its media (unpaused by the engine after the batch's silencing: ``vlc_engine``);
   the layer's old player becomes the spare, armed again in the next ``settle``. Anything
   else is played the usual way.
3. A changed file or a reopened output (``renew``: the sound server came back) disarms; the
   next ``settle`` arms afresh (a file that cannot be armed is tried again every 2 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadcaster.audio.vlc_layer import Item, Layer, StateCallback, release_item
from broadcaster.audio.vlc_setup import new_media, vlc

RETRY_S = 2.0  # a file that could not be armed is tried again after this long


@dataclass
class _Armed:
    path: Path
    stamp: tuple[int, int]  # size, mtime_ns when armed
    media: Any


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


class ArmedFile:
    """One armed file on a player of its own (see the module's docstring)."""

    def __init__(self, instance: Any, use_device: Callable[[Any], None]) -> None:
        self._instance, self._use_device = instance, use_device
        self._player = instance.media_player_new()
        self._old: list[Item] = []  # what a player given back still holds: released in settle
        self._armed: _Armed | None = None
        self.path: Path | None = None  # the file to keep armed
        self.used = 0  # plays that started armed (diagnostics)
        self._retry_at = 0.0  # monotonic: when to try arming again after a failure

    def arm(self, path: Path | None) -> None:
        if path != self.path:
            self.path = path
            self._disarm()

    def play_on(
        self, layer: Layer, item: Item, volume_db: float, on_state: StateCallback, name: str
    ) -> bool:
        """Give ``layer`` the armed player, to play ``item`` with one unpause (the caller has
        the engine run ``layer.unpause`` after the batch), if ``item`` is the armed file from
        its start, unchanged on disk since it was armed (size and modification time); the
        layer's old player becomes the spare, armed again in ``settle``. False (nothing done)
        otherwise."""
        armed = self._armed
        if armed is None or armed.path != item.path or item.start_ms != 0:
            return False
        if _stamp(item.path) != armed.stamp or self._player.get_state() != vlc.State.Paused:
            self._disarm()  # changed on disk, or not (yet, or any more) paused at its start
            return False
        self._armed, item.media = None, armed.media
        self.used += 1
        self._player, held = layer.take_over(self._player, item, volume_db, on_state, name)
        self._old.extend(held)
        return True

    def settle(self) -> None:
        """After a batch of commands: release what was given back, arm what is wanted."""
        if self._armed is None and self.path is not None and time.monotonic() >= self._retry_at:
            self._load(self.path)
        if self._old and self._armed is None:
            self._player.set_media(None)
        for item in self._old:  # set_media (above, or arming) stopped it
            release_item(item)
        self._old = []

    def renew(self) -> None:
        """A new player (the sound server came back: the old stream is gone)."""
        self.release()
        self._player = self._instance.media_player_new()

    def release(self) -> None:
        self._disarm()
        self._player.set_media(None)
        for item in self._old:
            release_item(item)
        self._old = []
        self._player.release()

    def _load(self, path: Path) -> None:
        stamp = _stamp(path)
        self._retry_at = time.monotonic() + RETRY_S  # if it fails
        if stamp is None or stamp[0] == 0:
            return  # not there (yet): a play of it loads it the usual way
        media = new_media(self._instance, path)
        media.add_option(":start-paused")
        self._use_device(self._player)  # each item: libvlc opens its output afresh
        self._player.set_media(media)  # stops what the player still held
        self._player.audio_set_volume(100)  # 0 dB, what the voice plays at
        if self._player.play() == -1:
            media.release()
            return
        self._armed = _Armed(path, stamp, media)

    def _disarm(self) -> None:
        armed, self._armed = self._armed, None
        if armed is not None:
            self._player.set_media(None)
            armed.media.release()

"""The real AudioOutput: plays files through libvlc, which only it uses, through the ``vlc_*``
modules it owns (``vlc_setup``: loading libvlc, its options; ``vlc_layer``: one layer's player;
``vlc_preflight``).

Measured on libvlc 3.0.24: ``--aout=adummy`` plays in real time and counts played buffers; bad
files (random bytes, text, directories) "play" for 0 ms with no error but have no audio track
when Playing is reported; media.get_stats() lags up to ~1 s, yet shows a dead sound device
(audio decoded, none played).
With the pulse output VLC's volume becomes the stream's PulseAudio volume, cubic like VLC's own:
(v/100)^3 holds within 0.15 dB from -30 to +12 dB (v 32..158; above 100 it amplifies).
``player.stop()`` destroys the player's audio output (and the volume set on it), so items are
stopped with ``set_media(None)`` instead (see ``vlc_layer.Layer.drop``).
When the sound server dies a playing stream does not notice (it even counts buffers as played)
and does not come back with the server; a new item on the same player decodes but plays nothing.
A new player does play once the server is back. So a lost output is found by the server itself
(``pulse_probe``) and by the stats (decoded, none played), judged by ``output_health`` (the
fault texts, when to reopen, what to log), and mended by reopening: every layer gets a new
player and its item goes on from where it was (see ``_reopen``).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from broadcaster.audio.output import (
    OUTPUT,
    EventSink,
    FadeShape,
    LayerState,
    MediaError,
    OutputEvent,
    OutputEventKind,
    PreflightCallback,
    clamp_gain_db,
)
from broadcaster.audio.output_health import OutputHealth
from broadcaster.audio.pulse_probe import Heard, PulseProbe
from broadcaster.audio.vlc_armed import ArmedFile
from broadcaster.audio.vlc_engine import VlcEngine
from broadcaster.audio.vlc_layer import Fade, Item, Layer
from broadcaster.audio.vlc_preflight import Preflights
from broadcaster.audio.vlc_setup import (
    AOUTS,
    AudioSetupError,
    libvlc_version,
    media_stats,
    open_instance,
    path_problem,
    sink_names,
)
from broadcaster.clock import Clock

__all__ = ["AudioSetupError", "VlcOutput"]

log = logging.getLogger(__name__)

_REFRESH_S, _STATS_S = 0.05, 1.0
_MAX_END_HOLD_S = 0.5  # adummy reports EndReached ~0.1 s before the audio's real end
_LOST_END_S = 5.0  # past the end this long without EndReached: ENDED anyway
_NO_AUDIO_S = 0.5  # Playing without an audio track for this long: FAILED
_PLAYING, _ENDED, _ERROR = 3, 6, 7  # libvlc_state_t
_IDLE: dict[str, Any] = {"token": None, "path": None, "position_ms": 0, "playing": False}


class VlcOutput:
    """AudioOutput on libvlc: one long-lived MediaPlayer per layer and one engine thread
    (``vlc_engine``: its own, or one that every zone's output shares).

    Threading model: after construction only the engine thread (joined by ``start``, left by
    ``close``) calls libvlc. Public methods record the caller's intent in a per-layer view
    under a lock, put a command on the engine's queue and return at once. libvlc event
    callbacks only put a message on the same queue (calling libvlc from inside a callback
    hangs). The engine runs the commands and messages in order, steps fades every 20 ms
    (along their FadeShape), refreshes positions and checks the output every 50 ms, polls preflight
    parses, and calls the sink (holding the lock, so an event whose token ``stop`` or a newer
    ``play`` already replaced is dropped; the sink may call back into ``play``, which only
    enqueues). ``layer_state`` and ``fault`` read cached state and never touch libvlc.
    """

    def __init__(self, clock: Clock, *, output: str = "default", device: str | None = None,
                 file_caching_ms: int = 100, layers: tuple[str, ...] = ("bed_a", "bed_b", "voice"),
                 engine: VlcEngine | None = None) -> None:  # fmt: skip
        """``engine``: the thread it shares with other outputs (every zone's); none: its own."""
        if output not in AOUTS:
            raise ValueError(f"output must be one of {sorted(AOUTS)}, not {output!r}")
        self._clock, self._output, self._device = clock, output, device
        self._aout = AOUTS[output]
        self._instance = open_instance(self._aout, file_caching_ms)
        self._engine = engine or VlcEngine()
        self._layers = {name: Layer(self._instance.media_player_new(),
                                    on_silence=self._engine.hushed) for name in layers}  # fmt: skip
        self._views = {name: LayerState(None, None, 0, 0.0, False) for name in layers}
        self._lock = threading.RLock()
        self._sink: EventSink | None = None
        self._started = self._closed = False
        self._next_refresh = 0.0
        self._diag: dict[str, Any] = {
            "libvlc": libvlc_version(), "output": output,
            "aout": self._aout or "(VLC's choice)", "device": device,
            "file_caching_ms": file_caching_ms, "devices": [], "stats": {},
        }  # fmt: skip
        self._preflights = Preflights(self._instance, self._guarded)
        self._armed = ArmedFile(self._instance, self._use_device)
        self._probe: PulseProbe | None = None
        where = f"aout={self._aout or 'default'}, device={device or 'default'}"
        self._health = OutputHealth(where=where, device=device,  # guarded by the lock
                                    pulse=output == "pulse")  # fmt: skip

    # -- protocol (any thread) ------------------------------------------------------------
    def start(self, sink: EventSink) -> None:
        if self._started or self._closed:
            raise RuntimeError("VlcOutput.start() may be called once, before close()")
        self._sink, self._started = sink, True
        self._engine.join(self, self._setup_device)
        if self._output != "null" and PulseProbe.available():
            self._probe = PulseProbe(lambda heard: self._engine.put(lambda: self._on_heard(heard)),
                                     sink=self._device if self._output == "pulse" else None)  # fmt: skip
            self._probe.start()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._probe is not None:
            self._probe.stop()
        if self._started:
            self._engine.leave(self, self._shutdown)
        else:
            self._shutdown()

    def preflight(self, path: Path, done: PreflightCallback) -> None:
        if self._closed:
            done(MediaError("the audio output is closed"))
        else:
            self._engine.put(lambda: self._preflights.start(path, done))

    def play(
        self, layer: str, path: Path, *, token: int, start_ms: int = 0, volume_db: float = 0.0
    ) -> None:
        with self._lock:
            self._views[self._known(layer)] = LayerState(
                token, path, start_ms, clamp_gain_db(volume_db), True
            )
        self._engine.put(lambda: self._do_play(layer, path, token, start_ms, volume_db))

    def stop(self, layer: str) -> None:
        with self._lock:
            self._views[self._known(layer)] = replace(self._views[layer], **_IDLE)
        self._engine.put(self._layers[layer].hush)  # released after the batch (settle)

    def arm(self, path: Path | None) -> None:
        self._engine.put(lambda: self._armed.arm(path))

    def set_volume(
        self, layer: str, volume_db: float, fade_ms: int = 0, *, shape: FadeShape = FadeShape.DB
    ) -> None:
        target, shape = clamp_gain_db(volume_db), FadeShape(shape)
        with self._lock:
            view = self._views[self._known(layer)]
            self._views[layer] = replace(view, volume_db=target)
        self._engine.put(lambda: self._do_set_volume(layer, target, fade_ms, shape))

    def layer_state(self, layer: str) -> LayerState:
        with self._lock:
            return self._views[self._known(layer)]

    def fault(self) -> str | None:
        with self._lock:
            return self._health.fault()

    def diagnostics(self) -> dict[str, Any]:
        """The chosen audio output, sinks seen and the last VLC stats, for `broadcaster check`."""
        with self._lock:
            return {**self._diag, "stats": dict(self._diag["stats"]), "fault": self.fault()}

    def _known(self, layer: str) -> str:
        if layer not in self._views:
            raise ValueError(f"unknown layer {layer!r}; this output has {list(self._views)}")
        return layer

    # -- engine thread ----------------------------------------------------------------------
    def after_batch(self, now: float) -> None:
        """The engine's step after every batch of commands (``vlc_engine``)."""
        self._guarded(self._settle)  # the slow releases, arming
        self._guarded(functools.partial(self._tick, now))
        if now >= self._next_refresh:
            self._next_refresh = now + _REFRESH_S
            self._guarded(functools.partial(self._refresh, now))
            self._guarded(functools.partial(self._watch_output, now))

    def _guarded(self, job: Callable[[], None]) -> None:
        self._engine.guarded(job)

    def _setup_device(self) -> None:
        if self._output != "pulse" or not self._device:
            return
        for lay in self._layers.values():
            self._use_device(lay.player)
        self._check_device()

    def _use_device(self, player: Any) -> None:
        if self._output == "pulse" and self._device:
            player.audio_output_device_set(None, self._device)

    def _check_device(self) -> None:
        found = sink_names(self._layers[next(iter(self._layers))].player)
        with self._lock:
            self._diag["devices"] = found
            self._health.devices(found)

    def _vlc_event(self, event: Any, layer: str, token: int) -> None:
        state = int(event.u.new_state)  # a libvlc thread: only enqueue, never call libvlc
        self._engine.put(lambda: self._on_state(layer, token, state))

    def _settle(self) -> None:
        for lay in self._layers.values():
            lay.settle()
        self._armed.settle()

    def _do_play(self, layer: str, path: Path, token: int, start_ms: int, volume_db: float) -> None:
        lay, item = self._layers[layer], Item(token, path, start_ms)
        if self._armed.play_on(lay, item, clamp_gain_db(volume_db), self._vlc_event, layer):
            # It was armed: one unpause, after the batch's silencing (``vlc_engine``).
            self._engine.start_after_hush(lambda: lay.unpause(item))
            return
        lay.drop()
        problem = path_problem(path)
        if problem:
            self._emit(layer, token, OutputEventKind.FAILED, problem, final=True)
            return
        self._start(layer, item, clamp_gain_db(volume_db))

    def _start(self, layer: str, item: Item, volume_db: float) -> None:
        # Every item: libvlc opens a new audio output for a player whose item ended, on the
        # default sink unless told again (a zone's sink lost its second announcement).
        self._use_device(self._layers[layer].player)
        if not self._layers[layer].load(self._instance, item, volume_db, self._vlc_event, layer):
            self._finish(layer, OutputEventKind.FAILED, f"VLC refused to play {item.path}")

    def _do_set_volume(self, layer: str, volume_db: float, fade_ms: int, shape: FadeShape) -> None:
        lay = self._layers[layer]
        lay.fade = None
        if fade_ms <= 0 or lay.item is None:
            lay.set_volume(volume_db)
            if lay.item is not None:
                self._emit(layer, lay.item.token, OutputEventKind.FADED)
        else:
            lay.fade = Fade(lay.item.token, lay.volume_db, volume_db, time.monotonic(),
                            fade_ms / 1000, shape)  # fmt: skip

    def _on_state(self, layer: str, token: int, state: int) -> None:
        lay = self._layers[layer]
        item = lay.item
        if item is None or item.token != token:
            return  # a late message from an item already replaced or stopped
        now = time.monotonic()
        if state == _PLAYING and item.playing_at is None:
            item.playing_at, item.anchor = now, (now, item.start_ms)
            self._confirm_start(layer, lay, item)
        elif state == _ERROR:
            self._finish(layer, OutputEventKind.FAILED, f"VLC could not open or decode {item.path}")
        elif state == _ENDED and item.end_due is None:
            decoded = self._read_stats(layer, item)[0]
            if not item.started and lay.player.audio_get_track_count() == 0 and decoded == 0:
                why = f"not playable audio (VLC found no audio stream): {item.path}"
                self._finish(layer, OutputEventKind.FAILED, why)
                return
            self._confirm_start(layer, lay, item, force=True)
            length = item.length_ms or lay.player.get_length()
            due = now
            if item.playing_at is not None and length > item.start_ms:
                due = item.playing_at + (length - item.start_ms) / 1000
            item.end_due = max(now, min(due, now + _MAX_END_HOLD_S))

    def _confirm_start(self, layer: str, lay: Layer, item: Item, force: bool = False) -> bool:
        """Send STARTED once VLC plays and has an audio track (bad files "play" with none)."""
        if not item.started and (force or lay.has_audio()):
            item.started = True
            self._emit(layer, item.token, OutputEventKind.STARTED)
        return item.started

    def _tick(self, now: float) -> None:
        for name, lay in self._layers.items():
            if lay.item is not None and lay.item.end_due is not None and now >= lay.item.end_due:
                self._finish(name, OutputEventKind.ENDED)
            fade = lay.fade
            if fade is not None:
                lay.set_volume(fade.at(now))
                if now >= fade.t0 + fade.seconds:
                    lay.fade = None
                    self._emit(name, fade.token, OutputEventKind.FADED)
        self._preflights.poll(now)

    def _refresh(self, now: float) -> None:
        for name, lay in self._layers.items():
            item = lay.item
            if item is None or item.playing_at is None:
                continue
            item.length_ms = max(item.length_ms, lay.player.get_length())
            if not self._confirm_start(name, lay, item) and now - item.playing_at > _NO_AUDIO_S:
                self._finish(name, OutputEventKind.FAILED, f"no audio track: {item.path}")
                continue
            vlc_ms = lay.player.get_time()  # coarse (updates in steps), so run on between them
            position = item.anchor[1] + int((now - item.anchor[0]) * 1000)
            if vlc_ms > 0 and abs(vlc_ms - position) > 1000:
                item.anchor, position = (now, vlc_ms), vlc_ms
            if item.length_ms > 0:
                position = min(position, item.length_ms)
                late = now - item.playing_at - (item.length_ms - item.start_ms) / 1000
                if late > _LOST_END_S and item.end_due is None:
                    self._finish(name, OutputEventKind.ENDED, "VLC never reported the end")
                    continue
            with self._lock:
                if self._views[name].token == item.token:
                    self._views[name] = replace(self._views[name], position_ms=position)
            if item.started and now - max(item.stats_at, item.playing_at) >= _STATS_S:
                self._check_sound(name, item, now)

    def _check_sound(self, layer: str, item: Item, now: float) -> None:
        decoded, played = self._read_stats(layer, item)
        new_decoded, new_played = decoded - item.counts[0], played - item.counts[1]
        item.counts, item.stats_at = (decoded, played), now
        with self._lock:
            self._health.sound(decoded=new_decoded, played=new_played)

    def _read_stats(self, layer: str, item: Item) -> tuple[int, int]:
        stats = media_stats(item.media)
        if stats is None:
            return 0, 0
        with self._lock:
            self._diag["stats"][layer] = {"path": str(item.path)} | stats
        return stats["decoded_audio"], stats["played_abuffers"]

    def _finish(self, layer: str, kind: OutputEventKind, detail: str = "") -> None:
        lay = self._layers[layer]
        if lay.item is not None:
            token = lay.item.token
            lay.drop()
            self._emit(layer, token, kind, detail, final=True)

    def _emit(
        self, layer: str, token: int, kind: OutputEventKind, detail: str = "", final: bool = False
    ) -> None:
        with self._lock:
            view = self._views[layer]
            if view.token != token or self._sink is None:
                return  # the caller stopped or replaced this item: its events are void
            if final:
                self._views[layer] = replace(view, **_IDLE)
            self._sink(OutputEvent(layer, token, kind, self._clock.now(), detail))

    def _on_heard(self, heard: Heard) -> None:
        """The probe's answer: is the server there, and does it play a stream of ours?"""
        since = [
            lay.item.playing_at for lay in self._layers.values()
            if lay.item is not None and lay.item.started and lay.item.playing_at is not None
        ]  # fmt: skip
        with self._lock:
            self._health.heard(heard, now=time.monotonic(), playing_since=min(since, default=None))

    def _watch_output(self, now: float) -> None:
        """Tell the sink when the fault changes, log what the health says, and reopen the
        output when it says so (first after 2 s, then waiting longer: ``output_health``)."""
        with self._lock:
            verdict = self._health.check(now)
            if verdict.changed and self._sink is not None:
                self._sink(OutputEvent(OUTPUT, 0, OutputEventKind.FAULT, self._clock.now(),
                                       verdict.fault or ""))  # fmt: skip
        for line in verdict.log:
            log.log(line.level, "%s", line.message)
        if verdict.reopen:
            self._reopen(now)

    def _reopen(self, now: float) -> None:
        """Give every layer a new player (libvlc then opens the audio output afresh) and let
        its item go on from where it was, at its volume; its fade runs on."""
        for name, lay in self._layers.items():
            item, fade = lay.item, lay.fade
            with self._lock:
                position = self._views[name].position_ms
            lay.renew(self._instance)
            self._use_device(lay.player)
            if item is None or item.end_due is not None:
                if item is not None:  # it was ending anyway
                    self._emit(name, item.token, OutputEventKind.ENDED, final=True)
                continue
            resumed = Item(item.token, item.path, position, started=True, length_ms=item.length_ms)
            self._start(name, resumed, fade.at(now) if fade else lay.volume_db)
            if lay.item is resumed:
                lay.fade = fade
        self._armed.renew()
        if self._output == "pulse" and self._device:
            self._check_device()

    def _shutdown(self) -> None:
        for lay in self._layers.values():
            self._guarded(lay.drop)
            lay.player.release()
        self._armed.release()
        self._preflights.close()
        self._instance.release()

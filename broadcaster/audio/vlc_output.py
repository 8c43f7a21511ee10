"""The real AudioOutput: plays files through libvlc. The only module that imports ``vlc``.

Measured on libvlc 3.0.24: ``--aout=adummy`` plays in real time and counts played buffers; VLC's
own demuxers double the duration of LAME-tagged CBR mp3s (and seek wrongly) and end ogg files at
once after a seek, so media open with ``:demux=avformat,any``; bad files (random bytes, text,
directories) "play" for 0 ms with no error but have no audio track when Playing is reported;
media.get_stats() lags up to ~1 s, yet shows a dead sound device (audio decoded, none played).
With the pulse output VLC's volume becomes the stream's PulseAudio volume, cubic like VLC's own:
(v/100)^3 holds within 0.15 dB from -30 to +12 dB (v 32..158; above 100 it amplifies).
``player.stop()`` destroys the player's audio output (and the volume set on it), so items are
stopped with ``set_media(None)`` instead (see ``_drop``).
When the sound server dies a playing stream does not notice (it even counts buffers as played)
and does not come back with the server; a new item on the same player decodes but plays nothing.
A new player does play once the server is back. So a lost output is found by the server itself
(``pulse_probe``) and by the stats (decoded, none played), and mended by reopening: every layer
gets a new player and its item goes on from where it was (see ``_watch_output``).
Recorded from a PulseAudio sink (issue 14): VLC's default resampler cut FLAC, Ogg and M4A by
4.3 dB at 18 kHz and 16 dB at 19.5 kHz (WAV was flat), and its default MP3 decoder (mpg123)
made VLC's drift correction sweep the pitch by 1 % every 13 s; ``--audio-resampler=soxr`` and
``:codec=avcodec`` make every format flat within 0.1 dB to 19.5 kHz at a steady pitch.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from broadcaster.audio.output import (
    OUTPUT,
    EventSink,
    FadeShape,
    LayerState,
    MediaError,
    MediaInfo,
    OutputEvent,
    OutputEventKind,
    PreflightCallback,
    clamp_gain_db,
    db_to_vlc_volume,
    fade_db,
)
from broadcaster.audio.pulse_probe import Heard, PulseProbe
from broadcaster.clock import Clock

try:
    import vlc
except (ImportError, OSError) as exc:  # libvlc itself is missing
    vlc = None
    _IMPORT_PROBLEM = f"cannot load libvlc: {exc}"

log = logging.getLogger(__name__)

HEADLESS_ARGS = ("--no-video", "--intf=dummy", "--no-xlib", "--quiet", "--no-lua",
                 "--no-media-library", "--no-metadata-network-access",
                 "--audio-resampler=soxr,any")  # flat to 20 kHz (see the docstring)  # fmt: skip
NULL_AOUT = "adummy"
MEDIA_OPTIONS = (":demux=avformat,any", ":codec=avcodec,any")
PARSE_TIMEOUT_MS = 2000
_TICK_S, _REFRESH_S, _STATS_S = 0.02, 0.05, 1.0
_MAX_END_HOLD_S = 0.5  # adummy reports EndReached ~0.1 s before the audio's real end
_LOST_END_S = 5.0  # past the end this long without EndReached: ENDED anyway
_NO_AUDIO_S = 0.5  # Playing without an audio track for this long: FAILED
_PLAYING, _ENDED, _ERROR = 3, 6, 7  # libvlc_state_t
_REOPEN_AFTER_S, _REOPEN_MAX_S = 2.0, 30.0  # the first reopen, then doubling up to the most
_STREAM_SETTLE_S = 1.5  # an item playing this long has its stream on the server
_REOPENABLE = ("silent", "device", "server", "stream")  # faults a new player may mend
_IDLE: dict[str, Any] = {"token": None, "path": None, "position_ms": 0, "playing": False}

_SETUP_HELP = (
    "VLC could not start ({why}). Install libvlc and its plugins: `sudo apt-get install libvlc5 "
    "libvlc-bin vlc-plugin-base` (plus a running `pulseaudio` for output 'pulse'), run "
    "`vlc-cache-gen` if plugins were moved, and check VLC_PLUGIN_PATH and the options {args}. / "
    "VLC 无法启动（{why}）。请安装 libvlc 及其插件：`sudo apt-get install libvlc5 libvlc-bin "
    "vlc-plugin-base`（使用 pulse 输出时还需运行 pulseaudio），并检查 VLC_PLUGIN_PATH 和启动参数 {args}。"
)
_SILENT_FAULT = (
    "No sound is reaching the speakers: VLC could not open the audio output ({where}); it "
    "decodes audio but plays none. Check that the sound server (PulseAudio) runs and the sink "
    "exists. / 扬声器没有声音：VLC 无法打开音频输出（{where}），音频已解码但没有播放。"
    "请检查声音服务（PulseAudio）是否运行、输出设备是否存在。"
)
_SERVER_FAULT = (
    "The sound server (PulseAudio) does not answer: nothing reaches the speakers. The daemon "
    "keeps trying to reconnect; check `systemctl status broadcaster-pulse`. / 声音服务"
    "（PulseAudio）没有响应，扬声器没有声音。系统正在自动重连；请检查 `systemctl status "
    "broadcaster-pulse`。"
)
_STREAM_FAULT = (
    "The sound server lost this daemon's sound (it restarted?): nothing reaches the speakers. "
    "The daemon is reconnecting. / 声音服务丢失了本系统的声音（可能重启过），扬声器没有声音，"
    "系统正在重新连接。"
)
_DEVICE_FAULT = (
    "PulseAudio sink {device!r} was not found (available: {found}); sound goes nowhere. / "
    "找不到 PulseAudio 输出设备 {device!r}（可用：{found}），声音无法播出。"
)


class AudioSetupError(RuntimeError):
    """libvlc could not be loaded or started; the message says what to install or check."""


def _path_problem(path: Path) -> str | None:
    try:
        if path.is_dir():
            return f"is a directory, not an audio file: {path}"
        if not path.is_file():
            return f"file not found: {path}"
        if path.stat().st_size == 0:
            return f"file is empty: {path}"
    except OSError as exc:
        return f"cannot read {path}: {exc}"
    return None


def _audio_tracks(media: Any) -> int:
    """Audio streams of a parsed media (python-vlc's tracks_get never frees the array)."""
    array = ctypes.POINTER(vlc.MediaTrack)()
    count = vlc.libvlc_media_tracks_get(media, ctypes.byref(array))
    if not count:
        return 0
    tracks = ctypes.cast(array, ctypes.POINTER(ctypes.POINTER(vlc.MediaTrack)))
    try:
        return sum(1 for i in range(count) if tracks[i].contents.type == vlc.TrackType.audio)
    finally:
        vlc.libvlc_media_tracks_release(tracks, count)


@dataclass
class _Item:
    token: int
    path: Path
    start_ms: int
    media: Any
    events: Any  # python-vlc's EventManager must outlive the attached callback
    started: bool = False  # STARTED was sent
    playing_at: float | None = None  # monotonic time VLC reported Playing
    anchor: tuple[float, int] = (0.0, 0)  # (monotonic, position ms) positions run on from
    length_ms: int = 0
    end_due: float | None = None  # EndReached seen; ENDED goes out at this monotonic time
    stats_at: float = 0.0
    counts: tuple[int, int] = (0, 0)  # decoded, played audio buffers at the last check


@dataclass
class _Fade:
    token: int
    from_db: float
    to_db: float
    t0: float
    seconds: float
    shape: FadeShape = FadeShape.DB

    def at(self, now: float) -> float:
        return fade_db(self.from_db, self.to_db, (now - self.t0) / self.seconds, self.shape)


@dataclass
class _Layer:
    player: Any
    item: _Item | None = None
    volume_db: float = 0.0  # what VLC plays now (mid-fade value during a fade)
    applied: int = -1  # the VLC volume last set
    fade: _Fade | None = None


class VlcOutput:
    """AudioOutput on libvlc: one long-lived MediaPlayer per layer and one engine thread.

    Threading model: after construction only the engine thread (started by ``start``, joined
    by ``close``) calls libvlc. Public methods record the caller's intent in a per-layer view
    under a lock, put a command on the engine's queue and return at once. libvlc event
    callbacks only put a message on the same queue (calling libvlc from inside a callback
    hangs). The engine runs the commands and messages in order, steps fades every 20 ms
    (along their FadeShape), refreshes positions and checks the output every 50 ms, polls preflight
    parses, and calls the sink (holding the lock, so an event whose token ``stop`` or a newer
    ``play`` already replaced is dropped; the sink may call back into ``play``, which only
    enqueues). ``layer_state`` and ``fault`` read cached state and never touch libvlc.
    """

    def __init__(self, clock: Clock, *, output: str = "default", device: str | None = None,
                 file_caching_ms: int = 100, layers: tuple[str, ...] = ("bed_a", "bed_b", "voice")) -> None:  # fmt: skip
        aouts = {"default": None, "pulse": "pulse", "null": NULL_AOUT}
        if output not in aouts:
            raise ValueError(f"output must be one of {sorted(aouts)}, not {output!r}")
        self._clock, self._output, self._device = clock, output, device
        self._aout = aouts[output]
        args = [*HEADLESS_ARGS, f"--file-caching={int(file_caching_ms)}"]
        args += [f"--aout={self._aout}"] if self._aout else []
        if vlc is None:
            raise AudioSetupError(_SETUP_HELP.format(why=_IMPORT_PROBLEM, args=args))
        self._instance = vlc.Instance(args)
        if self._instance is None:
            why = "libvlc returned no instance: a plugin is missing or an option is invalid"
            raise AudioSetupError(_SETUP_HELP.format(why=why, args=args))
        self._layers = {name: _Layer(self._instance.media_player_new()) for name in layers}
        self._views = {name: LayerState(None, None, 0, 0.0, False) for name in layers}
        self._inbox: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._lock = threading.RLock()
        self._sink: EventSink | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._faults: dict[str, str] = {}
        self._diag: dict[str, Any] = {
            "libvlc": vlc.libvlc_get_version().decode(), "output": output,
            "aout": self._aout or "(VLC's choice)", "device": device,
            "file_caching_ms": file_caching_ms, "devices": [], "stats": {},
        }  # fmt: skip
        self._parses: list[tuple[Any, Path, PreflightCallback, float]] = []
        self._probe: PulseProbe | None = None
        # The probe counts once it has seen a stream of ours: a server that pactl cannot reach,
        # or that VLC does not play through, is none of the probe's business.
        self._pulse_seen = False
        self._fault_since: float | None = None
        self._reopen_at, self._reopen_wait, self._reopens = 0.0, _REOPEN_AFTER_S, 0
        self._told: str | None = None  # the fault the sink was last told of

    # -- protocol (any thread) ------------------------------------------------------------
    def start(self, sink: EventSink) -> None:
        if self._thread is not None or self._closed:
            raise RuntimeError("VlcOutput.start() may be called once, before close()")
        self._sink = sink
        self._thread = threading.Thread(target=self._run, name="vlc-output", daemon=True)
        self._thread.start()
        if self._output != "null" and PulseProbe.available():
            self._probe = PulseProbe(lambda heard: self._inbox.put(lambda: self._on_heard(heard)))
            self._probe.start()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._probe is not None:
            self._probe.stop()
        if self._thread is None:
            self._shutdown()
        else:
            self._inbox.put(None)
            if threading.current_thread() is not self._thread:
                self._thread.join(timeout=10)

    def preflight(self, path: Path, done: PreflightCallback) -> None:
        if self._closed:
            done(MediaError("the audio output is closed"))
        else:
            self._inbox.put(lambda: self._do_preflight(path, done))

    def play(
        self, layer: str, path: Path, *, token: int, start_ms: int = 0, volume_db: float = 0.0
    ) -> None:
        with self._lock:
            self._views[self._known(layer)] = LayerState(
                token, path, start_ms, clamp_gain_db(volume_db), True
            )
        self._inbox.put(lambda: self._do_play(layer, path, token, start_ms, volume_db))

    def stop(self, layer: str) -> None:
        with self._lock:
            self._views[self._known(layer)] = replace(self._views[layer], **_IDLE)
        self._inbox.put(lambda: self._drop(self._layers[layer]))

    def set_volume(
        self, layer: str, volume_db: float, fade_ms: int = 0, *, shape: FadeShape = FadeShape.DB
    ) -> None:
        target, shape = clamp_gain_db(volume_db), FadeShape(shape)
        with self._lock:
            view = self._views[self._known(layer)]
            self._views[layer] = replace(view, volume_db=target)
        self._inbox.put(lambda: self._do_set_volume(layer, target, fade_ms, shape))

    def layer_state(self, layer: str) -> LayerState:
        with self._lock:
            return self._views[self._known(layer)]

    def fault(self) -> str | None:
        with self._lock:
            return " | ".join(self._faults.values()) or None

    def diagnostics(self) -> dict[str, Any]:
        """The chosen audio output, sinks seen and the last VLC stats, for `broadcaster check`."""
        with self._lock:
            return {**self._diag, "stats": dict(self._diag["stats"]), "fault": self.fault()}

    def _known(self, layer: str) -> str:
        if layer not in self._views:
            raise ValueError(f"unknown layer {layer!r}; this output has {list(self._views)}")
        return layer

    # -- engine thread ----------------------------------------------------------------------
    def _run(self) -> None:
        self._guarded(self._setup_device)
        next_refresh = 0.0
        while True:
            with contextlib.suppress(queue.Empty):
                job = self._inbox.get(timeout=_TICK_S)
                while True:
                    if job is None:
                        self._shutdown()
                        return
                    self._guarded(job)
                    job = self._inbox.get_nowait()
            now = time.monotonic()
            self._guarded(functools.partial(self._tick, now))
            if now >= next_refresh:
                next_refresh = now + _REFRESH_S
                self._guarded(functools.partial(self._refresh, now))
                self._guarded(functools.partial(self._watch_output, now))

    def _guarded(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:  # the engine must outlive any one bad command or sink
            log.exception("VLC output engine: a step failed")

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
        found, node = [], self._layers[next(iter(self._layers))].player.audio_output_device_enum()
        head = node
        while node:
            found.append(node.contents.device.decode(errors="replace"))
            node = node.contents.next
        if head:
            vlc.libvlc_audio_output_device_list_release(head)
        with self._lock:
            self._diag["devices"] = found
            if self._device not in found:
                self._faults["device"] = _DEVICE_FAULT.format(device=self._device, found=found)

    def _vlc_event(self, event: Any, layer: str, token: int) -> None:
        state = int(event.u.new_state)  # a libvlc thread: only enqueue, never call libvlc
        self._inbox.put(lambda: self._on_state(layer, token, state))

    def _do_play(self, layer: str, path: Path, token: int, start_ms: int, volume_db: float) -> None:
        lay = self._layers[layer]
        self._drop(lay)
        problem = _path_problem(path)
        if problem:
            self._emit(layer, token, OutputEventKind.FAILED, problem, final=True)
            return
        self._start(layer, _Item(token, path, start_ms, None, None), clamp_gain_db(volume_db))

    def _start(self, layer: str, item: _Item, volume_db: float) -> None:
        """Play ``item`` (its media made here) on the layer's player from ``item.start_ms``."""
        lay = self._layers[layer]
        item.media = self._new_media(item.path)
        if item.start_ms > 0:
            item.media.add_option(f":start-time={item.start_ms / 1000:.3f}")
        item.events = item.media.event_manager()
        item.events.event_attach(vlc.EventType.MediaStateChanged, self._vlc_event, layer,
                                 item.token)  # fmt: skip
        lay.item = item
        self._set_vlc_volume(lay, volume_db, force=True)  # before it starts
        lay.player.set_media(item.media)
        if lay.player.play() == -1:
            self._finish(layer, OutputEventKind.FAILED, f"VLC refused to play {item.path}")

    def _new_media(self, path: Path) -> Any:
        media = self._instance.media_new_path(os.fsencode(path))  # any bytes a name may hold
        for option in MEDIA_OPTIONS:
            media.add_option(option)
        return media

    def _do_set_volume(self, layer: str, volume_db: float, fade_ms: int, shape: FadeShape) -> None:
        lay = self._layers[layer]
        lay.fade = None
        if fade_ms <= 0 or lay.item is None:
            self._set_vlc_volume(lay, volume_db)
            if lay.item is not None:
                self._emit(layer, lay.item.token, OutputEventKind.FADED)
        else:
            lay.fade = _Fade(lay.item.token, lay.volume_db, volume_db, time.monotonic(),
                             fade_ms / 1000, shape)  # fmt: skip

    def _set_vlc_volume(self, lay: _Layer, volume_db: float, force: bool = False) -> None:
        lay.volume_db = volume_db
        volume = db_to_vlc_volume(volume_db)  # 0..~158: above 100 VLC amplifies
        if force or volume != lay.applied:
            ok = lay.player.audio_set_volume(volume) == 0  # -1: the player has no audio output
            lay.applied = volume if ok else -1

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

    def _confirm_start(self, layer: str, lay: _Layer, item: _Item, force: bool = False) -> bool:
        """Send STARTED once VLC plays and has an audio track (bad files "play" with none)."""
        if not item.started and (force or lay.player.audio_get_track_count() > 0):
            item.started = True
            self._emit(layer, item.token, OutputEventKind.STARTED)
        return item.started

    def _tick(self, now: float) -> None:
        for name, lay in self._layers.items():
            if lay.item is not None and lay.item.end_due is not None and now >= lay.item.end_due:
                self._finish(name, OutputEventKind.ENDED)
            fade = lay.fade
            if fade is not None:
                self._set_vlc_volume(lay, fade.at(now))
                if now >= fade.t0 + fade.seconds:
                    lay.fade = None
                    self._emit(name, fade.token, OutputEventKind.FADED)
        for job in list(self._parses):
            self._poll_parse(job, now)

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

    def _check_sound(self, layer: str, item: _Item, now: float) -> None:
        decoded, played = self._read_stats(layer, item)
        new_decoded, new_played = decoded - item.counts[0], played - item.counts[1]
        item.counts, item.stats_at = (decoded, played), now
        with self._lock:
            if new_played > 0:
                self._faults.pop("silent", None)
                self._faults.pop("device", None)  # a missing sink plays nothing (measured)
            elif new_decoded > 0:
                where = f"aout={self._aout or 'default'}, device={self._device or 'default'}"
                self._faults["silent"] = _SILENT_FAULT.format(where=where)

    def _read_stats(self, layer: str, item: _Item) -> tuple[int, int]:
        stats = vlc.MediaStats()
        if not item.media.get_stats(stats):
            return 0, 0
        fields = ("decoded_audio", "played_abuffers", "lost_abuffers", "demux_read_bytes")
        with self._lock:
            self._diag["stats"][layer] = {"path": str(item.path)} | {
                f: int(getattr(stats, f)) for f in fields
            }
        return int(stats.decoded_audio), int(stats.played_abuffers)

    def _finish(self, layer: str, kind: OutputEventKind, detail: str = "") -> None:
        lay = self._layers[layer]
        if lay.item is not None:
            token = lay.item.token
            self._drop(lay)
            self._emit(layer, token, kind, detail, final=True)

    def _drop(self, lay: _Layer) -> None:
        """Stop the layer's player and release its media; no event follows.

        ``set_media(None)`` stops the input like ``stop()`` but keeps the player's audio output:
        libvlc 3's ``stop()`` also destroys it, and the volume set for the next item then has no
        output to go to (``audio_set_volume`` returns -1), so that item would start at 100
        (0 dB) whatever ``play`` asked for (measured with pulse)."""
        item, lay.item, lay.fade = lay.item, None, None
        if item is not None:
            lay.player.set_media(None)
            item.events.event_detach(vlc.EventType.MediaStateChanged)
            item.media.release()

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

    def _do_preflight(self, path: Path, done: PreflightCallback) -> None:
        problem = _path_problem(path)
        if problem:
            done(MediaError(problem))
            return
        media = self._new_media(path)
        if media.parse_with_options(vlc.MediaParseFlag.local, PARSE_TIMEOUT_MS) == -1:
            media.release()
            done(MediaError(f"VLC could not start reading {path}"))
            return
        self._parses.append((media, path, done, time.monotonic() + PARSE_TIMEOUT_MS / 1000 + 1))

    def _poll_parse(self, job: tuple[Any, Path, PreflightCallback, float], now: float) -> None:
        media, path, done, deadline = job
        status = media.get_parsed_status().value
        if status == 0 and now < deadline:
            return
        self._parses.remove(job)
        result: MediaInfo | MediaError
        if status == 0:
            media.parse_stop()
            result = MediaError(f"VLC took too long to read {path}")
        elif status != vlc.MediaParsedStatus.done.value:
            result = MediaError(f"VLC could not read {path} ({vlc.MediaParsedStatus(status)})")
        elif _audio_tracks(media) == 0:
            result = MediaError(f"not audio (no audio track): {path}")
        elif media.get_duration() <= 0:
            result = MediaError(f"not playable audio (no duration): {path}")
        else:
            result = MediaInfo(path, int(media.get_duration()))
        media.release()
        self._guarded(lambda: done(result))

    def _on_heard(self, heard: Heard) -> None:
        """The probe's answer: is the server there, and does it play a stream of ours?"""
        now = time.monotonic()
        playing = any(
            lay.item is not None and lay.item.started and lay.item.playing_at is not None
            and now - lay.item.playing_at > _STREAM_SETTLE_S
            for lay in self._layers.values()
        )  # fmt: skip
        with self._lock:
            self._pulse_seen = self._pulse_seen or heard is Heard.STREAM
            if not self._pulse_seen:
                return
            if heard is Heard.NO_SERVER:
                self._faults["server"] = _SERVER_FAULT
                return
            if self._faults.pop("server", None) is not None:
                self._reopen_at = now  # the server is back: reconnect now, not after the wait
            if heard is Heard.STREAM:
                self._faults.pop("stream", None)
            elif playing:
                self._faults["stream"] = _STREAM_FAULT

    def _watch_output(self, now: float) -> None:
        """While no sound reaches the speakers, reopen the output: first after
        ``_REOPEN_AFTER_S`` (a passing fault mends itself), then waiting twice as long each time
        up to ``_REOPEN_MAX_S``. The fault is logged when it starts and when it ends."""
        with self._lock:
            lost = [key for key in _REOPENABLE if key in self._faults]
            text = " | ".join(self._faults[key] for key in lost)
            fault = self.fault()
            if fault != self._told and self._sink is not None:
                self._told = fault
                self._sink(OutputEvent(OUTPUT, 0, OutputEventKind.FAULT, self._clock.now(),
                                       fault or ""))  # fmt: skip
        if not lost:
            if self._fault_since is not None:
                log.warning("audio output: sound is back after %.1f s (%d reopen(s))",
                            now - self._fault_since, self._reopens)  # fmt: skip
                self._fault_since, self._reopens = None, 0
            return
        if self._fault_since is None:
            log.error("audio output: %s", text)
            self._fault_since, self._reopen_at = now, now + _REOPEN_AFTER_S
            self._reopen_wait = _REOPEN_AFTER_S
            return
        if now >= self._reopen_at:
            self._reopens += 1
            self._reopen_wait = min(self._reopen_wait * 2, _REOPEN_MAX_S)
            self._reopen_at = now + self._reopen_wait
            log.warning("audio output: reopening (try %d, %s); next try in %.0f s",
                        self._reopens, ", ".join(lost), self._reopen_wait)  # fmt: skip
            self._reopen(now)

    def _reopen(self, now: float) -> None:
        """Give every layer a new player (libvlc then opens the audio output afresh) and let
        its item go on from where it was, at its volume; its fade runs on."""
        for name, lay in self._layers.items():
            item, fade = lay.item, lay.fade
            with self._lock:
                position = self._views[name].position_ms
            self._drop(lay)
            lay.player.release()
            lay.player, lay.applied = self._instance.media_player_new(), -1
            self._use_device(lay.player)
            if item is None or item.end_due is not None:
                if item is not None:  # it was ending anyway
                    self._emit(name, item.token, OutputEventKind.ENDED, final=True)
                continue
            resumed = _Item(item.token, item.path, position, None, None, started=True,
                            length_ms=item.length_ms)  # fmt: skip
            self._start(name, resumed, fade.at(now) if fade else lay.volume_db)
            if lay.item is resumed:
                lay.fade = fade
        if self._output == "pulse" and self._device:
            self._check_device()

    def _shutdown(self) -> None:
        for lay in self._layers.values():
            self._guarded(functools.partial(self._drop, lay))
            lay.player.release()
        for media, path, done, _ in self._parses:
            media.parse_stop()
            media.release()
            self._guarded(functools.partial(done, MediaError(f"output closed: {path}")))
        self._parses.clear()
        self._instance.release()

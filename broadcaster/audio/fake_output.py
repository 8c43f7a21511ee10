"""An in-memory output driven by a virtual clock: the same protocol as VlcOutput, no sound.

Used by unit tests of the core and by the day simulator. Items "play" for their real duration
(probed from the file, or given in ``durations``); ``pump()`` delivers the ends that are due at
the clock's current time, and ``next_due()`` says when the next one falls, so a driver can jump
the clock from event to event.
"""

from __future__ import annotations

import json
import subprocess
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import mutagen

from broadcaster.audio.output import (
    OUTPUT,
    SILENT_DB,
    EventSink,
    FadeShape,
    LayerState,
    MediaError,
    MediaInfo,
    OutputEvent,
    OutputEventKind,
    PreflightCallback,
    clamp_gain_db,
    fade_db,
)
from broadcaster.clock import Clock

Probe = Callable[[Path], int]


def quick_duration_ms(path: Path) -> int:
    """Duration from the file's header (wave, or mutagen's tag readers), which is quick enough
    to probe a whole simulated day; anything they cannot read goes to ffprobe."""
    if not path.is_file() or path.stat().st_size == 0:
        return ffprobe_duration_ms(path)  # raises the right MediaError
    try:
        if path.suffix.lower() == ".wav":
            with wave.open(str(path)) as reader:
                frames, rate = reader.getnframes(), reader.getframerate()
            if frames > 0 and rate > 0:
                return round(frames * 1000 / rate)
        else:
            info = getattr(mutagen.File(path), "info", None)
            length = getattr(info, "length", 0) or 0
            if length > 0:
                return round(length * 1000)
    except (wave.Error, mutagen.MutagenError, EOFError, OSError):
        pass
    return ffprobe_duration_ms(path)


def ffprobe_duration_ms(path: Path) -> int:
    """Duration of an audio file in ms, via ffprobe; MediaError when it is not playable audio."""
    if not path.is_file():
        raise MediaError(f"file not found: {path}")
    if path.stat().st_size == 0:
        raise MediaError(f"file is empty: {path}")
    proc = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type:format=duration",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        info = json.loads(proc.stdout or "{}")
        has_audio = any(s.get("codec_type") == "audio" for s in info.get("streams", []))
        duration = float(info.get("format", {}).get("duration", 0))
    except (ValueError, TypeError):
        has_audio, duration = False, 0.0
    if proc.returncode != 0 or not has_audio or duration <= 0:
        raise MediaError(f"not playable audio: {path}")
    return round(duration * 1000)


@dataclass
class _Fade:
    start: datetime
    from_db: float
    to_db: float
    fade_ms: int
    shape: FadeShape = FadeShape.DB

    def at(self, when: datetime) -> float:
        if self.fade_ms <= 0:
            return self.to_db
        frac = (when - self.start).total_seconds() * 1000 / self.fade_ms
        return fade_db(self.from_db, self.to_db, frac, self.shape)


@dataclass
class _Playing:
    token: int
    path: Path
    started_at: datetime
    start_ms: int
    duration_ms: int
    fade: _Fade

    @property
    def ends_at(self) -> datetime:
        return self.started_at + timedelta(milliseconds=self.duration_ms - self.start_ms)


@dataclass
class PlayRecord:
    """One play() as the fake saw it, for tests and the simulator."""

    layer: str
    path: Path
    token: int
    at: datetime
    start_ms: int
    volume_db: float
    stopped_at: datetime | None = None
    armed: bool = False  # the armed file, from its start (VlcOutput: one unpause)
    volumes: list[tuple[datetime, float, int]] = field(default_factory=list)


class FakeOutput:
    """In-memory AudioOutput; time moves only with the injected clock."""

    def __init__(
        self, clock: Clock, durations: dict[Path, int] | None = None, probe: Probe | None = None
    ) -> None:
        self._clock = clock
        self._durations = dict(durations or {})
        self._probe = probe or quick_duration_ms
        self._sink: EventSink | None = None
        self._layers: dict[str, _Playing] = {}
        self._volumes: dict[str, _Fade] = {}
        self._lock = threading.RLock()
        self._fades_due: dict[str, tuple[int, datetime]] = {}
        self.history: list[PlayRecord] = []
        self.fault_text: str | None = None
        self.armed: Path | None = None

    # -- protocol -------------------------------------------------------------------------
    def start(self, sink: EventSink) -> None:
        self._sink = sink

    def close(self) -> None:
        with self._lock:
            for layer in list(self._layers):
                self.stop(layer)

    def preflight(self, path: Path, done: PreflightCallback) -> None:
        try:
            done(MediaInfo(path, self._duration(path)))
        except MediaError as exc:
            done(exc)

    def play(
        self, layer: str, path: Path, *, token: int, start_ms: int = 0, volume_db: float = 0.0
    ) -> None:
        now = self._clock.now()
        with self._lock:
            self.stop(layer)
            armed = path == self.armed and start_ms == 0
            self.history.append(PlayRecord(layer, path, token, now, start_ms, volume_db,
                                           armed=armed))  # fmt: skip
            try:
                duration = self._duration(path)
            except MediaError as exc:
                self._emit(OutputEvent(layer, token, OutputEventKind.FAILED, now, str(exc)))
                return
            volume_db = clamp_gain_db(volume_db)
            fade = _Fade(now, volume_db, volume_db, 0)
            self._volumes[layer] = fade
            self._layers[layer] = _Playing(token, path, now, start_ms, duration, fade)
            self._emit(OutputEvent(layer, token, OutputEventKind.STARTED, now))
            if start_ms >= duration:
                self._end(layer, now)

    def stop(self, layer: str) -> None:
        with self._lock:
            item = self._layers.pop(layer, None)
            self._fades_due.pop(layer, None)
            if item is not None:
                self._record(item.token).stopped_at = self._clock.now()

    def arm(self, path: Path | None) -> None:
        self.armed = path

    def set_volume(
        self, layer: str, volume_db: float, fade_ms: int = 0, *, shape: FadeShape = FadeShape.DB
    ) -> None:
        now = self._clock.now()
        with self._lock:
            current = self._volumes.get(layer)
            from_db = current.at(now) if current else clamp_gain_db(volume_db)
            fade = _Fade(now, from_db, clamp_gain_db(volume_db), fade_ms, FadeShape(shape))
            self._volumes[layer] = fade
            item = self._layers.get(layer)
            if item is None:
                return
            self._record(item.token).volumes.append((now, volume_db, fade_ms))
            if fade_ms <= 0:
                self._emit(OutputEvent(layer, item.token, OutputEventKind.FADED, now))
            else:
                self._fades_due[layer] = (item.token, fade.start + timedelta(milliseconds=fade_ms))

    def layer_state(self, layer: str) -> LayerState:
        now = self._clock.now()
        with self._lock:
            item = self._layers.get(layer)
            fade = self._volumes.get(layer)
            volume = fade.to_db if fade else 0.0
            if item is None:
                return LayerState(None, None, 0, volume, False)
            position = item.start_ms + int((now - item.started_at).total_seconds() * 1000)
            return LayerState(item.token, item.path, position, volume, True)

    def fault(self) -> str | None:
        return self.fault_text

    def wall_clock_stepped(self, seconds: float) -> None:
        """The wall clock was stepped by ``seconds`` (``JumpingClock.jump``) while a real device
        goes on playing in real time: what plays keeps its remaining length, fades their pace."""
        shift = timedelta(seconds=seconds)
        with self._lock:
            for item in self._layers.values():
                item.started_at += shift
                item.fade = replace(item.fade, start=item.fade.start + shift)
            self._fades_due = {k: (token, at + shift) for k, (token, at) in self._fades_due.items()}

    def set_fault(self, text: str | None) -> None:
        """Play a device failing (``text``) or coming back (None), with its FAULT event."""
        if text != self.fault_text:
            self.fault_text = text
            self._emit(OutputEvent(OUTPUT, 0, OutputEventKind.FAULT, self._clock.now(), text or ""))

    # -- virtual time ---------------------------------------------------------------------
    def next_due(self) -> datetime | None:
        with self._lock:
            due = [item.ends_at for item in self._layers.values()]
            due += [at for _, at in self._fades_due.values()]
        return min(due) if due else None

    def pump(self) -> None:
        """Deliver the ends that are due at the clock's current time."""
        now = self._clock.now()
        with self._lock:
            for layer, (token, at) in sorted(self._fades_due.items(), key=lambda kv: kv[1][1]):
                if at <= now:
                    del self._fades_due[layer]
                    item = self._layers.get(layer)
                    if item is not None and item.token == token:
                        self._emit(OutputEvent(layer, token, OutputEventKind.FADED, at))
            for layer, item in sorted(self._layers.items(), key=lambda kv: kv[1].ends_at):
                if item.ends_at <= now:
                    self._end(layer, item.ends_at)

    def volume_at(self, layer: str, when: datetime | None = None) -> float:
        """The layer's effective volume at ``when`` (silence when nothing plays), along the
        running fade's shape."""
        with self._lock:
            if layer not in self._layers:
                return SILENT_DB
            fade = self._volumes.get(layer)
            return fade.at(when or self._clock.now()) if fade else 0.0

    def fail(self, layer: str, detail: str = "playback failed") -> None:
        """Make the layer's item fail now, as a decoder or device error would mid-play: a FAILED
        event with ``detail`` and the layer falls idle. Nothing happens when nothing plays."""
        now = self._clock.now()
        with self._lock:
            item = self._layers.pop(layer, None)
            self._fades_due.pop(layer, None)
            if item is not None:
                self._record(item.token).stopped_at = now
                self._emit(OutputEvent(layer, item.token, OutputEventKind.FAILED, now, detail))

    def playing(self, layer: str) -> Path | None:
        with self._lock:
            item = self._layers.get(layer)
            return item.path if item else None

    # -- internals ------------------------------------------------------------------------
    def _duration(self, path: Path) -> int:
        if path not in self._durations:
            self._durations[path] = self._probe(path)
        return self._durations[path]

    def _end(self, layer: str, at: datetime) -> None:
        item = self._layers.pop(layer)
        self._fades_due.pop(layer, None)
        self._record(item.token).stopped_at = at
        self._emit(OutputEvent(layer, item.token, OutputEventKind.ENDED, at))

    def _record(self, token: int) -> PlayRecord:
        return next(r for r in reversed(self.history) if r.token == token)

    def _emit(self, event: OutputEvent) -> None:
        if self._sink is not None:
            self._sink(event)

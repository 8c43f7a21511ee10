"""The core: one thread that owns the speakers.

Everything that wants air (the announcer's queue, service-desk pages, emergencies, the
programme) comes in through the inbox; the output's events come in the same way (the thread
discipline is broadcaster.loop.EventLoop). The core thread is the only one that changes state:
it asks the pure arbiter what should be on air, drives the output to match, and writes the play
log. Listeners (the SSE stream) are told of every change.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.arbiter import ArbiterState, BedMode, Decision, Moved, decide, move
from broadcaster.audio.output import (
    OUTPUT,
    SILENT_DB,
    AudioOutput,
    MediaError,
    MediaInfo,
    OutputEvent,
)
from broadcaster.audio.output import OutputEventKind as Ev
from broadcaster.bed import BED_LAYERS, Bed
from broadcaster.bed_tracks import MusicSource, Song
from broadcaster.clock import Clock
from broadcaster.emergency import DEFAULT_PROFILE, EmergencyProfile
from broadcaster.loop import EventLoop
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.problems import FieldProblem, Invalid
from broadcaster.proof import ON_TIME_S, lateness
from broadcaster.requests import Kind, Request
from broadcaster.settings import AudioSettings
from broadcaster.status import describe, in_time_order
from playlists.names import path_text

log = logging.getLogger(__name__)
VOICE = "voice"
CUT_IN_BEFORE_EXPIRY = timedelta(seconds=2)  # a cue waiting for the track end cuts in by then
FAULT_TITLE = "音频输出故障 / audio output fault"
MEDIA_MAX = 1000  # the play log's media_path column
Submitted = Callable[[Request], None]
"""Told (on the core thread) when a request is accepted (held or queued), an emergency starts,
or a waiting request's place changes (its ``seq``): the request as the core now keeps it."""
Finished = Callable[[Request, Outcome, datetime | None, bool], None]
"""Told (on the core thread) when a request is done with: its outcome, when it started (None if
it never did) and whether that is final (False: preempted and put back in the queue)."""


def media_of(request: Request) -> str:
    """The files a request plays, for the log: ``alert.wav + evacuate.wav ×3`` (an emergency
    says a short message again to fill its voice window), within the column's 1000 characters."""
    runs: list[list[Any]] = []
    for segment in request.segments:
        if runs and runs[-1][0] == segment.path:
            runs[-1][1] += 1
        else:
            runs.append([segment.path, 1])
    said = " + ".join(
        f"{path_text(path)} ×{n}" if n > 1 else path_text(path) for path, n in runs
    )  # a name that is not UTF-8 (GBK from an old PC) as \xHH text, which the database takes
    return said if len(said) <= MEDIA_MAX else said[: MEDIA_MAX - 1] + "…"


@dataclass
class _OnAir:
    request: Request
    token: int = 0
    segment: int = 0
    plays: int = 0  # complete passes (an emergency repeats)
    row_id: int | None = None
    started_at: datetime | None = None
    segment_started_at: datetime | None = None
    segment_started_passed: float = 0.0  # the clock's monotonic reading then
    leaving: tuple[Outcome, str] | None = None  # fading out, then ends with this


class Core(EventLoop):
    """Owns the arbiter state; every method whose name does not start with ``_`` is safe to
    call from any thread, except those marked for the core thread."""

    def __init__(
        self,
        *,
        clock: Clock,
        output: AudioOutput,
        playlog: PlayLog,
        music: MusicSource,
        audio: AudioSettings,
        gain_for: Callable[[Path], float] = lambda path: 0.0,
        emergency: EmergencyProfile = DEFAULT_PROFILE,
        on_time_s: float = ON_TIME_S,
    ) -> None:
        super().__init__(clock)
        self._output, self._log, self._audio = output, playlog, audio
        self._emergency_profile = emergency
        self._on_time = timedelta(seconds=on_time_s)
        self._tokens = itertools.count(1)
        self._seqs = itertools.count(1)
        self._finished_hooks: list[Finished] = []
        self._submitted_hooks: list[Submitted] = []
        self._on_air: _OnAir | None = None
        self._emergency: Request | None = None
        self._queue: tuple[Request, ...] = ()
        self._held: dict[int, Request] = {}  # not yet due, or waiting for the track to end
        self._snapshot: dict[str, Any] = {}
        self._snapshot_lock = threading.Lock()
        self._fault_row: int | None = None  # the play-log row of a fault of the output now on
        # The database failing is told like any fault (banner, status); the air goes on.
        playlog.writer.on_fault(lambda _fault: self.post(self._store_fault))
        self.bed = Bed(
            output=output, playlog=playlog, clock=clock, source=music, audio=audio,
            new_token=lambda: next(self._tokens), post=self.post,
            schedule=self.schedule, changed=self._changed, track_ended=self._track_ended,
            gain_for=gain_for,
        )  # fmt: skip
        self._refresh_snapshot()

    # -- thread-safe entry points ----------------------------------------------------------
    def start(self) -> None:
        """Connect to the output and start the music bed (runs on the core thread)."""
        self._output.start(self._on_output_event)
        self.post(self.bed.start)

    def submit(self, request: Request) -> Future[Request]:
        return self.call(self._submit, request)

    def play_song(self, song: Song, *, cut: bool) -> Future[None]:
        """Play a file on the bed itself (welcome music, farewell song): now if ``cut``, else
        after the current track; exactly at ``song.planned_at`` when that is still ahead."""
        return self.call(self.bed.queue_song, song, cut)

    def set_music(self, source: MusicSource, *, cut: bool) -> Future[None]:
        """Switch the bed to another playlist: at the end of the current track, or now."""
        return self.call(self.bed.set_source, source, cut)

    def cancel(self, request_id: int, by: str) -> Future[bool]:
        return self.call(self._cancel, request_id, by)

    def move(self, request_id: int, to_index: int, by: str) -> Future[Moved | None]:
        """Move a waiting request to place ``to_index`` (0-based) of the queue as the status
        shows it, within its own priority (``arbiter.move``: a place among another priority's
        is clamped, and the result says so). None when no request with that id is waiting;
        Invalid when ``to_index`` is not a place in the queue."""
        return self.call(self._move, request_id, to_index, by)

    def start_emergency(self, request: Request) -> Future[Request]:
        return self.call(self._start_emergency, request)

    def clear_emergency(self, by: str) -> Future[bool]:
        return self.call(self._clear_emergency, by)

    def preflight(self, path: Path) -> Future[MediaInfo]:
        """Check a file through the real output before anything is queued."""
        future: Future[MediaInfo] = Future()

        def done(result: MediaInfo | MediaError) -> None:
            if isinstance(result, MediaError):
                future.set_exception(result)
            else:
                future.set_result(result)

        self._output.preflight(path, done)
        return future

    def on_finished(self, hook: Finished) -> None:
        """Register ``hook`` before ``start``; it runs on the core thread."""
        self._finished_hooks.append(hook)

    def on_submitted(self, hook: Submitted) -> None:
        """Register ``hook`` before ``start``; it runs on the core thread, before the request
        can start (so a store has it before anything is played or logged), and again for each
        request a move gave a new place."""
        self._submitted_hooks.append(hook)

    # -- for collaborators that run on the core thread (paging.Pager) -----------------------
    def submit_now(self, request: Request) -> Request:
        return self._submit(request)

    def cancel_now(
        self, request_id: int, by: str, *, stop: bool = True, why: str = "", fade_ms: int = 0
    ) -> bool:
        """Cancel a held or queued request; one on air is stopped only when ``stop``, faded
        out over ``fade_ms`` first when given."""
        return self._cancel(request_id, by, stop=stop, why=why, fade_ms=fade_ms)

    def fault(self) -> str | None:
        """A problem a person must fix now (no playable music, no sound reaching the speakers,
        a database that does not answer), read live: the output notices a dead device without
        any state change in the core."""
        return self.bed.fault or self._output.fault() or self._log.writer.fault()

    def air_fault(self) -> str | None:
        """The fault that holds the air (what ``/health`` answers 503 for): as ``fault``, but a
        bed that plays from its fallback (the whole library, its playlist having nothing
        playable) is a problem to fix, not silence."""
        bed = self.bed.fault if self.bed.current is None else None
        return self._output.fault() or self._log.writer.fault() or bed

    def snapshot(self) -> dict[str, Any]:
        with self._snapshot_lock:
            return dict(self._snapshot)

    def shutdown(self) -> None:
        """Called on the core thread's way out: close open rows and stop playing."""
        self.process_pending()
        if self._on_air is not None:
            self._finish_on_air(Outcome.CANCELLED, "daemon stopped")
        if self._fault_row is not None:
            self._log.close(self._fault_row, ended_at=self._clock.now(), outcome=Outcome.FAILED,
                            detail="daemon stopped while the fault was on")  # fmt: skip
            self._fault_row = None
        self.bed.stop()

    # -- handlers (core thread only) --------------------------------------------------------
    def _submit(self, request: Request) -> Request:
        """Queue now, or hold until ``planned_at`` less the duck fade (so the bed is down and
        the first word falls on the planned instant)."""
        request = replace(request, seq=next(self._seqs))
        self._tell_submitted(request)
        admit_at = self._lead_in(request)
        if admit_at is not None and admit_at > self._clock.now():
            self._held[request.id] = request
            self.schedule(admit_at, lambda: self._admit(request.id))
            self._changed("scheduled", {"id": request.id, "planned_at": request.planned_at})
            return request
        self._held[request.id] = request
        self._admit(request.id)
        return request

    def _lead_in(self, request: Request) -> datetime | None:
        if request.planned_at is None:
            return None
        return request.planned_at - timedelta(milliseconds=self._audio.duck_fade_ms)

    def _admit(self, request_id: int) -> None:
        request = self._held.get(request_id)
        if request is None:
            return  # cancelled meanwhile
        if request.after_track and self.bed.current is not None and not self._must_start(request):
            # Wait for the music track to end; when the grace runs short, cut in after all.
            if request.expires_at is not None:
                cut_in = request.expires_at - CUT_IN_BEFORE_EXPIRY
                self.schedule(cut_in, lambda: self._release(request_id))
            return
        self._release(request_id)

    def _must_start(self, request: Request) -> bool:
        """Waiting for the end of the track only makes sense while music plays at full level
        and the grace leaves time for it."""
        if self.bed.mode is not BedMode.PLAYING:
            return True
        expires = request.expires_at
        return expires is not None and expires - self._clock.now() <= CUT_IN_BEFORE_EXPIRY

    def _release(self, request_id: int) -> None:
        request = self._held.pop(request_id, None)
        if request is None:
            return
        self._queue = (*self._queue, request)
        self._changed("queued", {"id": request.id, "kind": request.kind.value})
        self._arbitrate()

    def _track_ended(self) -> None:
        """A music track ended: the cues that were waiting for it (and are due) go on air."""
        now = self._clock.now()
        for request_id, request in list(self._held.items()):
            lead_in = self._lead_in(request)
            if request.after_track and (lead_in is None or lead_in <= now):
                self._release(request_id)

    def _cancel(
        self, request_id: int, by: str, *, stop: bool = True, why: str = "", fade_ms: int = 0
    ) -> bool:
        detail = why or f"cancelled by {by}"
        held = self._held.pop(request_id, None)
        if held is not None:
            self._record_unplayed(held, Outcome.CANCELLED, detail)
            self._refresh_snapshot()
            return True
        for request in self._queue:
            if request.id == request_id:
                self._queue = tuple(r for r in self._queue if r.id != request_id)
                self._record_unplayed(request, Outcome.CANCELLED, detail)
                self._arbitrate()
                return True
        on_air = self._on_air
        if on_air is not None and on_air.request.id == request_id:
            if not stop:
                return False
            if on_air.request.kind is Kind.EMERGENCY:
                return self._clear_emergency(by)
            if fade_ms > 0:
                self._fade_out(on_air, fade_ms, Outcome.CANCELLED, f"{detail}; faded out")
                return True
            self._output.stop(VOICE)
            self._finish_on_air(Outcome.CANCELLED, detail)
            self._arbitrate()
            return True
        return False

    def _fade_out(self, on_air: _OnAir, fade_ms: int, outcome: Outcome, detail: str) -> None:
        """Take a voice off air gently: down to silence over ``fade_ms``, then stopped and
        logged with ``outcome``; nothing more of it plays (its next segment neither)."""
        if on_air.leaving is not None:
            return
        on_air.leaving = (outcome, detail)
        self._output.set_volume(VOICE, SILENT_DB, fade_ms)
        until = self._clock.now() + timedelta(milliseconds=fade_ms)
        self.schedule(until, lambda: self._faded_out(on_air), duration=True)
        self._changed("voice_fading", {"id": on_air.request.id, "fade_ms": fade_ms})

    def _faded_out(self, on_air: _OnAir) -> None:
        if self._on_air is not on_air or on_air.leaving is None:
            return  # ended, or replaced, meanwhile
        self._output.stop(VOICE)
        self._finish_on_air(*on_air.leaving)
        self._arbitrate()

    def _move(self, request_id: int, to_index: int, by: str) -> Moved | None:
        if not any(r.id == request_id for r in self._queue):
            return None
        if not 0 <= to_index < len(self._queue):
            last = len(self._queue) - 1
            raise Invalid([FieldProblem(
                "position", f"The queue has places 0 to {last}; {to_index} is not one of them.",
                f"队列的位置是 0 到 {last}，没有位置 {to_index}。",
            )])  # fmt: skip
        moved = move(self._queue, request_id, to_index)
        assert moved is not None
        before = {r.id: r.seq for r in self._queue}
        self._queue = moved.queue
        for request in self._queue:
            if before[request.id] != request.seq:
                self._tell_submitted(request)
        self._arbitrate()
        if moved.position != moved.was:
            log.info("%s moved %s #%d %r from place %d to %d in the queue", by,
                     moved.request.kind.value, request_id, moved.request.title, moved.was,
                     moved.position)  # fmt: skip
            self._changed("queue_moved", {"id": request_id, "kind": moved.request.kind.value,
                                          "from": moved.was, "to": moved.position, "by": by})  # fmt: skip
        return moved

    def _start_emergency(self, request: Request) -> Request:
        request = replace(request, seq=next(self._seqs))
        self._tell_submitted(request)
        self._emergency = request
        self._arbitrate()
        self._changed("emergency_started", {"id": request.id, "title": request.title})
        return request

    def _clear_emergency(self, by: str) -> bool:
        if self._emergency is None:
            return False
        self._emergency = None
        on_air = self._on_air
        if on_air is not None and on_air.request.kind is Kind.EMERGENCY:
            self._output.stop(VOICE)
            self._finish_on_air(
                Outcome.COMPLETED, f"cleared by {by} after {on_air.plays + 1} pass(es)"
            )
        self._changed("emergency_cleared", {"by": by})
        self._arbitrate()
        return True

    def _arbitrate(self) -> None:
        now = self._clock.now()
        on_air = self._on_air.request if self._on_air else None
        decision = decide(ArbiterState(on_air, self._emergency, self._queue), now)
        self._queue = decision.queue
        for request in decision.expired:
            self._record_unplayed(request, Outcome.EXPIRED, "not started before it expired")
        if decision.preempted is not None:
            self._preempt(decision)
        bed_was = self.bed.mode
        self.bed.set_mode(decision.bed)
        if decision.voice is not None and (self._on_air is None):
            self._go_on_air(decision.voice, bed_ready=bed_was is not BedMode.PLAYING)
        self._refresh_snapshot()

    def _preempt(self, decision: Decision) -> None:
        assert decision.voice is not None and self._on_air is not None
        self._output.stop(VOICE)
        if self._on_air.leaving is not None:  # it was fading out for good: it stays ended
            leaving = self._on_air.request.id
            self._queue = tuple(r for r in self._queue if r.id != leaving)
            self._finish_on_air(*self._on_air.leaving)
            return
        by = f"{decision.voice.kind.value} #{decision.voice.id}"
        if decision.requeued:
            detail = f"interrupted by {by}; will play again"
        elif decision.preempted is not None and decision.preempted.kind is Kind.EMERGENCY:
            detail = f"replaced by {by}"
        else:
            detail = f"interrupted by {by}; not repeated"
        self._finish_on_air(Outcome.PREEMPTED, detail, final=not decision.requeued)

    def _go_on_air(self, request: Request, *, bed_ready: bool) -> None:
        self._on_air = _OnAir(request)
        self._changed("voice_next", {"id": request.id, "kind": request.kind.value})
        now = self._clock.now()
        start = now
        if request.kind is not Kind.EMERGENCY and not bed_ready:
            # Duck first, then speak: the bed's fade runs before the first word.
            start = now + timedelta(milliseconds=self._audio.duck_fade_ms)
        if request.planned_at is not None and request.planned_at > start:
            start = request.planned_at  # a programme cue speaks on its planned instant
        if start <= now:
            self._play_segment()
        else:
            target = self._on_air
            self.schedule(
                start, lambda: self._play_segment(target), duration=start != request.planned_at
            )  # the duck fade's length

    def _play_segment(self, expected: _OnAir | None = None) -> None:
        on_air = self._on_air
        if on_air is None or (expected is not None and on_air is not expected):
            return
        on_air.token = next(self._tokens)
        segment = on_air.request.segments[on_air.segment]
        self._output.play(VOICE, segment.path, token=on_air.token)

    def _on_output_event(self, event: OutputEvent) -> None:
        # Called on the output's thread: only enqueue (never call the output back from here).
        self.post(lambda: self._handle_output_event(event))

    def _handle_output_event(self, event: OutputEvent) -> None:
        if event.layer == OUTPUT:
            self._output_fault(event.detail, event.at)
            return
        if event.layer in BED_LAYERS:
            self.bed.on_event(event)
            self._refresh_snapshot()
            return
        on_air = self._on_air
        if on_air is None or event.token != on_air.token:
            return
        if event.kind is Ev.STARTED:
            on_air.segment_started_at = event.at
            on_air.segment_started_passed = self._clock.monotonic()
            if on_air.row_id is None:
                on_air.started_at = event.at
                on_air.row_id = self._open_row(on_air, event.at)
                self._changed("voice_started", {"id": on_air.request.id, "at": event.at})
        elif event.kind is Ev.FAILED:
            self._finish_on_air(Outcome.FAILED, event.detail or "the player reported an error")
            self._arbitrate()
        elif event.kind is Ev.ENDED:
            self._segment_ended(on_air, event.at)

    def _output_fault(self, fault: str, at: datetime) -> None:
        """The output lost (or got back) its sound: the play log keeps one row per outage,
        from when it was noticed to when the sound came back, and listeners are told (the
        output logs the fault, its reopen tries and its end)."""
        if fault and self._fault_row is None:
            self._fault_row = self._log.open(
                layer=OUTPUT, kind="fault", title=FAULT_TITLE, requested_by="audio output",
                requested_at=at, started_at=at, detail=fault[:1000],
            )  # fmt: skip
        elif not fault and self._fault_row is not None:
            self._log.close(self._fault_row, ended_at=at, outcome=Outcome.RECOVERED,
                            detail="sound back")  # fmt: skip
            self._fault_row = None
        self._changed("fault", {"fault": self.fault()})

    def _store_fault(self) -> None:
        self._changed("fault", {"fault": self.fault()})

    def _segment_ended(self, on_air: _OnAir, at: datetime) -> None:
        if on_air.leaving is not None:  # ended while fading out: it is over
            self._faded_out(on_air)
            return
        segment = on_air.request.segments[on_air.segment]
        played = (self._clock.monotonic() - on_air.segment_started_passed) * 1000
        if segment.duration_ms > 1000 and played < segment.duration_ms / 2:
            detail = f"{segment.path.name} stopped after {played:.0f} ms"
            self._finish_on_air(Outcome.FAILED, detail)
            self._arbitrate()
            return
        if on_air.segment + 1 < len(on_air.request.segments):
            on_air.segment += 1
            self._play_segment()
            self._changed("voice_segment", {"id": on_air.request.id, "segment": on_air.segment})
        elif on_air.request.kind is Kind.EMERGENCY:
            # The next pass: from the alert, or (no alternation) straight to the message.
            again = 0 if self._emergency_profile.alternate else 1
            on_air.segment = again if again < len(on_air.request.segments) else 0
            on_air.plays += 1
            gap = timedelta(milliseconds=self._emergency_profile.gap_ms)
            self.schedule(at + gap, lambda: self._play_segment(on_air), duration=True)
            self._changed("voice_segment", {"id": on_air.request.id, "segment": on_air.segment,
                                            "plays": on_air.plays})  # fmt: skip
        else:
            self._finish_on_air(Outcome.COMPLETED, "")
            self._arbitrate()

    def _finish_on_air(self, outcome: Outcome, detail: str, *, final: bool = True) -> None:
        on_air, self._on_air = self._on_air, None
        assert on_air is not None
        now = self._clock.now()
        if on_air.row_id is None:
            self._record_unplayed(on_air.request, outcome, detail, final=final)
        else:
            self._log.close(on_air.row_id, ended_at=now, outcome=outcome, detail=detail)
            self._tell_finished(on_air.request, outcome, on_air.started_at, final)
        self._changed("voice_ended", {"id": on_air.request.id, "outcome": outcome.value})

    def _tell_submitted(self, request: Request) -> None:
        for hook in self._submitted_hooks:
            try:
                hook(request)
            except Exception:
                log.exception("a submitted-request hook failed")

    def _tell_finished(
        self, request: Request, outcome: Outcome, started_at: datetime | None, final: bool
    ) -> None:
        for hook in self._finished_hooks:
            try:
                hook(request, outcome, started_at, final)
            except Exception:
                log.exception("a finished-request hook failed")

    def _open_row(self, on_air: _OnAir, started_at: datetime) -> int:
        request = on_air.request
        return self._log.open(
            layer=VOICE, kind=request.kind.value, title=request.title,
            media_path=media_of(request),
            requested_by=request.requested_by, requested_at=request.requested_at,
            planned_at=request.planned_at, started_at=started_at, cue_key=request.cue_key,
            detail="; ".join(filter(None, [request.note, "replayed after an interruption"
                                           if request.requeued else "",
                                           lateness(request.planned_at, started_at,
                                                    self._on_time)])),
            duck_db=None if request.kind is Kind.EMERGENCY else self._audio.duck_db,
        )  # fmt: skip

    def _record_unplayed(
        self, request: Request, outcome: Outcome, detail: str, *, final: bool = True
    ) -> None:
        detail = f"{request.note}; {detail}" if request.note else detail
        self._log.record(
            layer=VOICE, kind=request.kind.value, title=request.title,
            media_path=media_of(request),
            requested_by=request.requested_by, requested_at=request.requested_at,
            planned_at=request.planned_at, ended_at=self._clock.now(), outcome=outcome.value,
            detail=detail, cue_key=request.cue_key,
        )  # fmt: skip
        self._tell_finished(request, outcome, None, final)

    # -- what listeners see -----------------------------------------------------------------
    def _before_telling(self) -> None:
        self._refresh_snapshot()

    def _refresh_snapshot(self) -> None:
        on_air = self._on_air
        snapshot = {
            "bed": {
                "mode": self.bed.mode.value,
                "volume_db": self.bed.target_db() if self.bed.mode is not BedMode.STOPPED else None,
                "title": self.bed.current.title if self.bed.current else None,
                "duration_ms": self.bed.current.info.duration_ms if self.bed.current else None,
                "now_playing": self.bed.now_playing(),
            },
            "voice": None if on_air is None else {
                **describe(on_air.request),
                "segment": on_air.segment,
                "plays": on_air.plays,
                "started_at": on_air.started_at.isoformat() if on_air.started_at else None,
            },
            "ducked": self.bed.mode is BedMode.DUCKED,
            "emergency": None if self._emergency is None else describe(self._emergency),
            "queue": [describe(r) for r in self._queue],
            "scheduled": in_time_order(self._held.values()),
        }  # fmt: skip
        with self._snapshot_lock:
            self._snapshot = snapshot

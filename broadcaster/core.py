"""The core: one thread that owns the speakers.

Everything that wants air (the announcer's queue, service-desk pages, emergencies, the
programme) comes in through the inbox; the output's events come in the same way (the thread
discipline is broadcaster.loop.EventLoop). The core thread is the only one that changes state:
it asks the pure arbiter what should be on air and commands its two layers to match: the music
bed (``Bed``) and the voice layer (``VoiceLayer``). The layers play, write their play-log rows
and answer with values (``broadcaster.news``), which the core takes after every step and acts
on; they never call the core. Listeners (the SSE stream) are told of every change.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster.arbiter import ArbiterState, BedMode, Decision, Moved, decide, move
from broadcaster.audio.output import OUTPUT, AudioOutput, OutputEvent
from broadcaster.bed import BED_LAYERS, Bed
from broadcaster.bed_tracks import MusicSource, Song
from broadcaster.clock import Clock
from broadcaster.emergency import DEFAULT_PROFILE, EmergencyProfile
from broadcaster.loop import EventLoop
from broadcaster.news import Changed, News, TrackEnded, VoiceEnded, VoiceStarted
from broadcaster.outages import OutageRows
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.precheck import Prechecker
from broadcaster.problems import FieldProblem, Invalid
from broadcaster.proof import ON_TIME_S
from broadcaster.requests import Kind, Request
from broadcaster.settings import AudioSettings
from broadcaster.status import status_of
from broadcaster.voice import VOICE, VoiceLayer

log = logging.getLogger(__name__)
CUT_IN_BEFORE_EXPIRY = timedelta(seconds=2)  # a cue waiting for the track end cuts in by then
Submitted = Callable[[Request], None]
"""Told (on the core thread) when a request is accepted (held or queued), an emergency starts,
or a waiting request's place changes (its ``seq``): the request as the core now keeps it."""
Finished = Callable[[Request, Outcome, datetime | None, bool], None]
"""Told (on the core thread) when a request is done with: its outcome, when it started (None if
it never did) and whether that is final (False: preempted and put back in the queue)."""


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
        precheck: Prechecker | None = None,
        gain_for: Callable[[Path], float] = lambda path: 0.0,
        emergency: EmergencyProfile = DEFAULT_PROFILE,
        on_time_s: float = ON_TIME_S,
    ) -> None:
        super().__init__(clock)
        self._output, self._log, self._audio = output, playlog, audio
        self.precheck = precheck or Prechecker(output, self.post)
        self._seqs = itertools.count(1)
        self._finished_hooks: list[Finished] = []
        self._submitted_hooks: list[Submitted] = []
        self._emergency: Request | None = None
        self._queue: tuple[Request, ...] = ()
        self._held: dict[int, Request] = {}  # not yet due, or waiting for the track to end
        self._voice_freed = False  # the voice layer went free by itself: decide again
        self._snapshot: dict[str, Any] = {}
        self._snapshot_lock = threading.Lock()
        self._outages = OutageRows(playlog)
        # The database failing is told like any fault (banner, status); the air goes on.
        playlog.writer.on_fault(lambda _fault: self.post(self._store_fault))
        self.bed = Bed(
            output=output, playlog=playlog, clock=clock, source=music, audio=audio,
            precheck=self.precheck, schedule=self.schedule, gain_for=gain_for,
        )  # fmt: skip
        self.voice = VoiceLayer(
            output=output, playlog=playlog, clock=clock, schedule=self.schedule, audio=audio,
            emergency=emergency, on_time_s=on_time_s,
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
        self.voice.stop(Outcome.CANCELLED, "daemon stopped")
        self._outages.stopped(self._clock.now())
        self.bed.stop()
        self._drain()

    # -- handlers (core thread only) --------------------------------------------------------
    def _submit(self, request: Request) -> Request:
        """Queue now, or hold until ``planned_at`` less the duck fade (so the bed is down and
        the first word falls on the planned instant)."""
        request = replace(request, seq=next(self._seqs))
        self._tell_submitted(request)
        admit_at = self._lead_in(request)
        self._held[request.id] = request
        if admit_at is not None and admit_at > self._clock.now():
            self.schedule(admit_at, lambda: self._admit(request.id))
            self._changed("scheduled", {"id": request.id, "planned_at": request.planned_at})
            return request
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
            self.voice.record_unplayed(held, Outcome.CANCELLED, detail)
            self._drain()
            self._refresh_snapshot()
            return True
        for request in self._queue:
            if request.id == request_id:
                self._queue = tuple(r for r in self._queue if r.id != request_id)
                self.voice.record_unplayed(request, Outcome.CANCELLED, detail)
                self._arbitrate()
                return True
        on_air = self.voice.request
        if on_air is None or on_air.id != request_id or not stop:
            return False
        if on_air.kind is Kind.EMERGENCY:
            return self._clear_emergency(by)
        if fade_ms > 0:
            self.voice.fade_out(fade_ms, Outcome.CANCELLED, f"{detail}; faded out")
            return True
        self.voice.stop(Outcome.CANCELLED, detail)
        self._arbitrate()
        return True

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
        on_air = self.voice.request
        if on_air is not None and on_air.kind is Kind.EMERGENCY:
            self.voice.stop(
                Outcome.COMPLETED, f"cleared by {by} after {self.voice.plays + 1} pass(es)"
            )
            self._drain()
        self._changed("emergency_cleared", {"by": by})
        self._arbitrate()
        return True

    def _arbitrate(self) -> None:
        self._drain()
        self._voice_freed = False  # deciding now
        now = self._clock.now()
        decision = decide(ArbiterState(self.voice.request, self._emergency, self._queue), now)
        self._queue = decision.queue
        for request in decision.expired:
            self.voice.record_unplayed(request, Outcome.EXPIRED, "not started before it expired")
        if decision.preempted is not None:
            self._preempt(decision)
        bed_was = self.bed.mode
        self.bed.set_mode(decision.bed)
        self._drain()
        self._voice_freed = False
        if decision.voice is not None and self.voice.request is None:
            self.voice.start(decision.voice, bed_ready=bed_was is not BedMode.PLAYING)
            self._drain()
        self._refresh_snapshot()

    def _preempt(self, decision: Decision) -> None:
        assert decision.voice is not None and self.voice.request is not None
        if self.voice.leaving is not None:  # it was fading out for good: it stays ended
            leaving = self.voice.request.id
            self._queue = tuple(r for r in self._queue if r.id != leaving)
            self.voice.stop(*self.voice.leaving)
            return
        by = f"{decision.voice.kind.value} #{decision.voice.id}"
        if decision.requeued:
            detail = f"interrupted by {by}; will play again"
        elif decision.preempted is not None and decision.preempted.kind is Kind.EMERGENCY:
            detail = f"replaced by {by}"
        else:
            detail = f"interrupted by {by}; not repeated"
        self.voice.stop(Outcome.PREEMPTED, detail, final=not decision.requeued)

    def _on_output_event(self, event: OutputEvent) -> None:
        # Called on the output's thread: only enqueue (never call the output back from here).
        self.post(lambda: self._handle_output_event(event))

    def _handle_output_event(self, event: OutputEvent) -> None:
        if event.layer == OUTPUT:
            self._output_fault(event.detail, event.at)
        elif event.layer in BED_LAYERS:
            self.bed.on_event(event)
            self._refresh_snapshot()
        elif event.layer == VOICE:
            self.voice.on_event(event)

    def _output_fault(self, fault: str, at: datetime) -> None:
        """The output lost (or got back) its sound (it logs the fault, its reopen tries and
        its end): the play log keeps one row per outage, and listeners are told."""
        self._outages.told(fault, at)
        self._changed("fault", {"fault": self.fault()})

    def _store_fault(self) -> None:
        self._changed("fault", {"fault": self.fault()})

    # -- what the layers answer -------------------------------------------------------------
    def _after_action(self) -> None:
        self._drain()
        if self._voice_freed:  # an item ended by itself (or failed): the next one may go
            self._arbitrate()

    def _drain(self) -> None:
        """Act on what the bed and the voice layer answered, in the order they said it."""
        while news := self.voice.outbox.take() + self.bed.outbox.take():
            for item in news:
                self._act_on(item)

    def _act_on(self, item: News) -> None:
        if isinstance(item, Changed):
            self._changed(item.kind, item.data)
        elif isinstance(item, TrackEnded):
            self._track_ended()  # cues waiting for the end of the track go now
            if item.follow:
                self.bed.follow_on()
        elif isinstance(item, VoiceStarted):
            self._changed("voice_started", {"id": item.request.id, "at": item.at})
        elif isinstance(item, VoiceEnded):
            self._voice_freed = True
            self._tell_finished(item.request, item.outcome, item.started_at, item.final)

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

    # -- what listeners see -----------------------------------------------------------------
    def _before_telling(self) -> None:
        self._refresh_snapshot()

    def _refresh_snapshot(self) -> None:
        snapshot = status_of(self.bed, self.voice, self._emergency, self._queue, self._held)
        with self._snapshot_lock:
            self._snapshot = snapshot

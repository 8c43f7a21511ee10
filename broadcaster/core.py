"""The core: one thread that owns the speakers.

Everything that wants air (the announcer's queue, service-desk pages, emergencies, the
programme) comes in through the inbox; the output's events come in the same way (the thread
discipline is broadcaster.loop.EventLoop). The core thread is the only one that changes state:
it asks the pure arbiter what should be on air and commands the layers of every zone to match
(``Speakers``: the zone's music bed ``Bed`` and its voice layer ``VoiceLayer``; one zone,
``all``, in a store with nothing configured). Each zone decides by the same ``decide``;
``zones.decide.decide_zones`` couples the zones one request shares. The layers play, write
their play-log rows and answer with values (``broadcaster.news``), which the core takes after
every step and acts on; they never call the core. Listeners (the SSE stream) are told of
every change. Its face to other threads (commands, hooks, faults) is ``core_face.CoreFace``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from broadcaster.arbiter import BedMode, Decision, Moved, move
from broadcaster.audio.output import OUTPUT, AudioOutput, OutputEvent
from broadcaster.bed import BED_LAYERS
from broadcaster.bed_tracks import MusicSource
from broadcaster.clock import Clock
from broadcaster.core_face import CoreFace
from broadcaster.emergency import DEFAULT_PROFILE, EmergencyProfile
from broadcaster.news import Changed, News, TrackEnded, VoiceEnded, VoiceStarted
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.precheck import Prechecker
from broadcaster.problems import FieldProblem, Invalid
from broadcaster.proof import ON_TIME_S
from broadcaster.requests import Kind, Request
from broadcaster.settings import AudioSettings
from broadcaster.speakers import Speakers, ZoneOutput, ZoneSpeakers
from broadcaster.status import status_of
from broadcaster.voice import VOICE
from broadcaster.zones.decide import ZoneAir, decide_zones
from broadcaster.zones.emergencies import ActiveEmergencies
from broadcaster.zones.model import ALL
from broadcaster.zones.owed import OwedZones

log = logging.getLogger(__name__)
CUT_IN_BEFORE_EXPIRY = timedelta(seconds=2)  # a cue waiting for the track end cuts in by then


class Core(CoreFace):
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
        zones: Sequence[ZoneOutput] = (),
        gain_for: Callable[[Path], float] = lambda path: 0.0,
        emergency: EmergencyProfile = DEFAULT_PROFILE,
        on_time_s: float = ON_TIME_S,
    ) -> None:
        """``zones``: each zone's output and music; none: one zone, ``all``, on ``output``
        with ``music`` (and rows that name no zone)."""
        super().__init__(clock)  # the face's hooks and snapshot
        self._log, self._audio = playlog, audio  # the face reads the log's writer fault
        given = tuple(zones) or (ZoneOutput(ALL, output, music),)
        self.precheck = Prechecker(given[0].output, self.post)
        self.speakers = ZoneSpeakers(
            given, playlog=playlog, clock=clock, schedule=self.schedule, precheck=self.precheck,
            audio=audio, gain_for=gain_for, emergency=emergency, on_time_s=on_time_s,
        )  # fmt: skip
        self._seqs = itertools.count(1)
        self._emergencies = ActiveEmergencies()
        self._owed = OwedZones(self.speakers)  # the zones each request is still owed
        self._queue: tuple[Request, ...] = ()
        self._held: dict[int, Request] = {}  # not yet due, or waiting for the track to end
        self._endings: dict[int, list[VoiceEnded]] = {}  # zones done with a request on air
        self._live: dict[int, tuple[Request, tuple[str, ...]]] = {}  # calls live, and where
        self._voice_freed = False  # a voice layer went free by itself: decide again
        # The database failing is told like any fault (banner, status); the air goes on.
        playlog.writer.on_fault(lambda _fault: self.post(self._told_fault))
        self._refresh_snapshot()

    # -- thread-safe entry points ----------------------------------------------------------
    def start(self) -> None:
        """Connect to the outputs and start the music beds (on the core thread)."""
        for speakers in self.speakers.values():
            speakers.output.start(partial(self._on_output_event, speakers))
            self.post(speakers.bed.start)

    def shutdown(self) -> None:
        """Called on the core thread's way out: close open rows and stop playing."""
        self.process_pending()
        self.speakers.stop(self._clock.now())
        self._drain()

    # -- handlers (core thread only) --------------------------------------------------------
    def _submit(self, request: Request) -> Request:
        """Queue now, or hold until ``planned_at`` less the duck fade (so the bed is down and
        the first word falls on the planned instant)."""
        request = replace(request, seq=next(self._seqs))
        if (configured := self.speakers.configured(request)) is None:  # no zone left
            return request
        request = configured
        self._tell_submitted(self._owed.told(request))
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
        beds = [s.bed for s in self.speakers.of(request)]
        if request.after_track and all(b.current for b in beds) and not self._must_start(request):
            # Wait for the music track to end; when the grace runs short, cut in after all.
            if request.expires_at is not None:
                cut_in = request.expires_at - CUT_IN_BEFORE_EXPIRY
                self.schedule(cut_in, lambda: self._release(request_id))
            return
        self._release(request_id)

    def _must_start(self, request: Request) -> bool:
        """Waiting for the end of the track only makes sense while music plays at full level
        (in every zone of the request) and the grace leaves time for it."""
        if any(s.bed.mode is not BedMode.PLAYING for s in self.speakers.of(request)):
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

    def _track_ended(self, zone: str) -> None:
        """A music track ended in ``zone``: the cues for it that were waiting for the end of
        a track (and are due) go on air."""
        now = self._clock.now()
        for request_id, request in list(self._held.items()):
            lead_in = self._lead_in(request)
            mine = not request.zones or zone in request.zones
            if mine and request.after_track and (lead_in is None or lead_in <= now):
                self._release(request_id)

    def _cancel(
        self, request_id: int, by: str, *, stop: bool = True, why: str = "", fade_ms: int = 0
    ) -> bool:
        detail = why or f"cancelled by {by}"
        held = self._held.pop(request_id, None)
        if held is not None:
            self._unplayed(held, Outcome.CANCELLED, detail)
            self._drain()
            self._refresh_snapshot()
            return True
        waiting = next((r for r in self._queue if r.id == request_id), None)
        if waiting is not None:
            self._queue = tuple(r for r in self._queue if r.id != request_id)
        if self._emergencies.holds(request_id):  # that one ends (on air or behind a later
            return self._clear_emergency(by, only=request_id)  # one), any other holds on
        on_air = self.speakers.holding(request_id)
        if not on_air or not stop:
            if waiting is not None:
                self._unplayed(waiting, Outcome.CANCELLED, detail)
                self._arbitrate()
            return waiting is not None
        call = on_air[0].voice.request
        if call is not None and call.live:  # "talk" let go of (``why``: the microphone failed)
            recorded = self.live_recording(request_id)
            outcome = Outcome.FAILED if why else Outcome.COMPLETED
            said = "; ".join(filter(None, [why or f"talk released by {by}",
                                           recorded and f"recorded to {recorded}"]))  # fmt: skip
            for speakers in on_air:
                speakers.voice.stop(outcome, said)
            self._arbitrate()
            return True
        for speakers in on_air:
            if fade_ms > 0:
                speakers.voice.fade_out(fade_ms, Outcome.CANCELLED, f"{detail}; faded out")
            else:
                speakers.voice.stop(Outcome.CANCELLED, detail)
        if fade_ms <= 0:
            self._arbitrate()
        return True

    def _unplayed(self, request: Request, outcome: Outcome, detail: str) -> None:
        zones = self.speakers.log_zones(request)
        self.speakers.first.voice.record_unplayed(request, outcome, detail, zones=zones)

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
                self._tell_submitted(self._owed.told(request))
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
        if (configured := self.speakers.configured(request)) is None:  # no zone left
            return request
        request = configured
        self._tell_submitted(self._owed.told(request))
        self._emergencies.start(request)
        self._arbitrate()
        self._changed("emergency_started", {"id": request.id, "title": request.title})
        return request

    def _clear_emergency(
        self, by: str, zones: frozenset[str] = frozenset(), only: int | None = None
    ) -> bool:
        """The active emergencies end in ``zones`` (empty: every zone) and hold on in the
        others; each zone's row closes as it ends there. False if none held those zones."""
        cleared = self._emergencies.clear(zones, self.speakers, only)
        if not cleared:
            return False
        for speakers in self.speakers.values():
            on_air = speakers.voice.request
            if on_air is not None and speakers.zone in cleared.get(on_air.id, ()):
                passes = speakers.voice.plays + 1
                speakers.voice.stop(Outcome.COMPLETED, f"cleared by {by} after {passes} pass(es)")
        self._drain()
        ended = sorted(set().union(*cleared.values())) if self.speakers.zoned else None
        self._changed("emergency_cleared", {"by": by, "zones": ended})
        self._arbitrate()
        return True

    def _arbitrate(self) -> None:
        self._drain()
        self._voice_freed = False  # deciding now
        air = {
            z: ZoneAir(s.voice.request, self._emergencies.of(z)) for z, s in self.speakers.items()
        }
        decided = decide_zones(air, self._queue, self._clock.now())
        self._queue = decided.queue
        for request in decided.expired:
            self._unplayed(request, Outcome.EXPIRED, "not started before it expired")
        for zone, decision in decided.zones.items():
            if decision.preempted is not None and self.speakers[zone].voice.request is not None:
                self._preempt(self.speakers[zone], decision)
        beds_were = {zone: s.bed.mode for zone, s in self.speakers.items()}
        for zone, decision in decided.zones.items():
            self.speakers[zone].bed.set_mode(decision.bed)
        self._drain()
        self._voice_freed = False
        for zone, decision in decided.zones.items():
            voice = self.speakers[zone].voice
            if decision.voice is not None and voice.request is None:
                voice.start(decision.voice, bed_ready=beds_were[zone] is not BedMode.PLAYING)
        self._drain()
        for narrowed in self._owed.update(self._where()):
            self._tell_submitted(narrowed)  # heard in some of its zones: owed the others only
        self._refresh_snapshot()

    def _where(self) -> Iterator[tuple[Request, str]]:
        """Each (request, zone) pair where a request is now: on air, or waiting."""
        yield from self.speakers.on_air()
        for request in (*self._emergencies, *self._queue, *self._held.values()):
            yield from ((request, zone) for zone in request.zones or self.speakers)

    def _preempt(self, speakers: Speakers, decision: Decision) -> None:
        voice = speakers.voice
        assert voice.request is not None
        if voice.leaving is not None:  # it was fading out for good: it stays ended
            leaving = voice.request.id
            self._queue = tuple(r for r in self._queue if r.id != leaving)
            voice.stop(*voice.leaving)
            return
        by = "its other zones" if decision.voice is None else (
            f"{decision.voice.kind.value} #{decision.voice.id}")  # fmt: skip
        if voice.request.live:  # the microphone leaves this zone now (``_route_live``)
            if len(self.speakers.holding(voice.request.id)) == 1:  # its last: the call is over
                self._queue = tuple(r for r in self._queue if r.id != voice.request.id)
            voice.stop(Outcome.PREEMPTED, f"microphone cut by {by}")  # else back when free
            return
        if decision.requeued:
            detail = f"interrupted by {by}; will play again"
        elif decision.preempted is not None and decision.preempted.kind is Kind.EMERGENCY:
            detail = f"replaced by {by}"
        else:
            detail = f"interrupted by {by}; not repeated"
        voice.stop(Outcome.PREEMPTED, detail, final=not decision.requeued)

    def _on_output_event(self, speakers: Speakers, event: OutputEvent) -> None:
        # Called on the output's thread: only enqueue (never call the output back from here).
        self.post(lambda: self._handle_output_event(speakers, event))

    def _handle_output_event(self, speakers: Speakers, event: OutputEvent) -> None:
        if event.layer == OUTPUT:
            # The output lost (or got back) its sound (it logs the fault, its reopen tries and
            # its end): the play log keeps one row per outage, and listeners are told.
            speakers.outages.told(event.detail or speakers.transport_fault or "", event.at)
            self._told_fault()
        elif event.layer in BED_LAYERS:
            speakers.bed.on_event(event)
            self._refresh_snapshot()
        elif event.layer == VOICE:
            speakers.voice.on_event(event)

    # -- what the layers answer -------------------------------------------------------------
    def _after_action(self) -> None:
        self._drain()
        if self._voice_freed:  # an item ended by itself (or failed): the next one may go
            self._arbitrate()

    def _drain(self) -> None:
        """Act on what the beds and the voice layers answered, in the order they said it; a
        request's end is told once it has left every zone."""
        while batch := self.speakers.news():
            ended: dict[int, list[VoiceEnded]] = {}
            for speakers, item in batch:
                if isinstance(item, VoiceEnded):
                    self._voice_freed = True
                    ended.setdefault(item.request.id, []).append(item)
                else:
                    self._act_on(speakers, item)
            self._route_live()
            for items in ended.values():
                self._ended(items)

    def _act_on(self, speakers: Speakers, item: News) -> None:
        if isinstance(item, Changed):
            data = {**item.data, "zone": speakers.zone} if self.speakers.zoned else item.data
            self._changed(item.kind, data)
        elif isinstance(item, TrackEnded):
            self._track_ended(speakers.zone)  # cues waiting for the end of the track go now
            if item.follow:
                speakers.bed.follow_on()
        elif isinstance(item, VoiceStarted):
            self._changed("voice_started", {"id": item.request.id, "at": item.at})

    def _route_live(self) -> None:
        """The microphone follows the zones where its call is live (past the chime): a zone
        that joins later (freed by an emergency, the chime first) is added, one taken by a
        higher call is dropped at once, and the call is over when no zone holds it."""
        now = self.speakers.live_calls()
        for call_id, (call, _zones) in self._live.items():
            if call_id not in now:
                self._tell_live(call, None)
        for call_id, (call, zones) in now.items():
            if call_id not in self._live or self._live[call_id][1] != zones:
                self._tell_live(call, zones)
        self._live = now

    def _ended(self, items: list[VoiceEnded]) -> None:
        request = items[-1].request
        if self.speakers.holding(request.id):
            self._endings.setdefault(request.id, []).extend(items)  # still heard elsewhere
            return
        every = self._endings.pop(request.id, []) + items
        completed = [e for e in every if e.outcome is Outcome.COMPLETED]
        outcome = (completed or every)[-1].outcome
        starts = [e.started_at for e in every if e.started_at is not None]
        waiting = any(r.id == request.id for r in self._queue)
        self._tell_finished(request, outcome, min(starts, default=None),
                            items[-1].final and not waiting)  # fmt: skip

    # -- what listeners see -----------------------------------------------------------------
    def _before_telling(self) -> None:
        self._refresh_snapshot()

    def _refresh_snapshot(self) -> None:
        snapshot = status_of(self.speakers, list(self._emergencies), self._queue, self._held)
        with self._snapshot_lock:
            self._snapshot = snapshot

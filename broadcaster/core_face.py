"""The core's face to other threads: each command is posted to the core thread (``call``) and
its future carries the handler's answer; the handlers (``_submit``, ``_cancel``...) are
``Core``'s and run on the core thread only. Split from ``core.py`` so that module keeps to
deciding and driving the layers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from broadcaster.arbiter import Moved
from broadcaster.bed import Bed
from broadcaster.bed_tracks import MusicSource, Song
from broadcaster.clock import Clock
from broadcaster.loop import EventLoop
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.requests import Request
from broadcaster.speakers import Speakers, ZoneSpeakers
from broadcaster.voice import VoiceLayer

log = logging.getLogger("broadcaster.core")
Submitted = Callable[[Request], None]
"""Told (on the core thread) when a request is accepted (held or queued), an emergency starts,
or a waiting request's place changes (its ``seq``): the request as the core now keeps it."""
Finished = Callable[[Request, Outcome, datetime | None, bool], None]
"""Told (on the core thread) when a request is done with: its outcome, when it started (None if
it never did) and whether that is final (False: preempted and put back in the queue)."""

LiveHook = Callable[[Request, tuple[str, ...] | None], None]
"""Told (on the core thread) when a live call goes live (the zones holding it) and when it is
over (None): the microphone's routes follow it."""


class CoreFace(EventLoop):
    speakers: ZoneSpeakers
    _log: PlayLog

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self._finished_hooks: list[Finished] = []
        self._submitted_hooks: list[Submitted] = []
        self._live_hooks: list[LiveHook] = []
        self.live_recording: Callable[[int], str | None] = lambda request_id: None
        """Where a live call is being recorded (the daemon's live calls say), for its row."""
        self._snapshot: dict[str, Any] = {}
        self._snapshot_lock = threading.Lock()

    @property
    def bed(self) -> Bed:
        """The first zone's bed (the only one in a one-zone store)."""
        return self.speakers.first.bed

    @property
    def voice(self) -> VoiceLayer:
        return self.speakers.first.voice

    def submit(self, request: Request) -> Future[Request]:
        return self.call(self._submit, request)

    def play_song(self, song: Song, *, cut: bool, zones: Collection[str] = ()) -> Future[None]:
        """Play a file on the beds of ``zones`` (empty: all) themselves (welcome music, a
        farewell song): now if ``cut``, else after the current track; exactly at
        ``song.planned_at`` when that is still ahead."""
        return self.call(self.speakers.each_bed, zones, lambda bed: bed.queue_song(song, cut))

    def set_music(
        self, music: Callable[[], MusicSource], *, cut: bool, zones: Collection[str] = ()
    ) -> Future[None]:
        """Switch the beds of ``zones`` (empty: all) to another playlist: at the end of the
        current track, or now. ``music`` makes each bed its own source (as at start-up): one
        source shared by several beds would deal its tracks out between them (1F the first,
        2F the second...), each zone hearing half the playlist. The sources are made here, on
        the caller's thread: a playlist's maker reads the database, which the core thread
        never waits for."""
        sources = {z: music() for z in self.speakers if not zones or z in zones}
        return self.call(self._set_sources, sources, cut)

    def _set_sources(self, sources: dict[str, MusicSource], cut: bool) -> None:
        for zone, source in sources.items():
            self.speakers[zone].bed.set_source(source, cut)

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

    def clear_emergency(self, by: str, zones: Collection[str] = ()) -> Future[bool]:
        """End the emergency in ``zones`` (empty: every zone); it holds on in the others.
        False when no emergency holds any of them."""
        return self.call(self._clear_emergency, by, frozenset(zones))

    def on_finished(self, hook: Finished) -> None:
        """Register ``hook`` before ``start``; it runs on the core thread."""
        self._finished_hooks.append(hook)

    def on_submitted(self, hook: Submitted) -> None:
        """Register ``hook`` before ``start``; it runs on the core thread, before the request
        can start (so a store has it before anything is played or logged), and again for each
        request a move gave a new place."""
        self._submitted_hooks.append(hook)

    def on_live(self, hook: LiveHook) -> None:
        """Register ``hook`` before ``start``; it runs on the core thread."""
        self._live_hooks.append(hook)

    # -- for collaborators that run on the core thread (paging.Pager) -----------------------
    def submit_now(self, request: Request) -> Request:
        return self._submit(request)

    def cancel_now(
        self, request_id: int, by: str, *, stop: bool = True, why: str = "", fade_ms: int = 0
    ) -> bool:
        """Cancel a held or queued request; one on air is stopped only when ``stop``, faded
        out over ``fade_ms`` first when given."""
        return self._cancel(request_id, by, stop=stop, why=why, fade_ms=fade_ms)

    def snapshot(self) -> dict[str, Any]:
        with self._snapshot_lock:
            return dict(self._snapshot)

    def fault(self) -> str | None:
        """A problem a person must fix now (no playable music, no sound reaching the speakers,
        a database that does not answer), read live: an output notices a dead device without
        any state change in the core. With zones, a zone's fault names the zone."""
        return self.speakers.fault() or self._log.writer.fault()

    def air_fault(self) -> str | None:
        """The fault that holds the air (what ``/health`` answers 503 for): as ``fault``, but a
        bed that plays from its fallback (the whole library, its playlist having nothing
        playable) is a problem to fix, not silence."""
        return self.speakers.fault(silent_only=True) or self._log.writer.fault()

    def zone_fault(self, zone: str, fault: str | None) -> None:
        """A remote zone's transport lost (None: got back) its players (any thread)."""
        self.post(lambda: self._zone_fault(self.speakers[zone], fault))

    # -- telling the hooks (core thread) ---------------------------------------------------
    def _tell_submitted(self, request: Request) -> None:
        for hook in self._submitted_hooks:
            try:
                hook(request)
            except Exception:
                log.exception("a submitted-request hook failed")

    def _tell_live(self, request: Request, zones: tuple[str, ...] | None) -> None:
        for hook in self._live_hooks:
            try:
                hook(request, zones)
            except Exception:
                log.exception("a live-call hook failed")

    def _tell_finished(
        self, request: Request, outcome: Outcome, started_at: datetime | None, final: bool
    ) -> None:
        for hook in self._finished_hooks:
            try:
                hook(request, outcome, started_at, final)
            except Exception:
                log.exception("a finished-request hook failed")

    # -- the handlers, on the core thread (``Core`` has them) -------------------------------
    def _submit(self, request: Request) -> Request:
        raise NotImplementedError

    def _cancel(
        self, request_id: int, by: str, *, stop: bool = True, why: str = "", fade_ms: int = 0
    ) -> bool:
        raise NotImplementedError

    def _move(self, request_id: int, to_index: int, by: str) -> Moved | None:
        raise NotImplementedError

    def _start_emergency(self, request: Request) -> Request:
        raise NotImplementedError

    def _clear_emergency(self, by: str, zones: frozenset[str] = frozenset()) -> bool:
        raise NotImplementedError

    def _zone_fault(self, speakers: Speakers, fault: str | None) -> None:
        speakers.transport_fault = fault
        speakers.outages.told(speakers.output_fault() or "", self._clock.now())
        self._changed("fault", {"fault": self.fault(), "zone": speakers.zone})

    def _told_fault(self) -> None:
        """Listeners hear of a fault that came or went (an output's, the database's)."""
        self._changed("fault", {"fault": self.fault()})

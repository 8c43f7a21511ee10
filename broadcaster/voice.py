"""The voice layer: plays one request at a time (an announcement, a page, an emergency) over
the ducked bed, and writes its play-log row.

The core decides what holds the layer; the layer plays it and answers with values in its
``outbox`` (``VoiceStarted``, ``VoiceEnded``, changes for listeners). It never calls the core.

1. ``start``: a request goes on air. Unless it is an emergency or the bed is already down, the
   first segment waits for the duck fade; a programme cue waits for its planned instant.
2. Segments play one after another; the row opens when the first one is heard, so its start is
   what reached the speakers.
3. A segment that stops after less than half its length failed (a file cut short); the item
   ends ``failed``. An emergency never ends by itself: after its last segment it starts again,
   after the profile's gap, from the alert (or from the message, without alternation).
4. ``fade_out``: down to silence, then stopped and logged with the given outcome.
5. A live call (``Request.live``): after its chime the layer stays held (``live``): the
   microphone is on air in its zone until the core stops it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from broadcaster.audio.output import SILENT_DB, AudioOutput, OutputEvent
from broadcaster.audio.output import OutputEventKind as Ev
from broadcaster.clock import Clock
from broadcaster.emergency import DEFAULT_PROFILE, EmergencyProfile
from broadcaster.loop import Schedule
from broadcaster.news import Outbox, VoiceEnded, VoiceStarted
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.proof import ON_TIME_S, lateness
from broadcaster.requests import Kind, Request
from broadcaster.settings import AudioSettings
from broadcaster.status import describe
from playlists.names import path_text

VOICE = "voice"  # the output layer and the play log's layer
MEDIA_MAX = 1000  # the play log's media_path column


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
    segment_started_passed: float = 0.0  # the clock's monotonic reading then
    leaving: tuple[Outcome, str] | None = None  # fading out, then ends with this
    live: bool = False  # a live call past its chime: the microphone holds the layer


def _again(request: Request) -> str:
    if not request.requeued:
        return ""  # a live call is not replayed: the microphone joins the zone again
    return "back after an interruption" if request.live else "replayed after an interruption"


class VoiceLayer:
    """Lives on the core thread."""

    def __init__(
        self,
        *,
        output: AudioOutput,
        playlog: PlayLog,
        clock: Clock,
        schedule: Schedule,
        audio: AudioSettings,
        emergency: EmergencyProfile = DEFAULT_PROFILE,
        on_time_s: float = ON_TIME_S,
        log_zone: str | None = None,
    ) -> None:
        self._output, self._log, self._clock, self._schedule = output, playlog, clock, schedule
        self._zones = None if log_zone is None else (log_zone,)  # what its rows name
        self._audio, self._profile = audio, emergency
        self._on_time = timedelta(seconds=on_time_s)
        self._tokens = itertools.count(1)
        self._on_air: _OnAir | None = None
        self.outbox = Outbox()

    # -- what the core reads ---------------------------------------------------------------
    @property
    def request(self) -> Request | None:
        return self._on_air.request if self._on_air else None

    @property
    def leaving(self) -> tuple[Outcome, str] | None:
        """The outcome it is fading out to, if it is leaving for good."""
        return self._on_air.leaving if self._on_air else None

    @property
    def live(self) -> bool:
        """A live call past its chime holds the layer: its microphone is to be on air here."""
        return self._on_air is not None and self._on_air.live

    @property
    def plays(self) -> int:
        return self._on_air.plays if self._on_air else 0

    def status(self) -> dict[str, Any] | None:
        on_air = self._on_air
        if on_air is None:
            return None
        return {
            **describe(on_air.request),
            "segment": on_air.segment,
            "plays": on_air.plays,
            "started_at": on_air.started_at.isoformat() if on_air.started_at else None,
            "live": on_air.live,
        }

    # -- commands from the core ------------------------------------------------------------
    def start(self, request: Request, *, bed_ready: bool) -> None:
        self._on_air = on_air = _OnAir(request)
        self.outbox.changed("voice_next", {"id": request.id, "kind": request.kind.value})
        now = self._clock.now()
        start = now
        if request.kind is not Kind.EMERGENCY and not bed_ready:
            # Duck first, then speak: the bed's fade runs before the first word.
            start = now + timedelta(milliseconds=self._audio.duck_fade_ms)
        if request.planned_at is not None and request.planned_at > start:
            start = request.planned_at  # a programme cue speaks on its planned instant
        if start <= now:
            self._play_segment(on_air)
        else:
            self._schedule(
                start, lambda: self._play_segment(on_air), duration=start != request.planned_at
            )  # the duck fade's length

    def stop(self, outcome: Outcome, detail: str, *, final: bool = True) -> None:
        """Off air now, logged with ``outcome``."""
        if self._on_air is None:
            return
        self._output.stop(VOICE)
        self._finish(outcome, detail, final=final)

    def fade_out(self, fade_ms: int, outcome: Outcome, detail: str) -> None:
        """Off air gently: down to silence over ``fade_ms``, then stopped and logged with
        ``outcome``; nothing more of it plays (its next segment neither)."""
        on_air = self._on_air
        if on_air is None or on_air.leaving is not None:
            return
        on_air.leaving = (outcome, detail)
        self._output.set_volume(VOICE, SILENT_DB, fade_ms)
        until = self._clock.now() + timedelta(milliseconds=fade_ms)
        self._schedule(until, lambda: self._faded_out(on_air), duration=True)
        self.outbox.changed("voice_fading", {"id": on_air.request.id, "fade_ms": fade_ms})

    def record_unplayed(
        self, request: Request, outcome: Outcome, detail: str, *, final: bool = True,
        zones: Iterable[str] | None = None,
    ) -> None:  # fmt: skip
        """A request that never reached the air (cancelled, expired, failed before it started);
        ``zones``: the zones it was for (None: every zone of a one-zone store)."""
        detail = f"{request.note}; {detail}" if request.note else detail
        self._log.record(
            zones=zones,
            layer=VOICE, kind=request.kind.value, title=request.title,
            media_path=media_of(request),
            requested_by=request.requested_by, requested_at=request.requested_at,
            planned_at=request.planned_at, ended_at=self._clock.now(), outcome=outcome.value,
            detail=detail, cue_key=request.cue_key,
        )  # fmt: skip
        self.outbox.put(VoiceEnded(request, outcome, None, final))

    # -- what the output tells -------------------------------------------------------------
    def on_event(self, event: OutputEvent) -> None:
        on_air = self._on_air
        if on_air is None or event.token != on_air.token:
            return  # a late event from an item already replaced
        if event.kind is Ev.STARTED:
            on_air.segment_started_passed = self._clock.monotonic()
            if on_air.row_id is None:
                on_air.started_at = event.at
                on_air.row_id = self._open_row(on_air, event.at)
                self.outbox.put(VoiceStarted(on_air.request, event.at))
        elif event.kind is Ev.FAILED:
            self._finish(Outcome.FAILED, event.detail or "the player reported an error")
        elif event.kind is Ev.ENDED:
            self._segment_ended(on_air, event.at)

    # -- internals -------------------------------------------------------------------------
    def _play_segment(self, on_air: _OnAir) -> None:
        if self._on_air is not on_air:
            return  # ended, or replaced, meanwhile
        on_air.token = next(self._tokens)
        segment = on_air.request.segments[on_air.segment]
        self._output.play(VOICE, segment.path, token=on_air.token)

    def _faded_out(self, on_air: _OnAir) -> None:
        if self._on_air is not on_air or on_air.leaving is None:
            return  # ended, or replaced, meanwhile
        self._output.stop(VOICE)
        self._finish(*on_air.leaving)

    def _segment_ended(self, on_air: _OnAir, at: datetime) -> None:
        if on_air.leaving is not None:  # ended while fading out: it is over
            self._faded_out(on_air)
            return
        segment = on_air.request.segments[on_air.segment]
        played = (self._clock.monotonic() - on_air.segment_started_passed) * 1000
        if segment.duration_ms > 1000 and played < segment.duration_ms / 2:
            self._finish(Outcome.FAILED, f"{segment.path.name} stopped after {played:.0f} ms")
        elif on_air.segment + 1 < len(on_air.request.segments):
            on_air.segment += 1
            self._play_segment(on_air)
            self.outbox.changed(
                "voice_segment", {"id": on_air.request.id, "segment": on_air.segment}
            )
        elif on_air.request.live:  # the chime is over: the microphone holds the layer
            on_air.live = True
            self.outbox.changed("voice_live", {"id": on_air.request.id})
        elif on_air.request.kind is Kind.EMERGENCY:
            # The next pass: from the alert, or (no alternation) straight to the message.
            again = 0 if self._profile.alternate else 1
            on_air.segment = again if again < len(on_air.request.segments) else 0
            on_air.plays += 1
            gap = timedelta(milliseconds=self._profile.gap_ms)
            self._schedule(at + gap, lambda: self._play_segment(on_air), duration=True)
            self.outbox.changed("voice_segment", {"id": on_air.request.id,
                                                  "segment": on_air.segment,
                                                  "plays": on_air.plays})  # fmt: skip
        else:
            self._finish(Outcome.COMPLETED, "")

    def _finish(self, outcome: Outcome, detail: str, *, final: bool = True) -> None:
        on_air, self._on_air = self._on_air, None
        assert on_air is not None
        if on_air.row_id is None:
            self.record_unplayed(on_air.request, outcome, detail, final=final, zones=self._zones)
        else:
            self._log.close(on_air.row_id, ended_at=self._clock.now(), outcome=outcome,
                            detail=detail)  # fmt: skip
            self.outbox.put(VoiceEnded(on_air.request, outcome, on_air.started_at, final))
        self.outbox.changed("voice_ended", {"id": on_air.request.id, "outcome": outcome.value})

    def _open_row(self, on_air: _OnAir, started_at: datetime) -> int:
        request = on_air.request
        return self._log.open(
            zones=self._zones,
            layer=VOICE, kind=request.kind.value, title=request.title,
            media_path=media_of(request),
            requested_by=request.requested_by, requested_at=request.requested_at,
            planned_at=request.planned_at, started_at=started_at, cue_key=request.cue_key,
            detail="; ".join(filter(None, [request.note, _again(request),
                                           lateness(request.planned_at, started_at,
                                                    self._on_time)])),
            duck_db=None if request.kind is Kind.EMERGENCY else self._audio.duck_db,
        )  # fmt: skip

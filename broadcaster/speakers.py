"""One zone's speakers: its output, its music bed and its voice layer (principle 13: a zone is
an output with its own bed and its own arbitration).

A store with nothing configured has one zone, ``all``, on the one output: its rows say no
zone (``zones`` NULL: every zone). With several zones, each zone's rows name it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from broadcaster.audio.output import AudioOutput
from broadcaster.bed import Bed
from broadcaster.bed_tracks import MusicSource
from broadcaster.clock import Clock
from broadcaster.emergency import EmergencyProfile
from broadcaster.loop import Schedule
from broadcaster.news import News
from broadcaster.outages import OutageRows
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.precheck import Prechecker
from broadcaster.requests import Request
from broadcaster.settings import AudioSettings
from broadcaster.voice import VoiceLayer
from broadcaster.zones.model import ALL
from broadcaster.zones.selection import dropped_text

log = logging.getLogger("broadcaster.core")


@dataclass(frozen=True)
class ZoneOutput:
    """What the station gives the core for a zone: its id, its output and its music."""

    zone: str
    output: AudioOutput
    music: MusicSource


@dataclass
class Speakers:
    zone: str
    output: AudioOutput
    bed: Bed
    voice: VoiceLayer
    outages: OutageRows
    transport_fault: str | None = None  # a remote zone's: no player, feed stalled, server down

    def output_fault(self) -> str | None:
        """No sound reaches this zone's speakers: its output's fault, or its transport's."""
        return self.output.fault() or self.transport_fault

    def news(self) -> list[News]:
        """What the voice layer and the bed said since last asked, in that order."""
        return self.voice.outbox.take() + self.bed.outbox.take()


def make_speakers(
    given: ZoneOutput,
    *,
    log_zone: str | None,
    playlog: PlayLog,
    clock: Clock,
    schedule: Schedule,
    precheck: Prechecker,
    audio: AudioSettings,
    gain_for: Callable[[Path], float],
    emergency: EmergencyProfile,
    on_time_s: float,
) -> Speakers:
    """``log_zone``: the zone the rows name (None in a one-zone store)."""
    bed = Bed(
        output=given.output, playlog=playlog, clock=clock, source=given.music, audio=audio,
        precheck=precheck, schedule=schedule, gain_for=gain_for, log_zone=log_zone,
    )  # fmt: skip
    voice = VoiceLayer(
        output=given.output, playlog=playlog, clock=clock, schedule=schedule, audio=audio,
        emergency=emergency, on_time_s=on_time_s, log_zone=log_zone,
    )  # fmt: skip
    return Speakers(given.zone, given.output, bed, voice, OutageRows(playlog, log_zone))


class ZoneSpeakers(dict[str, Speakers]):
    """Every zone's speakers, in configuration order, and what the core asks of them all."""

    def __init__(self, given: Sequence[ZoneOutput], **made_with: Any) -> None:
        """``made_with``: ``make_speakers``'s keywords but ``log_zone``."""
        super().__init__()
        self.zoned = len(given) > 1 or given[0].zone != ALL  # else rows name no zone
        for z in given:
            self[z.zone] = make_speakers(z, log_zone=z.zone if self.zoned else None, **made_with)
        self.first = next(iter(self.values()))

    def of(self, request: Request) -> list[Speakers]:
        """The zones a request is for (``zones`` empty: all)."""
        return [s for z, s in self.items() if not request.zones or z in request.zones]

    def holding(self, request_id: int) -> list[Speakers]:
        """The zones whose voice layer holds the request now."""
        return [s for s in self.values()
                if s.voice.request is not None and s.voice.request.id == request_id]  # fmt: skip

    def on_air(self) -> list[tuple[Request, str]]:
        """Each zone's voice, as (request, zone)."""
        return [(s.voice.request, z) for z, s in self.items() if s.voice.request is not None]

    def live_calls(self) -> dict[int, tuple[Request, tuple[str, ...]]]:
        """Each live call past its chime, with the zones where it is live (in order)."""
        live: dict[int, tuple[Request, tuple[str, ...]]] = {}
        for zone, speakers in self.items():
            call = speakers.voice.request
            if call is not None and speakers.voice.live:
                live[call.id] = (call, (*live.get(call.id, (call, ()))[1], zone))
        return live

    def each_bed(self, zones: Collection[str], act: Callable[[Bed], None]) -> None:
        for zone, speakers in self.items():
            if not zones or zone in zones:
                act(speakers.bed)

    def configured(self, request: Request) -> Request | None:
        """A request naming zones no longer configured (kept over a restart, a page's next
        play, after a change of settings) plays in those that remain, its rows saying which
        were left out (and a warning); with none left it is logged ``skipped`` and goes
        nowhere (None). The API checks a person's names before anything is asked."""
        gone = request.zones - self.keys()
        if not gone:
            return request
        said = dropped_text(sorted(gone))
        log.warning("%s #%d %r: %s", request.kind.value, request.id, request.title, said)
        if gone == request.zones:
            self.first.voice.record_unplayed(request, Outcome.SKIPPED, said,
                                             zones=self.log_zones(request))  # fmt: skip
            return None
        return replace(request, zones=request.zones - gone,
                       note="; ".join(filter(None, [request.note, said])))  # fmt: skip

    def log_zones(self, request: Request) -> list[str] | None:
        """What a row of a request that reached no voice layer names (None: one-zone store)."""
        return sorted(request.zones or self) if self.zoned else None

    def fault(self, *, silent_only: bool = False) -> str | None:
        """The first zone's fault (with zones, naming the zone): its output's, or its bed's
        (``silent_only``: only when the bed plays nothing, not from its fallback)."""
        for speakers in self.values():
            bed = speakers.bed
            if silent_only:
                fault = speakers.output_fault() or (bed.fault if bed.current is None else None)
            else:
                fault = bed.fault or speakers.output_fault()
            if fault:
                return f"[{speakers.zone}] {fault}" if self.zoned else fault
        return None

    def news(self) -> list[tuple[Speakers, News]]:
        return [(s, item) for s in self.values() for item in s.news()]

    def stop(self, now: datetime) -> None:
        """The daemon stops: every voice off air, outage rows closed, every bed stopped."""
        for speakers in self.values():
            speakers.voice.stop(Outcome.CANCELLED, "daemon stopped")
            speakers.outages.stopped(now)
            speakers.bed.stop()

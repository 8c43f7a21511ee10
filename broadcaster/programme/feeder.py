"""Hands planned cues to the core: the one path used by the live scheduler and the simulator.

A cue is handed a few seconds before its planned instant (``LEAD``): its file is checked then, so
the core only has to wait for the instant. Each cue is handed over once: again (a job added anew
after the wall clock was set back) it is ignored. One handed over past its grace (the daemon was
down, or the wall clock jumped forward over it) is logged ``missed`` instead. Restart catch-up
lives here too: cues the log already shows are never handed again; missed ones within their
grace still play; the rest are logged ``missed``.

Zones: a cue (or daypart) is for its rule's zones and groups, resolved here against the
configured zones by ``zones.selection.select_zones`` when it is due: announcements and
scripts as the request's ``zones``, songs and playlists on those zones' beds. A rule naming
zones or groups no longer configured plays in those it names that remain, saying which were
left out (its row's detail, a warning); naming none that remain, it is logged ``skipped``
saying which, and plays nowhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcaster.audio.output import MediaError
from broadcaster.bed_tracks import MusicSource, Song
from broadcaster.clock import Clock
from broadcaster.core import Core
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.problems import NotFound, Refused
from broadcaster.programme.spec import ContentKind, Cue, Daypart, Timeline
from broadcaster.requests import Kind, Request, Segment
from broadcaster.scripts.book import ScriptBook, Spoken
from broadcaster.zones.model import ZoneMap
from broadcaster.zones.selection import ZoneSelectionError, dropped_text, select_remaining
from playlists.names import path_text
from scripts_library.render import RenderError

log = logging.getLogger(__name__)
LEAD = timedelta(seconds=5)
CHECK_TIMEOUT_S = 5.0


def is_ahead(cue: Cue, now: datetime) -> bool:
    """Still early enough to be handed over by a scheduled job (LEAD before its instant)."""
    return cue.planned_at - LEAD > now


class CueFeeder:
    def __init__(
        self,
        *,
        core: Core,
        playlog: PlayLog,
        clock: Clock,
        data_dir: Path,
        playlists: Callable[[str], MusicSource],
        zone: ZoneInfo,
        scripts: ScriptBook | None,
        zone_map: ZoneMap | None = None,
    ) -> None:
        """``zone``: the store's time zone. ``zone_map``: the sound zones the rules' names are
        resolved against (the settings' ``zone_map``); None: a store of one zone."""
        self._core, self._log, self._clock = core, playlog, clock
        self._data_dir, self._playlists = data_dir.resolve(), playlists
        self._zone, self._scripts = zone, scripts
        self.zone_map = zone_map or ZoneMap()
        # Cues handed over in this run (key -> planned instant), or in the log at its start
        # (key -> the start).
        self._accounted: dict[str, datetime] = {}
        self._accounted_lock = threading.Lock()

    def accounted_for(self, cue: Cue) -> bool:
        """Handed over already (played, waiting in the core, or logged unplayed)."""
        with self._accounted_lock:
            return cue.key in self._accounted

    def forget_before(self, instant: datetime) -> None:
        """Let go of cues noted before ``instant`` (older than any the plans still hold)."""
        with self._accounted_lock:
            self._accounted = {k: t for k, t in self._accounted.items() if t >= instant}

    def _claim(self, cue: Cue) -> bool:
        with self._accounted_lock:
            if cue.key in self._accounted:
                return False
            self._accounted[cue.key] = cue.planned_at
            return True

    def hand(self, cue: Cue) -> None:
        """Give ``cue`` to the core (called about LEAD before its planned instant), once; past
        its grace, log it ``missed``."""
        if not self._claim(cue):
            log.info("cue %s (%s) was handed over already: not again", cue.key, cue.rule_name)
            return
        late = (self._clock.now() - cue.planned_at).total_seconds()
        if late > cue.grace_s:
            self._unplayed(cue, Outcome.MISSED, f"not on air at the time ({late:.0f} s late)")
            return
        reached = self._zones_of(cue)
        if reached is None:
            return
        zones, left_out = reached
        content = cue.content
        requested_by = f"programme: {cue.rule_name}"
        expires = cue.planned_at + timedelta(seconds=cue.grace_s)
        title = content.title or cue.rule_name
        if content.kind is ContentKind.PLAYLIST:
            self._core.set_music(partial(self._playlists, content.ref), cut=cue.cut,
                                 zones=zones)  # fmt: skip
            return
        note, duration_ms = "", None
        if content.kind is ContentKind.SCRIPT:
            spoken = self._script(cue)
            if spoken is None:
                return
            path, duration_ms, note = spoken.path, spoken.duration_ms, spoken.note
            title = content.title or spoken.title
        else:
            found = self._file(content.ref)
            if found is None:
                self._unplayed(cue, Outcome.FAILED, f"file outside the data dir: {content.ref}")
                return
            path = found
        if content.kind is ContentKind.SONG:
            song = Song(path, title, requested_by, cue.planned_at, cue.key, expires)
            self._core.play_song(song, cut=cue.cut, zones=zones)
            return
        if duration_ms is None:
            try:
                duration_ms = self._core.precheck.future(path).result(CHECK_TIMEOUT_S).duration_ms
            except (MediaError, TimeoutError) as exc:
                self._unplayed(cue, Outcome.FAILED, f"not playable: {exc}", path)
                return
        self._core.submit(
            Request(
                kind=Kind.ANNOUNCEMENT, title=title, segments=(Segment(path, duration_ms),),
                requested_by=requested_by, requested_at=self._clock.now(),
                planned_at=cue.planned_at, expires_at=expires, cue_key=cue.key,
                after_track=not cue.cut, note="; ".join(filter(None, [note, left_out])),
                zones=zones,
            )
        )  # fmt: skip

    def _zones_of(self, cue: Cue) -> tuple[frozenset[str], str] | None:
        """The zone ids ``cue`` is for (empty: every zone) and what its row says of names no
        longer configured (a warning says it too); None, and a ``skipped`` row, when none of
        its rule's names is configured."""
        try:
            zones, dropped = self._remaining(cue.zones)
        except ZoneSelectionError as exc:
            self._unplayed(cue, Outcome.SKIPPED, _not_configured(exc))
            return None
        left_out = dropped_text(dropped) if dropped else ""
        if left_out:
            log.warning("cue %s (%s): %s", cue.key, cue.rule_name, left_out)
        return zones, left_out

    def zones(self, names: Sequence[str]) -> frozenset[str]:
        """The zone ids a rule's ``names`` reach (none named: empty, every zone), leaving out
        names no longer configured; ZoneSelectionError when none of them is."""
        return self._remaining(names)[0]

    def _remaining(self, names: Sequence[str]) -> tuple[frozenset[str], tuple[str, ...]]:
        return select_remaining(self.zone_map, names) if names else (frozenset(), ())

    def _script(self, cue: Cue) -> Spoken | None:
        """The approved script a cue names, rendered; None (and a log row) when it cannot play."""
        if self._scripts is None:
            self._unplayed(cue, Outcome.SKIPPED, "no script library in this run")
            return None
        day = cue.planned_at.astimezone(self._zone).date()
        try:
            return self._scripts.script(day=day, code=cue.content.ref)
        except NotFound as exc:
            self._unplayed(cue, Outcome.FAILED, exc.message)
        except Refused as exc:  # not approved, or outside its dates
            self._unplayed(cue, Outcome.SKIPPED, exc.message)
        except RenderError as exc:
            self._unplayed(cue, Outcome.FAILED, f"could not be spoken: {exc.message}")
        return None

    def start_daypart(
        self, daypart: Daypart, *, cut: bool | None = None, zones: Collection[str] | None = None
    ) -> None:
        """Switch the beds of the daypart's zones (or of ``zones``, some of them) to its
        playlist: those of its zones still configured (a warning names the others); a daypart
        none of whose zones is configured is logged ``skipped``."""
        try:
            reach, dropped = (self._remaining(daypart.zones) if zones is None
                              else (frozenset(zones), ()))  # fmt: skip
        except ZoneSelectionError as exc:
            log.warning("daypart %s (%s): %s", daypart.rule_id, daypart.rule_name, exc.message)
            now = self._clock.now()
            self._log.record(
                layer="bed", kind="music", title=daypart.rule_name, media_path=daypart.playlist,
                requested_by=f"programme: {daypart.rule_name}", requested_at=now,
                planned_at=daypart.start, ended_at=now, outcome=Outcome.SKIPPED.value,
                detail=_not_configured(exc), zones=daypart.zones,
            )  # fmt: skip
            return
        if dropped:
            log.warning("daypart %s (%s): %s", daypart.rule_id, daypart.rule_name,
                        dropped_text(dropped))  # fmt: skip
        self._core.set_music(
            partial(self._playlists, daypart.playlist), cut=daypart.cut if cut is None else cut,
            zones=reach,
        )  # fmt: skip

    def catch_up(
        self, timelines: Iterable[Timeline], now: datetime, *, since: datetime
    ) -> list[Cue]:
        """On start: hand missed cues still within their grace, log the rest ``missed``, skip
        what the log already has. Cues before ``since`` (the start of today's calendar day; the
        previous trading day is looked at only for what it plays after midnight) are not
        accounted for again. Returns the cues still ahead, for the scheduler."""
        timelines = list(timelines)
        logged = self._log.cue_keys(since=since - timedelta(days=1))
        with self._accounted_lock:
            self._accounted.update(dict.fromkeys(logged, now))
        ahead: list[Cue] = []
        for timeline in timelines:
            for cue in timeline.cues:
                if cue.key in logged or cue.planned_at < since:
                    continue
                if is_ahead(cue, now):
                    ahead.append(cue)
                else:
                    self.hand(cue)  # within its grace it plays late; past it, logged missed
        return ahead

    def music_by_zone(self, timelines: Iterable[Timeline], now: datetime) -> dict[str, Daypart]:
        """The daypart that holds each zone's bed at ``now`` (zones with none are left out;
        the planner gives each zone at most one at a time)."""
        held: dict[str, Daypart] = {}
        for timeline in timelines:
            for daypart in timeline.dayparts:
                if not daypart.start <= now < daypart.end:
                    continue
                try:
                    reach = self.zones(daypart.zones) or self.zone_map.ids
                except ZoneSelectionError:
                    continue  # plays nowhere
                for zone_id in reach:
                    held.setdefault(zone_id, daypart)
        return held

    def _file(self, ref: str) -> Path | None:
        path = (self._data_dir / ref).resolve()
        return path if path.is_relative_to(self._data_dir) else None

    def _unplayed(self, cue: Cue, outcome: Outcome, detail: str, path: Path | None = None) -> None:
        now = self._clock.now()
        try:
            zones: Collection[str] | None = self.zone_map.log_zones(self.zones(cue.zones))
        except ZoneSelectionError:
            zones = cue.zones  # as the rule names them: they are not configured
        log.warning("cue %s (%s): %s", cue.key, cue.rule_name, detail)
        kind = (
            "music"
            if cue.content.kind in (ContentKind.SONG, ContentKind.PLAYLIST)
            else "announcement"
        )
        self._log.record(
            layer="bed" if kind == "music" else "voice", kind=kind,
            title=cue.content.title or cue.rule_name,
            media_path=path_text(path) if path else cue.content.ref,
            requested_by=f"programme: {cue.rule_name}", requested_at=now,
            planned_at=cue.planned_at, ended_at=now, outcome=outcome.value, detail=detail,
            cue_key=cue.key, zones=zones,
        )  # fmt: skip


def _not_configured(exc: ZoneSelectionError) -> str:
    names = ", ".join(exc.unknown) or "none"
    return f"its zones are not configured: {names} (not played; 分区未配置：{names}，未播出)"

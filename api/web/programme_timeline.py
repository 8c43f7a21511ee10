"""The timeline of one date on the supervisor's programme page: the planner's dayparts as bands
and cues as markers on an axis in the store's time, with the planner's own conflicts worded in
the reader's language and marked on what they name (the page finds none itself). In a store of
zones each zone's music has a row of its own, and each rule's lane and cue says where it plays,
by the zones' names in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from broadcaster.programme.planner import plan_day
from broadcaster.programme.reach import ZoneReach
from broadcaster.programme.spec import ConflictKind, Content, ContentKind, Programme
from broadcaster.zones.model import ZoneMap

PALETTE = 6
"""How many colours the bands of music take turns in (programme.css: .pal-0 …)."""
LABEL_GAP = 5.5
"""Percent of the axis between two markers' written times, so they do not overlap."""


@dataclass
class Marker:
    left: float  # percent of the axis
    time: str
    key: str
    content: str
    conflict: bool
    label: str = "right"  # where its time is written: "right", "left" or "" (no room)


@dataclass
class Lane:
    rule_id: int
    name: str
    markers: list[Marker] = field(default_factory=list)
    zones: str = ""  # where it plays, by name (a store of zones only)


@dataclass
class Band:
    left: float
    width: float
    rule_id: int
    name: str
    playlist: str
    start: str
    end: str
    conflict: bool = False
    colour: int = 0  # of PALETTE
    zones: str = ""  # where it plays, by name (a store of zones only)


@dataclass
class MusicRow:
    """The music of one zone (or of the store, with one zone)."""

    label: str
    bands: list[Band] = field(default_factory=list)
    overlaps: list[Band] = field(default_factory=list)  # dayparts clashing in this zone


@dataclass
class DayView:
    """What the timeline shows of one date."""

    day: dt.date
    day_type: str | None
    opening: str = ""
    closing: str = ""
    ticks: list[tuple[float, str]] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    music: list[MusicRow] = field(default_factory=list)
    overlaps: list[Band] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    # time, rule, content, conflict, zones (by name; a store of zones only)
    cues: list[tuple[str, str, str, bool, str]] = field(default_factory=list)
    zoned: bool = False
    conflicts: list[str] = field(default_factory=list)
    conflict_rules: set[int] = field(default_factory=set)
    notes: tuple[str, ...] = ()
    now: float | None = None


def hm(moment: dt.datetime | dt.time | None) -> str:
    if moment is None:
        return ""
    return moment.strftime("%H:%M" if moment.second == 0 else "%H:%M:%S")


def content_text(content: Content | None, titles: Mapping[str, str]) -> str:
    if content is None:
        return ""
    if content.kind is ContentKind.SCRIPT:
        title = titles.get(content.ref) or content.title
        return f"{content.ref} · {title}" if title else content.ref
    return content.title or content.ref


def day_view(
    programme: Programme,
    day: dt.date,
    zone: ZoneInfo,
    now: dt.datetime,
    *,
    titles: Mapping[str, str],
    zh: bool,
    zone_map: ZoneMap | None = None,
    music_label: str = "",
) -> DayView:
    """The timeline of ``day`` for the sound zones of ``zone_map`` (None: one zone): the
    planner's dayparts and cues placed on an axis from the opening (or the first cue) to the
    closing (or the last), with the planner's conflicts marked and worded in Chinese when
    ``zh``, else English; ``titles`` names the scripts by code; ``music_label`` the music row
    of a store of one zone."""
    reach = ZoneReach(zone_map or ZoneMap())
    timeline = plan_day(programme, day, zone, reach.zone_map)
    view = DayView(day=day, day_type=timeline.day_type, notes=timeline.notes, zoned=reach.zoned)
    if timeline.opening is None or timeline.closing is None:
        return view
    instants = [timeline.opening, timeline.closing, *(c.planned_at for c in timeline.cues),
                *(d.start for d in timeline.dayparts), *(d.end for d in timeline.dayparts)]  # fmt: skip
    first = min(instants).astimezone(zone).replace(minute=0, second=0, microsecond=0)
    last = max(instants)
    hours = max(1, -(-int((last - first).total_seconds()) // 3600))
    span = hours * 3600.0

    def at(moment: dt.datetime) -> float:
        return round(100 * (moment - first).total_seconds() / span, 3)

    def local(moment: dt.datetime) -> str:
        return hm(moment.astimezone(zone))

    view.opening, view.closing = local(timeline.opening), local(timeline.closing)
    step = 1 if hours <= 16 else 2
    view.ticks = [(round(100 * h / hours, 3), local(first + dt.timedelta(hours=h)))
                  for h in range(0, hours + 1, step)]  # fmt: skip
    if first <= now <= first + dt.timedelta(seconds=span):
        view.now = at(now)

    # The planner's conflicts, as it words them; what they name is marked on the timeline.
    view.conflicts = [c.message_zh if zh else c.message for c in timeline.conflicts]
    view.conflict_rules = {rule.id for c in timeline.conflicts for rule in c.rules}
    clashing = {key for c in timeline.conflicts for key in c.cue_keys}
    lanes: dict[int, Lane] = {}
    where = (lambda names: reach.label(names, zh=zh)) if reach.zoned else (lambda names: "")
    for cue in timeline.cues:
        lane = lanes.setdefault(cue.rule_id, Lane(cue.rule_id, cue.rule_name,
                                                  zones=where(cue.zones)))  # fmt: skip
        marker = Marker(
            at(cue.planned_at),
            local(cue.planned_at),
            cue.key,
            content_text(cue.content, titles),
            cue.key in clashing,
        )
        lane.markers.append(marker)
        view.cues.append((marker.time, cue.rule_name, marker.content, marker.conflict,
                          lane.zones))  # fmt: skip
    view.lanes = list(lanes.values())
    for lane in view.lanes:
        _place_labels(lane.markers)

    # The whole span two dayparts share, though the planner trimmed one of them there.
    clashes = [c for c in timeline.conflicts if c.kind is ConflictKind.DAYPART_OVERLAP]
    view.overlaps = [
        Band(at(c.start), round(at(c.end) - at(c.start), 3), 0, "", "", local(c.start),
             local(c.end), True)
        for c in clashes
    ]  # fmt: skip
    # A colour per playlist, the same on every date of this programme.
    colours = {name: n % PALETTE for n, name in enumerate(sorted(
        {rule.playlist for rule in programme.rules if rule.playlist}))}  # fmt: skip

    def clashes_in(rule_id: int, names: tuple[str, ...]) -> bool:
        # A piece of a daypart is marked where its rule clashes: in the zones it plays in.
        heard = reach.ids(names) or frozenset()
        return any(rule_id in {r.id for r in c.rules} and (not c.zones or heard & set(c.zones))
                   for c in timeline.conflicts)  # fmt: skip

    view.bands = [
        Band(at(d.start), round(at(d.end) - at(d.start), 3), d.rule_id, d.rule_name, d.playlist,
             local(d.start), local(d.end), clashes_in(d.rule_id, d.zones),
             colours.get(d.playlist, 0), where(d.zones))
        for d in timeline.dayparts
    ]  # fmt: skip
    if not reach.zoned:
        view.music = [MusicRow(music_label, view.bands, view.overlaps)]
        return view
    for z in reach.zone_map:  # each zone's bed: the dayparts that reach it
        here = [band for band, d in zip(view.bands, timeline.dayparts, strict=True)
                if reach.reaches(d.zones, z.id)]  # fmt: skip
        overlaps = [o for o, c in zip(view.overlaps, clashes, strict=True) if z.id in c.zones]
        view.music.append(
            MusicRow(f"{music_label} · {z.name_zh if zh else z.name_en}", here, overlaps)
        )
    return view


def _place_labels(markers: Sequence[Marker]) -> None:
    """Each marker's time goes to its right where the next marker leaves room, else to its left
    where the previous one does (as the first of a dense run), else it is left to the tooltip."""
    edge = 100.0 - LABEL_GAP
    for index, marker in enumerate(markers):
        after = markers[index + 1].left - marker.left if index + 1 < len(markers) else 100.0
        before = marker.left - markers[index - 1].left if index else 100.0
        right_taken = index > 0 and markers[index - 1].label == "right"
        if after >= LABEL_GAP and marker.left <= edge:
            marker.label = "right"
        elif before >= (2 if right_taken else 1) * LABEL_GAP:
            marker.label = "left"
        else:
            marker.label = ""

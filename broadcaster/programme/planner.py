"""The planner: the day programme's rules, a date and the mall's time zone in, one day's timeline
of concrete cues and music dayparts out.

``plan_day`` is pure (no I/O, no clock; the only randomness is seeded by rule id and date), so
the supervisor's preview, ``broadcaster plan``, the day simulator and the live scheduler all get
the same answer for the same programme and day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from broadcaster.programme import conflicts
from broadcaster.programme.reach import ZoneReach
from broadcaster.programme.spec import (
    Anchor,
    Conflict,
    Content,
    ContentKind,
    Cue,
    Daypart,
    DayType,
    Programme,
    Rule,
    RuleKind,
    Timeline,
)
from broadcaster.zones.model import ZoneMap

VOICE_KINDS = frozenset({ContentKind.SPEECH, ContentKind.SCRIPT})

_Planned = list[tuple[datetime, Content]]


class _Malformed(Exception):
    """A rule lacks a field its kind needs: it is skipped with a warning, the day still plans."""


def plan_day(
    programme: Programme, day: date, zone: ZoneInfo, zone_map: ZoneMap | None = None
) -> Timeline:
    """Plan ``day`` of ``programme`` in ``zone`` (the store's time zone) for the sound zones of
    ``zone_map`` (None: one zone).

    1. Day type: the calendar entry for ``day`` wins, else the weekday default. None, or a name
       the programme does not define: an empty timeline with a warning.
    2. Opening and closing instants (UTC); a closing at or before the opening is on the next date.
    3. Keep the rules that apply: day types empty or naming this one, ``day`` inside validity.
    4. Expand each rule by its kind into instants. FIXED: its time on ``day`` (on a day trading
       past midnight, the small hours up to the closing are on the next date). OFFSET: opening
       or closing plus the offset. RECURRING: from the window start (None: opening) before its
       end (None: closing), gaps of every_s plus a share of spread_s seeded by (rule id, day),
       counted in real time, spots in rotation. DAYPART: [start, end) likewise, an end at or
       before the start on the next date. Local times go to UTC: a time in a spring-forward gap
       moves to the gap's end, with a warning; a repeated autumn hour uses its first pass. A rule
       missing a field its kind needs is skipped with a warning. Cues and dayparts carry
       their rule's zones; a rule naming zones or groups not configured is planned with a
       warning and reaches those of its zones that remain below (none remaining: none, and
       its cues are logged ``skipped`` when due).
    5. Key each cue ``<rule id>:<date>:<n>`` and sort by (instant, priority desc, order, id);
       cues of one layer (voice, songs, playlist changes) sharing an instant in a zone are a
       conflict naming their rules in that order, and the zones where they meet.
    6. Overlapping dayparts, zone by zone: the higher priority (then lower order, then id)
       keeps the overlap; the other is trimmed, split or dropped there: a conflict for each
       daypart it gave way to. A piece that holds only some of its rule's zones names them.
    7. A playlist cue inside a daypart of another playlist in a zone both reach is a conflict
       (both set the music there).
    Conflicts are structured (``spec.Conflict``, texts in English and Chinese) and sorted by
    instant; the other notes (skipped rules, clock changes) are English text.
    """
    name = programme.calendar.get(day, programme.weekday_defaults.get(day.weekday()))
    day_type = programme.day_types.get(name) if name is not None else None
    if day_type is None:
        why = (
            "names no day type"
            if name is None
            else f"names day type '{name}', which is not defined"
        )
        note = f"{day.isoformat()}: the calendar {why}; nothing is planned for this day."
        return Timeline(day=day, day_type=None, opening=None, closing=None, notes=(note,))

    plan = _Day.start(day, zone, day_type)
    reach = ZoneReach(zone_map or ZoneMap())
    cues: list[tuple[Cue, int]] = []
    dayparts: list[tuple[Daypart, Rule]] = []
    for rule in programme.rules:
        if not _applies(rule, day, day_type.name):
            continue
        if unknown := reach.unknown(rule.zones):
            named = ", ".join(repr(n) for n in unknown)
            where = ("it plays nowhere and its cues are logged skipped"
                     if reach.ids(rule.zones) is None else "it plays in its other zones")  # fmt: skip
            plan.warnings.append(f"{_who(rule)} names zones that are not configured ({named}): "
                                 f"{where}.")  # fmt: skip
        try:
            if rule.kind == RuleKind.DAYPART:
                dayparts.append((_daypart(rule, plan), rule))
            else:
                cues.extend(
                    (_cue(rule, day, n, at, c), rule.order) for n, at, c in _cues(rule, plan)
                )
        except _Malformed as error:
            plan.warnings.append(f"{_who(rule)} is skipped: {error}.")
        except OverflowError:
            plan.warnings.append(f"{_who(rule)} is skipped: its offset is beyond the calendar.")
    cues.sort(key=lambda item: (item[0].planned_at, -item[0].priority, item[1], item[0].rule_id))
    planned = tuple(cue for cue, _ in cues)
    parts, found = _without_overlaps(dayparts, zone, reach)
    found += conflicts.same_instant(planned, zone, reach)
    found += conflicts.playlist_in_daypart(planned, parts, zone, reach)
    return Timeline(
        day=day,
        day_type=day_type.name,
        opening=plan.opening,
        closing=plan.closing,
        cues=planned,
        dayparts=parts,
        notes=tuple(plan.warnings),
        conflicts=tuple(sorted(found, key=lambda c: (c.start, c.end))),
    )


@dataclass
class _Day:
    """What every rule of one day is planned against."""

    day: date
    zone: ZoneInfo
    day_type: DayType
    warnings: list[str]
    opening: datetime
    closing: datetime

    @classmethod
    def start(cls, day: date, zone: ZoneInfo, day_type: DayType) -> _Day:
        warnings: list[str] = []
        closes_on = day + timedelta(days=1) if day_type.closing <= day_type.opening else day
        opening = _instant(datetime.combine(day, day_type.opening), zone, "The opening", warnings)
        closing = _instant(
            datetime.combine(closes_on, day_type.closing), zone, "The closing", warnings
        )
        return cls(day, zone, day_type, warnings, opening, closing)

    def local(self, at: time) -> datetime:
        """``at`` on its date: on a day trading past midnight, the small hours up to the closing
        time (and before the opening) belong to the next date."""
        opens, closes = self.day_type.opening, self.day_type.closing
        late = closes <= opens and at <= closes and at < opens
        return datetime.combine(self.day + timedelta(days=1) if late else self.day, at)

    def instant(self, at: time, rule: Rule) -> datetime:
        return _instant(self.local(at), self.zone, _who(rule), self.warnings)

    def span(self, start: time | None, end: time | None, rule: Rule) -> tuple[datetime, datetime]:
        """A local [start, end) in UTC; None is the opening or the closing; an end at or before
        the start is on the next date."""
        begin = self.opening if start is None else self.instant(start, rule)
        if end is None:
            return begin, self.closing
        local_end = self.local(end)
        if local_end <= self.local(self.day_type.opening if start is None else start):
            local_end += timedelta(days=1)
        return begin, _instant(local_end, self.zone, _who(rule), self.warnings)


def _who(rule: Rule) -> str:
    return f"Rule {rule.id} '{rule.name}'"


def _instant(local: datetime, zone: ZoneInfo, who: str, warnings: list[str]) -> datetime:
    utc, moved = _to_utc(local, zone)
    if moved:
        warnings.append(
            f"{who}: {_hm(local)} on {local.date().isoformat()} does not exist in {zone.key} "
            f"(the clocks go forward); planned at {_hm(utc.astimezone(zone))} instead."
        )
    return utc


def _to_utc(local: datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    """A naive local time in UTC, and whether it fell in a gap (then: the gap's end)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)  # a repeated hour: first pass
    if first.astimezone(zone).replace(tzinfo=None) == local:
        return first, False
    # In a gap the two folds read the wall time with the offsets either side of the transition.
    other = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = sorted((first, other))
    after = hi.astimezone(zone).utcoffset()
    a, b = int(lo.timestamp()), int(hi.timestamp())
    while b - a > 1:  # bisect for the first second on the new offset: the transition instant
        mid = (a + b) // 2
        a, b = (a, mid) if datetime.fromtimestamp(mid, zone).utcoffset() == after else (mid, b)
    return datetime.fromtimestamp(b, UTC), True


def _applies(rule: Rule, day: date, day_type: str) -> bool:
    return (
        (not rule.day_types or day_type in rule.day_types)
        and (rule.valid_from is None or rule.valid_from <= day)
        and (rule.valid_until is None or day <= rule.valid_until)
    )


def _cues(rule: Rule, plan: _Day) -> list[tuple[int, datetime, Content]]:
    expand = {RuleKind.FIXED: _fixed, RuleKind.OFFSET: _offset, RuleKind.RECURRING: _recurring}
    if rule.kind not in expand:
        raise _Malformed(f"its kind '{rule.kind}' is not one the planner knows")
    return [(n, at, content) for n, (at, content) in enumerate(expand[rule.kind](rule, plan))]


def _content(rule: Rule) -> Content:
    if rule.content is None:
        raise _Malformed("it has no content to play")
    return rule.content


def _fixed(rule: Rule, plan: _Day) -> _Planned:
    if rule.at is None:
        raise _Malformed("a fixed rule needs a time of day")
    content = _content(rule)
    return [(plan.instant(rule.at, rule), content)]


def _offset(rule: Rule, plan: _Day) -> _Planned:
    if rule.anchor is None:
        raise _Malformed("an offset rule needs an anchor (opening or closing)")
    base = plan.opening if rule.anchor == Anchor.OPENING else plan.closing
    return [(base + timedelta(seconds=rule.offset_s), _content(rule))]


def _recurring(rule: Rule, plan: _Day) -> _Planned:
    spots = rule.spots or ((rule.content,) if rule.content is not None else ())
    if not spots:
        raise _Malformed("a recurring rule needs spots to rotate")
    if rule.every_s <= 0:
        raise _Malformed("a recurring rule needs an interval of at least one second")
    start, end = plan.span(rule.window_start, rule.window_end, rule)
    shares = random.Random(f"{rule.id}:{plan.day.isoformat()}")  # same rule and day, same gaps
    planned: _Planned = []
    at = start
    while at < end:  # in UTC: a repeated or skipped hour keeps the real spacing
        planned.append((at, spots[len(planned) % len(spots)]))
        at += timedelta(seconds=rule.every_s + shares.randint(0, max(rule.spread_s, 0)))
    return planned


def _daypart(rule: Rule, plan: _Day) -> Daypart:
    if not rule.playlist:
        raise _Malformed("a daypart needs a playlist")
    start, end = plan.span(rule.start, rule.end, rule)
    if end <= start:
        raise _Malformed("its time span is empty on this day")
    return Daypart(rule.id, rule.name, start, end, rule.playlist, rule.cut, rule.zones)


def _cue(rule: Rule, day: date, n: int, at: datetime, content: Content) -> Cue:
    return Cue(
        key=f"{rule.id}:{day.isoformat()}:{n}",
        rule_id=rule.id,
        rule_name=rule.name,
        planned_at=at,
        content=content,
        priority=rule.priority,
        grace_s=rule.grace_s,
        cut=rule.cut,
        zones=rule.zones,
    )


def _without_overlaps(
    parts: list[tuple[Daypart, Rule]], tz: ZoneInfo, reach: ZoneReach
) -> tuple[tuple[Daypart, ...], list[Conflict]]:
    """The dayparts zone by zone (``_in_one_zone``), the same piece or conflict found in several
    zones given once with all of them. A daypart whose zones are not configured stays whole
    (it plays nowhere: the feeder logs it)."""
    pieces: dict[tuple[int, datetime, datetime], tuple[Daypart, list[str]]] = {}
    clashes: dict[tuple[object, ...], tuple[Conflict, list[str]]] = {}
    for zone_id in reach.order:
        here = [(part, rule) for part, rule in parts if reach.reaches(part.zones, zone_id)]
        kept, found = _in_one_zone(here, tz)
        for piece in kept:
            pieces.setdefault((piece.rule_id, piece.start, piece.end), (piece, []))[1].append(
                zone_id
            )
        for clash in found:
            key = (clash.rules, clash.start, clash.end, clash.outcome)
            clashes.setdefault(key, (clash, []))[1].append(zone_id)
    kept_parts = [part for part, _ in parts if reach.ids(part.zones) is None]
    for piece, zone_ids in pieces.values():
        whole = reach.ids(piece.zones) or frozenset()
        kept_parts.append(
            piece if whole <= set(zone_ids) else replace(piece, zones=tuple(zone_ids))
        )
    return (
        tuple(sorted(kept_parts, key=lambda p: (p.start, p.rule_id, p.end))),
        [conflicts.in_zones(clash, zone_ids, reach) for clash, zone_ids in clashes.values()],
    )


def _in_one_zone(
    parts: list[tuple[Daypart, Rule]], zone: ZoneInfo
) -> tuple[list[Daypart], list[Conflict]]:
    """Winners first; each later daypart loses what earlier ones already hold: a conflict with
    each daypart it gave way to, over the span the two whole dayparts share."""
    kept: list[tuple[Daypart, Rule]] = []
    whole: dict[int, Daypart] = {}
    found: list[Conflict] = []
    for part, rule in sorted(parts, key=lambda p: (-p[1].priority, p[1].order, p[1].id)):
        pieces = [part]
        beaten_by: dict[int, Daypart] = {}
        for winner, winner_rule in kept:
            cut = [rest for piece in pieces for rest in _minus(piece, winner)]
            if cut != pieces:
                beaten_by[winner_rule.id] = whole[winner_rule.id]
            pieces = cut
        outcome = "dropped" if not pieces else "split" if len(pieces) > 1 else "trimmed"
        found += [conflicts.daypart_overlap(part, w, outcome, zone) for w in beaten_by.values()]
        whole[rule.id] = part
        kept.extend((piece, rule) for piece in pieces)
    return [p for p, _ in kept], found


def _minus(part: Daypart, winner: Daypart) -> list[Daypart]:
    if winner.end <= part.start or part.end <= winner.start:
        return [part]
    before = [replace(part, end=winner.start)] if part.start < winner.start else []
    after = [replace(part, start=winner.end)] if winner.end < part.end else []
    return before + after


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M" if moment.second == 0 else "%H:%M:%S")

"""Proof of play: for each programme spot (a rule's announcement), how often it was planned,
played in full, cut short and missed — the advertisers' report, from the play log alone."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from broadcaster.clock import day_bounds
from broadcaster.playlog import Outcome, PlayLog, PlayLogPublic

MISSED = {Outcome.MISSED.value, Outcome.EXPIRED.value, Outcome.SKIPPED.value,
          Outcome.FAILED.value, Outcome.CANCELLED.value}  # fmt: skip


ON_TIME_S = 2.0
"""The default of ``programme.on_time_s``: a cue that starts later than this after its instant
is late, and says so."""


def late_by(planned_at: datetime | None, started_at: datetime | None, on_time: timedelta) -> float:
    """How many seconds late a cue started (0 when on time, or not a planned cue)."""
    if planned_at is None or started_at is None or started_at - planned_at <= on_time:
        return 0.0
    return (started_at - planned_at).total_seconds()


def lateness(planned_at: datetime | None, started_at: datetime | None, on_time: timedelta) -> str:
    """``late 58 s`` for a cue that started late (the log's detail and the proof), else ''."""
    late = late_by(planned_at, started_at, on_time)
    return f"late {late:.0f} s" if late else ""


@dataclass(frozen=True)
class SpotProof:
    rule: str
    title: str
    planned: int  # distinct cues the programme handed over
    played: int  # ended completed and started on time (after a re-queue, too)
    late: int  # ended completed, but started late: ``late_s`` says by how much, each
    cut_short: int  # its last play was preempted
    missed: int  # never went on air: missed, expired, skipped, failed, cancelled
    on_air: int  # still playing when the report was made
    late_s: tuple[int, ...] = ()


def proof_of_play(
    rows: Iterable[PlayLogPublic], *, on_time_s: float = ON_TIME_S
) -> list[SpotProof]:
    """1. Keep the programme's announcements (rows with a cue key). 2. A cue's outcome is its
    last row's (a preempted spot re-queued once may still play in full); a complete play that
    started more than ``on_time_s`` after its instant is late, not played on time. 3. Count per
    rule and title, in the order the rules first appear."""
    on_time = timedelta(seconds=on_time_s)
    last: dict[str, PlayLogPublic] = {}
    for row in rows:
        if row.cue_key and row.kind == "announcement":
            last[row.cue_key] = row
    counts: dict[tuple[str, str], dict[str, int]] = {}
    lates: dict[tuple[str, str], list[int]] = {}
    for row in last.values():
        rule = row.requested_by.removeprefix("programme: ")
        bucket = counts.setdefault((rule, row.title), {"played": 0, "late": 0, "cut": 0,
                                                       "missed": 0, "on": 0})  # fmt: skip
        late = late_by(row.planned_at, row.started_at, on_time)
        if row.outcome == Outcome.COMPLETED.value and late:
            bucket["late"] += 1
            lates.setdefault((rule, row.title), []).append(round(late))
        elif row.outcome == Outcome.COMPLETED.value:
            bucket["played"] += 1
        elif row.outcome == Outcome.PREEMPTED.value:
            bucket["cut"] += 1
        elif row.outcome in MISSED:
            bucket["missed"] += 1
        else:
            bucket["on"] += 1
    return [
        SpotProof(rule, title, sum(c.values()), c["played"], c["late"], c["cut"], c["missed"],
                  c["on"], tuple(lates.get((rule, title), ())))
        for (rule, title), c in counts.items()
    ]  # fmt: skip


PROGRAMME = "programme: "


def rule_of(row: PlayLogPublic) -> str:
    """The programme rule (the campaign) a spot's row came from."""
    return row.requested_by.removeprefix(PROGRAMME)


def of_rules(rows: Iterable[PlayLogPublic], rules: Collection[str]) -> list[PlayLogPublic]:
    """The programme's spots of these rules (every rule's when none is named)."""
    return [
        row for row in rows
        if row.cue_key and row.kind == "announcement" and (not rules or rule_of(row) in rules)
    ]  # fmt: skip


@dataclass(frozen=True)
class Airing:
    """One programme spot as the advertiser's report lists it: its last row's outcome."""

    rule: str
    title: str
    cue_key: str
    planned_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    outcome: str | None  # None: on air when the report was made
    detail: str
    zones: str | None = None  # the zones that heard it ("1F,2F"); None: every zone


def airings(rows: Iterable[PlayLogPublic]) -> list[Airing]:
    """Each programme spot once (its last row, as in ``proof_of_play``), by planned time."""
    last: dict[str, PlayLogPublic] = {}
    for row in rows:
        if row.cue_key and row.kind == "announcement":
            last[row.cue_key] = row
    found = [
        Airing(rule_of(r), r.title, r.cue_key or "", r.planned_at or r.requested_at, r.started_at,
               r.ended_at, r.outcome, r.detail, r.zones)
        for r in last.values()
    ]  # fmt: skip
    return sorted(found, key=lambda a: (a.planned_at is None, a.planned_at or datetime.min))


MAX_DAYS = 366
"""The longest range one report covers."""


def spot_rows(
    playlog: PlayLog, zone: ZoneInfo, first: date, last: date, rules: Collection[str] = (),
    zones: Collection[str] = (),
) -> list[PlayLogPublic]:  # fmt: skip
    """The programme spots' rows of the store's days ``first``…``last`` (inclusive), of these
    rules (campaigns; every rule's when none is named), heard in any of these sound ``zones``
    (every zone's when none is named; a row of every zone is heard in each)."""
    since, until = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    rows = playlog.query(since=since, until=until, zones=list(zones), limit=1_000_000)
    return of_rules(rows, rules)

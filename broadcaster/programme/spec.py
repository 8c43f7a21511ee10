"""The day programme as plain values: what the planner reads and what it produces.

The database tables (programme/models.py) are converted to these frozen values before planning,
so the planner is a pure function that tests, the preview, `broadcaster plan`, the simulator and
the live scheduler all call the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class RuleKind(StrEnum):
    FIXED = "fixed"  # at a local time of day (HH:MM:SS)
    OFFSET = "offset"  # at an offset from opening or closing
    RECURRING = "recurring"  # every N minutes (plus a spread) inside a window, rotating spots
    DAYPART = "daypart"  # music: from-to, a playlist


class Anchor(StrEnum):
    OPENING = "opening"
    CLOSING = "closing"


class ContentKind(StrEnum):
    SPEECH = "speech"  # an audio file said over the ducked bed (voice layer)
    SONG = "song"  # an audio file played on the bed itself (welcome music, farewell song)
    PLAYLIST = "playlist"  # the bed switches to this playlist (a folder under the music dir)
    SCRIPT = "script"  # an approved script from the script library, rendered to speech


@dataclass(frozen=True)
class Content:
    kind: ContentKind
    ref: str  # file path relative to the data dir, playlist name, or script id
    title: str = ""


@dataclass(frozen=True)
class DayType:
    name: str  # "weekday", "weekend", "holiday", "late-night"
    opening: time
    closing: time  # at or before ``opening`` means the day trades past midnight


@dataclass(frozen=True)
class Rule:
    """One line of the supervisor's plan. Fields that do not apply to ``kind`` stay None."""

    id: int
    name: str
    kind: RuleKind
    order: int = 0  # the rule's place in the plan: breaks ties after priority
    priority: int = 0  # higher wins a conflict
    day_types: frozenset[str] = frozenset()  # empty: every day type
    zones: tuple[str, ...] = ()  # zone and group ids as written; empty: every zone
    valid_from: date | None = None  # seasons and campaigns
    valid_until: date | None = None  # inclusive
    grace_s: int = 60  # how late the cue may still start
    cut: bool = False  # cut in now (over the ducked bed) instead of waiting for the track's end
    content: Content | None = None  # FIXED, OFFSET
    at: time | None = None  # FIXED
    anchor: Anchor | None = None  # OFFSET
    offset_s: int = 0  # OFFSET: negative is before the anchor
    window_start: time | None = None  # RECURRING: None is opening
    window_end: time | None = None  # RECURRING: None is closing
    every_s: int = 0  # RECURRING
    spread_s: int = 0  # RECURRING: each gap is every_s + a deterministic share of spread_s
    spots: tuple[Content, ...] = ()  # RECURRING: played in rotation
    start: time | None = None  # DAYPART: None is opening
    end: time | None = None  # DAYPART: None is closing; at or before ``start`` is past midnight
    playlist: str | None = None  # DAYPART


@dataclass(frozen=True)
class Programme:
    day_types: dict[str, DayType]
    weekday_defaults: dict[int, str]  # 0 = Monday … 6 = Sunday -> day type name
    calendar: dict[date, str]  # special days -> day type name (holidays, events)
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Cue:
    """One concrete thing to put on air at one instant."""

    key: str  # stable over re-plans: "<rule id>:<local date>:<n>" — the log's cue_key
    rule_id: int
    rule_name: str
    planned_at: datetime  # aware, UTC
    content: Content
    priority: int
    grace_s: int
    cut: bool
    zones: tuple[str, ...] = ()  # its rule's zones (zone and group ids); empty: every zone


@dataclass(frozen=True)
class Daypart:
    rule_id: int
    rule_name: str
    start: datetime  # aware, UTC
    end: datetime
    playlist: str
    cut: bool
    # Its rule's zones; a piece that gave way in some of them (a daypart of higher precedence
    # there) names the zone ids it keeps. Empty: every zone.
    zones: tuple[str, ...] = ()


class ConflictKind(StrEnum):
    SAME_INSTANT = "same_instant"  # cues of one layer at one instant: they play one by one
    DAYPART_OVERLAP = "daypart_overlap"  # music dayparts whose spans overlap: one gives way
    PLAYLIST_IN_DAYPART = "playlist_in_daypart"  # a playlist cue inside another's daypart


@dataclass(frozen=True)
class RuleRef:
    id: int
    name: str


@dataclass(frozen=True)
class Conflict:
    """Two or more rules that claim the same air, as the planner resolved it.

    ``rules``: SAME_INSTANT in the order they play; DAYPART_OVERLAP the daypart that gives way,
    then the one that keeps the overlap; PLAYLIST_IN_DAYPART the playlist cue's rule, then the
    daypart's. ``start``-``end`` is the instant (start == end) or the range in question. The
    message says it in the store's local time, in English and in Chinese."""

    kind: ConflictKind
    rules: tuple[RuleRef, ...]
    start: datetime  # aware, UTC
    end: datetime
    message: str
    message_zh: str
    cue_keys: tuple[str, ...] = ()  # the cues involved (SAME_INSTANT, PLAYLIST_IN_DAYPART)
    layer: str = ""  # SAME_INSTANT: "voice", "song" or "playlist"
    outcome: str = (
        ""  # DAYPART_OVERLAP: the daypart that gives way is "trimmed", "split", "dropped"
    )
    zones: tuple[str, ...] = ()  # the zone ids where the rules clash; empty: a one-zone store


@dataclass(frozen=True)
class Timeline:
    day: date
    day_type: str | None  # None: the calendar gives no trading day
    opening: datetime | None
    closing: datetime | None
    cues: tuple[Cue, ...] = ()  # in planned order
    dayparts: tuple[Daypart, ...] = ()  # in time order, not overlapping
    notes: tuple[str, ...] = field(default_factory=tuple)  # skipped rules, clock changes
    conflicts: tuple[Conflict, ...] = ()  # in the order of their instants

    @property
    def warnings(self) -> tuple[str, ...]:
        """Everything the planner has to say, in English: its notes, then the conflicts."""
        return self.notes + tuple(conflict.message for conflict in self.conflicts)

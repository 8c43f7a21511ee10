"""The store's sound zones as plain values: zones, groups of zones and emergency plans.

A zone is a named output (principle 13): a PulseAudio sink on this PC (``local``; the default
sink when none is named) or a stream of our Snapcast server (``snapcast``). Groups (floors,
areas) and emergency plans name sets of zones; ``all`` is the implicit group and the implicit
plan (the whole building). A store with nothing configured has one zone, ``all``, on the
default sink: today's behaviour.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Literal

ALL = "all"
"""Every zone: the implicit group, the implicit emergency plan (the whole building) and, in a
store with nothing configured, the one zone's id."""

OutputKind = Literal["local", "snapcast"]


@dataclass(frozen=True)
class Zone:
    id: str
    name_zh: str
    name_en: str
    output: OutputKind = "local"
    sink: str | None = None  # local: a PulseAudio sink; None: the audio section's output
    stream: str | None = None  # snapcast: the stream of our snapserver this zone's players hear
    groups: tuple[str, ...] = ()  # ids of its groups ("all" is implicit and not listed)


@dataclass(frozen=True)
class ZoneGroup:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class EmergencyPlan:
    """A preset for emergencies (GB 50116 §4.8.10: zones chosen by hand or by preset)."""

    id: str
    name_zh: str
    name_en: str
    zones: frozenset[str]  # what it reaches, groups resolved
    named: tuple[str, ...] = ()  # the zones and groups it was configured with, as written


DEFAULT_ZONE = Zone(ALL, "全场", "Whole store")
WHOLE_BUILDING = EmergencyPlan(ALL, "全楼", "Whole building", frozenset({ALL}), (ALL,))


@dataclass(frozen=True)
class ZoneMap:
    """The validated zones of a store (``zones.config.build_zone_map`` makes it)."""

    zones: tuple[Zone, ...] = (DEFAULT_ZONE,)
    groups: tuple[ZoneGroup, ...] = ()
    plans: tuple[EmergencyPlan, ...] = ()
    _members: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        members = {g.id: frozenset(z.id for z in self.zones if g.id in z.groups)
                   for g in self.groups}  # fmt: skip
        members[ALL] = self.ids
        self._members.update(members)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(zone.id for zone in self.zones)

    @property
    def single(self) -> bool:
        """One zone only: the log leaves its rows' zones empty (every zone)."""
        return len(self.zones) == 1

    def __iter__(self) -> Iterator[Zone]:
        return iter(self.zones)

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def members(self, group_id: str) -> frozenset[str]:
        """The zones of a group (``all``: every zone); empty for an unknown group."""
        return self._members.get(group_id, frozenset())

    def emergency_plans(self) -> tuple[EmergencyPlan, ...]:
        """The whole building first (the default), then the configured presets."""
        whole = EmergencyPlan(ALL, WHOLE_BUILDING.name_zh, WHOLE_BUILDING.name_en, self.ids,
                              (ALL,))  # fmt: skip
        return (whole, *self.plans)

    def log_zones(self, zones: Collection[str]) -> tuple[str, ...] | None:
        """What the play log says of an item heard in ``zones`` (empty: every zone): None in a
        one-zone store, else the ids in configuration order (``PlayLog.open(zones=...)``)."""
        if self.single:
            return None
        return tuple(z.id for z in self.zones if not zones or z.id in zones)

"""Which zones a rule's cues and dayparts reach, for the planner: its zones and groups resolved
by the one selection function (``zones.selection.select_remaining``, as the feeder does when
they are due) against the configured zones.

The planner uses it to find conflicts per zone (two cues, or dayparts, clash only where both
are heard) and to say where, with the zones' names in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from broadcaster.zones.model import ZoneMap
from broadcaster.zones.selection import ZoneSelectionError, select_remaining


@dataclass
class ZoneReach:
    zone_map: ZoneMap = field(default_factory=ZoneMap)
    _seen: dict[tuple[str, ...], frozenset[str] | None] = field(default_factory=dict)

    @property
    def order(self) -> tuple[str, ...]:
        """Every zone id, in configuration order."""
        return tuple(zone.id for zone in self.zone_map)

    @property
    def zoned(self) -> bool:
        """More than one zone: conflicts say where they are."""
        return not self.zone_map.single

    def ids(self, names: Sequence[str]) -> frozenset[str] | None:
        """The zone ids ``names`` reach (empty: every zone), names no longer configured left
        out; None when none of them is (such a rule plays nowhere: the feeder logs its cues
        ``skipped``)."""
        key = tuple(names)
        if key not in self._seen:
            try:
                found: frozenset[str] | None = (
                    select_remaining(self.zone_map, key)[0] if key else self.zone_map.ids
                )
            except ZoneSelectionError:
                found = None
            self._seen[key] = found
        return self._seen[key]

    def reaches(self, names: Sequence[str], zone_id: str) -> bool:
        found = self.ids(names)
        return found is not None and zone_id in found

    def unknown(self, names: Sequence[str]) -> list[str]:
        """The names of ``names`` that no configured zone or group has."""
        known = {z.id.casefold() for z in self.zone_map} | {
            g.id.casefold() for g in self.zone_map.groups
        }
        return [n for n in names if n.strip().casefold() not in known | {"all"}]

    def names(self, zone_ids: Collection[str], *, zh: bool) -> str:
        """Zones by their names in one language, in configuration order ("every zone" when
        they are all of them)."""
        if set(zone_ids) >= self.zone_map.ids:
            return "全部分区" if zh else "every zone"
        chosen = [z for z in self.zone_map if z.id in zone_ids]
        return ("、" if zh else ", ").join(z.name_zh if zh else z.name_en for z in chosen)

    def label(self, names: Sequence[str], *, zh: bool) -> str:
        """What a rule names (zones and groups, as written), by their names in one language;
        empty names: every zone."""
        if not names:
            return "全部分区" if zh else "every zone"
        by_id = {z.id.casefold(): (z.name_zh, z.name_en) for z in self.zone_map}
        by_id |= {g.id.casefold(): (g.name_zh, g.name_en) for g in self.zone_map.groups}
        by_id["all"] = ("全部分区", "every zone")
        shown = [by_id.get(n.strip().casefold(), (n, n))[0 if zh else 1] for n in names]
        return ("、" if zh else ", ").join(shown)

"""What a person or a rule names, turned into the zones it reaches.

One pure function for every caller (the desk, the announcer, the programme, an emergency), so
a name means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from broadcaster.zones.model import ALL, ZoneMap


class ZoneSelectionError(ValueError):
    """Names that reach no zone: ``code``, ``message`` and ``message_zh`` for the person."""

    def __init__(self, code: str, message: str, message_zh: str,
                 unknown: tuple[str, ...] = ()) -> None:  # fmt: skip
        super().__init__(message)
        self.code, self.message, self.message_zh, self.unknown = code, message, message_zh, unknown

    @property
    def detail(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "message_zh": self.message_zh,
                "unknown": list(self.unknown)}  # fmt: skip


def select_zones(
    zone_map: ZoneMap, names: Iterable[str], *, emergency: bool = False
) -> frozenset[str]:
    """The zone ids that ``names`` reach.

    1. Each name is a zone id, a group id, ``all`` (every zone) or, for an ``emergency``, an
       emergency plan's id (``all`` is the whole building); case does not count, spaces
       around a name do not either.
    2. A zone id names that zone, a group its zones, a plan the zones it reaches; together
       they make one set (a zone named twice is there once).
    3. Names that match nothing are refused together in one error listing every one of them
       (``unknown_zones``), and nothing is selected.
    4. No name at all, or names that reach no zone, is refused (``no_zones``): an item must be
       heard somewhere.
    """
    lookup: dict[str, frozenset[str]] = {ALL: zone_map.ids}
    for zone in zone_map.zones:
        lookup[zone.id.casefold()] = frozenset({zone.id})
    for group in zone_map.groups:
        lookup[group.id.casefold()] = zone_map.members(group.id)
    if emergency:
        for plan in zone_map.plans:
            lookup[plan.id.casefold()] = plan.zones
    chosen: set[str] = set()
    unknown: list[str] = []
    for name in names:
        found = lookup.get(name.strip().casefold())
        if found is None:
            unknown.append(name)
        else:
            chosen |= found
    if unknown:
        known = _known(zone_map, emergency)
        listed = ", ".join(f'"{n}"' for n in unknown)
        listed_zh = "、".join(f'"{n}"' for n in unknown)
        raise ZoneSelectionError(
            "unknown_zones",
            f"No zone, group{' or emergency plan' if emergency else ''} is called {listed}; "
            f"choose from: {known}.",
            f"没有名为 {listed_zh} 的分区{'、分组或紧急预案' if emergency else '或分组'}；"
            f"可选：{known}。",
            tuple(unknown),
        )  # fmt: skip
    if not chosen:
        raise ZoneSelectionError(
            "no_zones", "No zone is chosen: choose at least one zone, a group, or all.",
            "没有选择分区：请至少选择一个分区、一个分组或全部（all）。",
        )  # fmt: skip
    return frozenset(chosen)


def select_remaining(
    zone_map: ZoneMap, names: Iterable[str], *, emergency: bool = False
) -> tuple[frozenset[str], tuple[str, ...]]:
    """What a stored or scheduled item (a programme rule, a request kept over a restart) still
    reaches after the zones were changed in the settings: the zone ids its configured names
    reach, and the names no longer configured (dropped: the caller says so). A person's choice
    is checked whole by ``select_zones`` instead; this raises ZoneSelectionError only when no
    name remains (``unknown_zones``, listing them all) or the rest reach no zone."""
    names = list(names)
    try:
        return select_zones(zone_map, names, emergency=emergency), ()
    except ZoneSelectionError as exc:
        kept = [n for n in names if n not in exc.unknown]
        if exc.code != "unknown_zones" or not kept:
            raise
        return select_zones(zone_map, kept, emergency=emergency), exc.unknown


def dropped_text(dropped: Iterable[str]) -> str:
    """What a row's detail (and the warning) says of names no longer configured."""
    names = ", ".join(dropped)
    return f"zones no longer configured, left out: {names} (分区已不存在，未播：{names})"


def _known(zone_map: ZoneMap, emergency: bool) -> str:
    names = [ALL, *(z.id for z in zone_map.zones if z.id != ALL),
             *(g.id for g in zone_map.groups)]  # fmt: skip
    if emergency:
        names += [p.id for p in zone_map.plans]
    return ", ".join(names)

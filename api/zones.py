"""The store's sound zones over HTTP (分区): what a console or an integration offers a person
to choose from (zones, their groups, the emergency plans), and the one way a zone filter in a
query is checked."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from api.actor import CurrentActor
from broadcaster.daemon import Daemon
from broadcaster.zones.model import ZoneMap
from broadcaster.zones.selection import ZoneSelectionError, select_zones


class ZonePublic(BaseModel):
    id: str = Field(examples=["1F"])
    name_zh: str = Field(examples=["一楼"])
    name_en: str = Field(examples=["Ground floor"])
    output: Literal["local", "snapcast"] = Field(
        description="local: a sound card's sink on the broadcast PC; snapcast: a remote player"
    )
    sink: str | None = Field(None, description="local: the PulseAudio sink (none: the default)")
    stream: str | None = Field(None, description="snapcast: the stream its players hear")
    groups: list[str] = Field(description='its groups ("all" holds every zone and is implicit)')


class ZoneGroupPublic(BaseModel):
    id: str = Field(examples=["floors"])
    name_zh: str
    name_en: str
    zones: list[str] = Field(description="its zones, in the configuration's order")


class EmergencyPlanPublic(BaseModel):
    id: str = Field(examples=["fire_2f"])
    name_zh: str
    name_en: str
    zones: list[str] = Field(description="the zones it reaches, in the configuration's order")


class ZonesPublic(BaseModel):
    zones: list[ZonePublic]
    groups: list[ZoneGroupPublic]
    emergency_plans: list[EmergencyPlanPublic] = Field(
        description='the whole building ("all", the default) first, then the presets'
    )


def zones_public(zone_map: ZoneMap) -> ZonesPublic:
    def ordered(ids: frozenset[str]) -> list[str]:
        return [z.id for z in zone_map.zones if z.id in ids]

    return ZonesPublic(
        zones=[ZonePublic(id=z.id, name_zh=z.name_zh, name_en=z.name_en, output=z.output,
                          sink=z.sink, stream=z.stream, groups=list(z.groups))
               for z in zone_map.zones],
        groups=[ZoneGroupPublic(id=g.id, name_zh=g.name_zh, name_en=g.name_en,
                                zones=ordered(zone_map.members(g.id)))
                for g in zone_map.groups],
        emergency_plans=[EmergencyPlanPublic(id=p.id, name_zh=p.name_zh, name_en=p.name_en,
                                             zones=ordered(p.zones))
                         for p in zone_map.emergency_plans()],
    )  # fmt: skip


ZoneQuery = Annotated[
    list[str] | None,
    Query(description='heard in these zones (zone or group ids, or "all"); none: every zone'),
]


def zone_filter(zone_map: ZoneMap, names: Sequence[str] | None) -> list[str]:
    """The zone ids a query's ``zone`` parameters name (zones, groups, ``all``); none: no
    filter. Names that match nothing: 422 ``unknown_zones`` listing them, in both languages."""
    if not names:
        return []
    try:
        return sorted(select_zones(zone_map, names))
    except ZoneSelectionError as exc:
        raise HTTPException(422, exc.detail) from None


def emergency_zones(zone_map: ZoneMap, names: Sequence[str] | None) -> frozenset[str]:
    """The zone ids that an emergency's ``zone`` parameters name (zones, groups, plans,
    ``all``); none, or every zone: empty (everywhere). 422 ``unknown_zones`` as above."""
    if not names:
        return frozenset()
    try:
        chosen = select_zones(zone_map, names, emergency=True)
    except ZoneSelectionError as exc:
        raise HTTPException(422, exc.detail) from None
    return frozenset() if chosen == zone_map.ids else chosen


def zones_router(daemon: Daemon) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["zones"])
    public = zones_public(daemon.settings.zone_map)  # checked at start-up; fixed while it runs

    @router.get("/zones")
    def zones(actor: CurrentActor) -> ZonesPublic:
        """The store's sound zones (分区) with their names in Chinese and English, output
        (a local sink, or a Snapcast stream to a remote player) and groups, the groups, and
        the emergency plans (the whole building first). With nothing configured the store
        has one zone, ``all``, on the default sink. Anyone signed in may read it (an API key of
        any scope too): every console page that offers a choice of zones needs it."""
        return public

    return router

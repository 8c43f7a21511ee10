"""What a person or a rule names, turned into zone ids: a table of names."""

from __future__ import annotations

import pytest

from broadcaster.zones.config import (
    EmergencyPlanConfig,
    ZoneConfig,
    ZoneGroupConfig,
    build_zone_map,
)
from broadcaster.zones.model import ZoneMap
from broadcaster.zones.selection import ZoneSelectionError, select_zones


def _zone(zone_id: str, *groups: str) -> ZoneConfig:
    return ZoneConfig(id=zone_id, name_zh=zone_id, name_en=zone_id, sink=f"s_{zone_id}",
                      groups=list(groups))  # fmt: skip


MALL = build_zone_map(
    [_zone("1F", "floors"), _zone("2F", "floors"), _zone("3F", "floors"),
     _zone("B1", "parking")],
    [ZoneGroupConfig(id="floors", name_zh="楼层", name_en="Floors"),
     ZoneGroupConfig(id="parking", name_zh="停车场", name_en="Car park")],
    [EmergencyPlanConfig(id="fire_2f", name_zh="二楼火警", name_en="Fire on 2F",
                         zones=["1F", "2F", "3F"]),
     EmergencyPlanConfig(id="car_park", name_zh="停车场", name_en="Car park",
                         groups=["parking"], zones=["1F"])],
)  # fmt: skip
EVERY = {"1F", "2F", "3F", "B1"}

CASES = [
    # (name, names, emergency, zones)
    ("one zone", ["1F"], False, {"1F"}),
    ("several zones", ["1F", "B1"], False, {"1F", "B1"}),
    ("a group", ["floors"], False, {"1F", "2F", "3F"}),
    ("a group and a zone overlapping it", ["floors", "2F"], False, {"1F", "2F", "3F"}),
    ("all", ["all"], False, EVERY),
    ("all beside other names is still all", ["1F", "all"], False, EVERY),
    ("case and spaces do not count", [" 1f ", "FLOORS"], False, {"1F", "2F", "3F"}),
    ("an emergency plan's zones", ["fire_2f"], True, {"1F", "2F", "3F"}),
    ("a plan of a group and a zone", ["car_park"], True, {"1F", "B1"}),
    ("the whole building is the default plan", ["all"], True, EVERY),
    ("an emergency may name zones by hand", ["B1", "3F"], True, {"3F", "B1"}),
]  # fmt: skip


@pytest.mark.parametrize(("names", "emergency", "zones"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_names_select_zones(names, emergency, zones):
    assert select_zones(MALL, names, emergency=emergency) == zones


REFUSED = [
    # (name, names, emergency, code, unknown)
    ("an unknown zone", ["4F"], False, "unknown_zones", ("4F",)),
    ("every unknown name at once", ["4F", "1F", "roof"], False, "unknown_zones", ("4F", "roof")),
    ("a plan is for emergencies only", ["fire_2f"], False, "unknown_zones", ("fire_2f",)),
    ("no name at all", [], False, "no_zones", ()),
    ("no name for an emergency", [], True, "no_zones", ()),
]  # fmt: skip


@pytest.mark.parametrize(("names", "emergency", "code", "unknown"), [c[1:] for c in REFUSED],
                         ids=[c[0] for c in REFUSED])  # fmt: skip
def test_names_that_reach_nothing_are_refused_in_both_languages(names, emergency, code, unknown):
    with pytest.raises(ZoneSelectionError) as error:
        select_zones(MALL, names, emergency=emergency)
    assert error.value.code == code and error.value.unknown == unknown
    for name in unknown:
        assert f'"{name}"' in error.value.message and f'"{name}"' in error.value.message_zh
    assert error.value.message_zh != error.value.message
    assert set(error.value.detail) == {"code", "message", "message_zh", "unknown"}


def test_the_refusal_lists_what_may_be_chosen():
    with pytest.raises(ZoneSelectionError) as error:
        select_zones(MALL, ["4F"])
    assert "all, 1F, 2F, 3F, B1, floors, parking" in error.value.message


def test_a_store_with_nothing_configured_has_the_one_zone_all():
    assert select_zones(ZoneMap(), ["all"]) == {"all"}
    assert select_zones(ZoneMap(), ["all"], emergency=True) == {"all"}

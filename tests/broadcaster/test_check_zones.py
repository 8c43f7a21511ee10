"""`broadcaster check` looks for each zone's sink on the real sound server (a private one here):
a floor whose sink is missing would be silent, so it is a failure naming the zone, the sink and
the sinks there are."""

from __future__ import annotations

import pytest

from broadcaster.check_zones import check_zones
from broadcaster.settings import load_settings
from tests.kit.pulse import PulseServer

ZONES = [{"id": "1F", "name_zh": "一楼", "name_en": "1F", "sink": "zone_1f"},
         {"id": "2F", "name_zh": "二楼", "name_en": "2F", "sink": "zone_2f"}]  # fmt: skip


def test_a_missing_zone_sink_fails_naming_the_zone_and_what_is_there(
    pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    for key, value in pulse_server.env.items():
        monkeypatch.setenv(key, value)
    pulse_server.add_sink("zone_1f")
    settings = load_settings(data_dir=tmp_path, zones=ZONES)
    [finding] = list(check_zones(settings))
    assert finding.status.value == "fail"
    assert "2F → zone_2f" in finding.found and "zone_1f" in finding.found
    assert "找不到" in finding.found_zh and "module-remap-sink" in finding.fix_zh
    pulse_server.add_sink("zone_2f")
    [finding] = list(check_zones(settings))
    assert finding.status.value == "ok" and "2 个分区" in finding.found_zh


def test_a_store_with_one_zone_has_nothing_to_check(tmp_path) -> None:
    assert list(check_zones(load_settings(data_dir=tmp_path))) == []

"""A remote zone's fault, as a table: what its parts report -> what a person is told."""

from __future__ import annotations

import pytest

from broadcaster.audio.zone_health import ZoneReport, zone_fault

HEARD = ZoneReport("2F", server_running=True, server_answers=True, players_connected=1,
                   feed_stalled_s=0.02, no_player_s=0.0)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, None),
        ({"server_running": False}, "Snapcast 服务已停止"),
        ({"feed_stalled_s": 4.0}, "4 秒没有声音"),
        ({"feed_stalled_s": 2.5}, None),  # a hiccup is not a fault
        ({"players_connected": 0, "no_player_s": 3.0}, None),  # a player reconnecting
        ({"players_connected": 0, "no_player_s": 7.0}, "没有播放器连接"),
        ({"server_answers": False, "players_connected": 0, "no_player_s": 9.0}, None),
        ({"server_running": False, "feed_stalled_s": 9.0}, "Snapcast 服务已停止"),  # the cause
    ],
)
def test_a_zone_fault_names_the_cause_in_both_languages(change, expected):
    fault = zone_fault(ZoneReport(**{**HEARD.__dict__, **change}))
    if expected is None:
        assert fault is None
    else:
        assert fault is not None and expected in fault and "Zone 2F" in fault

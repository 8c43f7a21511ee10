"""Zones in the settings: the default is today's one output; a bad configuration stops
start-up with every problem said once, in English and Chinese, naming what to change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from broadcaster.settings import SettingsError, load_settings
from broadcaster.zones.model import ALL

THREE_FLOORS = """
[[zone_groups]]
id = "floors"
name_zh = "商场楼层"
name_en = "Shop floors"

[[zone_groups]]
id = "parking"
name_zh = "停车场"
name_en = "Car park"

[[zones]]
id = "1F"
name_zh = "一楼"
name_en = "Ground floor"
sink = "zone_1f"
groups = ["floors"]

[[zones]]
id = "2F"
name_zh = "二楼"
name_en = "First floor"
sink = "zone_2f"
groups = ["floors"]

[[zones]]
id = "B1"
name_zh = "地下停车场"
name_en = "Car park"
output = "snapcast"
stream = "b1"
groups = ["parking"]

[[emergency_plans]]
id = "fire_1f"
name_zh = "一楼火警（含二楼）"
name_en = "Fire on 1F (and 2F)"
zones = ["1F", "2F"]
"""


def load(tmp_path: Path, text: str):
    config = tmp_path / "zones.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config)


def test_with_nothing_configured_the_store_has_one_zone_on_the_default_sink(tmp_path):
    zones = load(tmp_path, "").zone_map
    assert [(z.id, z.output, z.sink) for z in zones] == [(ALL, "local", None)]
    assert zones.single and zones.log_zones({ALL}) is None
    assert [p.id for p in zones.emergency_plans()] == [ALL]


def test_zones_groups_and_plans_are_read_from_the_toml_file(tmp_path):
    zones = load(tmp_path, THREE_FLOORS).zone_map
    assert [(z.id, z.output, z.sink, z.stream, z.groups) for z in zones] == [
        ("1F", "local", "zone_1f", None, ("floors",)),
        ("2F", "local", "zone_2f", None, ("floors",)),
        ("B1", "snapcast", None, "b1", ("parking",)),
    ]
    assert zones.members("floors") == {"1F", "2F"} and zones.members(ALL) == {"1F", "2F", "B1"}
    whole, fire = zones.emergency_plans()
    assert whole.zones == {"1F", "2F", "B1"} and fire.zones == {"1F", "2F"}
    assert zones.log_zones({"B1", "1F"}) == ("1F", "B1")
    assert zones.log_zones(()) == ("1F", "2F", "B1")


def test_zones_may_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "BROADCASTER_ZONES",
        '[{"id": "A", "name_zh": "甲", "name_en": "A", "sink": "a"},'
        ' {"id": "B", "name_zh": "乙", "name_en": "B", "sink": "b"}]',
    )
    assert load_settings().zone_map.ids == {"A", "B"}


def zone(zone_id: str, **more: str) -> str:
    fields = "".join(f"{key} = {value}\n" for key, value in more.items())
    return f'[[zones]]\nid = "{zone_id}"\nname_zh = "区"\nname_en = "Zone"\n{fields}'


GROUP = '[[zone_groups]]\nid = "floors"\nname_zh = "楼层"\nname_en = "Floors"\n'


def plan(plan_id: str, **more: str) -> str:
    fields = "".join(f"{key} = {value}\n" for key, value in more.items())
    return f'[[emergency_plans]]\nid = "{plan_id}"\nname_zh = "预案"\nname_en = "Plan"\n{fields}'


BAD = [
    # (name, TOML, what the message must say in English, and in Chinese)
    ("duplicate zone ids", zone("1F", sink='"a"') + zone("1F", sink='"b"'),
     'The id "1F" is used twice', '编号 "1F" 重复'),
    ("ids differing only in case", zone("1F", sink='"a"') + zone("1f", sink='"b"'),
     'The id "1f" is used twice', "不区分大小写"),
    ("a group with a zone's id", zone("1F", sink='"a"', groups='["1F"]')
     + GROUP.replace('"floors"', '"1F"'), 'group "1F"', "分组"),
    ("an unknown group in a zone", zone("1F", groups='["flors"]'),
     'its group "flors" is not configured', '所属分组 "flors" 未配置'),
    ("a group no zone is in", zone("1F") + GROUP, 'Group "floors" has no zone', "没有任何分区"),
    ("an unknown zone in a plan", zone("1F") + plan("fire", zones='["9F"]'),
     'no zone has the id "9F"', '没有编号为 "9F" 的分区'),
    ("an unknown group in a plan", zone("1F") + plan("fire", groups='["roof"]'),
     'no group has the id "roof"', '没有编号为 "roof" 的分组'),
    ("a plan that names nothing", zone("1F") + plan("fire"), "names no zone", "没有指定任何分区"),
    ("bad id syntax", zone("1 F"), 'Zone "1 F": an id may have only letters', "编号只能由字母"),
    ("a comma in an id", zone("1F,2F"), "an id may have only letters", "编号只能由字母"),
    ("two zones on one local sink", zone("1F", sink='"card"') + zone("2F", sink='"card"'),
     'both play on the sink "card"', "都使用声卡输出"),
    ("two zones on the default sink", zone("1F") + zone("2F"),
     "both play on the default sink", "默认声卡输出"),
    ('"all" as a zone id beside other zones', zone("all", sink='"a"') + zone("2F", sink='"b"'),
     '"all" means every zone', '"all" 表示全部分区'),
    ('"all" as a group id', zone("1F", groups='["all"]')
     + GROUP.replace('"floors"', '"all"'), "cannot be the id of a group", "不能作为分组编号"),
    ('"all" as a plan id', zone("1F") + plan("ALL", zones='["1F"]'),
     "cannot be the id of an emergency plan", "不能作为紧急预案编号"),
    ("a snapcast zone without a stream", zone("B1", output='"snapcast"'),
     'needs stream = "<name>"', "需要填写 stream"),
    ("a snapcast zone with a sink", zone("B1", output='"snapcast"', stream='"b1"', sink='"x"'),
     "not a sink", "不使用 sink"),
    ("a local zone with a stream", zone("1F", stream='"b1"'), "stream is for output",
     "stream 仅用于"),
    ("two snapcast zones on one stream", zone("B1", output='"snapcast"', stream='"s"')
     + zone("B2", output='"snapcast"', stream='"s"'), 'both use the Snapcast stream "s"',
     "同一个 Snapcast 流"),
    ("an unknown output", zone("1F", output='"bluetooth"'), "zones.0.output", "设置项"),
    ("a zone without names", '[[zones]]\nid = "1F"\n', "zones.0.name_zh", "设置项"),
    ("a misspelt key", zone("1F", snk='"a"'), "zones.0.snk", "设置项"),
    ("a hidden character in a name", '[[zones]]\nid = "1F"\nname_zh = "一\u202e楼"\n'
     'name_en = "1F"\n', "zones.0.name_zh (or", "设置项 zones.0.name_zh"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "english", "chinese"), [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])  # fmt: skip
def test_a_bad_zone_configuration_is_refused_in_both_languages(tmp_path, text, english, chinese):
    with pytest.raises(SettingsError) as error:
        load(tmp_path, text)
    assert english in str(error.value) and chinese in str(error.value)


def test_every_problem_is_listed_at_once(tmp_path):
    text = zone("1F", groups='["flors"]') + zone("1F") + plan("fire", zones='["9F"]')
    with pytest.raises(SettingsError) as error:
        load(tmp_path, text)
    message = str(error.value)
    assert "used twice" in message and '"flors"' in message and '"9F"' in message


def test_one_zone_may_be_called_all_and_name_its_sink(tmp_path):
    zones = load(tmp_path, zone("all", sink='"mall"')).zone_map
    assert [(z.id, z.sink) for z in zones] == [(ALL, "mall")]


def test_the_daemon_refuses_to_start_with_bad_zones(tmp_path):
    (tmp_path / "b.toml").write_text(zone("1F") + zone("2F"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "--config", str(tmp_path / "b.toml"), "serve"],
        env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "both play on the default sink" in proc.stderr and "默认声卡输出" in proc.stderr

"""The zones as the settings write them (``[[zones]]``, ``[[zone_groups]]``,
``[[emergency_plans]]``) and the checks that turn them into a ``ZoneMap``.

Pydantic checks each table's shape (a missing name, an unknown key, a wrong type); the checks
across tables are ``build_zone_map``'s, which lists every problem at once, each said for a
store technician in English and Chinese, so one start-up shows all there is to fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from broadcaster.problems import no_invisible
from broadcaster.zones.model import ALL, EmergencyPlan, Zone, ZoneGroup, ZoneMap

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_Name = Field(min_length=1, max_length=60)


class _Named(BaseModel):
    """An id and the names people read, in Chinese and English (no hidden characters)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description='letters, digits, "-" and "_": "1F", "B1", "play_area"')
    name_zh: str = _Name
    name_en: str = _Name

    @field_validator("name_zh", "name_en")
    @classmethod
    def _visible(cls, value: str) -> str:
        return str(no_invisible(value))


class ZoneConfig(_Named):
    output: Literal["local", "snapcast"] = Field(
        "local", description="local: a PulseAudio sink on this PC; snapcast: a remote zone"
    )
    sink: str | None = Field(None, description="local: the PulseAudio sink; unset: the default")
    stream: str | None = Field(None, description="snapcast: the stream name of our snapserver")
    groups: list[str] = Field(default_factory=list, description='group ids, e.g. ["floors"]')


class ZoneGroupConfig(_Named):
    pass


class EmergencyPlanConfig(_Named):
    zones: list[str] = Field(default_factory=list, description="zone ids it reaches")
    groups: list[str] = Field(default_factory=list, description="group ids it reaches")


class ZoneConfigError(ValueError):
    """Zones that cannot be used; ``problems`` are bilingual lines, one per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


_WHAT = {
    "zone": ("Zone", "分区"),
    "group": ("Group", "分组"),
    "plan": ("Emergency plan", "紧急预案"),
}


def build_zone_map(
    zones: Sequence[ZoneConfig],
    groups: Sequence[ZoneGroupConfig] = (),
    plans: Sequence[EmergencyPlanConfig] = (),
) -> ZoneMap:
    """The store's ``ZoneMap``, or ``ZoneConfigError`` listing every problem:

    1. ids: letters, digits, ``-`` and ``_`` (they are written comma-separated in the log);
       one id per zone, group and plan, whatever the case (they are chosen by the same names);
       ``all`` is every zone, so it is no group's or plan's id, and a zone's only when it is
       the one zone;
    2. a zone's groups are configured groups, and every group has a zone;
    3. a local zone names no stream, a Snapcast zone a stream and no sink; no two local zones
       share a sink (unset: the default sink), no two Snapcast zones a stream;
    4. a plan names configured zones and groups, and at least one of them.
    With no zones configured, the one zone ``all`` plays on the default sink.
    """
    problems: list[str] = []
    _check_ids(zones, groups, plans, problems)
    group_ids = {g.id for g in groups}
    for zone in zones:
        for named in zone.groups:
            if named not in group_ids and named != ALL:
                problems.append(
                    f'Zone "{zone.id}": its group "{named}" is not configured; add a '
                    f"[[zone_groups]] table with id = \"{named}\" or correct the name. / "
                    f'分区 "{zone.id}"：所属分组 "{named}" 未配置，请添加 id = "{named}" 的 '
                    "[[zone_groups]]，或改正名称。"
                )  # fmt: skip
    for group in groups:
        if group.id != ALL and not any(group.id in z.groups for z in zones):
            problems.append(
                f'Group "{group.id}" has no zone: add it to a zone\'s groups, or remove it. / '
                f'分组 "{group.id}" 没有任何分区：请把它写入某个分区的 groups，或删除该分组。'
            )  # fmt: skip
    _check_outputs(zones, problems)
    built_zones = tuple(
        Zone(z.id, z.name_zh, z.name_en, z.output, z.sink, z.stream,
             tuple(dict.fromkeys(g for g in z.groups if g != ALL)))
        for z in zones
    ) or ZoneMap().zones  # fmt: skip
    zone_ids = {z.id for z in built_zones}
    built_plans = []
    for plan in plans:
        reached: set[str] = set()
        for name in plan.zones:
            if name in zone_ids:
                reached.add(name)
            else:
                problems.append(
                    f'Emergency plan "{plan.id}": no zone has the id "{name}" (zones: '
                    f"{_listed(zone_ids)}). / "
                    f'紧急预案 "{plan.id}"：没有编号为 "{name}" 的分区（现有分区：{_listed(zone_ids)}）。'
                )  # fmt: skip
        for name in plan.groups:
            if name in group_ids or name == ALL:
                reached |= {z.id for z in built_zones if name == ALL or name in z.groups}
            else:
                problems.append(
                    f'Emergency plan "{plan.id}": no group has the id "{name}" (groups: '
                    f"{_listed(group_ids | {ALL})}). / "
                    f'紧急预案 "{plan.id}"：没有编号为 "{name}" 的分组'
                    f"（现有分组：{_listed(group_ids | {ALL})}）。"
                )  # fmt: skip
        if not plan.zones and not plan.groups:
            problems.append(
                f'Emergency plan "{plan.id}" names no zone: give it zones = [...] or '
                "groups = [...]. / "
                f'紧急预案 "{plan.id}" 没有指定任何分区：请填写 zones = [...] 或 groups = [...]。'
            )  # fmt: skip
        built_plans.append(EmergencyPlan(plan.id, plan.name_zh, plan.name_en,
                                         frozenset(reached), (*plan.zones, *plan.groups)))  # fmt: skip
    if problems:
        raise ZoneConfigError(problems)
    return ZoneMap(
        built_zones, tuple(ZoneGroup(g.id, g.name_zh, g.name_en) for g in groups),
        tuple(built_plans),
    )  # fmt: skip


def _check_ids(
    zones: Sequence[ZoneConfig],
    groups: Sequence[ZoneGroupConfig],
    plans: Sequence[EmergencyPlanConfig],
    problems: list[str],
) -> None:
    seen: dict[str, tuple[str, str]] = {}  # casefolded id -> (what, id as first written)
    items = [("zone", z.id) for z in zones] + [("group", g.id) for g in groups] + [
        ("plan", p.id) for p in plans]  # fmt: skip
    for what, item_id in items:
        en, zh = _WHAT[what]
        if not ID_PATTERN.fullmatch(item_id):
            problems.append(
                f'{en} "{item_id}": an id may have only letters, digits, "-" and "_" (at most '
                '32, starting with a letter or a digit), e.g. "1F", "B1", "play_area". / '
                f'{zh} "{item_id}"：编号只能由字母、数字、"-" 和 "_" 组成（最多 32 个字符，'
                '以字母或数字开头），例如 "1F"、"B1"、"play_area"。'
            )  # fmt: skip
            continue
        if item_id.casefold() == ALL and (what != "zone" or len(zones) > 1):
            problems.append(
                f'{en} "{item_id}": "all" means every zone and cannot be '
                + ("a zone's id while other zones are configured" if what == "zone"
                   else "the id of " + ("a group" if what == "group" else "an emergency plan")) + "; choose another id. / "
                f'{zh} "{item_id}"："all" 表示全部分区，'
                + ("在配置了多个分区时不能作为分区编号" if what == "zone" else f"不能作为{zh}编号")
                + "，请换一个编号。"
            )  # fmt: skip
            continue
        key = item_id.casefold()
        if key in seen:
            first_what, first_id = seen[key]
            problems.append(
                f'The id "{item_id}" is used twice ({_WHAT[first_what][0].lower()} '
                f'"{first_id}" and {en.lower()} "{item_id}"): every zone, group and plan needs '
                "an id of its own (case does not count). / "
                f'编号 "{item_id}" 重复（{_WHAT[first_what][1]} "{first_id}" 与{zh} "{item_id}"）：'
                "每个分区、分组和预案的编号必须互不相同（不区分大小写）。"
            )  # fmt: skip
        else:
            seen[key] = (what, item_id)


def _check_outputs(zones: Sequence[ZoneConfig], problems: list[str]) -> None:
    sinks: dict[str | None, str] = {}
    streams: dict[str, str] = {}
    for zone in zones:
        if zone.output == "local":
            if zone.stream is not None:
                problems.append(
                    f'Zone "{zone.id}": stream is for output = "snapcast"; a local zone plays '
                    "on a sink (remove stream, or set output = \"snapcast\"). / "
                    f'分区 "{zone.id}"：stream 仅用于 output = "snapcast"；本机分区使用 sink'
                    '（请删除 stream，或设置 output = "snapcast"）。'
                )  # fmt: skip
            if zone.sink in sinks:
                where = f'the sink "{zone.sink}"' if zone.sink else "the default sink"
                where_zh = f'声卡输出 "{zone.sink}"' if zone.sink else "默认声卡输出"
                problems.append(
                    f'Zones "{sinks[zone.sink]}" and "{zone.id}" both play on {where}: each '
                    "local zone needs a sink of its own (e.g. one channel pair of a multi-channel "
                    "card through module-remap-sink, see the README). / "
                    f'分区 "{sinks[zone.sink]}" 与 "{zone.id}" 都使用{where_zh}：每个本机分区需要'
                    "自己的声卡输出（例如用 module-remap-sink 把多声道声卡的一对声道做成一个输出，"
                    "见 README）。"
                )  # fmt: skip
            else:
                sinks[zone.sink] = zone.id
        else:
            if zone.sink is not None:
                problems.append(
                    f'Zone "{zone.id}": a Snapcast zone is heard through its stream, not a sink '
                    "(remove sink). / "
                    f'分区 "{zone.id}"：Snapcast 分区通过 stream 播出，不使用 sink（请删除 sink）。'
                )  # fmt: skip
            if not zone.stream:
                problems.append(
                    f'Zone "{zone.id}": output = "snapcast" needs stream = "<name>", the stream '
                    "its players hear. / "
                    f'分区 "{zone.id}"：output = "snapcast" 需要填写 stream = "<名称>"（播放器收听的流）。'
                )  # fmt: skip
            elif not ID_PATTERN.fullmatch(zone.stream):
                problems.append(
                    f'Zone "{zone.id}": the stream name "{zone.stream}" may have only letters, '
                    'digits, "-" and "_". / '
                    f'分区 "{zone.id}"：流名称 "{zone.stream}" 只能由字母、数字、"-" 和 "_" 组成。'
                )  # fmt: skip
            elif zone.stream in streams:
                problems.append(
                    f'Zones "{streams[zone.stream]}" and "{zone.id}" both use the Snapcast stream '
                    f'"{zone.stream}": each remote zone needs a stream of its own. / '
                    f'分区 "{streams[zone.stream]}" 与 "{zone.id}" 使用同一个 Snapcast 流 '
                    f'"{zone.stream}"：每个远程分区需要自己的流。'
                )  # fmt: skip
            else:
                streams[zone.stream] = zone.id


def _listed(ids: set[str]) -> str:
    return ", ".join(sorted(ids)) or "-"

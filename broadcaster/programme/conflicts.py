"""The conflicts of a day: rules that claim the same air, found where the planner resolves them
and said in the store's local time in English and in Chinese.

The planner is the only place that finds them (``plan_day`` puts them in ``Timeline.conflicts``);
the supervisor's page, the API's plan and ``broadcaster plan`` show that list as it is.

With several sound zones, rules clash only where both are heard: each conflict names those
zones (``Conflict.zones``, and by their names at the end of its texts); cues that clash with
the same others in several zones are one conflict. A store of one zone reads as before.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from broadcaster.programme.reach import ZoneReach
from broadcaster.programme.spec import Conflict, ConflictKind, ContentKind, Cue, Daypart, RuleRef

LAYERS = {ContentKind.SPEECH: "voice", ContentKind.SCRIPT: "voice", ContentKind.SONG: "song",
          ContentKind.PLAYLIST: "playlist"}  # fmt: skip
"""The planner's layers: cues of one layer at one instant are a conflict."""
_LAYER_EN = {"voice": "voice cues", "song": "songs", "playlist": "playlist changes"}
_LAYER_ZH = {"voice": "语音", "song": "歌曲", "playlist": "播放列表切换"}
_OUTCOME_ZH = {"trimmed": "被缩短", "split": "被拆成两段", "dropped": "整段不播"}


def same_instant(cues: Sequence[Cue], zone: ZoneInfo, reach: ZoneReach) -> list[Conflict]:
    """Cues (in planned order) of one layer sharing an instant and a zone: one conflict naming
    them, in the order they play, for the zones where exactly those cues meet."""
    groups: dict[tuple[datetime, str], list[Cue]] = {}
    for cue in cues:
        groups.setdefault((cue.planned_at, LAYERS[cue.content.kind]), []).append(cue)
    found = []
    for (at, layer), whole in groups.items():
        if len(whole) < 2:
            continue
        for group, zones in _per_zone(whole, reach):
            found.append(in_zones(_same_instant(at, layer, group, zone), zones, reach))
    return found


def _per_zone(cues: Sequence[Cue], reach: ZoneReach) -> list[tuple[list[Cue], list[str]]]:
    """The sets of two or more ``cues`` heard together in some zone, each with those zones."""
    meets: dict[tuple[str, ...], tuple[list[Cue], list[str]]] = {}
    for zone_id in reach.order:
        here = [cue for cue in cues if reach.reaches(cue.zones, zone_id)]
        if len(here) > 1:
            meets.setdefault(tuple(c.key for c in here), (here, []))[1].append(zone_id)
    return list(meets.values())


def in_zones(conflict: Conflict, zone_ids: Collection[str], reach: ZoneReach) -> Conflict:
    """``conflict`` as found in ``zone_ids``: named there, and said so (with several zones)."""
    if not reach.zoned:
        return conflict
    ids = tuple(z for z in reach.order if z in zone_ids)
    return replace(
        conflict, zones=ids,
        message=f"{conflict.message} (Zones: {reach.names(ids, zh=False)}.)",
        message_zh=f"{conflict.message_zh}（分区：{reach.names(ids, zh=True)}）",
    )  # fmt: skip


def _same_instant(at: datetime, layer: str, group: list[Cue], zone: ZoneInfo) -> Conflict:
    time = hm(at, zone)
    en = _and([f"'{cue.rule_name}' (rule {cue.rule_id})" for cue in group])
    zh = "、".join(f"「{cue.rule_name}」" for cue in group)
    return Conflict(
        ConflictKind.SAME_INSTANT, tuple(RuleRef(c.rule_id, c.rule_name) for c in group),
        at, at,
        message=f"{time}: {en} are {_LAYER_EN[layer]} at the same moment; they play in that "
        "order (higher priority first, then plan order).",
        message_zh=f"{time}：{zh}在同一时刻播出{_LAYER_ZH[layer]}，将按优先级依次播出。",
        cue_keys=tuple(cue.key for cue in group), layer=layer,
    )  # fmt: skip


def daypart_overlap(loser: Daypart, winner: Daypart, outcome: str, zone: ZoneInfo) -> Conflict:
    """The whole dayparts ``loser`` and ``winner`` (as their rules give them) overlap; the
    winner keeps the overlap and the loser is ``outcome`` ("trimmed", "split", "dropped")."""
    start, end = max(loser.start, winner.start), min(loser.end, winner.end)
    span = f"{hm(start, zone)}–{hm(end, zone)}"
    return Conflict(
        ConflictKind.DAYPART_OVERLAP,
        (RuleRef(loser.rule_id, loser.rule_name), RuleRef(winner.rule_id, winner.rule_name)),
        start, end,
        message=f"{span}: the music daypart '{loser.rule_name}' (rule {loser.rule_id}) overlaps "
        f"'{winner.rule_name}' (rule {winner.rule_id}), which takes precedence and plays in the "
        f"overlap; '{loser.rule_name}' is {outcome}.",
        message_zh=f"{span}：音乐时段「{loser.rule_name}」与「{winner.rule_name}」重叠，重叠部分播放"
        f"「{winner.rule_name}」（「{loser.rule_name}」{_OUTCOME_ZH[outcome]}）。",
        outcome=outcome,
    )  # fmt: skip


def playlist_in_daypart(
    cues: Sequence[Cue], dayparts: Sequence[Daypart], zone: ZoneInfo, reach: ZoneReach
) -> list[Conflict]:
    """A cue that changes the music to another playlist while a daypart holds the bed in a zone
    both reach: both rules set the music there, and the cue's playlist stays until another
    daypart starts."""
    found = []
    for cue in cues:
        if cue.content.kind is not ContentKind.PLAYLIST:
            continue
        for part in dayparts:
            if not part.start <= cue.planned_at < part.end or part.playlist == cue.content.ref:
                continue
            shared = (reach.ids(cue.zones) or frozenset()) & (reach.ids(part.zones) or set())
            if not shared:
                continue
            time, ref = hm(cue.planned_at, zone), cue.content.ref
            span = f"{hm(part.start, zone)}–{hm(part.end, zone)}"
            found.append(Conflict(
                ConflictKind.PLAYLIST_IN_DAYPART,
                (RuleRef(cue.rule_id, cue.rule_name), RuleRef(part.rule_id, part.rule_name)),
                cue.planned_at, part.end,
                message=f"{time}: '{cue.rule_name}' (rule {cue.rule_id}) changes the music to "
                f"'{ref}' inside the daypart '{part.rule_name}' (rule {part.rule_id}, {span}, "
                f"playlist '{part.playlist}'); '{ref}' plays from then until another daypart "
                "starts.",
                message_zh=f"{time}：「{cue.rule_name}」在音乐时段「{part.rule_name}」（{span}，"
                f"播放列表「{part.playlist}」）中途把背景音乐切换为「{ref}」；从此刻起播放"
                f"「{ref}」，直到下一个音乐时段开始。",
                cue_keys=(cue.key,),
            ))  # fmt: skip
            found[-1] = in_zones(found[-1], shared, reach)
    return found


def hm(moment: datetime, zone: ZoneInfo) -> str:
    """An instant as the store's clock shows it: HH:MM, with seconds when it has them."""
    local = moment.astimezone(zone)
    return local.strftime("%H:%M" if local.second == 0 else "%H:%M:%S")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

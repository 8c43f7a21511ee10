"""The conflicts of a day: rules that claim the same air, found where the planner resolves them
and said in the store's local time in English and in Chinese.

The planner is the only place that finds them (``plan_day`` puts them in ``Timeline.conflicts``);
the supervisor's page, the API's plan and ``broadcaster plan`` show that list as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from broadcaster.programme.spec import Conflict, ConflictKind, ContentKind, Cue, Daypart, RuleRef

LAYERS = {ContentKind.SPEECH: "voice", ContentKind.SCRIPT: "voice", ContentKind.SONG: "song",
          ContentKind.PLAYLIST: "playlist"}  # fmt: skip
"""The planner's layers: cues of one layer at one instant are a conflict."""
_LAYER_EN = {"voice": "voice cues", "song": "songs", "playlist": "playlist changes"}
_LAYER_ZH = {"voice": "语音", "song": "歌曲", "playlist": "播放列表切换"}
_OUTCOME_ZH = {"trimmed": "被缩短", "split": "被拆成两段", "dropped": "整段不播"}


def same_instant(cues: Sequence[Cue], zone: ZoneInfo) -> list[Conflict]:
    """Cues (in planned order) of one layer sharing an instant: one conflict naming them all,
    in the order they play."""
    groups: dict[tuple[datetime, str], list[Cue]] = {}
    for cue in cues:
        groups.setdefault((cue.planned_at, LAYERS[cue.content.kind]), []).append(cue)
    found = []
    for (at, layer), group in groups.items():
        if len(group) < 2:
            continue
        time = hm(at, zone)
        en = _and([f"'{cue.rule_name}' (rule {cue.rule_id})" for cue in group])
        zh = "、".join(f"「{cue.rule_name}」" for cue in group)
        found.append(Conflict(
            ConflictKind.SAME_INSTANT, tuple(RuleRef(c.rule_id, c.rule_name) for c in group),
            at, at,
            message=f"{time}: {en} are {_LAYER_EN[layer]} at the same moment; they play in that "
            "order (higher priority first, then plan order).",
            message_zh=f"{time}：{zh}在同一时刻播出{_LAYER_ZH[layer]}，将按优先级依次播出。",
            cue_keys=tuple(cue.key for cue in group), layer=layer,
        ))  # fmt: skip
    return found


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
    cues: Sequence[Cue], dayparts: Sequence[Daypart], zone: ZoneInfo
) -> list[Conflict]:
    """A cue that changes the music to another playlist while a daypart holds the bed: both
    rules set the music, and the cue's playlist stays until another daypart starts."""
    found = []
    for cue in cues:
        if cue.content.kind is not ContentKind.PLAYLIST:
            continue
        for part in dayparts:
            if not part.start <= cue.planned_at < part.end or part.playlist == cue.content.ref:
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
    return found


def hm(moment: datetime, zone: ZoneInfo) -> str:
    """An instant as the store's clock shows it: HH:MM, with seconds when it has them."""
    local = moment.astimezone(zone)
    return local.strftime("%H:%M" if local.second == 0 else "%H:%M:%S")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

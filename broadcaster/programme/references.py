"""Whether what a rule names exists: files under the data dir (and not outside it), playlists
(in the library, or folders under the music dir), day types, sound zones. The outside world is passed in explicitly."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from broadcaster.problems import FieldProblem
from broadcaster.programme.models import ContentModel, RuleCreate
from broadcaster.programme.spec import ContentKind
from broadcaster.zones.model import ZoneMap
from broadcaster.zones.selection import ZoneSelectionError, select_zones


def check_references(
    rule: RuleCreate,
    *,
    data_dir: Path,
    music_dir: Path,
    day_types: Collection[str] | None = None,
    scripts: Collection[str] | None = None,
    playlists: Collection[str] = (),
    zone_map: ZoneMap | None = None,
) -> list[FieldProblem]:
    """What the rule names that does not exist: files under the data dir, playlists (the
    library's ``playlists``, or folders under the music dir), day types (when ``day_types`` is
    given), script codes (when ``scripts``, the approved ones, is given: only approved scripts
    can be scheduled), zones and groups (``zone_map``'s; None: a store of one zone)."""
    found: list[FieldProblem] = []
    if rule.zones:
        try:
            select_zones(zone_map or ZoneMap(), rule.zones)
        except ZoneSelectionError as exc:
            found.append(FieldProblem("zones", exc.message, exc.message_zh))
    if day_types is not None:
        unknown = [name for name in rule.day_types if name not in day_types]
        if unknown:
            found.append(FieldProblem(
                "day_types", f"Unknown day type: {', '.join(map(repr, unknown))}.",
                f"没有这些日期类型：{'、'.join(map(repr, unknown))}。",
            ))  # fmt: skip
    if rule.content is not None:
        found.extend(_content_problems("content", rule.content, data_dir, music_dir, scripts,
                                       playlists))  # fmt: skip
    for index, spot in enumerate(rule.spots):
        found.extend(_content_problems(f"spots.{index}", spot, data_dir, music_dir, scripts,
                                       playlists))  # fmt: skip
    if rule.playlist is not None:
        found.extend(_playlist_problems("playlist", rule.playlist, music_dir, playlists))
    return found


def _content_problems(
    field: str,
    content: ContentModel,
    data_dir: Path,
    music_dir: Path,
    scripts: Collection[str] | None,
    playlists: Collection[str],
) -> list[FieldProblem]:
    if content.kind is ContentKind.PLAYLIST:
        return _playlist_problems(f"{field}.ref", content.ref, music_dir, playlists)
    if content.kind is ContentKind.SCRIPT:
        # Approval is checked again when the cue is due: a script may be archived, or run out
        # of its dates, after the rule was made.
        if scripts is not None and content.ref not in scripts:
            return [FieldProblem(
                f"{field}.ref", f"No approved script has the code {content.ref!r}: only approved "
                "scripts can be scheduled.",
                f"没有代码为 {content.ref!r} 且已审核通过的稿件：只有审核通过的稿件才能排入播音计划。",
            )]  # fmt: skip
        return []
    return _file_problems(f"{field}.ref", content.ref, data_dir)


def _file_problems(field: str, ref: str, data_dir: Path) -> list[FieldProblem]:
    root = data_dir.resolve()
    candidate = Path(ref)
    path = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not path.is_relative_to(root):
        return [FieldProblem(
            field, f"This file is outside the data folder ({root}); only files inside it can "
            "be played.", f"该文件不在数据目录（{root}）中，只能播放数据目录中的文件。",
        )]  # fmt: skip
    if candidate.is_absolute():
        relative = path.relative_to(root).as_posix()
        return [FieldProblem(
            field, f"Give the path relative to the data folder: {relative}",
            f"请填写相对于数据目录的路径：{relative}",
        )]  # fmt: skip
    if not path.is_file():
        return [FieldProblem(field, f"No such file in the data folder: {ref}",
                             f"数据目录中没有这个文件：{ref}")]  # fmt: skip
    return []


def _playlist_problems(
    field: str, name: str, music_dir: Path, playlists: Collection[str]
) -> list[FieldProblem]:
    if name in playlists:
        return []
    plain = name not in ("", ".", "..") and "/" not in name and "\\" not in name
    if not plain or not (music_dir / name).is_dir():
        return [FieldProblem(
            field, f"No playlist named {name!r}: make it in the music library, or put a folder "
            "of that name in the music folder.",
            f"没有名为 {name!r} 的播放列表：请在音乐库中创建，或在音乐目录中放一个同名文件夹。",
        )]  # fmt: skip
    return []

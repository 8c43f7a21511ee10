"""Turning a file named in a request into a checked segment: inside the data dir, playable."""

from __future__ import annotations

import asyncio
from pathlib import Path

from api.errors import ApiError
from broadcaster.audio.output import MediaError
from broadcaster.core import Core
from broadcaster.requests import Segment

PREFLIGHT_TIMEOUT_S = 5.0


def resolve_in_data_dir(name: str, data_dir: Path) -> Path:
    """The file ``name`` (relative to the data dir, or absolute) if it lies inside the data dir."""
    root = data_dir.resolve()
    if "\x00" in name or not name.strip():
        raise ApiError(422, "bad_path", "The file name is empty or invalid.", "文件名为空或无效。")
    candidate = Path(name)
    path = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not path.is_relative_to(root):
        raise ApiError(
            422,
            "outside_data_dir",
            f"Only files inside the data folder ({root}) can be played.",
            f"只能播放数据目录（{root}）中的文件。",
        )
    if not path.is_file():
        raise ApiError(422, "file_not_found", f"File not found: {name}", f"找不到文件：{name}")
    return path


_checked: dict[tuple[Path, int, int], Segment] = {}


async def checked_segment(core: Core, path: Path) -> Segment:
    """Pre-flight ``path`` through the real output; 422 when it is not playable audio.

    A file already checked and unchanged since (same size and modification time) is not checked
    again, so the chime and the alert tone cost nothing on the way to air."""
    stat = path.stat()
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key in _checked:
        return _checked[key]
    try:
        info = await asyncio.wait_for(
            asyncio.wrap_future(core.preflight(path)), PREFLIGHT_TIMEOUT_S
        )
    except MediaError as exc:
        raise ApiError(
            422,
            "not_playable",
            f"{path.name} is not playable audio ({exc}).",
            f"{path.name} 不是可播放的音频文件（{exc}）。",
        ) from exc
    except TimeoutError as exc:
        raise ApiError(
            422, "not_playable", f"{path.name} could not be checked in time.",
            f"{path.name} 检查超时，无法播放。",
        ) from exc  # fmt: skip
    _checked[key] = Segment(path, info.duration_ms)
    return _checked[key]

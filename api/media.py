"""Turning a file named in a request, or uploaded with it, into a checked segment: inside the
data dir, playable."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Collection
from pathlib import Path

from fastapi import UploadFile

from api.errors import ApiError
from broadcaster.audio.output import MediaError
from broadcaster.core import Core
from broadcaster.requests import Segment

log = logging.getLogger(__name__)
PREFLIGHT_TIMEOUT_S = 5.0
REMUX_TIMEOUT_S = 60.0
CHUNK = 1 << 20
STREAMED = (".webm",)
"""Containers a browser's recorder writes as a stream, without a duration or an index: saved
through ``ffmpeg -c copy`` (no re-encoding) so the output, the log and the page know their
length. VLC refuses them otherwise ("no duration")."""


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


async def checked_segment(core: Core, path: Path) -> Segment:
    """Pre-flight ``path`` through the real output (the core's one ``Prechecker``: a file
    checked before and unchanged since costs nothing); 422 when it is not playable audio."""
    try:
        info = await asyncio.wait_for(
            asyncio.wrap_future(core.precheck.future(path)), PREFLIGHT_TIMEOUT_S
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
    return Segment(path, info.duration_ms)


async def save_upload(
    core: Core, file: UploadFile, folder: Path, stem: str, suffix: str,
    allowed_suffixes: Collection[str], max_bytes: int,
) -> Segment:  # fmt: skip
    """Save an uploaded audio file under a name of ours and check it plays; nothing is left
    behind when it is refused.

    1. ``suffix`` (lower case, from the file name or the content type, as the caller decides)
       must be one of ``allowed_suffixes``: else 422 ``bad_recording_type``.
    2. The upload is read in 1 MiB chunks into a hidden partial file in ``folder``; past
       ``max_bytes`` it is refused with 413 ``recording_too_large``.
    3. It is renamed ``{stem}-{16 hex digits of its SHA-256}{suffix}`` (never the client's
       name); the partial file goes whatever happens.
    4. A streamed container (``STREAMED``) is rewritten with its duration.
    5. It is pre-flighted through the real output (``checked_segment``): not playable, the
       file is removed and the refusal (422 ``not_playable``) goes to the caller.
    """
    if suffix not in allowed_suffixes:
        raise ApiError(422, "bad_recording_type",
                       f"Upload a {', '.join(allowed_suffixes)} file.",
                       f"请上传以下格式的音频：{'、'.join(allowed_suffixes)}。")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".upload-{stem}-{os.getpid()}-{id(file)}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    limit = f"{max_bytes / 2**20:.3g} MB"
                    raise ApiError(413, "recording_too_large",
                                   f"The recording is larger than {limit}.",
                                   f"录音文件超过 {limit}。")  # fmt: skip
                digest.update(chunk)
                out.write(chunk)
        target = folder / f"{stem}-{digest.hexdigest()[:16]}{suffix}"
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    try:
        if suffix in STREAMED:
            await _with_duration(target)
        return await checked_segment(core, target)
    except ApiError:
        target.unlink(missing_ok=True)
        raise


async def _with_duration(path: Path) -> None:
    """Rewrite ``path``'s container in place with ffmpeg (streams copied, not re-encoded)."""
    rewritten = path.with_name(f".remux-{path.name}")
    try:
        try:
            process = await asyncio.create_subprocess_exec(
                "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(path), "-map", "0:a",
                "-c", "copy", str(rewritten),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
        except OSError as exc:
            raise ApiError(503, "ffmpeg_missing", f"ffmpeg could not be started ({exc}).",
                           f"无法启动 ffmpeg（{exc}），请联系管理员安装。") from exc  # fmt: skip
        try:
            _, errors = await asyncio.wait_for(process.communicate(), REMUX_TIMEOUT_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            errors = b"timed out"
        if process.returncode != 0:
            log.info("ffmpeg could not read %s: %s", path, errors.decode(errors="replace"))
            raise ApiError(422, "not_playable",
                           f"{path.name} is not playable audio (ffmpeg cannot read it).",
                           f"{path.name} 不是可播放的音频文件（ffmpeg 无法读取）。")  # fmt: skip
        rewritten.replace(path)
    finally:
        rewritten.unlink(missing_ok=True)

"""What a music file is: its title, artist, album, length and format, read with mutagen.

Formats: MP3 (ID3v2 and ID3v1), AAC/M4A (MP4 tags), FLAC, Ogg Vorbis, Opus (Vorbis comments)
and WAV (ID3 chunk, or the RIFF INFO list through ffprobe, which mutagen does not read). A file
without a title is named by its file stem; the duration falls back to ffprobe when mutagen cannot
tell it.

Legacy GBK tags: Chinese Windows tools wrote GBK bytes into ID3v2 frames marked Latin-1
(encoding 0) and into ID3v1, which has no encoding at all; read as Latin-1 they come out as
mojibake such as ``ÖÜ½ÜÂ×``. ``repair_gbk`` undoes it:

1. Keep the text if it is not entirely Latin-1, or entirely ASCII.
2. Encode it back to its Latin-1 bytes. Keep the text if any byte >= 0x80 is followed by an
   ASCII byte: that is how accented Western words look (``Rós``, ``Mötley``), while the GB2312
   characters a Chinese tool writes are pairs of bytes >= 0x80. (The price: the rare GBK
   extension characters whose second byte is ASCII, like 镕, are left as they are.)
3. Decode the bytes as GB18030 (a superset of GBK). If that fails, or the result holds no CJK
   character, keep the text; otherwise use the decoded text.

Only ID3 frames with encoding 0 and ID3v1 (which mutagen presents as encoding-0 frames) are
repaired; UTF-8 and UTF-16 frames and other formats' tags are taken as they are.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from playlists.errors import MusicError

FFPROBE_TIMEOUT_S = 30.0

_FORMATS = {
    "MP3": "mp3",
    "EasyMP3": "mp3",
    "MP4": "m4a",
    "EasyMP4": "m4a",
    "AAC": "aac",
    "FLAC": "flac",
    "OggVorbis": "ogg",
    "OggOpus": "opus",
    "WAVE": "wav",
}
"""mutagen's file classes by the format name a TrackInfo reports."""


class TagError(MusicError):
    """The file cannot be read as audio: its tags or its length cannot be told."""


@dataclass(frozen=True)
class TrackInfo:
    path: Path
    title: str
    artist: str | None
    album: str | None
    duration_ms: int
    format: str


def read_track(path: Path) -> TrackInfo:
    """Title, artist, album, duration and format of one music file; raises ``TagError`` for a
    missing, empty, corrupt or non-audio file."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError:
        raise TagError(
            f"{name}: the file cannot be opened; check that it exists and is readable.",
            f"{name}：无法打开文件，请检查文件是否存在且可读。",
        ) from None
    if size == 0:
        raise TagError(
            f"{name}: the file is empty; copy the track again.",
            f"{name}：文件是空的，请重新拷贝该曲目。",
        )
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError):
        audio = None
    if audio is None:
        raise _unreadable(name)

    fmt = _FORMATS.get(type(audio).__name__, path.suffix.lower().lstrip(".") or "unknown")
    title, artist, album = _tags(audio.tags)
    length = getattr(audio.info, "length", 0) or 0
    if (fmt == "wav" and not (title or artist or album)) or not length:
        probed = _ffprobe(path)
        if probed is None:
            raise _unreadable(name)
        if not (title or artist or album):
            title, artist, album = _probe_tags(probed)
        length = length or float(probed.get("format", {}).get("duration") or 0)
    if not length:
        raise _unreadable(name)
    return TrackInfo(
        path=path,
        title=title or path.stem,
        artist=artist,
        album=album,
        duration_ms=round(length * 1000),
        format=fmt,
    )


def repair_gbk(text: str) -> str:
    """The text GBK bytes read as Latin-1 were meant to be, or ``text`` unchanged (the steps
    are in the module's docstring)."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text
    if raw.isascii():
        return text
    if not _high_bytes_pair_up(raw):
        return text
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        return text
    return decoded if any(_is_cjk(c) for c in decoded) else text


def _high_bytes_pair_up(raw: bytes) -> bool:
    """Whether every byte >= 0x80 starts a pair of two such bytes, walking left to right."""
    i = 0
    while i < len(raw):
        if raw[i] < 0x80:
            i += 1
        elif i + 1 < len(raw) and raw[i + 1] >= 0x80:
            i += 2
        else:
            return False
    return True


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x20000 <= code <= 0x2FFFF  # extensions B and later
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
    )


def _tags(tags: Any) -> tuple[str | None, str | None, str | None]:
    if tags is None:
        return None, None, None
    if isinstance(tags, ID3):
        return _id3_text(tags, "TIT2"), _id3_text(tags, "TPE1"), _id3_text(tags, "TALB")
    if isinstance(tags, MP4Tags):
        return _first(tags.get("©nam")), _first(tags.get("©ART")), _first(tags.get("©alb"))
    try:  # Vorbis comments (FLAC, Ogg Vorbis, Opus): case-insensitive keys, lists of values
        return _first(tags.get("title")), _first(tags.get("artist")), _first(tags.get("album"))
    except (AttributeError, TypeError, ValueError):
        return None, None, None


def _id3_text(tags: ID3, frame_id: str) -> str | None:
    frame = tags.get(frame_id)
    if frame is None or not frame.text:
        return None
    text = _first([str(t) for t in frame.text])
    if text is not None and frame.encoding == 0:
        text = repair_gbk(text)
    return text


def _first(values: Any) -> str | None:
    if not values:
        return None
    text = str(values[0]).strip()
    return text or None


def _ffprobe(path: Path) -> dict[str, Any] | None:
    try:
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
            capture_output=True,
            timeout=FFPROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    try:
        data = json.loads(result.stdout.decode("utf-8", "replace"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _probe_tags(probed: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    raw = probed.get("format", {}).get("tags") or {}
    tags = {str(k).lower(): str(v).strip() for k, v in raw.items()}
    return tags.get("title") or None, tags.get("artist") or None, tags.get("album") or None


def _unreadable(name: str) -> TagError:
    return TagError(
        f"{name}: not a readable music file (damaged, or not audio); replace the file.",
        f"{name}：不是可读取的音乐文件（已损坏或不是音频），请更换该文件。",
    )

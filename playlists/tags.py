"""What a music file is: its title, artist, album, length and format, read with mutagen.

Formats: MP3 (ID3v2 and ID3v1), AAC/M4A/M4B/MP4 (MP4 tags), FLAC, Ogg Vorbis, Opus (Vorbis
comments), WMA (ASF), AIFF, APE (Monkey's Audio, APEv2 tags) and WAV (ID3 chunk, then the RIFF INFO list for what the ID3 chunk lacks). A file without a title
is named by its file stem. Everything is read in-process: a library scan reads thousands of files
a second. ffprobe (a child process, tens of milliseconds) is the last resort only for a non-WAV
file whose length mutagen cannot tell, such as some raw AAC.

WAV files are walked chunk by chunk (``_read_wave``), because mutagen neither reads the RIFF INFO
list nor tells the right length of a WAV that was streamed (size fields 0xFFFFFFFF), cut short,
or compressed (ADPCM, MP3 in WAV). The walk:

1. Check the ``RIFF....WAVE`` header; then visit at most ``RIFF_MAX_CHUNKS`` chunks, each header
   read where the previous chunk ends. Every step moves forward, so no size field, however
   broken, can make the walk loop; it stops at the end of the file or at a chunk whose id is not
   four printable ASCII characters (a damaged file).
2. From ``fmt `` take the format code, sample rate and byte rate; from ``fact`` the sample count;
   from ``data`` only its size, cut to the bytes the file really holds (its samples are never
   read); from ``LIST``/``INFO`` (at most ``RIFF_INFO_MAX_BYTES``) INAM, IART and IPRD.
3. Length: the ``fact`` sample count for compressed formats, else the data bytes over the byte
   rate. Without ``fmt`` and ``data`` the length is mutagen's.
4. Text: NULs stripped; UTF-8, else GB18030 (Chinese Windows tools write GBK there), else
   Latin-1. GB18030 is taken only under ``repair_gbk``'s rules below, so a Latin-1 ``Mötley``
   is not turned into Chinese.

Legacy 8-bit tags: Chinese and Japanese Windows tools wrote GBK, Big5 or Shift-JIS bytes into
ID3v2 frames marked Latin-1 (encoding 0) and into ID3v1, which has no encoding at all; read as
Latin-1 they come out as mojibake such as ``ÖÜ½ÜÂ×``. ``repair_gbk`` undoes it:

1. Keep the text if it is not entirely Latin-1, or entirely ASCII.
2. Encode it back to its Latin-1 bytes and let ``playlists.legacy_text.detect`` say which
   encoding they are (by the repertoire each decoding lands in, so Big5 ``晴天`` is not read as
   GBK ``锤ぱ``). Use that decoding only if it is GBK, Big5 or Shift-JIS and every character
   is in its repertoire; a Latin-1 ``Mötley`` or ``Rós`` stays as it is.

Only ID3 frames with encoding 0 and ID3v1 (which mutagen presents as encoding-0 frames) are
repaired; UTF-8 and UTF-16 frames and other formats' tags are taken as they are.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import mutagen
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags

from playlists.errors import MusicError
from playlists.legacy_text import repair
from playlists.names import display_name

FFPROBE_TIMEOUT_S = 30.0
RIFF_MAX_CHUNKS = 256
"""Chunks a WAV walk visits at most; real files have a handful."""
RIFF_INFO_MAX_BYTES = 64 * 1024
"""Bytes of a LIST/INFO chunk read at most; titles and names are short."""

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
    "ASF": "wma",
    "AIFF": "aiff",
    "MonkeysAudio": "ape",
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
    name = display_name(path.name)
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
    if fmt == "m4a" and path.suffix.lower() in (".m4b", ".mp4"):
        fmt = path.suffix.lower().lstrip(".")  # an audiobook, or a video's sound
    title, artist, album = _tags(audio.tags)
    length = getattr(audio.info, "length", 0) or 0
    if fmt == "wav":
        wave = _read_wave(path)
        if wave is not None:
            title = title or wave.title
            artist = artist or wave.artist
            album = album or wave.album
            length = wave.length if wave.length is not None else length
    elif not length:
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
        title=title or display_name(path.stem),
        artist=artist,
        album=album,
        duration_ms=round(length * 1000),
        format=fmt,
    )


def repair_gbk(text: str) -> str:
    """The text legacy 8-bit bytes read as Latin-1 were meant to be (GBK, Big5 or Shift-JIS,
    ``playlists.legacy_text``), or ``text`` unchanged unless they decode cleanly."""
    return repair(text)


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


@dataclass(frozen=True)
class _Wave:
    """What a walk over a WAV file's chunks found; ``length`` is None without fmt and data."""

    title: str | None
    artist: str | None
    album: str | None
    length: float | None


_INFO_FIELDS = {b"INAM": 0, b"IART": 1, b"IPRD": 2}
_UNCOMPRESSED = {0x0001, 0x0003, 0xFFFE}  # PCM, IEEE float, extensible (PCM or float inside)


def _read_wave(path: Path) -> _Wave | None:
    """Tags and length from a WAV file's RIFF chunks, or None if it is not RIFF/WAVE or cannot
    be read (the steps are in the module's docstring)."""
    try:
        with path.open("rb") as file:
            return _walk_riff(file)
    except OSError:
        return None


def _walk_riff(file: BinaryIO) -> _Wave | None:
    head = file.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    end = os.fstat(file.fileno()).st_size  # the RIFF size field is often wrong; the file is not
    fmt: tuple[int, int, int] | None = None  # format code, sample rate, byte rate
    samples: int | None = None
    data_bytes: int | None = None
    info: list[str | None] = [None, None, None]
    pos = 12
    for _ in range(RIFF_MAX_CHUNKS):
        if pos + 8 > end:
            break
        file.seek(pos)
        chunk_id, size = struct.unpack("<4sI", file.read(8))
        if not _is_chunk_id(chunk_id):
            break
        held = min(size, end - pos - 8)  # what the file really holds of this chunk
        if chunk_id == b"fmt " and held >= 16:
            code, _channels, rate, byte_rate = struct.unpack("<HHII", file.read(12))
            fmt = (code, rate, byte_rate)
        elif chunk_id == b"fact" and held >= 4:
            (samples,) = struct.unpack("<I", file.read(4))
        elif chunk_id == b"data":
            data_bytes = held
        elif chunk_id == b"LIST" and held >= 4 and file.read(4) == b"INFO":
            _read_info(file.read(min(held - 4, RIFF_INFO_MAX_BYTES)), info)
        pos += 8 + size + (size & 1)  # chunks are padded to an even size
    return _Wave(info[0], info[1], info[2], _wave_length(fmt, samples, data_bytes))


def _is_chunk_id(chunk_id: bytes) -> bool:
    return all(0x20 <= byte <= 0x7E for byte in chunk_id)


def _read_info(body: bytes, into: list[str | None]) -> None:
    """INAM, IART and IPRD from the subchunks of a LIST/INFO chunk, into title, artist, album."""
    pos = 0
    while pos + 8 <= len(body):  # moves forward by at least 8 bytes each time
        sub_id, size = struct.unpack_from("<4sI", body, pos)
        slot = _INFO_FIELDS.get(sub_id)
        if slot is not None and into[slot] is None:
            into[slot] = _info_text(body[pos + 8 : pos + 8 + size])
        pos += 8 + size + (size & 1)


def _info_text(raw: bytes) -> str | None:
    raw = raw.strip(b"\0").split(b"\0", 1)[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = repair_gbk(raw.decode("latin-1"))  # GB18030 when it reads as Chinese
    return text.strip() or None


def _wave_length(
    fmt: tuple[int, int, int] | None, samples: int | None, data_bytes: int | None
) -> float | None:
    if fmt is None or data_bytes is None:
        return None
    code, rate, byte_rate = fmt
    if code not in _UNCOMPRESSED and samples and rate:
        return samples / rate
    if byte_rate:
        return data_bytes / byte_rate
    return None


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

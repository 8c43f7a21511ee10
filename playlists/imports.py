"""Importing the playlists a broadcast room already has (M3U, M3U8, PLS), and exporting M3U8.

Playlists come from Windows PCs, old players and phone apps: backslashes, drive letters, GBK
text, BOMs, CRLF line ends and names whose case does not match the disk. An entry that does not
lead to a file inside the music folders is reported (in English and Chinese) and the rest is
still imported; only a file that cannot be read as a playlist at all raises ``PlaylistError``.
Nothing here writes anywhere: the caller decides what to do with the result.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from playlists.entry_paths import URL, Resolver, Skip
from playlists.errors import MusicError
from playlists.legacy_text import detect

__all__ = [
    "MAX_BYTES",
    "Entry",
    "Imported",
    "PlaylistError",
    "Unresolved",
    "decode",
    "export_m3u8",
    "read_playlist",
]

MAX_BYTES = 5 * 1024 * 1024
"""No real playlist comes near this; a bigger file is the wrong file."""

SUFFIXES = (".m3u", ".m3u8", ".pls")


class PlaylistError(MusicError):
    """The whole file cannot be read as a playlist; nothing was imported."""


@dataclass(frozen=True)
class Entry:
    """A track that resolved: ``path`` is the real path (symlinks resolved) of an existing file
    inside a music folder; ``line`` is where it was listed, for messages."""

    path: Path
    title: str | None
    duration_s: float | None
    line: int


@dataclass(frozen=True)
class Unresolved:
    """A listed entry that was left out, with why, for the person importing."""

    line: int
    text: str
    reason: str
    reason_zh: str


@dataclass(frozen=True)
class Imported:
    entries: tuple[Entry, ...]
    unresolved: tuple[Unresolved, ...]
    encoding: str


# ---------------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
# Text may hold tabs, line and page breaks, and the ^Z that DOS-era tools put at the end; any
# other control character means the file is not text.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1a")
_NOT_TEXT = (
    "the file is not text (it looks like binary data); choose an M3U, M3U8 or PLS playlist",
    "文件不是文本（像是二进制数据），请选择 M3U、M3U8 或 PLS 播放列表",
)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def decode(data: bytes) -> tuple[str, str]:
    """Decode a playlist's bytes; return ``(text, encoding)``.

    1. A BOM (UTF-8, UTF-16 LE/BE) decides, and the text must then be valid in it.
    2. Otherwise valid UTF-8 is UTF-8 (plain ASCII included).
    3. Otherwise the legacy 8-bit encoding the bytes decode to best (``legacy_text.detect``:
       GB18030 for GBK, Big5, Shift-JIS, Windows-1252 for Latin-1), judged by the text each
       gives, not guessed.
    NUL bytes, other control characters or bytes valid in none of these raise ``PlaylistError``.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data[len(bom) :].decode(codec), name
            except UnicodeDecodeError:
                raise PlaylistError(
                    f"the file starts with a {codec.upper()} marker but is not valid {codec.upper()} text",
                    f"文件以 {codec.upper()} 标记开头，但内容不是有效的 {codec.upper()} 文本",
                ) from None
            break
    else:
        if b"\0" in data:
            raise PlaylistError(*_NOT_TEXT)
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            found = detect(data)
            if found is None:
                raise PlaylistError(
                    "the file is not text in UTF-8, GBK, Big5, Shift-JIS or Latin-1; "
                    "save it as UTF-8 and try again",
                    "文件不是 UTF-8、GBK、Big5、Shift-JIS 或 Latin-1 文本，请另存为 UTF-8 后重试",
                ) from None
            text, encoding = found[0], found[1]
    if any(_is_control(c) and c not in _TEXT_CONTROLS for c in text):
        raise PlaylistError(*_NOT_TEXT)
    return text, encoding


# ----------------------------------------------------------------------------------- parsing

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class _Listed:
    """An entry as written in the file, before resolution."""

    line: int
    text: str
    title: str | None
    duration_s: float | None


def _duration(text: str) -> float | None:
    try:
        seconds = float(text.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None  # -1 means unknown


def _title(text: str) -> str | None:
    return " ".join(text.split()) or None


def _parse_m3u(lines: list[str]) -> list[_Listed]:
    listed: list[_Listed] = []
    info: tuple[str | None, float | None] = (None, None)
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line[:8].upper() == "#EXTINF:":
                # "#EXTINF:215,Artist - Title"; IPTV lists put attributes after the seconds.
                head, _, title = line[8:].partition(",")
                seconds = head.split()[0] if head.split() else ""
                info = (_title(title), _duration(seconds))
            continue
        listed.append(_Listed(number, line, *info))
        info = (None, None)
    return listed


_PLS_KEY = re.compile(r"(file|title|length)(\d+)")


def _parse_pls(lines: list[str], name: str) -> tuple[list[_Listed], list[Unresolved]]:
    files: dict[int, tuple[int, str]] = {}
    titles: dict[int, str] = {}
    lengths: dict[int, str] = {}
    duplicates: list[Unresolved] = []
    section: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line[0] in ";#":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        key, equals, value = line.partition("=")
        match = _PLS_KEY.fullmatch(key.strip().lower())
        # NumberOfEntries and Version are often wrong in real files; FileN lines are the truth.
        if section != "playlist" or not equals or match is None:
            continue
        kind, index = match[1], int(match[2])
        if kind == "file":
            if index in files:
                duplicates.append(
                    Unresolved(
                        number,
                        line,
                        f"File{index} is listed twice; the first one is used",
                        f"File{index} 出现了两次，只使用第一个",
                    )
                )
            else:
                files[index] = (number, value.strip())
        elif kind == "title":
            titles.setdefault(index, value)
        else:
            lengths.setdefault(index, value)
    if section is None:
        raise PlaylistError(
            f"“{name}” is not a PLS playlist: the [playlist] section is missing",
            f"“{name}” 不是 PLS 播放列表：缺少 [playlist] 段",
        )
    listed = [
        _Listed(number, text, _title(titles.get(i, "")), _duration(lengths.get(i, "")))
        for i, (number, text) in sorted(files.items())
    ]
    return listed, duplicates


# ------------------------------------------------------------------------------------ import


def read_playlist(
    path: Path,
    *,
    music_dirs: Sequence[Path],
    drive_roots: Mapping[str, Path] | None = None,
    name: str | None = None,
    base: Path | None = None,
) -> Imported:
    """Read an M3U, M3U8 or PLS playlist and resolve its entries to files in ``music_dirs``.

    ``drive_roots`` maps Windows drive letters (``{"D:": Path("/srv/music")}``, any case) to
    folders here. The extension picks the format, unless the content plainly is the other one
    (a PLS saved as .m3u). Raises ``PlaylistError`` if the file cannot be read as a playlist;
    entries that do not resolve are returned in ``unresolved``. A bad ``drive_roots`` key
    raises ``ValueError``. ``name`` is the file's name in messages (an upload's own name, not
    the temporary file's); relative entries resolve from ``base`` (default: the file's folder).
    """
    name = name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise PlaylistError(
            f"“{name}” is not a playlist file: use .m3u, .m3u8 or .pls",
            f"“{name}” 不是播放列表文件：请使用 .m3u、.m3u8 或 .pls 文件",
        )
    resolver = Resolver(base or path.absolute().parent, music_dirs, drive_roots or {})
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise PlaylistError(
            f"could not read “{name}”: {reason}", f"无法读取“{name}”：{reason}"
        ) from None
    if len(data) > MAX_BYTES:
        raise PlaylistError(
            f"“{name}” is larger than {MAX_BYTES // 2**20} MB, too big for a playlist; check it is the right file",
            f"“{name}” 超过 {MAX_BYTES // 2**20} MB，不像播放列表，请确认选择了正确的文件",
        )
    # .m3u8 is UTF-8 by definition, but real tools write GBK into it anyway: detect for all.
    try:
        text, encoding = decode(data)
    except PlaylistError as error:
        raise PlaylistError(f"“{name}”: {error.message}", f"“{name}”：{error.message_zh}") from None
    lines = _LINE_BREAK.split(text.lstrip("\ufeff").rstrip("\x1a"))
    if not text.strip():
        raise PlaylistError(f"“{name}” is empty", f"“{name}” 是空文件")

    first = next((line.strip() for line in lines if line.strip()), "")
    is_pls = first.lower() == "[playlist]" or (
        suffix == ".pls" and not first.upper().startswith("#EXTM3U")
    )
    unresolved: list[Unresolved] = []
    if is_pls:
        listed, unresolved = _parse_pls(lines, name)
    else:
        listed = _parse_m3u(lines)
    if not listed:
        raise PlaylistError(f"“{name}” lists no tracks", f"“{name}” 中没有任何曲目")

    entries: list[Entry] = []
    for item in listed:
        try:
            found = resolver.resolve(item.text)
        except Skip as skip:
            unresolved.append(Unresolved(item.line, item.text, skip.reason, skip.reason_zh))
        except (OSError, ValueError) as error:  # a name the system refuses (too long, …)
            unresolved.append(
                Unresolved(
                    item.line,
                    item.text,
                    f"cannot use this path: {error}",
                    f"无法使用此路径：{error}",
                )
            )
        else:
            entries.append(Entry(found, item.title, item.duration_s, item.line))
    unresolved.sort(key=lambda u: u.line)
    return Imported(tuple(entries), tuple(unresolved), encoding)


# ------------------------------------------------------------------------------------ export


def _clean_title(title: str) -> str:
    # A newline in a title must not start a line of its own (an entry or a directive).
    kept = "".join(
        " " if _is_control(c) or unicodedata.category(c) in ("Zl", "Zp") else c for c in title
    )
    return " ".join(kept.split())


def _seconds(duration: float | None) -> str:
    if duration is None or not math.isfinite(duration) or duration < 0:
        return "-1"
    if duration.is_integer():
        return str(int(duration))
    return f"{duration:.3f}".rstrip("0").rstrip(".")


def _written(path: Path, relative_to: Path | None) -> str:
    absolute = path.absolute()
    text = absolute.as_posix()
    if relative_to is not None:
        for base in (relative_to.absolute(), Path(os.path.realpath(relative_to))):
            if absolute.is_relative_to(base) and absolute != base:
                text = absolute.relative_to(base).as_posix()
                break
    plain = (
        text == text.strip()
        and text[:1] not in "\"'#"
        and text[:5].lower() != "file:"
        and "\\" not in text
        and re.match(r"[A-Za-z]:", text) is None
        and URL.match(text) is None
        and not any(_is_control(c) or unicodedata.category(c) in ("Zl", "Zp") for c in text)
    )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a name that is not UTF-8 on disk
        plain = False
    # What cannot be written plainly is written as a percent-encoded file:// URL, which
    # read_playlist decodes back to the same name.
    return text if plain else absolute.as_uri()


def export_m3u8(entries: Sequence[Entry | Path], *, relative_to: Path | None = None) -> str:
    """An M3U8 playlist of ``entries``: ``#EXTM3U``, an ``#EXTINF`` line for each entry whose
    title or duration is known (duration -1 when unknown), paths relative to ``relative_to``
    when they lie under it, POSIX separators, ``\\n`` line ends. Write it as UTF-8."""
    lines = ["#EXTM3U"]
    for item in entries:
        path = item.path if isinstance(item, Entry) else item
        if isinstance(item, Entry) and (item.title is not None or item.duration_s is not None):
            lines.append(f"#EXTINF:{_seconds(item.duration_s)},{_clean_title(item.title or '')}")
        lines.append(_written(path, relative_to))
    return "\n".join(lines) + "\n"

"""Where a playlist entry points: a real file inside the music folders, or the reason it does
not (in English and Chinese). Windows paths (backslashes, drive letters mapped through
``library.drive_roots``, case that does not match the disk), ``file://`` URLs and relative paths
are handled; streams, network shares and anything outside the music folders are refused."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from playlists.names import display_name, is_utf8, readable

URL = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]+)://")  # one-letter "schemes" are drive letters
_DRIVE = re.compile(r"([A-Za-z]):/*(.*)", re.DOTALL)


class Skip(Exception):
    """The entry does not lead to a playable file inside the music folders; says why."""

    def __init__(self, reason: str, reason_zh: str) -> None:
        reason, reason_zh = readable(reason), readable(reason_zh)  # a path with legacy bytes
        super().__init__(reason)
        self.reason, self.reason_zh = reason, reason_zh


def _drive_letter(key: str) -> str:
    letter = key.strip().rstrip(":\\/")
    if len(letter) != 1 or not letter.isalpha():
        raise ValueError(f"library.drive_roots: {key!r} is not a drive letter such as 'D:'")
    return letter.upper()


def _fold(name: str) -> str:
    # Windows ignores case; macOS stores names decomposed: compare both ways alike.
    return unicodedata.normalize("NFC", name).casefold()


class Resolver:
    """Turns one written entry into a real file inside the music folders, or says why not."""

    def __init__(
        self, base: Path, music_dirs: Sequence[Path], drive_roots: Mapping[str, Path]
    ) -> None:
        self._base = base
        self._roots = [Path(os.path.realpath(d)) for d in music_dirs]
        self._drives = {_drive_letter(k): Path(v).absolute() for k, v in drive_roots.items()}
        self._listings: dict[Path, dict[str, list[str]]] = {}

    def resolve(self, written: str) -> Path:
        """1. strip whitespace and quotes; 2. decode ``file://`` URLs, refuse other URLs;
        3. backslashes to slashes; refuse UNC shares; 4. map drive letters through the drive
        roots; 5. relative paths from the playlist's folder; 6. refuse paths outside the music
        folders before touching the disk; 7. find the file, exactly or ignoring case;
        8. check the real path (symlinks resolved) is still inside the music folders."""
        text = written.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1].strip()
        if not text:
            raise Skip("the entry is empty", "条目为空")
        if text[:5].lower() == "file:":
            text = self._from_file_url(text)
        elif url := URL.match(text):
            raise Skip(
                f"streams are not supported ({url[1].lower()}://); only files in the music folders can be imported",
                f"不支持网络流（{url[1].lower()}://），只能导入音乐文件夹中的文件",
            )
        else:
            text = text.replace("\\", "/")
        if "\0" in text:
            raise Skip("the path contains a NUL character", "路径中含有 NUL 字符")
        if text.startswith("//"):
            raise Skip(
                "network share paths (\\\\server\\share) are not supported; copy the files into a music folder",
                "不支持网络共享路径（\\\\服务器\\共享），请把文件复制到音乐文件夹",
            )
        if drive := _DRIVE.fullmatch(text):
            letter = drive[1].upper()
            if letter not in self._drives:
                raise Skip(
                    f"drive {letter}: is not mapped; add it to the setting library.drive_roots",
                    f"盘符 {letter}: 未映射，请在设置 library.drive_roots 中添加",
                )
            candidate = self._drives[letter] / drive[2]
        else:
            candidate = self._base / text  # an absolute path replaces the base
        self._check_inside(candidate, ignoring_case=True)
        found = candidate if os.path.isfile(candidate) else self._match_ignoring_case(candidate)
        if found is None:
            reason = "is a folder, not a track" if os.path.isdir(candidate) else "file not found"
            zh = "是文件夹，不是曲目" if os.path.isdir(candidate) else "找不到文件"
            raise Skip(f"{reason}: {candidate}", f"{zh}：{candidate}")
        return self._check_inside(found)

    def _from_file_url(self, text: str) -> str:
        # Windows tools write file:///D:\Music\a.mp3; a %5C stays a backslash in the name.
        parts = urlsplit(text.replace("\\", "/"))
        if parts.netloc not in ("", "localhost"):
            raise Skip(
                f"files on another computer ({parts.netloc}) are not supported; copy them into a music folder",
                f"不支持其他电脑上的文件（{parts.netloc}），请把文件复制到音乐文件夹",
            )
        raw = unquote_to_bytes(parts.path)
        try:
            path = raw.decode("utf-8")
        except UnicodeDecodeError:
            path = os.fsdecode(raw)  # the exact bytes of a name on this disk
        # file:///D:/Music/a.mp3 names drive D:
        return path[1:] if re.match(r"/[A-Za-z]:", path) else path

    def _check_inside(self, path: Path, *, ignoring_case: bool = False) -> Path:
        # Before the file is looked for, case is ignored (the walk may still fix it), so a path
        # plainly outside the music folders is refused unprobed; the found file is checked exactly.
        real = Path(os.path.realpath(path))
        if ignoring_case:
            inside = any(
                Path(_fold(str(real))).is_relative_to(_fold(str(root))) for root in self._roots
            )
        else:
            inside = any(real.is_relative_to(root) for root in self._roots)
        if not inside:
            raise Skip(
                f"outside the music folders: {path}",
                f"不在音乐文件夹内：{path}",
            )
        return real

    def _match_ignoring_case(self, path: Path) -> Path | None:
        """Walk the path a component at a time, taking the one entry of each folder whose name
        matches ignoring case (none or several: not found)."""
        current = Path(path.anchor)
        for part in path.parts[1:]:
            if part == ".." or os.path.lexists(current / part):
                current /= part
                continue
            matches = self._listing(current).get(_fold(part), [])
            if len(matches) != 1:
                return None
            current /= matches[0]
        return current if os.path.isfile(current) else None

    def _listing(self, folder: Path) -> dict[str, list[str]]:
        if folder not in self._listings:
            names: dict[str, list[str]] = {}
            try:
                for name in os.listdir(folder):
                    names.setdefault(_fold(name), []).append(name)
                    if not is_utf8(name):  # a GBK name on disk, listed in a GBK playlist
                        names.setdefault(_fold(display_name(name)), []).append(name)
            except OSError:
                pass
            self._listings[folder] = names
        return self._listings[folder]

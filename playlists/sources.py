"""Where the music bed's next track comes from: a fixed list, or a folder, played round and round.

Neither checks that files are playable: the bed pre-flights each track before it is due, skips
and logs the bad ones, so a missing or damaged file in a list costs no air time.
"""

from __future__ import annotations

from pathlib import Path

AUDIO_SUFFIXES = {".mp3", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".wav"}


class TrackList:
    """An explicit list of files, in order, cycled."""

    def __init__(self, paths: list[Path]) -> None:
        self._paths = list(paths)
        self._round: list[Path] = []
        self._next = 0

    @property
    def key(self) -> str:
        """Equal keys mean the same music: switching to it changes nothing."""
        return "\n".join(map(str, self._paths))

    def tracks(self) -> list[Path]:
        return list(self._paths)

    def next_track(self) -> Path | None:
        # The list is read once per round (a folder is scanned then, not before every track).
        if self._next >= len(self._round):
            self._round, self._next = self.tracks(), 0
        if not self._round:
            return None
        self._next += 1
        return self._round[self._next - 1]

    def size(self) -> int:
        return len(self.tracks())


class FolderPlaylist(TrackList):
    """Every audio file under a folder, sorted by path, cycled; files added during the day join
    at the next round."""

    def __init__(self, root: Path) -> None:
        super().__init__([])
        self._root = root

    @property
    def key(self) -> str:
        return str(self._root)

    def tracks(self) -> list[Path]:
        if not self._root.is_dir():
            return []
        return sorted(p for p in self._root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)

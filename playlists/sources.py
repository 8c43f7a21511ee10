"""Where the music bed's next track comes from: a playlist, in order or shuffled by a rotation.

A source does not check that files are playable: the bed pre-flights each track before it is
due, skips and logs the bad ones, so a missing or damaged file in a list costs no air time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from playlists.rotation import Rotation, Track

AUDIO_SUFFIXES = {".mp3", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".wav"}


@dataclass(frozen=True)
class Listed:
    """A track a playlist offers the bed."""

    path: Path
    title: str
    artist: str | None = None
    weight: float = 1.0
    duration_s: float = 0.0

    @property
    def key(self) -> str:
        return str(self.path)

    @property
    def display(self) -> str:
        """How the play log and the status name it: "artist - title", or the title alone."""
        return f"{self.artist} - {self.title}" if self.artist else self.title

    def for_rotation(self) -> Track:
        return Track(self.key, self.artist, self.duration_s, self.weight)


Loader = Callable[[], Sequence[Listed]]


class PlaylistSource:
    """A playlist as the bed sees it.

    ``load`` gives the tracks; it is called again once per round (so files added during the day
    join at the next round, and a folder is not listed before every track) and whenever
    ``version()`` changes (the library was rescanned). Without a ``rotation`` the tracks play
    in their order, round and round; with one, the rotation picks (shuffled, no repeat within
    its window, artists kept apart), and the bed tells it what really played via ``played``.
    """

    def __init__(
        self,
        key: str,
        load: Loader,
        *,
        rotation: Rotation | None = None,
        version: Callable[[], int] = lambda: 0,
    ) -> None:
        self._key, self._load, self._rotation, self._version = key, load, rotation, version
        self._pool: list[Listed] = []
        self._loaded_version: int | None = None
        self._next = 0  # in order: the index of the next track; shuffled: picks this round

    @property
    def key(self) -> str:
        """Equal keys mean the same music: switching to it changes nothing."""
        return self._key

    def next_track(self, now: datetime) -> Listed | None:
        if self._loaded_version != self._version() or self._next >= len(self._pool):
            self._pool, self._next = list(self._load()), 0
            self._loaded_version = self._version()
        if not self._pool:
            return None
        self._next += 1
        if self._rotation is None:
            return self._pool[self._next - 1]
        picked = self._rotation.pick([t.for_rotation() for t in self._pool], now)
        return next((t for t in self._pool if picked and t.key == picked.key), None)

    def played(self, track: Listed, at: datetime) -> None:
        """The bed started ``track`` at ``at`` (after its pre-flight passed)."""
        if self._rotation is not None:
            self._rotation.played(track.for_rotation(), at)

    def size(self) -> int:
        if self._loaded_version is None:
            self._pool = list(self._load())
            self._loaded_version = self._version()
        return len(self._pool)


def folder_tracks(root: Path) -> list[Listed]:
    """Every audio file under ``root`` (hidden ones aside), sorted by path, titled by file name."""
    if not root.is_dir():
        return []
    found = [
        p
        for p in root.rglob("*")
        if p.suffix.lower() in AUDIO_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return [Listed(p, p.stem) for p in sorted(found)]


def track_list(paths: Sequence[Path]) -> PlaylistSource:
    """An explicit list of files, in order, cycled."""
    listed = [Listed(Path(p), Path(p).stem) for p in paths]
    return PlaylistSource("\n".join(map(str, paths)), lambda: listed)


def folder_playlist(root: Path, *, rotation: Rotation | None = None) -> PlaylistSource:
    """Every audio file under a folder: in path order, or shuffled by ``rotation``."""
    return PlaylistSource(f"folder:{root}", lambda: folder_tracks(root), rotation=rotation)

"""Where the music bed's next track comes from: a playlist, in order or shuffled by a rotation.

A source does not check that files are playable: the bed pre-flights each track before it is
due, skips and logs the bad ones, so a missing or damaged file in a list costs no air time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from playlists.names import display_name
from playlists.rotation import Rotation, Track

AUDIO_SUFFIXES = {".mp3", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".wav",
                  # old broadcast PCs: Windows Media, Apple, Monkey's Audio, audiobooks, videos
                  ".wma", ".aif", ".aiff", ".ape", ".m4b", ".mp4"}  # fmt: skip


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
COOLDOWN = timedelta(minutes=5)  # a file that failed rests this long, then this doubled…
COOLDOWN_MAX = timedelta(minutes=40)  # …up to this, until it plays through or is rescanned


class SetAside:
    """Files that failed their check or their play, resting before they are tried again.

    A failure starts an *episode* (``failed`` answers True once: log it); further failures of
    the same file, after each rest, belong to the same episode and answer False, until the file
    plays through (``succeeded``). A rescan (``rescanned``) ends every rest, so a file put back
    is tried at once, without starting a new episode.
    """

    def __init__(self) -> None:
        self._until: dict[str, datetime] = {}
        self._rest: dict[str, timedelta] = {}

    def failed(self, key: str, at: datetime) -> bool:
        rest = self._rest.get(key)
        self._rest[key] = COOLDOWN if rest is None else min(COOLDOWN_MAX, rest * 2)
        self._until[key] = at + self._rest[key]
        return rest is None

    def succeeded(self, key: str) -> None:
        self._until.pop(key, None)
        self._rest.pop(key, None)

    def resting(self, key: str, now: datetime) -> bool:
        until = self._until.get(key)
        return until is not None and now < until

    def rescanned(self) -> None:
        self._until.clear()


class PlaylistSource:
    """A playlist as the bed sees it.

    ``load`` gives the tracks; it is called again once per round (so files added during the day
    join at the next round, and a folder is not listed before every track) and whenever
    ``version()`` changes (the library was rescanned). Without a ``rotation`` the tracks play
    in their order, round and round, and a reload carries on after the track last given; with
    one, the rotation picks (shuffled, no repeat within its window, artists kept apart), and
    the bed tells it what really played via ``played``. A track given but not started yet (the
    bed checks the next track while the current one starts) is not picked again meanwhile.

    A track that failed (``failed``) is set aside (``SetAside``) and skipped while it rests.
    When nothing in the playlist can be played, the tracks come from ``fallback`` (the whole
    library) and ``fault`` says so; when that has nothing either, ``next_track`` gives None.
    """

    def __init__(
        self,
        key: str,
        load: Loader,
        *,
        rotation: Rotation | None = None,
        version: Callable[[], int] = lambda: 0,
        aside: SetAside | None = None,
        fallback: Callable[[], PlaylistSource] | None = None,
    ) -> None:
        self._key, self._load, self._rotation, self._version = key, load, rotation, version
        self._aside = aside or SetAside()
        self._fallback_factory = fallback
        self._fallback: PlaylistSource | None = None
        self._pool: list[Listed] = []
        self._loaded_version: int | None = None
        self._next = 0  # in order: the index of the next track; shuffled: picks this round
        self._last: str | None = None  # in order: the key of the track last given
        self._given: deque[str] = deque(maxlen=2)  # given to the bed, not started yet
        self.fault: str | None = None  # what the bed's status should say, if anything

    @property
    def key(self) -> str:
        """Equal keys mean the same music: switching to it changes nothing."""
        return self._key

    def next_track(self, now: datetime) -> Listed | None:
        if self._loaded_version != self._version() or self._next >= len(self._pool):
            self._reload()
        track = self._own_next(now)
        if track is not None:
            self.fault = None
            return track
        fallback = self._fallback_source()
        track = fallback.next_track(now) if fallback is not None else None
        if track is not None:
            self.fault = (
                "no playable music in this playlist: playing the whole library instead / "
                "此播放列表没有可播放的音乐：改为播放整个音乐库"
            )
        elif self._pool:
            self.fault = (
                "no playable music: every track failed its check / "
                "没有可播放的音乐：所有曲目都未通过检查"
            )
        else:
            self.fault = (
                "no music: the playlist has no audio files / 没有音乐：播放列表中没有音频文件"
            )
        return track

    def played(self, track: Listed, at: datetime) -> None:
        """The bed started ``track`` at ``at`` (after its pre-flight passed)."""
        if track.key in self._given:
            self._given.remove(track.key)
        if self._rotation is not None:
            self._rotation.played(track.for_rotation(), at)
            if self._fallback is not None and track.key in self._fallback._given:
                self._fallback._given.remove(track.key)  # it shares this rotation
        elif self._fallback is not None:
            self._fallback.played(track, at)

    def failed(self, track: Listed, at: datetime) -> bool:
        """``track`` failed its check or its play: set it aside. True when this starts a
        failure episode (the bed logs it then, and not again until the file plays through)."""
        if track.key in self._given:
            self._given.remove(track.key)
        return self._aside.failed(track.key, at)

    def succeeded(self, track: Listed) -> None:
        """``track`` played through: a later failure is a new episode."""
        self._aside.succeeded(track.key)

    def _reload(self) -> None:
        if self._loaded_version is not None and self._loaded_version != self._version():
            self._aside.rescanned()
        self._pool, self._next = list(self._load()), 0
        self._loaded_version = self._version()
        if self._rotation is None and self._last is not None and self._pool:
            keys = [t.key for t in self._pool]
            if self._last in keys:  # carry on after the track last given, not from the top
                self._next = (keys.index(self._last) + 1) % len(self._pool)

    def _own_next(self, now: datetime) -> Listed | None:
        if not self._pool:
            return None
        if self._rotation is None:
            for _ in range(len(self._pool)):
                if self._next >= len(self._pool):
                    self._next = 0
                track = self._pool[self._next]
                self._next += 1
                if not self._aside.resting(track.key, now):
                    self._last = track.key
                    return self._give(track)
            return None
        ready = [t for t in self._pool if not self._aside.resting(t.key, now)]
        fresh = [t for t in ready if t.key not in self._given] or ready
        if not fresh:
            return None
        self._next += 1
        picked = self._rotation.pick([t.for_rotation() for t in fresh], now)
        return self._give(next((t for t in fresh if picked and t.key == picked.key), fresh[0]))

    def _give(self, track: Listed) -> Listed:
        self._given.append(track.key)
        return track

    def _fallback_source(self) -> PlaylistSource | None:
        if self._fallback is None and self._fallback_factory is not None:
            self._fallback = self._fallback_factory()
            if self._fallback.key == self._key:
                self._fallback = None  # the whole library has no fallback of its own
        return self._fallback


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
    return [Listed(p, display_name(p.stem)) for p in sorted(found)]


def track_list(paths: Sequence[Path]) -> PlaylistSource:
    """An explicit list of files, in order, cycled."""
    listed = [Listed(Path(p), display_name(Path(p).stem)) for p in paths]
    return PlaylistSource("\n".join(map(str, paths)), lambda: listed)


def folder_playlist(root: Path, *, rotation: Rotation | None = None) -> PlaylistSource:
    """Every audio file under a folder: in path order, or shuffled by ``rotation``."""
    return PlaylistSource(f"folder:{root}", lambda: folder_tracks(root), rotation=rotation)

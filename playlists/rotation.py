"""Which background-music track plays next: a shuffle that keeps songs and artists apart.

Pure and deterministic for a given seed: no I/O, no clock of its own. The caller passes `now`
to `Rotation.pick` and tells the rotation with `Rotation.played` when a track really starts, so a
track that failed its pre-flight never counts as heard.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Track:
    """One track the rotation may choose.

    `key` is a stable id (the file path will do); `weight` makes a track more or less likely,
    and 0 keeps it off air unless no track with a positive weight is left in the pool.
    """

    key: str
    artist: str | None = None
    duration_s: float = 0.0
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.weight) or self.weight < 0:
            raise ValueError(
                f"Track {self.key!r} has weight {self.weight}; "
                "use 0 or more (0 keeps the track off air, 1 is normal, 2 plays it twice as often)."
            )
        if not math.isfinite(self.duration_s) or self.duration_s < 0:
            raise ValueError(
                f"Track {self.key!r} has duration {self.duration_s} s; "
                "a duration is 0 or more seconds."
            )


@dataclass(frozen=True)
class RotationRules:
    """How long a song rests before it may play again, and how far apart one artist's songs stay.

    A zero interval switches that rule off.
    """

    no_repeat: timedelta = timedelta(hours=3)
    artist_apart: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        for name, hint in (
            ("no_repeat", "how long a song must rest before it may play again"),
            ("artist_apart", "how long to keep songs by the same artist apart"),
        ):
            value = getattr(self, name)
            if not isinstance(value, timedelta):
                raise ValueError(f"Rotation rule {name} must be a time interval, not {value!r}.")
            if value < timedelta(0):
                raise ValueError(
                    f"Rotation rule {name} is {value}, which is negative; "
                    f"set {hint} to zero or more (zero switches the rule off)."
                )


@dataclass(frozen=True)
class Played:
    """A track that went on air at `at`."""

    key: str
    artist: str | None
    at: datetime


def same_artist_key(artist: str | None) -> str | None:
    """The form artists are compared in: case and surrounding or repeated spaces do not count.

    A blank name means an unknown artist, which is never kept apart from anyone.
    """
    if artist is None:
        return None
    folded = " ".join(artist.split()).casefold()
    return folded or None


class Rotation:
    """Picks the next background-music track from a pool.

    The history it keeps is pruned to what the rules can still look at, so it stays bounded over
    days of play; pass `history` (for instance from the play log) to carry on after a restart
    without replaying the last songs.
    """

    def __init__(
        self,
        rules: RotationRules = RotationRules(),  # frozen, so one shared default is safe
        *,
        seed: int | None = None,
        history: Iterable[Played] = (),
    ) -> None:
        self._rules = rules
        self._random = random.Random(seed)
        # Time-ordered plays still inside the longest rule's reach, plus always the latest one.
        self._log: deque[Played] = deque()
        # Latest play per track key and per artist, for O(1) look-ups while picking.
        self._last_by_key: dict[str, datetime] = {}
        self._last_by_artist: dict[str, datetime] = {}
        for entry in sorted(history, key=lambda p: p.at):
            self._record(entry)
        self._prune()

    @property
    def rules(self) -> RotationRules:
        return self._rules

    @property
    def history(self) -> tuple[Played, ...]:
        """The plays the rules still need, oldest first."""
        return tuple(self._log)

    def played(self, track: Track, at: datetime) -> None:
        """Record that `track` went on air at `at`; call it when the track really starts."""
        self._record(Played(key=track.key, artist=track.artist, at=at))
        self._prune()

    def pick(self, pool: Sequence[Track], now: datetime) -> Track | None:
        """Choose the next track from `pool` at `now`; None only when the pool is empty.

        Tracks weighing 0 take part only when every track in the pool weighs 0. Then:
        1. Eligible: tracks not played within `no_repeat` of `now` whose artist (compared without
           regard to case or spacing) was not played within `artist_apart`. While a window is set
           the track that just played counts as inside it, however long it ran, so a window no
           longer than a song cannot put that song twice in a row.
        2. If none, relax the artist rule as little as possible: among tracks not played within
           `no_repeat`, keep those whose artist was heard longest ago.
        3. If still none (the pool is smaller than the window can hold), take the least recently
           played track(s), leaving out the track that just played when there is another, and
           preferring an artist other than the last track's when there is one.
        4. Choose among the candidates at random in proportion to their weights (uniformly when
           they all weigh 0), from the rotation's seeded generator.

        Costs O(len(pool)); `now` is not recorded as a play, call `played` for that.
        """
        if not pool:
            return None
        weighted = [t for t in pool if t.weight > 0]
        tracks: Sequence[Track] = weighted or pool
        just_played = self._log[-1].key if self._log and self._rules.no_repeat else None
        rested = [t for t in tracks if t.key != just_played and self._rested(t.key, now)]
        candidates = [t for t in rested if self._artist_rested(t.artist, now)]
        if not candidates and rested:
            candidates = self._longest_unheard_artist(rested)
        if not candidates:
            candidates = self._least_recently_played(tracks)
        return self._weighted_choice(candidates)

    # -- choosing --------------------------------------------------------------------------

    def _rested(self, key: str, now: datetime) -> bool:
        last = self._last_by_key.get(key)
        return last is None or now - last >= self._rules.no_repeat

    def _artist_rested(self, artist: str | None, now: datetime) -> bool:
        name = same_artist_key(artist)
        if name is None:
            return True
        last = self._last_by_artist.get(name)
        return last is None or now - last >= self._rules.artist_apart

    def _longest_unheard_artist(self, tracks: list[Track]) -> list[Track]:
        # Only called when every track's artist is known and was heard inside the window.
        def heard(track: Track) -> datetime:
            return self._last_by_artist[same_artist_key(track.artist) or ""]

        oldest = min(heard(t) for t in tracks)
        return [t for t in tracks if heard(t) == oldest]

    def _least_recently_played(self, tracks: Sequence[Track]) -> list[Track]:
        candidates = list(tracks)
        last = self._log[-1] if self._log else None
        if last is not None:
            others = [t for t in candidates if t.key != last.key]
            if others:
                candidates = others
            last_artist = same_artist_key(last.artist)
            if last_artist is not None:
                apart = [t for t in candidates if same_artist_key(t.artist) != last_artist]
                if apart:
                    candidates = apart

        # Never played (or forgotten) sorts first; then the oldest play.
        def age(track: Track) -> tuple[int, datetime | None]:
            at = self._last_by_key.get(track.key)
            return (0, None) if at is None else (1, at)

        ages = [age(t) for t in candidates]
        if any(a[0] == 0 for a in ages):
            return [t for t, a in zip(candidates, ages, strict=True) if a[0] == 0]
        oldest = min(a[1] for a in ages if a[1] is not None)
        return [t for t, a in zip(candidates, ages, strict=True) if a[1] == oldest]

    def _weighted_choice(self, candidates: list[Track]) -> Track:
        weights = [t.weight for t in candidates]
        if sum(weights) <= 0:
            return self._random.choice(candidates)
        return self._random.choices(candidates, weights=weights, k=1)[0]

    # -- remembering -----------------------------------------------------------------------

    def _record(self, entry: Played) -> None:
        if not self._log or entry.at >= self._log[-1].at:
            self._log.append(entry)
        else:  # a late report; rare, so the linear insert is fine
            index = bisect.bisect_right(self._log, entry.at, key=lambda p: p.at)
            self._log.insert(index, entry)
        _keep_latest(self._last_by_key, entry.key, entry.at)
        artist = same_artist_key(entry.artist)
        if artist is not None:
            _keep_latest(self._last_by_artist, artist, entry.at)

    def _prune(self) -> None:
        """Forget plays no rule can see any more, keeping the latest so a track never follows
        itself."""
        if not self._log:
            return
        reach = max(self._rules.no_repeat, self._rules.artist_apart)
        cutoff = self._log[-1].at - reach
        while len(self._log) > 1 and self._log[0].at < cutoff:
            old = self._log.popleft()
            # Everything left is at or after the cutoff, so an equal time means no later play.
            if self._last_by_key.get(old.key) == old.at:
                del self._last_by_key[old.key]
            artist = same_artist_key(old.artist)
            if artist is not None and self._last_by_artist.get(artist) == old.at:
                del self._last_by_artist[artist]


def _keep_latest(latest: dict[str, datetime], name: str, at: datetime) -> None:
    known = latest.get(name)
    if known is None or at > known:
        latest[name] = at

"""One layer of the VLC output: a long-lived libvlc MediaPlayer, the item it plays and its
volume. Owned by ``vlc_output`` and used only on its engine thread (these are libvlc calls)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadcaster.audio.output import FadeShape, db_to_vlc_volume, fade_db
from broadcaster.audio.vlc_setup import new_media, vlc

StateCallback = Callable[[Any, str, int], None]  # (libvlc event, layer, token): only enqueues


@dataclass
class Item:
    token: int
    path: Path
    start_ms: int
    media: Any = None
    events: Any = None  # python-vlc's EventManager must outlive the attached callback
    started: bool = False  # STARTED was sent
    playing_at: float | None = None  # monotonic time VLC reported Playing
    anchor: tuple[float, int] = (0.0, 0)  # (monotonic, position ms) positions run on from
    length_ms: int = 0
    end_due: float | None = None  # EndReached seen; ENDED goes out at this monotonic time
    stats_at: float = 0.0
    counts: tuple[int, int] = (0, 0)  # decoded, played audio buffers at the last check


@dataclass
class Fade:
    token: int
    from_db: float
    to_db: float
    t0: float
    seconds: float
    shape: FadeShape = FadeShape.DB

    def at(self, now: float) -> float:
        return fade_db(self.from_db, self.to_db, (now - self.t0) / self.seconds, self.shape)


@dataclass
class Layer:
    player: Any
    item: Item | None = None
    volume_db: float = 0.0  # what VLC plays now (mid-fade value during a fade)
    applied: int = -1  # the VLC volume last set
    fade: Fade | None = None
    retired: list[Item] = field(default_factory=list)  # silenced by ``hush``, not yet released
    on_silence: Callable[[], None] = lambda: None  # the engine's ``hushed``

    def set_volume(self, volume_db: float, force: bool = False) -> None:
        self.volume_db = volume_db
        volume = db_to_vlc_volume(volume_db)  # 0..~158: above 100 VLC amplifies
        if force or volume != self.applied:
            ok = self.player.audio_set_volume(volume) == 0  # -1: the player has no audio output
            self.applied = volume if ok else -1

    def load(
        self, instance: Any, item: Item, volume_db: float, on_state: StateCallback, name: str
    ) -> bool:
        """Play ``item`` (its media made here) from ``item.start_ms`` at ``volume_db``; libvlc's
        state changes go to ``on_state`` with the layer's name and the item's token. False when
        VLC refuses to play."""
        item.media = new_media(instance, item.path)
        if item.start_ms > 0:
            item.media.add_option(f":start-time={item.start_ms / 1000:.3f}")
        item.events = item.media.event_manager()
        item.events.event_attach(vlc.EventType.MediaStateChanged, on_state, name, item.token)
        self.item = item
        self.set_volume(volume_db, force=True)  # before it starts
        self.player.set_media(item.media)
        return bool(self.player.play() != -1)

    def drop(self) -> None:
        """Stop the player and release its media; no event follows.

        ``set_media(None)`` stops the input like ``stop()`` but keeps the player's audio output:
        libvlc 3's ``stop()`` also destroys it, and the volume set for the next item then has no
        output to go to (``audio_set_volume`` returns -1), so that item would start at 100
        (0 dB) whatever ``play`` asked for (measured with pulse)."""
        item, self.item, self.fade = self.item, None, None
        retired, self.retired = self.retired, []
        gone = [*retired, *([item] if item is not None else [])]
        if gone:
            self.player.set_media(None)
        for old in gone:
            release_item(old)

    def hush(self) -> None:
        """Silent at once, released later (``settle``): muting and pausing are requests that
        return in microseconds, while stopping the input joins its threads (0.5–25 ms
        measured), which would hold up the commands behind it (an emergency's alert in the
        same burst). No event follows."""
        item, self.item, self.fade = self.item, None, None
        if item is not None:
            self._silence()
            self.retired.append(item)

    def settle(self) -> None:
        """Release what ``hush`` silenced (the player stays, with its audio output)."""
        if self.retired and self.item is None:
            self.drop()

    def take_over(
        self, player: Any, item: Item, volume_db: float, on_state: StateCallback, name: str
    ) -> tuple[Any, list[Item]]:
        """Take ``item``, whose media ``player`` holds paused at its first sample (an armed
        file, ``vlc_armed``), to play with one unpause (``unpause``, which the engine runs
        after the batch). ``player`` becomes the layer's; its old one is returned, silenced,
        with the items it still holds (the caller releases them)."""
        if self.item is not None:
            self._silence()
        old = (self.player, [*self.retired, *([self.item] if self.item is not None else [])])
        self.player, self.applied, self.retired, self.fade = player, -1, [], None
        item.events = item.media.event_manager()
        item.events.event_attach(vlc.EventType.MediaStateChanged, on_state, name, item.token)
        self.item = item
        self.set_volume(volume_db, force=True)
        return old

    def unpause(self, item: Item) -> None:
        """Start ``item`` taken over (``take_over``), unless something replaced it since."""
        if self.item is item:
            self.player.set_pause(0)

    def _silence(self) -> None:
        self.player.audio_set_volume(0)
        self.applied = 0
        self.player.set_pause(1)
        self.on_silence()

    def renew(self, instance: Any) -> None:
        """Drop the item and replace the player: libvlc opens the audio output afresh."""
        self.drop()
        self.player.release()
        self.player, self.applied = instance.media_player_new(), -1

    def has_audio(self) -> bool:
        return bool(self.player.audio_get_track_count() > 0)


def release_item(item: Item) -> None:
    """Let go of an item's events and media (its player no longer plays it)."""
    item.events.event_detach(vlc.EventType.MediaStateChanged)
    item.media.release()

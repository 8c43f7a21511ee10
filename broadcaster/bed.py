"""The music bed: background music that runs all day under everything but an emergency.

The bed lives on the core thread. It keeps the next track pre-flighted so a bad file is skipped
before it is due, plays tracks one after another, follows the arbiter's mode (playing, ducked,
stopped) and, after an emergency, resumes the same track where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from broadcaster.arbiter import BedMode
from broadcaster.audio.output import (
    AudioOutput,
    MediaError,
    MediaInfo,
    OutputEvent,
    OutputEventKind,
)
from broadcaster.clock import Clock
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.settings import AudioSettings

LAYER = "bed"
RESUME_FROM_DB = -40.0  # a resumed track fades in from here
RETRY_AFTER = timedelta(seconds=10)  # when no track in the pool is playable


class MusicSource(Protocol):
    @property
    def key(self) -> str: ...

    def next_track(self) -> Path | None: ...

    def size(self) -> int: ...


@dataclass(frozen=True)
class Song:
    """A file the programme plays on the bed itself (welcome music, farewell song)."""

    path: Path
    title: str
    requested_by: str
    planned_at: datetime | None = None
    cue_key: str | None = None
    expires_at: datetime | None = None


@dataclass
class _Track:
    info: MediaInfo
    token: int
    start_ms: int
    song: Song | None = None  # set when the programme asked for this file
    row_id: int | None = None
    started_at: datetime | None = None

    @property
    def title(self) -> str:
        return self.song.title if self.song else self.info.path.stem


class Bed:
    """Plays the music source on the ``bed`` layer under the arbiter's mode."""

    def __init__(
        self,
        *,
        output: AudioOutput,
        playlog: PlayLog,
        clock: Clock,
        source: MusicSource,
        audio: AudioSettings,
        new_token: Callable[[], int],
        post: Callable[[Callable[[], None]], None],
        schedule: Callable[[datetime, Callable[[], None]], None],
        changed: Callable[[str, dict[str, object]], None],
        track_ended: Callable[[], None],
    ) -> None:
        self._output, self._log, self._clock, self._source = output, playlog, clock, source
        self._audio = audio
        self._new_token, self._post, self._schedule = new_token, post, schedule
        self._changed, self._track_ended = changed, track_ended
        self.mode = BedMode.PLAYING
        self.current: _Track | None = None
        self._prepared: MediaInfo | None = None
        self._resume: tuple[MediaInfo, int, Song | None] | None = None  # after an emergency
        self._songs: list[tuple[MediaInfo, Song]] = []  # programme songs, before the playlist
        self._generation = 0  # a preflight from a playlist that was replaced is ignored
        self._preflighting = False
        self._failures = 0
        self.fault: str | None = None
        self.running = False

    # -- commands from the core ----------------------------------------------------------
    def start(self) -> None:
        self.running = True
        self._ensure_playing()

    def stop(self) -> None:
        self.running = False
        self._take_off_air(Outcome.CANCELLED, "daemon stopped")

    def set_source(self, source: MusicSource, cut: bool) -> None:
        """Take the next tracks from ``source``: after the current track, or now if ``cut``.
        Switching to the music already playing (two dayparts on one playlist) changes nothing."""
        if source.key == self._source.key:
            return
        self._source = source
        self._prepared = None
        self._generation += 1
        self._preflighting = False
        self._failures = 0
        self._changed("bed_source", {"cut": cut})
        if cut:
            self._resume = None  # after an emergency, too, the new playlist starts afresh
            if self.current is not None:
                self._take_off_air(Outcome.PREEMPTED, "cut for a playlist change", keep=False)
        if self.current is None:
            self._ensure_playing()
        else:
            self._prepare_next()

    def queue_song(self, song: Song, cut: bool) -> None:
        """Check ``song`` now; play it at its planned instant if ``cut``, else after the track."""

        def done(result: MediaInfo | MediaError) -> None:
            self._post(lambda: self._song_checked(song, cut, result))

        self._output.preflight(song.path, done)

    def _song_checked(self, song: Song, cut: bool, result: MediaInfo | MediaError) -> None:
        if isinstance(result, MediaError):
            self._record_failure(song.path, f"song not played: {result}", song)
            return
        self._songs.append((result, song))
        now = self._clock.now()
        if cut:
            at = song.planned_at if song.planned_at and song.planned_at > now else now
            self._schedule(at, lambda: self._cut_to_song(song))
        elif self.current is None:
            self._ensure_playing()

    def _cut_to_song(self, song: Song) -> None:
        if not any(queued is song for _, queued in self._songs):
            return  # already played after the previous track
        if self.current is not None and self.mode is not BedMode.STOPPED:
            self._take_off_air(Outcome.PREEMPTED, f"cut for {song.title}", keep=False)
        self._ensure_playing()

    def target_db(self) -> float:
        return self._audio.duck_db if self.mode is BedMode.DUCKED else 0.0

    def set_mode(self, mode: BedMode) -> None:
        if mode is self.mode:
            return
        previous, self.mode = self.mode, mode
        if mode is BedMode.STOPPED:
            self._take_off_air(Outcome.PREEMPTED, "stopped for an emergency")
        elif previous is BedMode.STOPPED:
            self._ensure_playing()
        elif self.current is not None:
            ducking = mode is BedMode.DUCKED
            fade = self._audio.duck_fade_ms if ducking else self._audio.restore_fade_ms
            self._output.set_volume(LAYER, self.target_db(), fade)
        self._changed("bed_mode", {"mode": mode.value, "volume_db": self.target_db()})

    # -- what the output tells -----------------------------------------------------------
    def on_event(self, event: OutputEvent) -> None:
        track = self.current
        if track is None or event.token != track.token:
            return  # a late event from a track already replaced
        if event.kind is OutputEventKind.STARTED:
            track.started_at = event.at
            song = track.song
            track.row_id = self._log.open(
                layer=LAYER, kind="music", title=track.title, media_path=str(track.info.path),
                requested_by=song.requested_by if song else "music bed",
                requested_at=event.at, started_at=event.at,
                planned_at=song.planned_at if song else None,
                cue_key=song.cue_key if song else None,
                detail=f"resumed at {track.start_ms // 1000} s" if track.start_ms else "",
            )  # fmt: skip
            self._failures = 0
            self.fault = None
            self._changed("bed_track", {"title": track.title, "token": track.token})
        elif event.kind is OutputEventKind.FADED:
            self._changed("bed_faded", {"volume_db": self.target_db(), "at": event.at.isoformat()})
        elif event.kind is OutputEventKind.ENDED:
            expected = track.info.duration_ms - track.start_ms
            played = (event.at - (track.started_at or event.at)).total_seconds() * 1000
            if expected > 2000 and played < expected / 2:
                self._finish(Outcome.FAILED, event.at, f"ended after {played:.0f} ms of {expected}")
            else:
                self._finish(Outcome.COMPLETED, event.at, "")
        elif event.kind is OutputEventKind.FAILED:
            self._finish(Outcome.FAILED, event.at, event.detail or "the player reported an error")

    # -- internals -----------------------------------------------------------------------
    def _finish(self, outcome: Outcome, at: datetime, detail: str) -> None:
        track = self.current
        assert track is not None
        if track.row_id is not None:
            self._log.close(track.row_id, ended_at=at, outcome=outcome, detail=detail)
        else:
            self._record_failure(track.info.path, detail, track.song)
        if outcome is Outcome.FAILED:
            self._failures += 1
        self.current = None
        self._track_ended()
        self._ensure_playing()

    def _take_off_air(self, outcome: Outcome, detail: str, keep: bool = True) -> None:
        """Stop the current track; with ``keep`` it resumes from here when the bed restarts."""
        track = self.current
        if track is None:
            return
        position = self._output.layer_state(LAYER).position_ms
        self._output.stop(LAYER)
        now = self._clock.now()
        if track.row_id is not None:
            self._log.close(
                track.row_id, ended_at=now, outcome=outcome,
                detail=f"{detail} at {position // 1000} s",
            )  # fmt: skip
        if keep:
            self._resume = (track.info, max(position, track.start_ms), track.song)
        self.current = None

    def _ensure_playing(self) -> None:
        if not self.running or self.mode is BedMode.STOPPED or self.current is not None:
            return
        if self._resume is not None:
            info, position, song = self._resume
            self._resume = None
            self._play(info, position, fade_in=True, song=song)
        elif self._songs:
            info, song = self._songs.pop(0)
            if song.expires_at is not None and song.expires_at < self._clock.now():
                self._record_failure(info.path, "song not started before its grace ran out", song)
                self._ensure_playing()
                return
            self._play(info, 0, fade_in=False, song=song)
        elif self._prepared is not None:
            info, self._prepared = self._prepared, None
            self._play(info, 0, fade_in=False)
        else:
            self._prepare_next()

    def _play(
        self, info: MediaInfo, start_ms: int, *, fade_in: bool, song: Song | None = None
    ) -> None:
        track = _Track(info, self._new_token(), start_ms, song)
        self.current = track
        volume = RESUME_FROM_DB if fade_in else self.target_db()
        self._output.play(LAYER, info.path, token=track.token, start_ms=start_ms, volume_db=volume)
        if fade_in:
            self._output.set_volume(LAYER, self.target_db(), self._audio.resume_fade_ms)
        self._prepare_next()  # the next track is checked while this one plays

    def _prepare_next(self) -> None:
        if self._preflighting or self._prepared is not None:
            return
        path = self._source.next_track()
        if path is None:
            self._set_fault("no music: the music folder has no audio files")
            self._schedule(self._clock.now() + RETRY_AFTER, self._ensure_playing)
            return
        self._preflighting = True
        generation = self._generation

        def done(result: MediaInfo | MediaError) -> None:
            self._post(lambda: self._preflighted(path, result, generation))

        self._output.preflight(path, done)

    def _preflighted(self, path: Path, result: MediaInfo | MediaError, generation: int) -> None:
        if generation != self._generation:
            return  # from a playlist that has been replaced since
        self._preflighting = False
        if isinstance(result, MediaError):
            self._record_failure(path, f"skipped before play: {result}")
            self._failures += 1
            if self._failures >= max(3, self._source.size()):
                self._set_fault("no playable music: every track failed its check")
                self._failures = 0
                self._schedule(self._clock.now() + RETRY_AFTER, self._ensure_playing)
                return
            self._prepare_next()
            return
        self._prepared = result
        self._ensure_playing()

    def _record_failure(self, path: Path, detail: str, song: Song | None = None) -> None:
        now = self._clock.now()
        self._log.record(
            layer=LAYER, kind="music", title=song.title if song else path.stem,
            media_path=str(path), requested_by=song.requested_by if song else "music bed",
            requested_at=now, ended_at=now, outcome=Outcome.FAILED.value, detail=detail,
            planned_at=song.planned_at if song else None, cue_key=song.cue_key if song else None,
        )  # fmt: skip

    def _set_fault(self, text: str) -> None:
        if self.fault != text:
            self.fault = text
            self._changed("fault", {"fault": text})

"""The music bed: background music that runs all day under everything but an emergency.

The bed lives on the core thread and plays on two output layers (two players), so the next
track can start before the current one ends:

1. While a track plays, the next one is taken from the source and pre-flighted, so a bad file
   is skipped (and logged) long before it is due.
2. ``audio.crossfade_ms`` before the end, the next track starts on the other layer from silence
   and fades in while the current one fades out, both with equal-power curves (no dip, no gap).
   With ``crossfade_ms = 0`` tracks follow back to back.
3. Every track plays at its loudness gain (``gain_for``: the library's measured gain to the bed
   target) on top of the mode's level (0 dB playing, ``audio.duck_db`` ducked).
4. A playlist change or a programme song waits for the end of the track, or, with ``cut``,
   crossfades at once. A track that fails its check or its play is set aside by the source
   (``playlists.sources.SetAside``: logged once per failure episode, re-tried after a rest or
   a rescan) and the next one is taken at once; when nothing in the source can be played, the
   source says so (``fault``) and plays the whole library, or nothing.
5. An emergency stops both layers; afterwards the same track resumes where it stopped.
6. The bed answers with values in its ``outbox`` (a track ended, changes for listeners); the
   core takes them and decides (``broadcaster.news``). Files are checked through the one
   ``Prechecker``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from broadcaster import bed_tracks as tracks
from broadcaster.arbiter import BedMode
from broadcaster.audio.output import (
    MAX_GAIN_DB,
    SILENT_DB,
    AudioOutput,
    FadeShape,
    MediaError,
    MediaInfo,
    OutputEvent,
    OutputEventKind,
)
from broadcaster.bed_tracks import LAYER, MusicSource, OnBed, Queued, Song
from broadcaster.clock import Clock
from broadcaster.loop import Schedule
from broadcaster.news import Outbox, TrackEnded
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.precheck import Prechecker
from broadcaster.settings import AudioSettings
from playlists.names import path_text, readable
from playlists.sources import Listed

BED_LAYERS = ("bed_a", "bed_b")  # the two players
RESUME_FROM_DB = -40.0  # a resumed track fades in from here
RETRY_AFTER = timedelta(seconds=10)  # when no track in the pool is playable
DROP_MARGIN = timedelta(milliseconds=200)  # a faded-out track is stopped this long after


class Bed:
    """Plays the music source on two bed layers under the arbiter's mode."""

    def __init__(
        self,
        *,
        output: AudioOutput,
        playlog: PlayLog,
        clock: Clock,
        source: MusicSource,
        audio: AudioSettings,
        precheck: Prechecker,
        schedule: Schedule,
        gain_for: Callable[[Path], float] = lambda path: 0.0,
        log_zone: str | None = None,
    ) -> None:
        self._output, self._log, self._clock, self._source = output, playlog, clock, source
        self._zones = None if log_zone is None else (log_zone,)  # what its rows name
        self._audio, self._gain_for = audio, gain_for
        self._precheck, self._schedule = precheck, schedule
        self._tokens = itertools.count(1)
        self.outbox = Outbox()
        self.mode = BedMode.PLAYING
        self.current: OnBed | None = None
        self._outgoing: OnBed | None = None  # fading out under the current track
        self._prepared: Queued | None = None
        self._resume: Queued | None = None  # after an emergency
        self._songs: list[Queued] = []  # programme songs, before the playlist
        self._generation = 0  # a preflight from a playlist that was replaced is ignored
        self._preflighting = False
        self._cut_pending = False  # crossfade to the new playlist as soon as its track is ready
        self._last_layer = BED_LAYERS[-1]
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
        """Take the next tracks from ``source``: after the current track, or with ``cut`` by a
        crossfade as soon as its first track has passed its check. Switching to the music
        already playing (two dayparts on one playlist) changes nothing."""
        if source.key == self._source.key:
            return
        self._source = source
        self._prepared = None
        self._generation += 1
        self._preflighting = False
        self.outbox.changed("bed_source", {"cut": cut})
        if cut:
            self._resume = None  # after an emergency, too, the new playlist starts afresh
            self._cut_pending = self.current is not None
        if self.current is None:
            self._ensure_playing()
        else:
            self._prepare_next()

    def queue_song(self, song: Song, cut: bool) -> None:
        """Check ``song`` now; play it at its planned instant if ``cut``, else after the track."""

        self._precheck.check(song.path, lambda result: self._song_checked(song, cut, result))

    def _song_checked(self, song: Song, cut: bool, result: MediaInfo | MediaError) -> None:
        if isinstance(result, MediaError):
            self._record_failure(song.path, f"song not played: {result}", song)
            return
        self._songs.append(Queued(result, song=song))
        now = self._clock.now()
        if cut:
            at = song.planned_at if song.planned_at and song.planned_at > now else now
            self._schedule(at, lambda: self._cut_to_song(song))
        elif self.current is None:
            self._ensure_playing()

    def _cut_to_song(self, song: Song) -> None:
        if not any(queued.song is song for queued in self._songs):
            return  # already played after the previous track
        if self.current is not None and self.mode is not BedMode.STOPPED:
            self._crossfade(f"cut for {song.title}")
        else:
            self._ensure_playing()

    def target_db(self) -> float:
        """The mode's level; each track plays at this plus its loudness gain."""
        return self._audio.duck_db if self.mode is BedMode.DUCKED else 0.0

    def set_mode(self, mode: BedMode) -> None:
        if mode is self.mode:
            return
        previous, self.mode = self.mode, mode
        if mode is BedMode.STOPPED:
            self._take_off_air(Outcome.PREEMPTED, "stopped for an emergency")
        elif previous is BedMode.STOPPED:
            self._ensure_playing()
        else:
            ducking = mode is BedMode.DUCKED
            fade = self._audio.duck_fade_ms if ducking else self._audio.restore_fade_ms
            if self.current is not None:
                self._output.set_volume(self.current.layer, self._level(self.current), fade)
            if self._outgoing is not None and ducking:  # leave at once, not over the speech
                self._output.set_volume(self._outgoing.layer, SILENT_DB, fade)
        self.outbox.changed("bed_mode", {"mode": mode.value, "volume_db": self.target_db()})

    def now_playing(self) -> dict[str, Any] | None:
        """The current track and the one after it, for the status (positions are the API's)."""
        return tracks.now_playing(
            self.current, self._upcoming(), crossfading=self._outgoing is not None
        )

    # -- what the output tells -----------------------------------------------------------
    def on_event(self, event: OutputEvent) -> None:
        outgoing = self._outgoing
        if outgoing is not None and event.token == outgoing.token:
            if event.kind is not OutputEventKind.STARTED:  # ended, or faded out to silence
                self._drop_outgoing(outgoing.token, at=event.at)
            return
        track = self.current
        if track is None or event.token != track.token:
            return  # a late event from a track already replaced
        if event.kind is OutputEventKind.STARTED:
            self._started(track, event.at)
        elif event.kind is OutputEventKind.FADED:
            self.outbox.changed(
                "bed_faded", {"volume_db": self.target_db(), "at": event.at.isoformat()}
            )
        elif event.kind is OutputEventKind.ENDED:
            expected = track.info.duration_ms - track.start_ms
            played = (self._clock.monotonic() - (track.started_passed or 0.0)) * 1000
            if expected > 2000 and played < expected / 2:
                self._finish(Outcome.FAILED, event.at, f"ended after {played:.0f} ms of {expected}")
            else:
                self._finish(Outcome.COMPLETED, event.at, "")
        elif event.kind is OutputEventKind.FAILED:
            self._finish(Outcome.FAILED, event.at, event.detail or "the player reported an error")

    # -- internals -----------------------------------------------------------------------
    def _started(self, track: OnBed, at: datetime) -> None:
        track.started_at, track.started_passed = at, self._clock.monotonic()
        song = track.song
        track.row_id = self._log.open(
            zones=self._zones,
            layer=LAYER, kind="music", title=track.title, media_path=path_text(track.info.path),
            requested_by=song.requested_by if song else "music bed",
            requested_at=at, started_at=at,
            planned_at=song.planned_at if song else None,
            cue_key=song.cue_key if song else None,
            detail=tracks.log_detail(track),
        )  # fmt: skip
        if track.listed is not None:
            self._source.played(track.listed, at)
        self._set_fault(self._source.fault)  # a fallback to the whole library stays shown
        self.outbox.changed("bed_track", {"title": track.title, "token": track.token})
        remaining = track.info.duration_ms - track.start_ms
        fade = min(self._audio.crossfade_ms, remaining // 2)
        if fade > 0:
            token = track.token
            due = at + timedelta(milliseconds=remaining - fade)
            self._schedule(due, lambda: self._crossfade_due(token), duration=True)

    def _crossfade_due(self, token: int) -> None:
        track = self.current
        if track is None or track.token != token or self.mode is BedMode.STOPPED:
            return
        self._crossfade(None)

    def _crossfade(self, cut_reason: str | None) -> bool:
        """Start the next track over the current one: at the end of the track, or now as a cut
        (``cut_reason`` goes into the current track's log row). False if nothing is ready yet
        (then the next track follows the end, as without a crossfade)."""
        outgoing = self.current
        if outgoing is None or not self.running:
            return False
        item = self._take_next()
        if item is None:
            return False
        if self._outgoing is not None:  # a cut during a crossfade: the oldest goes at once
            self._drop_outgoing(self._outgoing.token)
        position = self._output.layer_state(outgoing.layer).position_ms
        remaining = outgoing.info.duration_ms - max(position, outgoing.start_ms)
        fade = max(0, min(self._audio.crossfade_ms, remaining))
        if cut_reason is not None:
            outgoing.leaving = (Outcome.PREEMPTED, f"{cut_reason} at {position // 1000} s")
        self.current = None
        if fade == 0:
            self._outgoing = outgoing
            self._drop_outgoing(outgoing.token)
        else:
            self._outgoing = outgoing
            self._output.set_volume(outgoing.layer, SILENT_DB, fade, shape=FadeShape.POWER)
            token, until = outgoing.token, self._clock.now() + timedelta(milliseconds=fade)
            self._schedule(until + DROP_MARGIN, lambda: self._drop_outgoing(token), duration=True)
        self._start(item, crossfade_ms=fade)
        self.outbox.put(TrackEnded(follow=False))  # cues waiting for the end of the track go now
        return True

    def _drop_outgoing(self, token: int, at: datetime | None = None) -> None:
        track = self._outgoing
        if track is None or track.token != token:
            return
        self._outgoing = None
        self._output.stop(track.layer)
        outcome, detail = track.leaving
        if outcome is Outcome.COMPLETED and track.listed is not None:
            self._source.succeeded(track.listed)
        if track.row_id is not None:
            ended = at or self._clock.now()
            self._log.close(track.row_id, ended_at=ended, outcome=outcome,
                            detail=detail or "crossfaded into the next track")  # fmt: skip

    def _finish(self, outcome: Outcome, at: datetime, detail: str) -> None:
        track = self.current
        assert track is not None
        new_episode = True
        if track.listed is not None:
            if outcome is Outcome.FAILED:
                new_episode = self._source.failed(track.listed, at)
            elif outcome is Outcome.COMPLETED:
                self._source.succeeded(track.listed)
        if track.row_id is not None:
            self._log.close(track.row_id, ended_at=at, outcome=outcome, detail=readable(detail))
        elif new_episode:
            self._record_failure(track.info.path, detail, track.song, track.title)
        self.current = None
        # The core lets waiting cues go (ducking the bed for them) before the next track starts.
        self.outbox.put(TrackEnded(follow=True))

    def follow_on(self) -> None:
        """After a ``TrackEnded(follow=True)``: the next track, at the level the core chose."""
        self._ensure_playing()

    def _take_off_air(self, outcome: Outcome, detail: str) -> None:
        """Stop both layers; the current track resumes from here when the bed restarts."""
        if self._outgoing is not None:
            self._outgoing.leaving = (outcome, detail)
            self._drop_outgoing(self._outgoing.token)
        track = self.current
        if track is None:
            return
        position = self._output.layer_state(track.layer).position_ms
        self._output.stop(track.layer)
        now = self._clock.now()
        if track.row_id is not None:
            self._log.close(
                track.row_id, ended_at=now, outcome=outcome,
                detail=f"{detail} at {position // 1000} s",
            )  # fmt: skip
        self._resume = Queued(track.info, max(position, track.start_ms), track.song, track.listed,
                             resumed=True, gain_db=track.gain_db)  # fmt: skip
        self.current = None

    def _take_next(self) -> Queued | None:
        """What plays next: a resumed track, then programme songs, then the playlist."""
        if self._resume is not None:
            item, self._resume = self._resume, None
            return item
        while self._songs:
            song = self._songs.pop(0)
            assert song.song is not None
            expires = song.song.expires_at
            if expires is None or expires >= self._clock.now():
                return song
            self._record_failure(song.info.path, "song not started before its grace ran out",
                                 song.song)  # fmt: skip
        prepared, self._prepared = self._prepared, None
        return prepared

    def _upcoming(self) -> Queued | None:
        return self._resume or (self._songs[0] if self._songs else None) or self._prepared

    def _ensure_playing(self) -> None:
        if not self.running or self.mode is BedMode.STOPPED or self.current is not None:
            return
        self._cut_pending = False
        item = self._take_next()
        if item is None:
            self._prepare_next()
        else:
            self._start(item, crossfade_ms=0)

    def _start(self, item: Queued, *, crossfade_ms: int) -> None:
        busy = self._outgoing.layer if self._outgoing else None
        layer = next(name for name in self._layer_order() if name != busy)
        self._last_layer = layer
        gain = item.gain_db if item.gain_db is not None else self._gain_for(item.info.path)
        track = OnBed(item.info, next(self._tokens), layer, item.start_ms, gain, item.song,
                       item.listed)  # fmt: skip
        self.current = track
        level = self._level(track)
        if item.resumed:
            self._play(track, RESUME_FROM_DB)
            self._output.set_volume(layer, level, self._audio.resume_fade_ms)
        elif crossfade_ms > 0:
            self._play(track, SILENT_DB)
            self._output.set_volume(layer, level, crossfade_ms, shape=FadeShape.POWER)
        else:
            self._play(track, level)
        self._prepare_next()  # the next track is checked while this one plays

    def _play(self, track: OnBed, volume_db: float) -> None:
        self._output.play(track.layer, track.info.path, token=track.token,
                          start_ms=track.start_ms, volume_db=volume_db)  # fmt: skip

    def _layer_order(self) -> tuple[str, ...]:
        # Alternate, so a player that just stopped is not reused while its stop is in flight.
        first = BED_LAYERS.index(self._last_layer) + 1
        return BED_LAYERS[first:] + BED_LAYERS[:first]

    def _level(self, track: OnBed) -> float:
        return min(MAX_GAIN_DB, self.target_db() + track.gain_db)

    def _prepare_next(self) -> None:
        if self._preflighting or self._prepared is not None:
            return
        listed = self._source.next_track(self._clock.now())
        self._set_fault(self._source.fault)
        if listed is None:
            self._schedule(self._clock.now() + RETRY_AFTER, self._ensure_playing, duration=True)
            return
        self._preflighting = True
        generation = self._generation

        self._precheck.check(
            listed.path, lambda result: self._preflighted(listed, result, generation)
        )

    def _preflighted(self, listed: Listed, result: MediaInfo | MediaError, generation: int) -> None:
        if generation != self._generation:
            return  # from a playlist that has been replaced since
        self._preflighting = False
        if isinstance(result, MediaError):
            if self._source.failed(listed, self._clock.now()):
                self._record_failure(
                    listed.path, f"skipped before play: {result}", title=listed.display
                )
            self._prepare_next()  # the rotation moves on at once
            return
        self._prepared = Queued(result, listed=listed)
        self.outbox.changed("bed_next", {"title": listed.display})
        if self._cut_pending and self.current is not None and self.mode is not BedMode.STOPPED:
            self._cut_pending = False
            self._crossfade("cut for a playlist change")
        self._ensure_playing()

    def _record_failure(
        self, path: Path, detail: str, song: Song | None = None, title: str | None = None
    ) -> None:
        tracks.record_failure(self._log, self._clock.now(), path, detail, song, title, self._zones)

    def _set_fault(self, text: str | None) -> None:
        if self.fault != text:
            self.fault = text
            self.outbox.changed("fault", {"fault": text})

"""The live microphone behind the core's live calls (issue 16 part 6).

The core decides when a live call holds its zones (it waits behind an emergency like any page,
ducks the beds of its zones, plays the chime first) and tells ``told`` the zones where it is
live each time they change (a zone's chime is over; a zone that was busy joins, chime first; a
zone taken by a higher call leaves) and when the call is over (None). The microphone's routes (``audio.live_mic``:
one PulseAudio loopback per zone's sink, and the recording GB 50116 §4.8.10 asks for) are
loaded and unloaded here, on a thread of their own: each takes a few ``pactl`` calls, and the
core thread never waits for a subprocess.

1. Going live: the sinks of the call's zones; a microphone that cannot go live (no such source,
   the sound server down) ends the call at once, logged with the reason in both languages.
2. Live elsewhere too, or no longer somewhere: the routes follow (``LiveMic.follow``); a zone
   that cannot be reached is logged, the call goes on where it is live.
3. Over: the routes are unloaded (the air is cut first) and the recording completed; what was
   recorded is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from broadcaster.audio.live_mic import LiveMic, LiveMicError, unload_leftovers
from broadcaster.requests import Request

log = logging.getLogger(__name__)
Cancel = Callable[[int, str], object]
"""Ends a call the microphone could not take: its id and why (both languages)."""


class LiveCalls:
    def __init__(
        self, mic: LiveMic, *, sink_of: Callable[[str], str | None], cancel: Cancel
    ) -> None:
        """``sink_of``: a zone's PulseAudio sink (None: the default sink, asked at the time);
        ``cancel``: ends a call the microphone could not take (``Core.cancel``)."""
        self._mic, self._sink_of, self._cancel = mic, sink_of, cancel
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="live-mic")
        self._recording: dict[int, str] = {}
        self._live: set[int] = set()  # the call whose routes are up (the microphone's thread)

    def told(self, request: Request, zones: tuple[str, ...] | None) -> None:
        """The core's live hook (core thread): only hands the work to the microphone's thread."""
        if zones is None:
            self._pool.submit(self._stop, request)
        else:
            self._pool.submit(self._route, request, zones)

    def sweep(self) -> None:
        """Unload the microphone routes a daemon that died while live left in the sound server
        (on the microphone's thread: it asks the server, which may be slow to answer)."""
        self._pool.submit(self._sweep)

    def _sweep(self) -> None:
        if left := unload_leftovers():
            log.warning("%d live-microphone routes were left by the last run: unloaded", left)

    def recording(self, request_id: int) -> str | None:
        """Where the call is being recorded (for its play-log row), once it is live."""
        return self._recording.get(request_id)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
        if self._mic.live:
            self._mic.stop()

    def _route(self, request: Request, zones: tuple[str, ...]) -> None:
        sinks = [self._sink_of(zone) or self._default_sink() for zone in zones]
        if request.id in self._live:  # live already: the routes follow its zones
            try:
                self._mic.follow(sinks)
            except LiveMicError as exc:
                log.error("live call #%d in %s: %s", request.id, ", ".join(zones), exc)
                return
            log.info("live call #%d now on air in %s", request.id, ", ".join(zones))
            return
        try:
            self._mic.start(sinks, call_id=str(request.id))
        except LiveMicError as exc:
            log.error("live call #%d: %s", request.id, exc)
            self._cancel(request.id, f"the microphone: {exc.message} / {exc.message_zh}")
            return
        self._live.add(request.id)
        if self._mic.file is not None:
            self._recording[request.id] = str(self._mic.file)
        log.info("live call #%d on air in %s", request.id, ", ".join(zones))

    def _stop(self, request: Request) -> None:
        if request.id not in self._live or not self._mic.live:
            return  # it never went live (refused, or over before its routes were up)
        self._live.discard(request.id)
        call = self._mic.stop()
        self._recording.pop(request.id, None)
        for problem in call.problems:
            log.error("live call #%d: %s", request.id, problem)
        log.info("live call #%d over after %.1f s; recorded %.1f s to %s", request.id,
                 call.live_s, call.recorded_s, call.file)  # fmt: skip

    def _default_sink(self) -> str:
        from broadcaster.check_sound import pulse_default_sink

        return pulse_default_sink() or "@DEFAULT_SINK@"

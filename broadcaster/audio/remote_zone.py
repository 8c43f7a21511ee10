"""A remote zone's transport: its null sink on this PC, the feed, its Snapcast server, and a
watch that mends them and reports the zone's fault.

The zone's air is mixed by the daemon into the null sink ``sink`` (the zone's output plays
there); ``PipeFeed`` carries the sink's monitor into the FIFO the zone's ``SnapServer`` reads.
Every ``WATCH_EVERY_S`` the watch (its own thread):
1. creates the sink again if the sound server lost it (PulseAudio restarted);
2. starts the server again if it died;
3. asks the server which players are connected;
4. works out the fault (``zone_health.zone_fault``) and, when it changed, tells ``report`` —
   a value going up, the owner decides what to do with it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from broadcaster.audio.pipe_feed import CHANNELS, RATE, PipeFeed
from broadcaster.audio.snapcast import SnapPorts, SnapServer
from broadcaster.audio.zone_health import ZoneReport, zone_fault

log = logging.getLogger(__name__)
WATCH_EVERY_S = 1.0
FaultReport = Callable[[str, str | None], None]
"""Told (on the watch thread) the zone id and its new fault, or None when it is heard again."""


class RemoteZone:
    def __init__(
        self, zone: str, *, sink: str, workdir: Path, ports: SnapPorts, buffer_ms: int = 100,
        bind: str = "0.0.0.0", env: Mapping[str, str] | None = None,
        report: FaultReport = lambda zone, fault: None, stream: str | None = None,
    ) -> None:  # fmt: skip
        """``stream``: the stream's name the players see (default the zone's id)."""
        self.zone, self.sink = zone, sink
        self._env = dict(os.environ if env is None else env)
        fifo = workdir / f"{zone}.fifo"
        self.feed = PipeFeed(f"{sink}.monitor", fifo, env=self._env)
        self.server = SnapServer(stream or zone, fifo, workdir / zone, ports, bind=bind,
                                 buffer_ms=buffer_ms)  # fmt: skip
        self._report = report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"zone-{zone}", daemon=True)
        self.fault: str | None = None
        self._player_since = time.monotonic()  # when a player was last seen connected

    def start(self) -> None:
        self.ensure_sink()
        self.feed.start()
        self.server.start()
        self._player_since = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(3)
        self.feed.stop()
        self.server.stop()

    def ensure_sink(self) -> bool:
        """The zone's null sink exists on the sound server (created if not); False when the
        server does not answer."""
        sinks = self._pactl("list", "short", "sinks")
        if sinks is None:
            return False
        if any(line.split("\t")[1:2] == [self.sink] for line in sinks.splitlines()):
            return True
        made = self._pactl("load-module", "module-null-sink", f"sink_name={self.sink}",
                           f"rate={RATE}", f"channels={CHANNELS}",
                           f"sink_properties=device.description=broadcaster-zone-{self.zone}")  # fmt: skip
        return made is not None

    def check(self) -> ZoneReport:
        """One look at the zone's parts, mending what can be mended."""
        if self.feed.stalled_s() > 1.0:
            self.ensure_sink()
        if not self.server.running():
            self.server.start()
            running = False  # it was down: that is this round's news
        else:
            running = True
        players = self.server.players() if running else None
        connected = sum(1 for p in players or [] if p.connected)
        now = time.monotonic()
        if connected or players is None:
            self._player_since = now
        return ZoneReport(self.zone, server_running=running, server_answers=players is not None,
                          players_connected=connected, feed_stalled_s=self.feed.stalled_s(),
                          no_player_s=now - self._player_since)  # fmt: skip

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_EVERY_S):
            try:
                fault = zone_fault(self.check())
            except Exception:  # the watch must outlive anything one look runs into
                log.exception("zone %s: the watch failed", self.zone)
                continue
            if fault != self.fault:
                self.fault = fault
                if fault:
                    log.error("%s", fault)
                else:
                    log.info("zone %s: heard again", self.zone)
                self._report(self.zone, fault)

    def _pactl(self, *args: str) -> str | None:
        try:
            result = subprocess.run(["pactl", *args], env=self._env, capture_output=True,
                                    text=True, timeout=3, check=False)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout if result.returncode == 0 else None

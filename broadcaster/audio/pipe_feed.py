"""Carries a PulseAudio sink's sound into a Snapcast pipe stream, never waiting on it.

A remote zone is rendered by the daemon into a null sink of its own; this feed reads the sink's
monitor (``parec``, raw PCM) and writes it into the FIFO the zone's ``snapserver`` reads, never
letting more than ``MAX_QUEUED_BYTES`` (2 blocks, 40 ms) wait in it: when more would, the oldest
sound is read back out of the FIFO (the feed holds it open for reading too) and dropped.
Measured with Snapcast 0.26 on loopback: the default 64 KiB FIFO builds a backlog of 330–640 ms
that never drains. A FIFO of one page (4 KiB ≈ 21 ms) dropping the new block when full kept the
delay down but held a single block, so every bit of jitter between the feed and the server
dropped 20 ms (bench/zones.py: 6 % of the players' 20 ms windows silent while only music
played); 40 ms of room absorbs the jitter and still bounds the backlog.

Steps of ``_pump`` (its own thread):
1. Start ``parec`` on the sink's monitor if it is not running (again after it died).
2. Read one block (20 ms) from it; on end of stream go back to 1 after a short pause.
3. Write the whole frames of the block into the FIFO, first reading out (dropping, counted) the
   oldest sound beyond ``MAX_QUEUED_BYTES``; a pipe still full drops the block, never blocks.
4. Remember when a block last went through, so a stall shows as a fault (``stalled_s``).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)
F_SETPIPE_SZ = 1031  # Linux fcntl: set a pipe's capacity
PIPE_BYTES = 16384
RATE, CHANNELS, SAMPLE_BYTES = 48000, 2, 2
FRAME_BYTES = CHANNELS * SAMPLE_BYTES
BLOCK_MS = 20
BLOCK_BYTES = RATE * FRAME_BYTES * BLOCK_MS // 1000
MAX_QUEUED_BYTES = 2 * BLOCK_BYTES
# parec's latency: how long captured sound may wait before it is handed over (it was 20 ms; the
# FIFO itself cannot hold less: snapserver 0.26 pads a chunk it cannot fill at its tick with
# silence, so at least one 20 ms chunk must wait there: a trim to 5 ms left most of the
# players' 20 ms windows silent at a load average of 6-12, bench/zones.py)
CAPTURE_MS = 10
RESTART_PAUSE_S = 0.5


def make_fifo(path: Path) -> None:
    """A FIFO at ``path`` (a stale regular file there is replaced)."""
    if path.exists() and not path.is_fifo():
        path.unlink()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path, 0o600)


class PipeFeed:
    """Feeds ``source`` (a PulseAudio source, e.g. ``zone_2f.monitor``) into the FIFO ``fifo``
    until ``stop``. ``env`` is the environment ``parec`` runs with (its PULSE_SERVER)."""

    def __init__(self, source: str, fifo: Path, *, env: Mapping[str, str] | None = None) -> None:
        self.source, self.fifo = source, fifo
        self._env = dict(os.environ if env is None else env)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._reader: subprocess.Popen[bytes] | None = None
        self._fd: int | None = None
        self._thread: threading.Thread | None = None
        self.written_bytes = 0
        self.dropped_blocks = 0
        self.dropped_bytes = 0
        self._partial = b""  # the start of a frame parec has not finished
        self.restarts = 0
        self._last_write = time.monotonic()

    def start(self) -> None:
        make_fifo(self.fifo)
        # O_RDWR: opening never waits for the server to open its end, and writes never fail
        # with EPIPE while the server restarts (the pipe keeps a reader: ourselves).
        self._fd = os.open(self.fifo, os.O_RDWR | os.O_NONBLOCK)
        fcntl.fcntl(self._fd, F_SETPIPE_SZ, PIPE_BYTES)
        self._last_write = time.monotonic()
        self._thread = threading.Thread(target=self._pump, name=f"feed-{self.fifo.stem}",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._kill_reader()
        if self._thread is not None:
            self._thread.join(2)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def stalled_s(self) -> float:
        """Seconds since a block last went into the pipe (written or dropped as full)."""
        return time.monotonic() - self._last_write

    @property
    def reader_pid(self) -> int | None:
        with self._lock:
            return None if self._reader is None else self._reader.pid

    def _pump(self) -> None:
        while not self._stop.is_set():
            reader = self._reader
            if reader is None or reader.poll() is not None:
                reader = self._start_reader()
                if reader is None:
                    self._stop.wait(RESTART_PAUSE_S)
                    continue
            assert reader.stdout is not None
            block = reader.stdout.read1(BLOCK_BYTES)  # type: ignore[attr-defined]
            if not block:
                self._stop.wait(RESTART_PAUSE_S)
                continue
            self.put(block)

    def put(self, data: bytes) -> None:
        """Into the FIFO: the whole frames of ``data`` (the rest waits for the next call),
        after the oldest sound beyond ``MAX_QUEUED_BYTES`` is dropped."""
        assert self._fd is not None
        data = self._partial + data
        cut = len(data) - len(data) % FRAME_BYTES
        block, self._partial = data[:cut], data[cut:]
        self._last_write = time.monotonic()
        if not block:
            return
        excess = self._queued() + len(block) - MAX_QUEUED_BYTES
        if excess > 0:  # the server is behind: the oldest sound goes, the delay stays bounded
            excess += -excess % FRAME_BYTES
            with contextlib.suppress(BlockingIOError):  # else the server read it meanwhile
                self.dropped_bytes += len(os.read(self._fd, excess))
        try:
            self.written_bytes += os.write(self._fd, block)
        except BlockingIOError:
            self.dropped_blocks += 1

    def _queued(self) -> int:
        """Bytes waiting in the FIFO."""
        assert self._fd is not None
        answer = fcntl.ioctl(self._fd, termios.FIONREAD, b"\0\0\0\0")
        return int(struct.unpack("i", answer)[0])

    def _start_reader(self) -> subprocess.Popen[bytes] | None:
        command = ["parec", f"--device={self.source}", "--raw", "--format=s16le",
                   f"--rate={RATE}", f"--channels={CHANNELS}", f"--latency-msec={CAPTURE_MS}",
                   "--client-name=broadcaster-feed"]  # fmt: skip
        try:
            reader = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, env=self._env)  # fmt: skip
        except OSError as exc:
            log.warning("feed %s: cannot start parec: %s", self.fifo.name, exc)
            return None
        with self._lock:
            if self._reader is not None:
                self.restarts += 1
                log.warning("feed %s: parec ended (%s); restarted", self.fifo.name,
                            self._reader.returncode)  # fmt: skip
            self._reader = reader
        if self._stop.is_set():
            self._kill_reader()
            return None
        return reader

    def _kill_reader(self) -> None:
        with self._lock:
            reader = self._reader
        if reader is not None and reader.poll() is None:
            reader.kill()
            reader.wait(2)

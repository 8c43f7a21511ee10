"""A source read as it arrives, each block stamped with ``time.monotonic()``: what benchmarks use
to time the first sample of a sound against a request (within the reader's own ~10 ms).

A multi-channel source (``channels``, ``channel_map``) is read by ONE stream: its channels are
sample-aligned, so the time between a sound's start in two channels is exact to the sample,
whatever the reader's wake-up jitter (``channel(n)`` gives one channel's view). Two readers of
two sources each carry their own block phase and wake-up jitter (several ms, bench/zones.py)."""

from __future__ import annotations

import os
import subprocess
import threading
import time

import numpy as np

from tests.kit.pulse import PulseServer

RATE = 48000


class StampedReader:
    """Reads a source (16 bit, ``rate``, ``channels``) and keeps each block of frames with
    its arrival time. ``timeline``, ``window`` and ``first_above`` answer for ``channel``
    (default the first)."""

    def __init__(self, pulse: PulseServer, source: str, *, rate: int = RATE, channels: int = 1,
                 channel_map: str | None = None) -> None:  # fmt: skip
        self.rate, self.channels = rate, channels
        self.blocks: list[tuple[float, np.ndarray]] = []  # (arrival, frames x channels)
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            ["parec", f"--device={source}", "--raw", "--format=s16le", f"--rate={rate}",
             f"--channels={channels}", *([f"--channel-map={channel_map}"] if channel_map else []),
             "--latency-msec=10", "--process-time-msec=5"],
            env=pulse.child_env(), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        frame = 2 * self.channels
        rest = b""  # the start of a frame the next read completes
        # Everything waiting at once: a reader held up (the GIL, a loaded machine) then stamps
        # a backlog by its samples, not a run of 4 KiB reads with one arrival time (which put
        # the first sample of a sound up to the whole hold-up late).
        while chunk := os.read(fd, 1 << 16):
            now = time.monotonic()
            chunk = rest + chunk
            cut = len(chunk) - len(chunk) % frame
            chunk, rest = chunk[:cut], chunk[cut:]
            frames = np.frombuffer(chunk, "<i2").astype(np.float64).reshape(-1, self.channels)
            with self._lock:
                self.blocks.append((now, frames / 32768))

    def channel(self, index: int) -> Channel:
        """One channel of this reader, read like a mono reader."""
        return Channel(self, index)

    def first_above(self, after: float, threshold: float, channel: int = 0) -> float | None:
        """When the first sample above ``threshold`` that arrived after ``after`` was
        captured (its block's arrival, less the samples that came after it in the block)."""
        with self._lock:
            blocks = list(self.blocks)
        for arrived, frames in blocks:
            if arrived < after:
                continue
            loud = np.flatnonzero(np.abs(frames[:, channel]) > threshold)
            if loud.size:
                return arrived - (len(frames) - 1 - loud[0]) / self.rate
        return None

    def timeline(self, t0: float, t1: float, channel: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The samples of the blocks that arrived between ``t0`` and ``t1``, with each
        sample's capture time (its block's arrival less the samples after it)."""
        with self._lock:
            parts = [(arrived, f[:, channel]) for arrived, f in self.blocks if t0 <= arrived <= t1]
        if not parts:
            return np.zeros(0), np.zeros(0)
        times = [arrived - np.arange(len(s) - 1, -1, -1) / self.rate for arrived, s in parts]
        return np.concatenate(times), np.concatenate([s for _, s in parts])

    def window(self, t0: float, t1: float, channel: int = 0) -> np.ndarray:
        with self._lock:
            parts = [f[:, channel] for arrived, f in self.blocks if t0 <= arrived <= t1]
        return np.concatenate(parts) if parts else np.zeros(0)

    def nonzero(self) -> int:
        with self._lock:
            return sum(int(np.count_nonzero(f)) for _, f in self.blocks)

    def forget(self, before: float) -> None:
        """Drop the blocks that arrived before ``before`` (a long run's memory)."""
        with self._lock:
            self.blocks = [(arrived, f) for arrived, f in self.blocks if arrived >= before]

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait(5)


class Channel:
    """One channel of a ``StampedReader`` (its own stream is shared with the other channels)."""

    def __init__(self, reader: StampedReader, index: int) -> None:
        self.reader, self.index = reader, index

    def timeline(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        return self.reader.timeline(t0, t1, self.index)

    def first_above(self, after: float, threshold: float) -> float | None:
        return self.reader.first_above(after, threshold, self.index)

    def forget(self, before: float) -> None:
        self.reader.forget(before)

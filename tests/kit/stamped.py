"""A source read as it arrives, each block stamped with ``time.monotonic()``: what benchmarks use
to time the first sample of a sound against a request (within the reader's own ~10 ms)."""

from __future__ import annotations

import os
import subprocess
import threading
import time

import numpy as np

from tests.kit.pulse import PulseServer

RATE = 48000


class StampedReader:
    """Reads a source (mono, 16 bit, ``rate``) and keeps each block with its arrival time."""

    def __init__(self, pulse: PulseServer, source: str, *, rate: int = RATE) -> None:
        self.rate = rate
        self.blocks: list[tuple[float, np.ndarray]] = []
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            ["parec", f"--device={source}", "--raw", "--format=s16le", f"--rate={rate}",
             "--channels=1", "--latency-msec=10", "--process-time-msec=5"],
            env=pulse.child_env(), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        # Everything waiting at once: a reader held up (the GIL, a loaded machine) then stamps
        # a backlog by its samples, not a run of 4 KiB reads with one arrival time (which put
        # the first sample of a sound up to the whole hold-up late).
        while chunk := os.read(fd, 1 << 16):
            now = time.monotonic()
            chunk = chunk[: len(chunk) - len(chunk) % 2]
            with self._lock:
                self.blocks.append((now, np.frombuffer(chunk, "<i2").astype(np.float64) / 32768))

    def first_above(self, after: float, threshold: float) -> float | None:
        """When the first sample above ``threshold`` that arrived after ``after`` was
        captured (its block's arrival, less the samples that came after it in the block)."""
        with self._lock:
            blocks = list(self.blocks)
        for arrived, samples in blocks:
            if arrived < after:
                continue
            loud = np.flatnonzero(np.abs(samples) > threshold)
            if loud.size:
                return arrived - (len(samples) - 1 - loud[0]) / self.rate
        return None

    def timeline(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """The samples of the blocks that arrived between ``t0`` and ``t1``, with each
        sample's capture time (its block's arrival less the samples after it)."""
        with self._lock:
            parts = [(arrived, s) for arrived, s in self.blocks if t0 <= arrived <= t1]
        if not parts:
            return np.zeros(0), np.zeros(0)
        times = [arrived - np.arange(len(s) - 1, -1, -1) / self.rate for arrived, s in parts]
        return np.concatenate(times), np.concatenate([s for _, s in parts])

    def window(self, t0: float, t1: float) -> np.ndarray:
        with self._lock:
            parts = [s for arrived, s in self.blocks if t0 <= arrived <= t1]
        return np.concatenate(parts) if parts else np.zeros(0)

    def nonzero(self) -> int:
        with self._lock:
            return sum(int(np.count_nonzero(s)) for _, s in self.blocks)

    def forget(self, before: float) -> None:
        """Drop the blocks that arrived before ``before`` (a long run's memory)."""
        with self._lock:
            self.blocks = [(arrived, s) for arrived, s in self.blocks if arrived >= before]

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self) -> None:
        self._process.kill()
        self._process.wait(5)

"""A "microphone" that says a steady tone, on the kit's private PulseAudio server: a null sink
fed without a gap by ``pacat`` (a sine written from a thread), whose monitor is the source a
test puts live. Its clock is kept running (``add_sink(keep_clock=True)``), so the tone is there
in real time from the moment a stream takes it.

(PulseAudio's own ``module-sine-source`` hands its sound out in blocks of 2 s — measured: a
1 s recording of it holds no sample — so it cannot time a live path.)

    with ToneMicrophone(pulse, freq=1000) as mic:
        live_mic = LiveMic(source=mic.source, ...)
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from types import TracebackType
from typing import Self

import numpy as np

from tests.kit.pulse import PulseServer

RATE = 48000


class ToneMicrophone:
    def __init__(self, pulse: PulseServer, *, name: str = "mic", freq: float = 1000.0,
                 level: float = 0.3) -> None:  # fmt: skip
        self.pulse, self.name, self.freq, self.level = pulse, name, freq, level
        self._player: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def source(self) -> str:
        """The PulseAudio source to put live."""
        return f"{self.name}.monitor"

    def start(self) -> Self:
        self.pulse.add_sink(self.name, rate=RATE, keep_clock=True)
        self._player = subprocess.Popen(
            ["pacat", "--playback", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1",
             f"--device={self.name}", "--latency-msec=250", "--client-name=tone-microphone"],
            env=self.pulse.child_env(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        # A deep buffer (250 ms): the feeder is a Python thread on a loaded machine, and only
        # the monitor's side needs to be prompt. One second holds a whole number of periods of a whole-Hz tone: it loops seamlessly.
        t = np.arange(RATE) / RATE
        block = (self.level * 32767 * np.sin(2 * np.pi * self.freq * t)).astype("<i2").tobytes()
        self._thread = threading.Thread(target=self._feed, args=(self._player, block),
                                        daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def _feed(self, player: subprocess.Popen[bytes], block: bytes) -> None:
        assert player.stdin is not None
        with contextlib.suppress(OSError, ValueError):  # pacat gone: the test is ending
            while not self._stop.is_set():
                player.stdin.write(block)  # pacat paces it: blocks while its buffer is full
                player.stdin.flush()

    def stop(self) -> None:
        self._stop.set()
        player, self._player = self._player, None
        if player is not None:
            player.kill()
            player.wait(5)
            if player.stdin is not None:
                with contextlib.suppress(OSError):
                    player.stdin.close()
        if self._thread is not None:
            self._thread.join(2)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:  # fmt: skip
        self.stop()

"""Is this process still heard by PulseAudio? Asked with ``pactl`` from a thread of its own.

libvlc does not notice a sound server that dies under a stream: the player goes on "playing",
and even counts its buffers as played (measured with libvlc 3.0.24 and PulseAudio 16), and a
server that comes back does not get the old stream back. So the output asks the server itself,
every few seconds, whether it has a stream of this process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from enum import StrEnum

PROBE_EVERY_S = 2.0
PROBE_TIMEOUT_S = 2.0


class Heard(StrEnum):
    STREAM = "stream"  # the server answers and plays at least one stream of this process
    NO_STREAM = "no_stream"  # the server answers but has no stream of this process
    NO_SERVER = "no_server"  # no server answers


def probe() -> Heard:
    """Ask the PulseAudio server (as ``PULSE_SERVER`` or the default says) once."""
    try:
        result = subprocess.run(
            ["pactl", "list", "sink-inputs"],
            capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return Heard.NO_SERVER
    if result.returncode != 0:
        return Heard.NO_SERVER
    marker = f'application.process.id = "{os.getpid()}"'
    return Heard.STREAM if marker in result.stdout else Heard.NO_STREAM


class PulseProbe:
    """Calls ``report`` with a ``Heard`` every ``every_s`` seconds until ``stop``."""

    def __init__(self, report: Callable[[Heard], None], every_s: float = PROBE_EVERY_S) -> None:
        self._report, self._every_s = report, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pulse-probe", daemon=True)

    @staticmethod
    def available() -> bool:
        return shutil.which("pactl") is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            self._report(probe())

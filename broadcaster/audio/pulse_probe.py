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


def probe(sink: str | None = None) -> Heard:
    """Ask the PulseAudio server (as ``PULSE_SERVER`` or the default says) once. With ``sink``
    only a stream of this process on that sink counts: a daemon with several zones has a
    stream on each zone's sink, and one zone's stream must not hide another's lost one."""
    inputs = _pactl("list", "sink-inputs")
    sinks = _pactl("list", "short", "sinks") if sink is not None else ""
    if inputs is None or sinks is None:
        return Heard.NO_SERVER
    return Heard.STREAM if has_stream(inputs, sinks, os.getpid(), sink) else Heard.NO_STREAM


def has_stream(inputs: str, sinks: str, pid: int, sink: str | None) -> bool:
    """Whether ``pactl list sink-inputs`` (``inputs``) shows a stream of process ``pid`` (on
    ``sink``, by ``pactl list short sinks``: ``sinks``, when given)."""
    marker = f'application.process.id = "{pid}"'
    if sink is None:
        return marker in inputs
    index = next((cols[0] for cols in (line.split("\t") for line in sinks.splitlines())
                  if len(cols) > 1 and cols[1] == sink), None)  # fmt: skip
    for block in inputs.split("Sink Input #")[1:]:
        on = next((line.split(":", 1)[1].strip() for line in block.splitlines()
                   if line.strip().startswith("Sink:")), None)  # fmt: skip
        if marker in block and on is not None and on == index:
            return True
    return False


def _pactl(*args: str) -> str | None:
    try:
        result = subprocess.run(["pactl", *args], capture_output=True, text=True,
                                env={**os.environ, "LC_ALL": "C"},  # its labels in English
                                timeout=PROBE_TIMEOUT_S, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


class PulseProbe:
    """Calls ``report`` with a ``Heard`` every ``every_s`` seconds until ``stop``."""

    def __init__(self, report: Callable[[Heard], None], every_s: float = PROBE_EVERY_S, *,
                 sink: str | None = None) -> None:  # fmt: skip
        self._report, self._every_s, self._sink = report, every_s, sink
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
            self._report(probe(self._sink))

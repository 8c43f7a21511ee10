"""Players at the amplifiers, on loopback: ``snapclient`` processes playing into null sinks of a
private PulseAudio server (``tests/kit/pulse.py``), so a test records what a remote zone's
amplifier would hear. Each player is its own process group, stopped by its PID."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import struct
import subprocess
import termios
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from broadcaster.audio.pipe_feed import FRAME_BYTES, RATE
from tests.kit.pulse import PulseServer

PLAYER_BUFFER_MS = 40
"""The player's own buffer into PulseAudio. Its default (100 ms) with PulseAudio's own latency
came to 100-150 ms, more than the server's whole ``buffer`` (100 ms): the player logged
"outputBufferDacTime > bufferMs" and played silence for seconds at a time (bench/zones.py)."""
SNAPCAST = shutil.which("snapserver") is not None and shutil.which("snapclient") is not None


def free_ports(count: int) -> int:
    """A base port with ``count`` free ports after it (loopback)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count < 65535 and all(_free(base + n) for n in range(count)):
            return base
    raise RuntimeError("no run of free ports on loopback")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class SnapPlayer:
    """``snapclient`` connected to ``port`` on loopback, playing into ``sink`` of ``pulse``.

    It plays with snapclient's pulse player, the only one that reaches a test's PulseAudio
    server in time (through ALSA's pulse device the ALSA player only logs "Failed to get
    chunk"). Snapcast 0.26's pulse player hangs for good once its server goes away (measured:
    "Disconnecting from pulse", no reconnect in 20 s), where its ALSA player, as a player at a
    real amplifier runs it, reconnects in about a second (measured): a test that kills a server
    starts its player again with ``restart``."""

    def __init__(self, pulse: PulseServer, sink: str, port: int, log: Path, *,
                 host_id: str) -> None:  # fmt: skip
        self.pulse, self.sink, self.port, self.log, self.host_id = pulse, sink, port, log, host_id
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        env = {**self.pulse.child_env(), "PULSE_SINK": self.sink}
        with self.log.open("ab") as errors:
            self.process = subprocess.Popen(
                ["snapclient", "-h", "127.0.0.1", "-p", str(self.port), "--player",
                 f"pulse:buffer_time={PLAYER_BUFFER_MS}",
                 f"--hostID={self.host_id}", "--logsink=stderr", "--logfilter=*:warning"],
                env=env, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors,
                start_new_session=True,
            )  # fmt: skip
        return self

    def restart(self) -> None:
        self.kill()
        self.start()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:  # fmt: skip
        self.kill()


class FifoBacklogs:
    """Remote zones' FIFOs as the daemon's feeds fill them and the snapservers empty them:
    their backlog, through descriptors of our own that never read (FIONREAD)."""

    def __init__(self, fifos: dict[str, Path]) -> None:
        self.fds = {
            zone: os.open(path, os.O_RDONLY | os.O_NONBLOCK) for zone, path in fifos.items()
        }

    def floor_ms(self, seconds: float = 0.1) -> dict[str, float]:
        """The least backlog of each FIFO (ms of sound) over ``seconds``, looked at every ms:
        what is left just after the server's read (it reads a chunk a tick)."""
        least = {zone: float("inf") for zone in self.fds}
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for zone, fd in self.fds.items():
                answer = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
                queued = struct.unpack("i", answer)[0]
                least[zone] = min(least[zone], queued / FRAME_BYTES / RATE * 1000)
            time.sleep(0.001)
        return least

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)

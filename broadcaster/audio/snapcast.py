"""Remote zones through Snapcast: one ``snapserver`` per remote zone, one fixed stream each.

Measured with Snapcast 0.26 (Debian 12): switching a group's stream at runtime hung the client's
pulse player in 2 of 3 runs, and meta streams switch late and drop the start of the
higher-priority source. So mixing and priorities stay in the daemon, and nothing is switched at
runtime: each remote zone has a server of its own (its own ports) reading the zone's FIFO, and a
player at the zone's amplifier runs ``snapclient -h <this PC> -p <the zone's port>``. A server
that dies takes only its own zone with it and is started again. The control port (JSON-RPC over
TCP) is used only to see which players are connected.

End-to-end delay is the server's ``buffer`` (100 ms: 91–99 ms measured; 40 ms underran on a
loaded 2-core machine).
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadcaster.audio.pipe_feed import CHANNELS, RATE

log = logging.getLogger(__name__)
RPC_TIMEOUT_S = 1.0


class SnapcastMissing(RuntimeError):
    """``snapserver`` is not installed (Debian package snapserver)."""


@dataclass(frozen=True)
class SnapPorts:
    stream: int  # where the zone's players connect
    control: int  # JSON-RPC over TCP, for monitoring

    @staticmethod
    def for_zone(base: int, index: int) -> SnapPorts:
        """The ports of the ``index``-th remote zone (0-based): base, base+1 for the first,
        base+2, base+3 for the second, …"""
        return SnapPorts(base + 2 * index, base + 2 * index + 1)


@dataclass(frozen=True)
class Player:
    """A snapclient as the server sees it."""

    id: str
    name: str
    ip: str
    connected: bool
    last_seen_s: float  # the server's clock, seconds since the epoch


class SnapServer:
    """One zone's ``snapserver``: reads ``fifo`` (48 kHz, 16 bit, stereo, PCM) and serves it on
    ``ports`` at ``bind`` with ``buffer_ms`` of buffer."""

    def __init__(
        self, zone: str, fifo: Path, datadir: Path, ports: SnapPorts, *, bind: str = "0.0.0.0",
        buffer_ms: int = 100, chunk_ms: int = 20,
    ) -> None:  # fmt: skip
        self.zone, self.fifo, self.datadir, self.ports = zone, fifo, datadir, ports
        self.bind, self.buffer_ms, self.chunk_ms = bind, buffer_ms, chunk_ms
        self._process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def command(self) -> list[str]:
        source = (f"pipe://{self.fifo}?name={self.zone}&mode=read"
                  f"&sampleformat={RATE}:16:{CHANNELS}")  # fmt: skip
        return [
            "snapserver", f"--config={self.datadir / 'snapserver.conf'}",
            f"--server.datadir={self.datadir}", "--http.enabled=0",
            "--tcp.enabled=1", "--tcp.bind_to_address=127.0.0.1", f"--tcp.port={self.ports.control}",
            f"--stream.bind_to_address={self.bind}", f"--stream.port={self.ports.stream}",
            f"--stream.source={source}", "--stream.codec=pcm", f"--stream.chunk_ms={self.chunk_ms}",
            f"--stream.buffer={self.buffer_ms}", "--logging.sink=stderr",
            # 0.26 logs an error whenever a control connection is closed: one a second.
            "--logging.filter=*:warning,ControlSessionTCP:fatal",
        ]  # fmt: skip

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (again, if it died). SnapcastMissing when it is not installed."""
        if self.running():
            return
        if shutil.which("snapserver") is None:
            raise SnapcastMissing(
                "snapserver is not installed: `sudo apt-get install snapserver`. / "
                "未安装 snapserver：请运行 `sudo apt-get install snapserver`。"
            )
        self.datadir.mkdir(parents=True, exist_ok=True)
        (self.datadir / "snapserver.conf").touch()  # every setting is on the command line
        if self._process is not None:
            log.warning("zone %s: snapserver ended (%s); starting it again", self.zone,
                        self._process.returncode)  # fmt: skip
        with (self.datadir / "snapserver.log").open("ab") as errors:
            self._process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                             stdout=errors, stderr=errors)  # fmt: skip
        self.starts += 1

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(3)

    def players(self) -> list[Player] | None:
        """The players the server knows (connected or not); None when it does not answer."""
        status = rpc("127.0.0.1", self.ports.control, "Server.GetStatus")
        if status is None:
            return None
        return players_of(status)


def players_of(status: dict[str, Any]) -> list[Player]:
    found = []
    for group in status.get("server", {}).get("groups", []):
        for client in group.get("clients", []):
            seen = client.get("lastSeen", {})
            host = client.get("host", {})
            found.append(Player(
                id=str(client.get("id", "")), name=str(client.get("config", {}).get("name") or
                                                       host.get("name", "")),
                ip=str(host.get("ip", "")), connected=bool(client.get("connected")),
                last_seen_s=float(seen.get("sec", 0)) + float(seen.get("usec", 0)) / 1e6,
            ))  # fmt: skip
    return found


def rpc(host: str, port: int, method: str, params: dict[str, Any] | None = None) -> Any:
    """One JSON-RPC call over Snapcast's TCP control port; None when it does not answer."""
    request = {"id": 1, "jsonrpc": "2.0", "method": method}
    if params is not None:
        request["params"] = params
    try:
        with socket.create_connection((host, port), timeout=RPC_TIMEOUT_S) as connection:
            connection.settimeout(RPC_TIMEOUT_S)
            connection.sendall(json.dumps(request).encode() + b"\r\n")
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return None
    try:
        reply = json.loads(answer)
    except ValueError:
        return None
    return reply.get("result") if isinstance(reply, dict) else None

"""Living under systemd: ``READY=1`` once the HTTP server listens, ``STATUS=`` lines, and a
watchdog that pings only while the core thread answers, so systemd restarts a daemon that hangs
as surely as one that crashes (``Type=notify``, ``WatchdogSec=``, ``Restart=always``).

The protocol is one datagram per message to the socket named by ``$NOTIFY_SOCKET`` (see
sd_notify(3)); without that variable (not under systemd) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify messages, or nothing when not started by systemd."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        address = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        self.watchdog_s = int(usec) / 1e6 if usec.isdigit() and int(usec) > 0 else None

    def notify(self, *lines: str) -> bool:
        if not self.address:
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            try:
                sock.sendto("\n".join(lines).encode(), self.address)
            except OSError as exc:
                log.warning("systemd notify failed: %s", exc)
                return False
        return True


class Watchdog:
    """Pings ``WATCHDOG=1`` every half watchdog interval while ``alive()`` says so; when it
    does not, the pings stop and systemd restarts the service at the end of the interval."""

    def __init__(self, notifier: Notifier, alive: Callable[[float], bool]) -> None:
        self._notifier, self._alive = notifier, alive
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        interval = self._notifier.watchdog_s
        if interval is None:
            return
        self._thread = threading.Thread(target=self._run, args=(interval,), name="watchdog",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval / 2):
            if self._alive(interval / 4):
                self._notifier.notify("WATCHDOG=1")
            else:
                log.error("the core did not answer within %.1f s: no watchdog ping", interval / 4)

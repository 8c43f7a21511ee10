"""Under systemd: READY once the API answers, watchdog pings while the core answers, none when
it hangs; nothing at all outside systemd."""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from broadcaster.service import Notifier, Watchdog
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone


@pytest.fixture
def notify_socket() -> Iterator[tuple[str, socket.socket]]:
    folder = Path(tempfile.mkdtemp(prefix="notify-", dir="/tmp"))  # a short path for AF_UNIX
    path = folder / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(0.2)
        yield str(path), sock
    path.unlink(missing_ok=True)
    folder.rmdir()


def received(sock: socket.socket, seconds: float) -> list[str]:
    messages, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            messages.append(sock.recv(4096).decode())
    return messages


def test_outside_systemd_nothing_is_sent():
    notifier = Notifier({})
    assert notifier.notify("READY=1") is False and notifier.watchdog_s is None


def test_the_watchdog_pings_only_while_the_core_answers(notify_socket):
    path, sock = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})  # 0.2 s
    answering = threading.Event()
    answering.set()
    watchdog = Watchdog(notifier, lambda timeout: answering.is_set())
    watchdog.start()
    try:
        assert received(sock, 0.5).count("WATCHDOG=1") >= 3  # every 0.1 s
        answering.clear()  # the core hangs
        received(sock, 0.15)  # a ping already on its way
        assert received(sock, 0.5) == []
    finally:
        watchdog.stop()


@pytest.mark.e2e
def test_the_daemon_says_ready_feeds_the_watchdog_and_stops_cleanly_on_sigterm(
    notify_socket, tmp_path
):
    path, sock = notify_socket
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 60, 330)
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"}
    with DaemonProcess(data, env=env, audio__output="null") as daemon:
        messages = received(sock, 1.5)
        ready = next(m for m in messages if "READY=1" in m)
        assert "STATUS=on air" in ready
        assert messages.index(ready) < messages.index("WATCHDOG=1")
        assert messages.count("WATCHDOG=1") >= 2  # every half second
        assert httpx.get(daemon.url + "/api/v1/health").status_code == 200
    assert "STOPPING=1" in received(sock, 0.5)  # SIGTERM: a clean stop, not a kill
    assert "broadcaster stopped" in daemon.log_path.read_text()

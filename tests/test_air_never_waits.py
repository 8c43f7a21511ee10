"""The air path never waits, on the real daemon (real VLC, null audio output, real SQLite):
another process holding the database's write lock does not hold up an emergency or a page,
and a stop with the console's event streams open (one of them never read) is quick and closes
the play log."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.kit.daemon_process import DaemonProcess
from tests.kit.db_lock import write_lock_held
from tests.kit.media import make_tone
from tests.kit.waiting import wait_for

pytestmark = pytest.mark.e2e


def make_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 120, 330)
    make_tone(data / "announcements" / "notice.wav", 20, 440)
    return data


def on_air(daemon: DaemonProcess, kind: str) -> dict[str, Any] | None:
    status = daemon.get("/api/v1/status")
    voice = status["voice"]
    if voice and voice["kind"] == kind and status["layers"]["voice"]["playing"]:
        return status
    return None


def test_with_the_write_lock_held_elsewhere_an_emergency_and_a_page_air_at_once_and_rows_land(
    tmp_path,
):
    data = make_data(tmp_path)
    with DaemonProcess(data, audio__output="null") as daemon:
        wait_for("the music", lambda: daemon.get("/api/v1/status")["layers"]["bed"]["playing"], 10)
        with write_lock_held(data / "broadcaster.db"):
            t0 = time.monotonic()
            page = daemon.post("/api/v1/pages", {"file": "announcements/notice.wav",
                                                 "title": "寻人 lock"})  # fmt: skip
            wait_for("the page on air", lambda: on_air(daemon, "page"), 1.0)
            page_s = time.monotonic() - t0
            t0 = time.monotonic()
            daemon.post("/api/v1/emergency", {"title": "fire under lock"})
            wait_for("the emergency on air", lambda: on_air(daemon, "emergency"), 1.0)
            emergency_s = time.monotonic() - t0
            t0 = time.monotonic()
            assert daemon.get("/api/v1/status")["emergency"]["title"] == "fire under lock"
            assert time.monotonic() - t0 < 1.0  # answered from memory
            # The writes wait for the lock: the fault is shown, in both languages.
            health = wait_for("the database fault in /health", lambda: (
                reply if (reply := daemon.http.get(daemon.url + "/api/v1/health")).status_code == 503
                else None), 6)  # fmt: skip
            assert "数据库" in health.json()["detail"]["message_zh"]
            assert [p["id"] for p in daemon.get("/api/v1/pages?active=true")] == [page["id"]]
        print(f"page on air {page_s * 1000:.0f} ms, emergency {emergency_s * 1000:.0f} ms")
        # The lock went: every row lands, in order.
        wait_for(
            "health back", lambda: daemon.http.get(daemon.url + "/api/v1/health").is_success, 6
        )
        rows = daemon.get("/api/v1/log")
        (page_row,) = [r for r in rows if r["kind"] == "page"]
        (fire_row,) = [r for r in rows if r["kind"] == "emergency"]
        assert page_row["outcome"] == "preempted" and fire_row["outcome"] is None
        assert page_row["id"] < fire_row["id"]
        db = sqlite3.connect(data / "broadcaster.db")
        try:
            kept = db.execute("SELECT kind, title FROM air_request").fetchall()
            pages = db.execute("SELECT id, status FROM page").fetchall()
            audit = [a for (a,) in db.execute("SELECT action FROM audit")]
        finally:
            db.close()
        assert kept == [("emergency", "fire under lock")]  # a crash now would resume it
        assert pages == [(page["id"], "active")]
        assert "POST /api/v1/pages" in audit and "POST /api/v1/emergency" in audit
        assert daemon.delete("/api/v1/emergency").status_code == 200
        wait_for("the emergency row closed", lambda: [
            r for r in daemon.get("/api/v1/log?kind=emergency") if r["outcome"] == "completed"], 5)  # fmt: skip


def _read_events(url: str, headers: dict[str, str], got: list[str]) -> None:
    try:
        with httpx.stream("GET", url + "/api/v1/events", headers=headers, timeout=30) as reply:
            for line in reply.iter_lines():
                if line.startswith("event:"):
                    got.append(line)
    except httpx.HTTPError:
        pass  # cut off by the stop


def _never_reading(url: str, headers: dict[str, str]) -> socket.socket:
    """A client that asks for the event stream and then never reads a byte of it."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills up soon
    sock.connect((host, int(port)))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode())
    return sock


def unsent(port: int, client_port: int) -> int:
    """Bytes the daemon's socket to ``client_port`` has not got the client to take (ss)."""
    out = subprocess.run(["ss", "-tnH", f"sport = :{port} and dport = :{client_port}"],
                         capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    return int(out[2]) if len(out) > 2 else 0


def test_sigterm_with_five_open_event_streams_one_never_read_exits_within_3_s_rows_closed(
    tmp_path,
):
    data = make_data(tmp_path)
    with DaemonProcess(data, audio__output="null") as daemon:
        wait_for("the music", lambda: daemon.get("/api/v1/status")["layers"]["bed"]["playing"], 10)
        daemon.post("/api/v1/announcements", {"file": "announcements/notice.wav"})
        wait_for("the announcement on air", lambda: on_air(daemon, "announcement"), 5)
        slow = _never_reading(daemon.url, daemon.headers)
        readers = [[] for _ in range(4)]
        threads = [threading.Thread(target=_read_events, args=(daemon.url, daemon.headers, got),
                                    daemon=True) for got in readers]  # fmt: skip
        for thread in threads:
            thread.start()
        wait_for("four streams reading", lambda: all(readers), 5)
        # Events with their status (150 queued announcements in each) until the kernel holds
        # no more for the client that does not read: its stream is stuck in a write.
        queued = [daemon.post("/api/v1/announcements", {"file": "announcements/notice.wav"})
                  for _ in range(150)]  # fmt: skip
        held, rounds = -1, 0
        while (now_held := unsent(daemon.port, slow.getsockname()[1])) != held and rounds < 40:
            held, rounds = now_held, rounds + 1
            for request in queued[-10:]:
                daemon.send("POST", f"/api/v1/queue/{request['id']}/move", {"position": 1})
            time.sleep(0.3)
        assert held > 0 and rounds < 40  # the kernel's buffer for it is full
        assert daemon.proc is not None
        t0 = time.monotonic()
        daemon.proc.send_signal(signal.SIGTERM)
        code = daemon.proc.wait(10)
        stopped_s = time.monotonic() - t0
        slow.close()
        print(f"stopped {stopped_s:.2f} s after SIGTERM")
        assert code == 0 and stopped_s <= 3.0
        for thread in threads:
            thread.join(5)
            assert not thread.is_alive()  # each stream ended with the server
    db = sqlite3.connect(data / "broadcaster.db")
    try:
        still_open = db.execute("SELECT title FROM play_log WHERE outcome IS NULL").fetchall()
        stopped = db.execute("SELECT outcome, detail FROM play_log WHERE kind = 'announcement' "
                             "AND detail LIKE '%daemon stopped%'").fetchall()  # fmt: skip
    finally:
        db.close()
    assert still_open == []  # the play log is closed: nothing claims to be on air
    assert stopped == [("cancelled", "daemon stopped")]
    log = daemon.log_path.read_text()
    assert "broadcaster stopped" in log
    assert "timeout graceful shutdown exceeded" in log  # the stuck stream was cut off

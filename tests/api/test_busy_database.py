"""Another program holding the database's write lock (a backup, a `sqlite3` shell, a long scan
transaction): the air and the status go on from memory, `/health` says so, and a change that
cannot be written answers 503 with Retry-After in both languages — never a 500."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from broadcaster import db
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client
from tests.kit.waiting import wait_for


@contextmanager
def write_locked(daemon: Daemon) -> Iterator[None]:
    """The daemon's database with its write lock held by another connection."""
    assert daemon.engine is not None
    other = sqlite3.connect(daemon.engine.url.database or "", check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


def test_with_the_database_locked_the_emergency_and_a_page_go_on_air_and_land_after(client, daemon):
    with write_locked(daemon):
        t0 = time.monotonic()
        emergency = client.post("/api/v1/emergency", json={"title": "fire"})
        assert emergency.status_code == 202, emergency.text
        page = client.post("/api/v1/pages", json={"file": "announcements/hello.wav",
                                                  "title": "寻人"})  # fmt: skip
        assert page.status_code == 202, page.text
        status = client.get("/api/v1/status")
        assert time.monotonic() - t0 < 1.0
        assert status.json()["emergency"]["title"] == "fire"
        assert [p["id"] for p in client.get("/api/v1/pages").json()] == [page.json()["id"]]
        # The writes wait: the fault shows in the status and /health, in both languages.
        wait_for("the database fault", lambda: daemon.core.fault(), 5)
        health = client.get("/api/v1/health")
        assert health.status_code == 503
        assert "database" in health.json()["detail"]["message"]
        assert "数据库" in health.json()["detail"]["message_zh"]
        assert client.get("/api/v1/status").json()["fault"]
    assert daemon.writer.flush(5)  # the lock went: every write lands
    assert client.get("/api/v1/health").status_code == 200
    assert client.get(f"/api/v1/pages/{page.json()['id']}").json()["title"] == "寻人"
    audited = [e["action"] for e in client.get("/api/v1/audit").json()]
    assert "POST /api/v1/emergency" in audited and "POST /api/v1/pages" in audited


def test_a_change_that_cannot_be_written_in_time_is_503_with_retry_after(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.5)  # not the 15 s of a real store: a quick test
    daemon = start_daemon(tmp_path / "data")
    try:
        with api_client(daemon) as client, write_locked(daemon):
            reply = client.post("/api/v1/programme/day-types",
                                json={"name": "busy", "opening": "09:00", "closing": "21:00"})  # fmt: skip
    finally:
        daemon.stop()
    assert reply.status_code == 503, reply.text
    assert reply.headers["Retry-After"] == "5"
    detail = reply.json()["detail"]
    assert detail["code"] == "database_busy" and detail["message"] and detail["message_zh"]


def test_health_is_503_while_the_core_does_not_answer(client, daemon):
    held, release = threading.Event(), threading.Event()
    daemon.core.post(lambda: (held.set(), release.wait(10)))
    assert held.wait(5)
    try:
        health = client.get("/api/v1/health")
    finally:
        release.set()
    assert health.status_code == 503
    assert "core" in health.json()["detail"]["message"]
    assert client.get("/api/v1/health").status_code == 200

"""The JSON API against a daemon on a fake output (the real-VLC path is tests/test_end_to_end)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.kit.waiting import wait_for


def test_status_shows_the_bed_playing(client):
    wait_for(
        "the bed playing",
        lambda: client.get("/api/v1/status").json()["layers"]["bed"]["playing"],
        3,
    )
    status = client.get("/api/v1/status").json()
    assert status["layers"]["bed"]["file"] == "a.wav"
    assert status["ducked"] is False and status["emergency"] is None
    assert status["timezone"] == "Asia/Shanghai"


def test_announcement_is_queued_and_goes_on_air(client, daemon):
    reply = client.post("/api/v1/announcements", json={"file": "announcements/hello.wav"})
    assert reply.status_code == 202, reply.text
    assert reply.json()["kind"] == "announcement"
    wait_for("the bed ducked", lambda: client.get("/api/v1/status").json()["ducked"], 3)
    assert client.get("/api/v1/status").json()["voice"]["title"] == "hello"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("announcements/missing.wav", "file_not_found"),
        ("announcements/corrupt.mp3", "not_playable"),
        ("announcements/empty.wav", "not_playable"),
        ("announcements", "file_not_found"),
        ("../secret.wav", "outside_data_dir"),
        ("/etc/passwd", "outside_data_dir"),
        ("announcements/../../secret.wav", "outside_data_dir"),
        ("announcements/hello.wav\x00.txt", "bad_path"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error_and_nothing_is_queued(client, name, code):
    reply = client.post("/api/v1/announcements", json={"file": name})
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert detail["code"] == code and detail["message"] and detail["message_zh"]
    assert client.get("/api/v1/status").json()["queue"] == []
    assert client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json() == []


def test_hostile_title_is_stored_as_text(client):
    title = "<script>alert(1)</script>'; DROP TABLE play_log; --"
    reply = client.post(
        "/api/v1/pages", json={"file": "announcements/hello.wav", "title": title, "chime": False}
    )
    assert reply.status_code == 202
    queued = client.get("/api/v1/status").json()
    on_air = [queued["voice"], *queued["queue"]]
    assert any(item and item["title"] == title for item in on_air)
    assert reply.json()["title"] == title
    cancelled = client.post(f"/api/v1/pages/{reply.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    rows = client.get("/api/v1/log").json()
    assert any(r["title"] == title for r in rows)
    csv = client.get("/api/v1/log", params={"order": "asc", "format": "csv"}).text
    assert "DROP TABLE" in csv  # the table is still there and the text is data


def test_emergency_start_and_clear(client, daemon):
    assert client.delete("/api/v1/emergency").status_code == 409
    reply = client.post(
        "/api/v1/emergency", json={"file": "announcements/hello.wav", "title": "fire"}
    )
    assert reply.status_code == 202
    wait_for("the emergency on air", lambda: client.get("/api/v1/status").json()["emergency"], 3)
    status = client.get("/api/v1/status").json()
    assert status["bed"]["mode"] == "stopped" and status["voice"]["kind"] == "emergency"
    assert client.delete("/api/v1/emergency").status_code == 200
    wait_for(
        "the emergency cleared", lambda: client.get("/api/v1/status").json()["emergency"] is None, 3
    )


def test_cancel_unknown_request_is_404(client):
    reply = client.delete("/api/v1/queue/424242")
    assert reply.status_code == 404 and reply.json()["detail"]["message_zh"]


def test_log_filters_and_csv(client, daemon):
    client.post("/api/v1/announcements", json={"file": "announcements/hello.wav", "title": "x"})
    daemon.clock.advance(0.3)  # past the duck fade: the announcement starts
    wait_for(
        "the announcement's row",
        lambda: client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json(),
        3,
    )
    rows = client.get("/api/v1/log", params={"order": "asc", "kind": "music"}).json()
    assert rows and all(r["kind"] == "music" for r in rows)
    assert (
        client.get("/api/v1/log", params={"order": "asc", "outcome": "nonsense"}).status_code == 422
    )
    csv = client.get("/api/v1/log", params={"order": "asc", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("\ufeff编号,请求时间")


def test_events_stream_reports_changes(client, daemon):
    got: list[str] = []

    def read() -> None:
        with client.stream("GET", "/api/v1/events") as stream:
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    got.append(line[7:])
                if "voice_started" in got:
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    wait_for("the stream's first status", lambda: "status" in got, 3)
    client.post("/api/v1/announcements", json={"file": "announcements/hello.wav"})
    daemon.clock.advance(0.3)  # past the duck fade
    reader.join(5)
    assert "queued" in got and "voice_started" in got


def test_a_dead_sound_device_shows_in_status_and_health_at_once(client, daemon):
    wait_for(
        "the bed playing",
        lambda: client.get("/api/v1/status").json()["layers"]["bed"]["playing"],
        3,
    )
    assert client.get("/api/v1/health").json()["fault"] is None
    daemon.output.fault_text = "No sound is reaching the speakers"
    assert client.get("/api/v1/status").json()["fault"] == "No sound is reaching the speakers"
    health = client.get("/api/v1/health")
    assert health.status_code == 503  # a monitor watching status codes learns of it
    assert health.json()["fault"] == "No sound is reaching the speakers"
    assert health.json()["detail"]["message_zh"]
    daemon.output.fault_text = None
    assert client.get("/api/v1/health").status_code == 200


def test_proof_of_play_counts_each_spot_of_the_stores_day_and_says_how_late(client, daemon):
    def spot(key: str, outcome: str, hour_utc: int, late_s: float = 0) -> None:
        planned = datetime(2026, 11, 23, hour_utc, 0, tzinfo=UTC)
        at = planned + timedelta(seconds=late_s)
        daemon.playlog.record(layer="voice", kind="announcement", title="双十一促销", cue_key=key,
                              requested_by="programme: promotions", requested_at=planned,
                              planned_at=planned, started_at=at, ended_at=at,
                              outcome=outcome)  # fmt: skip

    spot("p:1", "completed", 2, late_s=1.5)  # 10:00 in Shanghai, 2026-11-23: on time (≤ 2 s)
    spot("p:2", "preempted", 3)
    spot("p:2", "completed", 3)  # re-queued, then played in full
    spot("p:3", "missed", 15)  # 23:00 in Shanghai: still the 23rd
    spot("p:5", "completed", 12, late_s=58)  # waited for a song: played, but late
    spot("p:4", "completed", 17)  # 01:00 on the 24th in Shanghai: another day
    reply = client.get("/api/v1/log/proof-of-play", params={"day": "2026-11-23"})
    assert reply.status_code == 200, reply.text
    assert reply.json() == [{"rule": "promotions", "title": "双十一促销", "planned": 4, "played": 2,
                             "late": 1, "late_s": [58], "cut_short": 0, "missed": 1,
                             "on_air": 0}]  # fmt: skip


def test_a_busy_core_holds_up_only_the_request_waiting_for_it(client, daemon):
    """An announcement waits for the core's answer without blocking the server's event loop:
    meanwhile status polls are answered (a blocking wait froze every request for up to 5 s)."""
    busy, waiting = threading.Event(), threading.Event()
    daemon.core.post(lambda: (waiting.set(), busy.wait(10)))  # the core thread is held up
    assert waiting.wait(5)
    answers: list[int] = []
    poster = threading.Thread(target=lambda: answers.append(client.post(
        "/api/v1/announcements", json={"file": "announcements/hello.wav"}).status_code))  # fmt: skip
    poster.start()
    time.sleep(0.5)  # the announcement is checked and now waits for the core
    t0 = time.monotonic()
    assert client.get("/api/v1/status").status_code == 200  # from memory, not from the core
    assert time.monotonic() - t0 < 2
    assert answers == []  # still waiting
    busy.set()
    poster.join(10)
    assert answers == [202]

"""The announcer's queue and microphone over the JSON API: moving a waiting request (never past
a page), and a clip recorded in the browser queued as an announcement, refused cleanly when it
is not audio, too large or not playable."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import on_air
from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from broadcaster.settings import load_settings
from tests.kit.accounts import NAMES, PASSWORD, api_client, as_role
from tests.kit.media import make_text, make_tone
from tests.kit.waiting import wait_for

ANNOUNCER = as_role(Role.ANNOUNCER)
HOSTILE = "<script>alert(1)</script>'; DROP TABLE play_log; --"


def make_browser_webm(path: Path, seconds: float = 2.0, freq: float = 440.0) -> Path:
    """WebM/Opus written as a stream, as Chromium's MediaRecorder writes it: no duration and no
    index in the file (VLC refuses such a file as it is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
             f"sine=f={freq}:d={seconds}", "-c:a", "libopus", "-f", "webm", "pipe:1"],
            stdout=out, check=True,
        )  # fmt: skip
    return path


def refused(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == code and detail["message"] and detail["message_zh"], detail
    return detail


def queue_titles(client: TestClient) -> list[str]:
    return [r["title"] for r in client.get("/api/v1/status").json()["queue"]]


def announce(client: TestClient, title: str) -> int:
    reply = client.post("/api/v1/announcements",
                        json={"file": "announcements/hello.wav", "title": title})  # fmt: skip
    assert reply.status_code == 202, reply.text
    return int(reply.json()["id"])


def move(client: TestClient, request_id: int, position: Any) -> Any:
    return client.post(f"/api/v1/queue/{request_id}/move", json={"position": position},
                       headers=ANNOUNCER)  # fmt: skip


# --- moving a waiting request -----------------------------------------------------------------


def test_the_announcer_moves_a_waiting_announcement_up(client):
    announce(client, "on air")  # the clock stands still: it holds the voice layer
    first, _, third = (announce(client, t) for t in ("first", "second", "third"))
    assert queue_titles(client) == ["first", "second", "third"]
    reply = move(client, third, 0)
    assert reply.status_code == 200, reply.text
    assert reply.json() | {"message_zh": ""} == {
        "moved": third, "position": 0, "asked": 0, "clamped": False,
        "message": "Moved to place 1 in the queue.", "message_zh": "",
    }  # fmt: skip
    assert queue_titles(client) == ["third", "first", "second"]
    assert move(client, first, 2).json()["position"] == 2
    assert queue_titles(client) == ["third", "second", "first"]
    audit = client.get("/api/v1/audit").json()  # who moved what
    assert any(a["action"] == f"POST /api/v1/queue/{first}/move"
               and NAMES[Role.ANNOUNCER] in a["actor"] for a in audit), audit  # fmt: skip


def test_an_announcement_cannot_pass_a_waiting_page_and_the_reply_says_so(client):
    emergency = client.post("/api/v1/emergency", json={"file": "announcements/hello.wav"})
    assert emergency.status_code == 202  # everything else waits behind it
    sale = announce(client, "sale")
    page = client.post("/api/v1/pages", json={"file": "announcements/hello.wav",
                                              "title": "lost child", "chime": False})  # fmt: skip
    assert page.status_code == 202, page.text
    assert queue_titles(client) == ["lost child", "sale"]
    reply = move(client, sale, 0)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["position"], body["asked"], body["clamped"]) == (1, 0, True)
    assert "寻人寻物广播始终排在普通广播之前" in body["message_zh"] and "page" in body["message"]
    assert queue_titles(client) == ["lost child", "sale"]


@pytest.mark.parametrize(
    ("position", "field"), [(5, "position"), (-1, "position"), ("first", "position")],
    ids=["past the end", "negative", "not a number"],
)  # fmt: skip
def test_a_bad_position_is_refused_with_422(client, position, field):
    announce(client, "on air")
    waiting = announce(client, "waiting")
    detail = refused(move(client, waiting, position), 422, "invalid_move")
    assert field in detail["fields"] and detail["fields"][field]["message_zh"]
    assert queue_titles(client) == ["waiting"]


def test_moving_a_request_that_is_not_waiting_is_404(client):
    on_air_id = announce(client, "on air")
    refused(move(client, on_air_id, 0), 404, "unknown_request")
    refused(move(client, 424242, 0), 404, "unknown_request")
    assert "待播" in move(client, 424242, 0).json()["detail"]["message_zh"]


# --- a clip recorded in the browser ---------------------------------------------------------


def recorded(daemon: Daemon) -> list[str]:
    folder = daemon.settings.data_dir / "announcements" / "recorded"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload(client: TestClient, content: bytes, *, name: str = "blob",
           kind: str = "audio/webm;codecs=opus", title: str | None = "今日特价") -> Any:  # fmt: skip
    data = {} if title is None else {"title": title}
    return client.post("/api/v1/announcements/recording", files={"file": (name, content, kind)},
                       data=data, headers=ANNOUNCER)  # fmt: skip


def nothing_queued(client: TestClient, daemon: Daemon) -> bool:
    status = client.get("/api/v1/status").json()
    log = client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json()
    return status["voice"] is None and status["queue"] == [] and log == []


@pytest.mark.audio
def test_a_browser_recording_is_saved_under_our_name_and_queued_for_the_announcer(
    client, daemon, tmp_path
):
    clip = make_browser_webm(tmp_path / "clip.webm", 2.0).read_bytes()
    reply = upload(client, clip, name="../../../etc/evil name.webm")
    assert reply.status_code == 202, reply.text
    assert reply.json()["kind"] == "announcement" and reply.json()["title"] == "今日特价"
    [saved] = recorded(daemon)
    assert saved.startswith("mic-") and saved.endswith(".webm") and "evil" not in saved
    voice = wait_for(
        "the recording on air", lambda: client.get("/api/v1/status").json()["voice"], 5
    )
    assert voice["title"] == "今日特价" and voice["requested_by"] == NAMES[Role.ANNOUNCER]
    daemon.clock.advance(0.3)  # past the duck fade: it starts
    row = wait_for(
        "the recording's row",
        lambda: client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json(),
        5,
    )[0]
    assert row["requested_by"] == NAMES[Role.ANNOUNCER]
    assert row["media_path"].endswith(f"announcements/recorded/{saved}")
    assert "recorded in the browser" in row["detail"]
    # Saved with its duration (the browser's stream has none): the output knows its length.
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                            "csv=p=0", str(daemon.settings.data_dir / row["media_path"])],
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert 1.9 < float(probe.stdout) < 2.2


@pytest.mark.audio
def test_an_untitled_recording_gets_the_time_as_its_title(client, tmp_path):
    clip = make_browser_webm(tmp_path / "clip.webm", 1.0).read_bytes()
    reply = upload(client, clip, title=None)
    assert reply.status_code == 202, reply.text
    assert reply.json()["title"] == "录音 10:00"  # T0 in the store's zone


@pytest.mark.parametrize(
    ("name", "kind", "status", "code"),
    [
        ("notes.webm", "text/plain", 422, "bad_recording_type"),
        ("notes.webm", "application/octet-stream", 422, "bad_recording_type"),
        ("notes.webm", "audio/webm", 422, "not_playable"),
        ("notes.wav", "audio/wav", 422, "not_playable"),
    ],
    ids=["text by its type", "no audio type", "text named webm", "text named wav"],
)
@pytest.mark.audio
def test_what_is_not_audio_is_refused_and_nothing_is_kept_or_queued(
    client, daemon, tmp_path, name, kind, status, code
):
    text = make_text(tmp_path / name).read_bytes()
    refused(upload(client, text, name=name, kind=kind), status, code)
    assert recorded(daemon) == []
    assert nothing_queued(client, daemon)


def test_an_oversized_recording_is_refused_with_413_and_nothing_is_left(
    client, daemon, tmp_path, monkeypatch
):
    monkeypatch.setattr(on_air, "RECORDING_MAX_BYTES", 64 * 1024)  # not 20 MB of test data
    wav = make_tone(tmp_path / "long.wav", 2, 330).read_bytes()  # ~350 kB
    detail = refused(upload(client, wav, kind="audio/wav"), 413, "recording_too_large")
    assert "MB" in detail["message_zh"]
    assert recorded(daemon) == []
    assert nothing_queued(client, daemon)


@pytest.mark.audio
def test_a_title_with_invisible_characters_or_no_file_is_refused(client, daemon, tmp_path):
    clip = make_browser_webm(tmp_path / "clip.webm", 1.0).read_bytes()
    detail = refused(upload(client, clip, title="sale\u202egnp.exe"), 422, "invalid_request")
    assert "title" in detail["fields"]
    detail = refused(client.post("/api/v1/announcements/recording", data={"title": "x"},
                                 headers=ANNOUNCER), 422, "invalid_request")  # fmt: skip
    assert "file" in detail["fields"]
    assert recorded(daemon) == []
    assert nothing_queued(client, daemon)


@pytest.mark.audio
def test_a_hostile_title_is_stored_as_text_and_shown_as_text(client, daemon, tmp_path):
    clip = make_browser_webm(tmp_path / "clip.webm", 1.0).read_bytes()
    assert upload(client, clip, title=HOSTILE).status_code == 202
    assert client.get("/api/v1/status").json()["voice"]["title"] == HOSTILE
    daemon.clock.advance(0.3)
    rows = wait_for(
        "the announcement's row",
        lambda: client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json(),
        5,
    )
    assert rows[0]["title"] == HOSTILE  # the table is still there and the text is data
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.ANNOUNCER], "password": PASSWORD})
        html = browser.get("/announcer/now").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


@pytest.mark.vlc
def test_vlc_plays_a_browser_recording_to_the_end(tmp_path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 60, 220)
    daemon = Daemon(load_settings(data_dir=data, audio={"output": "null"}))
    daemon.start()
    try:
        with api_client(daemon, Role.ANNOUNCER) as client:
            clip = make_browser_webm(tmp_path / "clip.webm", 1.5).read_bytes()
            assert upload(client, clip, title="real vlc").status_code == 202

            def completed() -> Any:
                rows = client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"},
                                  headers=as_role(Role.SUPERVISOR)).json()  # fmt: skip
                return rows and rows[0]["outcome"] and rows[0]

            row = wait_for("the real VLC play completed", completed, 15)
        assert row["outcome"] == "completed" and row["title"] == "real vlc"
        assert 1.3 < (_seconds(row["ended_at"]) - _seconds(row["started_at"])) < 3.0
    finally:
        daemon.stop()


def _seconds(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()

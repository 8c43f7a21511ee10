"""The emergency profile over HTTP: a message that cannot fit it is refused, saying by how
much, when an emergency is started with it and when an emergency script is approved; nothing
goes on air and nothing is approved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client, as_role
from tests.kit.media import make_quiet_wav, make_tone

CJK = re.compile(r"[\u4e00-\u9fff]")
SUPERVISOR = as_role(Role.SUPERVISOR)


@pytest.fixture
def en54(tmp_path: Path) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path / "data"
    make_quiet_wav(data / "music" / "a.wav", 600)
    make_tone(data / "announcements" / "long.wav", 29, 440)  # 29 + 2 s gap: 31 s apart
    make_tone(data / "announcements" / "fits.wav", 27, 440)
    daemon = start_daemon(data, emergency={"profile": "en54", "alert_s": 4})
    with api_client(daemon) as client:
        yield daemon, client
    daemon.stop()


def test_an_emergency_whose_message_cannot_repeat_within_30_s_is_refused(en54):
    _, client = en54
    reply = client.post("/api/v1/emergency", json={"file": "announcements/long.wav"})
    assert reply.status_code == 422, reply.text
    problem = reply.json()["detail"]["fields"]["file"]
    assert "every 31.0 s" in problem["message"] and "1.0 s too long" in problem["message"]
    assert "EN 54-16" in problem["message"]
    assert CJK.search(problem["message_zh"]) and "超出 1.0 秒" in problem["message_zh"]
    status = client.get("/api/v1/status").json()
    assert status["emergency"] is None and status["bed"]["mode"] != "stopped"
    assert client.get("/api/v1/log", params={"kind": "emergency"}).json() == []

    started = client.post("/api/v1/emergency", json={"file": "announcements/fits.wav"})
    assert started.status_code == 202, started.text
    assert client.get("/api/v1/status").json()["voice"]["kind"] == "emergency"
    assert client.delete("/api/v1/emergency").status_code == 200


@pytest.mark.audio
def test_an_emergency_script_too_long_for_the_profile_is_not_approved(tmp_path: Path):
    data = tmp_path / "data"
    make_quiet_wav(data / "music" / "a.wav", 600)
    daemon = start_daemon(data, emergency={"profile": "custom", "message_max_s": 2})
    try:
        with api_client(daemon) as api:
            text = "Attention please. / A fire has been reported. // Please leave the building."
            created = api.post("/api/v1/scripts", headers=SUPERVISOR, json={
                "code": "evacuate", "title": "Evacuate", "category": "emergency",
                "language": "en", "text": text})  # fmt: skip
            assert created.status_code == 201, created.text
            script_id = created.json()["id"]
            reply = api.post(f"/api/v1/scripts/{script_id}/approve", headers=SUPERVISOR)
            assert reply.status_code == 422, reply.text
            problem = reply.json()["detail"]["fields"]["text"]
            assert re.search(r"\d+\.\d s too long", problem["message"]), problem
            assert "at most 2 s of voice" in problem["message"]
            assert re.search(r"超出 \d+\.\d 秒", problem["message_zh"]), problem
            assert api.get(f"/api/v1/scripts/{script_id}").json()["on_air"] is None
            # Any other category is not an emergency notice: approved as before.
            other = api.post("/api/v1/scripts", headers=SUPERVISOR, json={
                "code": "welcome", "title": "Welcome", "category": "opening",
                "language": "en", "text": text})  # fmt: skip
            approved = api.post(f"/api/v1/scripts/{other.json()['id']}/approve",
                                headers=SUPERVISOR)  # fmt: skip
            assert approved.status_code == 200, approved.text
    finally:
        daemon.stop()

"""The supervisor's log page and the CSV in the reader's language: a Chinese page (and a Chinese
CSV) shows each row's detail in Chinese, an English one what the daemon wrote, which the API
keeps as it is."""

from __future__ import annotations

from fastapi.testclient import TestClient

from broadcaster.actors import Role
from tests.kit.accounts import NAMES, PASSWORD


def test_an_emergency_and_the_music_it_stopped_read_in_the_pages_language(client, run_for):
    run_for(5)  # the music plays a while
    reply = client.post(
        "/api/v1/emergency", json={"file": "announcements/hello.wav", "title": "火警"}
    )
    assert reply.status_code == 202, reply.text
    run_for(1)
    assert client.delete("/api/v1/emergency").status_code == 200
    details = [r["detail"] for r in client.get("/api/v1/log").json()]
    assert "gain -6.0 dB; stopped for an emergency at 5 s" in details, details
    assert any(d.startswith("cleared by ") and d.endswith("pass(es)") for d in details), details

    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.SUPERVISOR], "password": PASSWORD})
        zh = browser.get("/supervisor/log", params={"day": "2026-11-23"}).text
        en = browser.get("/supervisor/log", params={"day": "2026-11-23", "lang": "en"}).text
        csv_zh = browser.get("/api/v1/log", params={"format": "csv", "lang": "zh"}).text
        csv_en = browser.get("/api/v1/log", params={"format": "csv", "lang": "en"}).text
    assert "增益 -6.0 dB；因紧急广播停止（第 5 秒）" in zh and "解除（已播 1 遍）" in zh
    assert "stopped for an emergency" not in zh
    assert "stopped for an emergency at 5 s" in en and "因紧急广播停止" not in en
    assert "因紧急广播停止（第 5 秒）" in csv_zh and "stopped for an emergency at 5 s" in csv_en

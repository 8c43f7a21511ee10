"""The supervisor's script editor and music pages as HTML: what they list, how they filter,
and that whatever a person typed is shown as text, never as markup."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from tests.kit.accounts import NAMES, PASSWORD

NASTY = "<script>alert(1)</script>"


def _script(client: TestClient, **fields: str) -> dict:
    body = {"title": "欢迎光临", "category": "opening", "language": "zh-CN",
            "text": "亲爱的顾客朋友们，/ 欢迎光临。", **fields}  # fmt: skip
    reply = client.post("/api/v1/scripts", json=body)
    assert reply.status_code == 201, reply.text
    return reply.json()


def _supervisor(client: TestClient) -> TestClient:
    browser = TestClient(client.app)
    browser.post("/login", data={"name": NAMES[Role.SUPERVISOR], "password": PASSWORD})
    return browser


@pytest.mark.audio
def test_the_editor_lists_scripts_with_their_versions_and_escapes_what_was_typed(client):
    welcome = _script(client, code="welcome")
    client.post(f"/api/v1/scripts/{welcome['id']}/approve")
    client.patch(f"/api/v1/scripts/{welcome['id']}", json={"text": "欢迎 *光临*。"})
    _script(client, code="nasty", title=NASTY, category="promotion", text=f"{NASTY} /好")
    with _supervisor(client) as browser:
        html = browser.get("/supervisor/scripts").text
        assert "稿件编辑" in html and "标记说明" in html
        assert NASTY not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "已审核 v1" in html and "草稿 v2" in html  # on air, with its new draft
        promotions = browser.get("/supervisor/scripts/list?category=promotion").text
        assert "nasty" in promotions and "welcome" not in promotions
        waiting = browser.get("/supervisor/scripts/list?state=never&q=ALERT").text
        assert "nasty" in waiting and "welcome" not in waiting
        panel = browser.get(f"/supervisor/scripts/panel?id={welcome['id']}").text
        assert 'id="se-versions"' in panel and "se-approve" in panel and "v2" in panel
        assert NASTY not in browser.get("/supervisor/scripts/panel?id=2").text
        assert "不存在或已归档" in browser.get("/supervisor/scripts/panel?id=999").text
        english = browser.get("/supervisor/scripts?lang=en&id=1").text
        assert "Script editor" in english and "awaiting approval" in english


def test_the_music_page_shows_playlists_and_a_search_of_tracks(client):
    made = client.post("/api/v1/playlists", json={"name": "<b>午间<i>", "kind": "list"})
    assert made.status_code == 201, made.text
    with _supervisor(client) as browser:
        html = browser.get("/supervisor/music").text
        assert "背景音乐" in html and "重新扫描音乐库" in html
        assert "<b>午间<i>" not in html and "&lt;b&gt;午间" in html
        assert browser.get("/supervisor/music/tracks?playlist=&q=zzz").status_code == 200
        gone = browser.get("/supervisor/music/tracks?playlist=999").text
        assert "已不存在" in gone
        listed = browser.get(f"/supervisor/music/tracks?playlist={made.json()['id']}").text
        assert "没有曲目" in listed

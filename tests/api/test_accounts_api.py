"""Accounts over HTTP: log-in with a cookie and a CSRF token, log-out, rate-limited refusals,
users and API keys for an admin (scoped keys for integrations), the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import NAMES, PASSWORD, api_client, as_role
from tests.kit.media import make_tone

CJK = re.compile(r"[\u4e00-\u9fff]")


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def refused(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == code and CJK.search(detail["message_zh"]), detail
    return detail


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("accounts") / "data"
    make_tone(data / "music" / "a.wav", 30)
    daemon = start_daemon(data)
    with api_client(daemon) as admin:
        yield daemon, admin
    daemon.stop()


@pytest.fixture
def person(shared: tuple[Daemon, TestClient]) -> Iterator[TestClient]:
    """A client with no key: it logs in like a person, with a cookie (fresh per test)."""
    with TestClient(shared[1].app) as client:
        yield client


def login(client: TestClient, role: Role) -> dict[str, Any]:
    return ok(client.post("/api/v1/login", json={"name": NAMES[role], "password": PASSWORD}))


@pytest.mark.audio
def test_a_person_logs_in_and_every_change_needs_the_pages_csrf_token(person):
    refused(person.get("/api/v1/status"), 401, "not_logged_in")
    me = login(person, Role.SERVICE_DESK)
    assert me["role"] == "service_desk" and me["role_zh"] == "服务台" and me["csrf_token"]
    cookie = person.cookies.get("broadcaster_session")
    assert cookie and cookie not in str(me)
    ok(person.get("/api/v1/status"))
    body = {"template": "lost_item", "fields": {"item": "黑色背包", "return_to": "一楼服务台"}}
    refused(person.post("/api/v1/pages", json=body), 403, "csrf")
    refused(person.post("/api/v1/pages", json=body, headers={"X-CSRF-Token": "old"}), 403, "csrf")
    page = ok(person.post("/api/v1/pages", json=body, headers={"X-CSRF-Token": me["csrf_token"]}),
              202)  # fmt: skip
    assert ok(person.get(f"/api/v1/pages/{page['id']}"))["created_by"].startswith("Li Na")
    assert ok(person.get("/api/v1/me"))["csrf_token"] == me["csrf_token"]
    refused(person.get("/api/v1/log"), 403, "forbidden")  # a supervisor's
    ok(person.post("/api/v1/logout", headers={"X-CSRF-Token": me["csrf_token"]}), 204)
    refused(person.get("/api/v1/status"), 401, "not_logged_in")


def test_the_session_cookie_is_http_only_and_same_site(person):
    reply = person.post("/api/v1/login", json={"name": NAMES[Role.ANNOUNCER],
                                                 "password": PASSWORD})  # fmt: skip
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_wrong_passwords_are_refused_then_limited_and_audited(tmp_path):
    # Its own daemon: the limit it reaches would lock the other tests' client out.
    make_tone(tmp_path / "data" / "music" / "a.wav", 5)
    daemon = start_daemon(tmp_path / "data")
    with api_client(daemon) as admin, TestClient(admin.app) as person:
        limited(admin, person)
    daemon.stop()


def limited(admin: TestClient, person: TestClient) -> None:
    name = NAMES[Role.SUPERVISOR]
    for _ in range(5):
        refused(person.post("/api/v1/login", json={"name": name, "password": "guess"}), 401,
                "bad_login")  # fmt: skip
    refused(person.post("/api/v1/login", json={"name": name, "password": PASSWORD}), 429,
            "too_many_logins")  # fmt: skip
    refused(person.post("/api/v1/login", json={"name": "nobody", "password": "x"}), 429,
            "too_many_logins")  # the same client is limited too  # fmt: skip
    page = person.post("/login", data={"name": name, "password": PASSWORD})
    assert page.status_code == 429 and "登录失败次数过多" in page.text  # the page's door too
    trail = ok(admin.get("/api/v1/audit"))
    statuses = [e["status"] for e in trail if e["action"] == "login refused"]
    assert statuses[:8] == [429, 429, 429] + [401] * 5


def test_an_admin_adds_a_user_who_then_logs_in_and_can_be_disabled(shared, person):
    _, admin = shared
    made = ok(admin.post("/api/v1/users", json={"name": "赵敏", "role": "announcer",
                                                "password": "一二三四五六七八"}), 201)  # fmt: skip
    assert made["role"] == "announcer" and "password" not in str(made)
    ok(person.post("/api/v1/login", json={"name": "赵敏", "password": "一二三四五六七八"}))
    ok(person.get("/api/v1/status"))
    ok(admin.patch(f"/api/v1/users/{made['id']}", json={"active": False}))
    refused(person.get("/api/v1/status"), 401, "not_logged_in")  # its sessions are gone
    refused(person.post("/api/v1/login", json={"name": "赵敏", "password": "一二三四五六七八"}),
            401, "bad_login")  # fmt: skip


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "<script>alert(1)</script>", "role": "announcer", "password": "x" * 10}, "name"),
    ({"name": "a\u202eb", "role": "announcer", "password": "x" * 10}, "name"),
    ({"name": "ok", "role": "system", "password": "x" * 10}, "role"),
    ({"name": "ok", "role": "king", "password": "x" * 10}, "role"),
    ({"name": "ok", "role": "announcer", "password": "short"}, "password"),
    ({"name": "ok", "role": "announcer", "password": " padded password "}, "password"),
    ({"name": "x" * 61, "role": "announcer", "password": "x" * 10}, "name"),
])  # fmt: skip
def test_bad_users_are_refused_per_field_and_nothing_is_added(shared, body, field):
    _, admin = shared
    before = ok(admin.get("/api/v1/users"))
    reply = admin.post("/api/v1/users", json=body)
    assert reply.status_code == 422 and field in reply.json()["detail"]["fields"], reply.text
    assert ok(admin.get("/api/v1/users")) == before


def test_a_name_is_taken_once_and_the_last_admin_stays_an_admin(shared):
    _, admin = shared
    body = {"name": NAMES[Role.ANNOUNCER], "role": "announcer", "password": "x" * 10}
    refused(admin.post("/api/v1/users", json=body), 409, "user_exists")
    me = next(u for u in ok(admin.get("/api/v1/users")) if u["name"] == NAMES[Role.ADMIN])
    refused(admin.patch(f"/api/v1/users/{me['id']}", json={"role": "supervisor"}), 409,
            "last_admin")  # fmt: skip


def test_a_fire_panel_key_may_start_an_emergency_and_nothing_else_then_is_revoked(shared):
    _, admin = shared
    user = ok(admin.post("/api/v1/users", json={"name": "fire-panel", "role": "announcer",
                                                "password": "x" * 20}), 201)  # fmt: skip
    key = ok(admin.post(f"/api/v1/users/{user['id']}/api-keys",
                        json={"name": "fire panel bridge", "scopes": ["emergency"]}), 201)  # fmt: skip
    assert key["key"].startswith("bk_") and key["prefix"] == key["key"][:10]
    listed = ok(admin.get("/api/v1/api-keys"))
    assert key["key"] not in str(listed) and any(k["id"] == key["id"] for k in listed)
    panel = {"Authorization": f"Bearer {key['key']}"}
    with TestClient(admin.app) as client:
        refused(client.post("/api/v1/pages", json={}, headers=panel), 403, "forbidden")
        refused(client.get("/api/v1/status", headers=panel), 403, "forbidden")
        assert client.delete("/api/v1/emergency", headers=panel).status_code == 409  # none yet
        ok(admin.delete(f"/api/v1/api-keys/{key['id']}"), 204)
        refused(client.delete("/api/v1/emergency", headers=panel), 401, "bad_api_key")
    beyond = admin.post(f"/api/v1/users/{user['id']}/api-keys",
                        json={"name": "too much", "scopes": ["users"]})  # fmt: skip
    assert beyond.status_code == 422 and "scopes" in beyond.json()["detail"]["fields"]


def test_every_change_is_audited_with_who_and_how_it_ended(shared):
    _, admin = shared
    with TestClient(admin.app) as desk:
        desk.post("/api/v1/emergency", json={}, headers=as_role(Role.SERVICE_DESK))
        desk.post("/api/v1/pages/999/resolve", headers=as_role(Role.SERVICE_DESK))
    trail = ok(admin.get("/api/v1/audit", params={"limit": 5}))
    assert {"actor": "Li Na (service_desk)", "action": "POST /api/v1/emergency",
            "status": 403} in [{k: e[k] for k in ("actor", "action", "status")} for e in trail]  # fmt: skip
    assert any(e["action"] == "POST /api/v1/pages/999/resolve" and e["status"] == 404
               for e in trail)  # fmt: skip
    refused(admin.get("/api/v1/audit", headers=as_role(Role.SUPERVISOR)), 403, "forbidden")

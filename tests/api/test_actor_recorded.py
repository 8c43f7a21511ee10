"""The record names who asked, always the authenticated person: a caller cannot write someone
else's name as the author of a page, an announcement or an emergency. What the desk types for a
customer is kept as "on behalf of", shown as such, never as the author."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from tests.kit.accounts import NAMES, PASSWORD

FORGED = "<script>alert(2)</script>"
ADMIN = NAMES[Role.ADMIN]  # the tests' client acts with the admin's API key
ROUTES: dict[str, dict[str, Any]] = {
    "/api/v1/announcements": {"file": "announcements/hello.wav", "title": "sale"},
    "/api/v1/pages": {"file": "announcements/hello.wav", "title": "lost child", "chime": False},
    "/api/v1/emergency": {"file": "announcements/hello.wav", "title": "fire"},
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_forged_author_is_never_the_author_and_is_kept_only_as_on_behalf_of(
    client, run_for, route
):
    """An older integration that names someone in ``requested_by`` (a fire panel's bridge) still
    gets its emergency on air; the record names the key's owner."""
    reply = client.post(route, json={**ROUTES[route], "requested_by": FORGED})
    assert reply.status_code == 202, reply.text
    run_for(10)
    if route == "/api/v1/emergency":
        assert client.get("/api/v1/status").json()["emergency"] is not None
        assert client.delete("/api/v1/emergency").status_code == 200
        run_for(5)
    rows = [r for r in client.get("/api/v1/log").json() if r["layer"] == "voice"]
    assert rows and all(r["requested_by"] == ADMIN for r in rows), rows
    assert all(f"on behalf of {FORGED}" in r["detail"] for r in rows), rows
    for page in client.get("/api/v1/pages").json():
        assert page["created_by"] == ADMIN and page["on_behalf_of"] == FORGED
    trail = client.get("/api/v1/audit", params={"limit": 5}).json()
    assert {"actor": f"{ADMIN} (admin)", "action": f"POST {route}", "status": 202} in [
        {k: e[k] for k in ("actor", "action", "status")} for e in trail
    ]
    assert all(FORGED not in e["actor"] for e in trail)


def test_on_behalf_of_is_kept_as_such_in_the_log_the_pages_and_the_desk(client, run_for):
    for route, body in ROUTES.items():
        reply = client.post(route, json={**body, "on_behalf_of": FORGED})
        assert reply.status_code == 202, reply.text
        if route == "/api/v1/emergency":
            run_for(30)  # the alert, the message, a second pass
            assert client.delete("/api/v1/emergency").status_code == 200
        run_for(10)
    rows = [r for r in client.get("/api/v1/log").json() if r["layer"] == "voice"]
    assert {r["kind"] for r in rows} == {"announcement", "page", "emergency"}
    for row in rows:
        assert row["requested_by"] == ADMIN, row  # the authenticated person, never the body
        assert f"on behalf of {FORGED}" in row["detail"], row
    (page,) = client.get("/api/v1/pages").json()
    assert page["created_by"] == ADMIN and page["on_behalf_of"] == FORGED
    trail = client.get("/api/v1/audit", params={"limit": 10}).json()
    posted = [e for e in trail if e["action"].startswith("POST /api/v1/")]
    assert len(posted) == 3 and {e["actor"] for e in posted} == {f"{ADMIN} (admin)"}

    # The desk shows it as "for …", escaped, after the author's name.
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.SERVICE_DESK], "password": PASSWORD})
        html = browser.get("/desk/active").text
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": ADMIN, "password": PASSWORD})
        log_html = browser.get("/supervisor/log", params={"day": "2026-11-23"}).text
    assert "on behalf of &lt;script&gt;alert(2)&lt;/script&gt;" in log_html
    assert FORGED not in html and FORGED not in log_html  # never as markup
    assert f'{ADMIN} <span class="on-behalf">（代 &lt;script&gt;alert(2)&lt;/script&gt;）' in html

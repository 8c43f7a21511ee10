"""Every route, every role, against one table: ROUTES says the right each route needs, and
broadcaster.actors.RIGHTS which roles hold it. A route missing from the table fails the test,
so a new route cannot arrive without its right."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import RIGHTS, Right, Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import NAMES, PASSWORD, api_client, as_role
from tests.kit.media import make_tone

PUBLIC = object()  # anyone, logged in or not
ANYONE = object()  # anyone logged in, whatever their rights
S, P, A, E = Right.STATUS, Right.PAGES, Right.ANNOUNCE, Right.EMERGENCY
ROUTES: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/health"): PUBLIC,
    ("POST", "/api/v1/login"): PUBLIC,
    ("POST", "/api/v1/logout"): ANYONE,
    ("GET", "/api/v1/me"): ANYONE,
    ("GET", "/api/v1/zones"): ANYONE,
    ("GET", "/api/v1/status"): S,
    ("GET", "/api/v1/events"): S,
    ("GET", "/api/v1/now-playing"): S,
    ("POST", "/api/v1/pages"): P,
    ("POST", "/api/v1/pages/preview"): P,
    ("GET", "/api/v1/pages"): P,
    ("GET", "/api/v1/pages/templates"): P,
    ("GET", "/api/v1/pages/{page_id}"): P,
    ("POST", "/api/v1/pages/{page_id}/resolve"): P,
    ("POST", "/api/v1/pages/{page_id}/cancel"): P,
    ("POST", "/api/v1/scripts/preview"): P,  # the desk listens before sending
    ("POST", "/api/v1/announcements"): A,
    ("POST", "/api/v1/announcements/recording"): A,
    ("POST", "/api/v1/live"): A,
    ("DELETE", "/api/v1/live/{request_id}"): A,
    ("DELETE", "/api/v1/queue/{request_id}"): A,
    ("POST", "/api/v1/queue/{request_id}/move"): A,
    ("GET", "/api/v1/scripts"): A,
    ("GET", "/api/v1/scripts/{script_id}"): A,
    ("GET", "/api/v1/scripts/{script_id}/versions"): A,
    ("GET", "/api/v1/scripts/{script_id}/preview"): A,
    ("POST", "/api/v1/emergency"): E,
    ("DELETE", "/api/v1/emergency"): E,
    ("POST", "/api/v1/scripts"): Right.SCRIPTS,
    ("PATCH", "/api/v1/scripts/{script_id}"): Right.SCRIPTS,
    ("DELETE", "/api/v1/scripts/{script_id}"): Right.SCRIPTS,
    ("POST", "/api/v1/scripts/{script_id}/approve"): Right.SCRIPTS,
    ("PUT", "/api/v1/scripts/{script_id}/recording"): Right.SCRIPTS,
    ("GET", "/api/v1/log"): Right.LOG,
    ("GET", "/api/v1/log/proof-of-play"): Right.LOG,
    ("GET", "/api/v1/log/proof-of-play/airings"): Right.LOG,
    **{(method, f"/api/v1/shifts{path}"): Right.HANDOVER for method, path in (
        ("GET", ""), ("POST", ""), ("GET", "/current"), ("GET", "/{shift_id}"),
        ("PATCH", "/{shift_id}"), ("POST", "/{shift_id}/handover"),
        ("POST", "/{shift_id}/confirm"), ("GET", "/{shift_id}/log"),
    )},
    **{(method, f"/api/v1/programme/{path}"): Right.PROGRAMME for method, path in (
        ("GET", "day-types"), ("POST", "day-types"), ("GET", "day-types/{day_type_id}"),
        ("PATCH", "day-types/{day_type_id}"), ("DELETE", "day-types/{day_type_id}"),
        ("GET", "weekdays"), ("GET", "weekdays/{weekday}"), ("PUT", "weekdays/{weekday}"),
        ("DELETE", "weekdays/{weekday}"), ("GET", "calendar"), ("POST", "calendar"),
        ("GET", "calendar/{entry_id}"), ("PATCH", "calendar/{entry_id}"),
        ("DELETE", "calendar/{entry_id}"), ("GET", "rules"), ("POST", "rules"),
        ("GET", "rules/{rule_id}"), ("PATCH", "rules/{rule_id}"), ("DELETE", "rules/{rule_id}"),
        ("GET", "plan"),
    )},
    **{(method, f"/api/v1/{path}"): Right.MUSIC for method, path in (
        ("GET", "library/tracks"), ("GET", "library/tracks/{track_id}"),
        ("POST", "library/scans"), ("GET", "library/scans"), ("GET", "library/scans/{job_id}"),
        ("GET", "playlists"), ("POST", "playlists"), ("POST", "playlists/import"),
        ("GET", "playlists/{playlist_id}"), ("PATCH", "playlists/{playlist_id}"),
        ("DELETE", "playlists/{playlist_id}"), ("GET", "playlists/{playlist_id}/export.m3u8"),
    )},
    **{(method, f"/api/v1/{path}"): Right.USERS for method, path in (
        ("GET", "users"), ("POST", "users"), ("PATCH", "users/{user_id}"), ("GET", "api-keys"),
        ("POST", "users/{user_id}/api-keys"), ("DELETE", "api-keys/{key_id}"), ("GET", "audit"),
    )},
}  # fmt: skip
PEOPLE = [Role.SERVICE_DESK, Role.ANNOUNCER, Role.SUPERVISOR, Role.ADMIN]
STREAMS = {("GET", "/api/v1/events")}  # allowed: an endless stream, so only refusals are tried


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("rights") / "data"
    make_tone(data / "music" / "a.wav", 30)
    daemon = start_daemon(data)
    with api_client(daemon) as client:
        yield daemon, client
    daemon.stop()


def concrete(path: str) -> str:
    """A path with its parameters filled in with ids that do not exist (no harm done)."""
    return re.sub(r"\{[a-z_]+\}", "999999", path.replace("{weekday}", "6"))


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body = {} if method in ("GET", "DELETE") else {"json": []}  # never a valid body
    return client.request(method, concrete(path), headers=headers, **body).status_code


def test_the_table_names_every_route_of_the_api(app):
    _, client = app
    schema = client.get("/openapi.json").json()
    routes = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert routes == set(ROUTES), (
        f"routes without a right in the table: {sorted(routes - set(ROUTES))}; "
        f"in the table but gone: {sorted(set(ROUTES) - routes)}"
    )


# A live call records the microphone (ffmpeg); a scan measures the music (ffmpeg, after the
# request: in the module's later tests).
MAKES_SOUND = {("POST", "/api/v1/live"), ("POST", "/api/v1/library/scans")}


@pytest.mark.parametrize(
    ("method", "path"),
    [pytest.param(*r, marks=pytest.mark.audio) if r in MAKES_SOUND else r for r in sorted(ROUTES)],
)
def test_each_role_is_allowed_or_refused_as_the_table_says(app, method, path):
    _, client = app
    need = ROUTES[method, path]
    with TestClient(client.app) as stranger:  # no key, no cookie
        anonymous = call(stranger, method, path, {})
    if need is PUBLIC:
        assert anonymous not in (401, 403)
        return
    assert anonymous == 401, f"{method} {path} answered {anonymous} without log-in"
    for role in PEOPLE:
        allowed = need is ANYONE or need in RIGHTS[role]
        if allowed and (method, path) in STREAMS:
            continue
        status = call(client, method, path, as_role(role))
        if allowed:
            assert status not in (401, 403), f"{role.value} refused {method} {path}: {status}"
        else:
            assert status == 403, f"{role.value} got {status} for {method} {path}"


def test_the_roles_build_on_each_other():
    assert RIGHTS[Role.SERVICE_DESK] < RIGHTS[Role.ANNOUNCER] < RIGHTS[Role.SUPERVISOR]
    assert RIGHTS[Role.SUPERVISOR] < RIGHTS[Role.ADMIN] == frozenset(Right)
    assert RIGHTS[Role.SERVICE_DESK] == {Right.STATUS, Right.PAGES}
    assert {Right.ANNOUNCE, Right.EMERGENCY, Right.HANDOVER} <= RIGHTS[Role.ANNOUNCER]
    assert (
        Right.SCRIPTS not in RIGHTS[Role.ANNOUNCER] and Right.USERS not in RIGHTS[Role.SUPERVISOR]
    )


WEB: dict[str, Right] = {
    "/desk": Right.PAGES, "/desk/active": Right.PAGES, "/announcer": Right.ANNOUNCE,
    "/announcer/now": Right.ANNOUNCE, "/announcer/scripts": Right.ANNOUNCE,
    "/supervisor/log": Right.LOG, "/admin": Right.USERS,
    "/supervisor/scripts": Right.SCRIPTS, "/supervisor/scripts/list": Right.SCRIPTS,
    "/supervisor/scripts/panel": Right.SCRIPTS, "/supervisor/music": Right.MUSIC,
    "/supervisor/music/playlists": Right.MUSIC, "/supervisor/music/tracks": Right.MUSIC,
    "/supervisor/programme": Right.PROGRAMME, "/supervisor/log/proof": Right.LOG,
    "/announcer/handover": Right.HANDOVER, "/shifts": Right.HANDOVER,
}  # fmt: skip
"""The console's pages (not in the API schema) and the right each needs."""


@pytest.mark.parametrize("role", PEOPLE)
def test_the_console_pages_follow_the_same_table(app, role):
    _, client = app
    with TestClient(client.app) as browser:
        assert browser.get("/desk", follow_redirects=False).headers["location"] == "/login"
        assert browser.get("/desk/active").status_code == 401
        browser.post("/login", data={"name": NAMES[role], "password": PASSWORD})
        for path, need in WEB.items():
            status = browser.get(path).status_code
            assert status == (200 if need in RIGHTS[role] else 403), (role, path, status)

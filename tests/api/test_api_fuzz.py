"""Hostile input against every route of the OpenAPI schema (schemathesis): random bodies,
parameters and paths, sent as the tests' admin (every right), must never get a 5xx.

The short run here (``FUZZ_EXAMPLES`` per route, 6 by default) is part of ``make test``; for
the long run: ``FUZZ_EXAMPLES=200 pytest tests/api/test_api_fuzz.py``.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from broadcaster.actors import Role
from tests.api.conftest import start_daemon
from tests.kit.accounts import as_role, seed_accounts
from tests.kit.media import make_tone

pytestmark = pytest.mark.audio  # makes or measures sound with a real tool (tests/conftest.py)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))


def test_no_route_answers_hostile_input_with_a_server_error(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 120, 220)
    make_tone(data / "announcements" / "hello.wav", 2, 440)
    daemon = start_daemon(data)
    assert daemon.engine is not None
    seed_accounts(daemon.engine)
    failures: list[str] = []
    tried: list[str] = []
    calls: list[int] = []
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(daemon))
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path == "/api/v1/events":
                continue  # a stream that never ends; its only input is the credentials
            tried.append(f"{operation.method.upper()} {operation.path}")

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            def hostile(case: Any) -> None:
                response = case.call(headers=as_role(Role.ADMIN))
                calls.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} "
                                    f"{case.body!r:.200} -> {response.status_code}")  # fmt: skip

            hostile()
    finally:
        daemon.stop()
    print(f"{len(tried)} routes, {len(calls)} calls, statuses {sorted(Counter(calls).items())}")
    assert len(tried) > 50  # every route of the schema, not a handful
    assert not failures, "\n".join(failures[:20])


def test_an_id_beyond_the_databases_integers_is_not_found(client):
    # Found by the fuzz run above: SQLite cannot even look such a number up (a 500 before).
    for method, path in (("PATCH", "/api/v1/programme/calendar/9223372036854775808"),
                         ("GET", "/api/v1/scripts/99999999999999999999"),
                         ("DELETE", "/api/v1/queue/18446744073709551616"),
                         ("PATCH", "/api/v1/programme/rules/-9223372036854775809")):  # fmt: skip
        reply = client.request(method, path, json={})
        assert reply.status_code == 404, (path, reply.text)
        assert reply.json()["detail"]["message_zh"] == "没有这一项。"
    assert client.get("/api/v1/scripts/9223372036854775807").status_code == 404  # the largest
    # In a query or a body, such a number is refused as too large (422), not a crash.
    huge = 2**64
    assert client.get(f"/api/v1/library/tracks?offset={huge}").status_code == 422
    assert client.get(f"/api/v1/library/tracks?playlist_id={huge}").status_code == 422
    reply = client.post("/api/v1/announcements", json={"script_id": huge})
    assert reply.status_code == 422, reply.text


def test_text_with_nothing_to_say_is_the_texts_fault_not_the_voices(client):
    # Found by the fuzz run: punctuation or unknown characters alone gave 503 "voice failed".
    for text in ("。", "\x86:\U0007d090", "——！"):
        reply = client.post("/api/v1/scripts/preview", json={"text": text})
        assert reply.status_code == 422, (text, reply.text)
        assert "没有可以朗读的文字" in reply.json()["detail"]["fields"]["text"]["message_zh"]
    assert client.post("/api/v1/scripts/preview", json={"text": "欢迎。"}).status_code == 200

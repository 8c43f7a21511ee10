"""Secrets never reach the daemon's log: not a password (right or wrong), not an API key, not a
session token, not a CSRF token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.kit.accounts import NAMES, PASSWORD, key_for
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

pytestmark = pytest.mark.e2e


def test_no_password_key_or_token_is_written_to_the_log(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 60, 330)
    wrong = "Wr0ng-passphrase-for-the-log"
    secrets: list[str] = [PASSWORD, wrong]
    with DaemonProcess(data, audio__output="null") as daemon:
        admin = NAMES[next(iter(NAMES))]
        httpx.post(daemon.url + "/api/v1/login", json={"name": admin, "password": wrong})
        with httpx.Client(base_url=daemon.url) as person:
            me = person.post("/api/v1/login", json={"name": admin, "password": PASSWORD}).json()
            secrets += [me["csrf_token"], *person.cookies.values()]
            person.post("/api/v1/announcements", json={"text": "欢迎光临"},
                        headers={"X-CSRF-Token": me["csrf_token"]})  # fmt: skip
        made = daemon.send("POST", "/api/v1/users/1/api-keys", {"name": "log test"})
        secrets += [made["key"], key_for(next(iter(NAMES)))]
        httpx.get(daemon.url + "/api/v1/status", headers={"Authorization": f"Bearer {made['key']}"})
        httpx.get(daemon.url + "/api/v1/status", headers={"Authorization": "Bearer bk_not-a-key"})
    log = daemon.log_path.read_text(encoding="utf-8", errors="replace")
    assert "broadcaster started" in log  # the log is really there
    for secret in secrets:
        assert secret and secret not in log, f"a secret ({secret[:4]}…) is in the daemon's log"

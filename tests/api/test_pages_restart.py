"""A page survives a restart: the desk's record is in the database, and a daemon started again
carries on with the pages that were still active, from where they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import FakeClock
from broadcaster.daemon import Daemon
from broadcaster.simulation import VirtualDriver
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client
from tests.kit.media import make_quiet_wav

pytestmark = pytest.mark.audio  # makes or measures sound with a real tool (tests/conftest.py)

BODY = {"template": "found_item", "fields": {"item": "一把蓝色雨伞", "where_to_claim": "一楼服务台"},
        "times": 3, "every_min": 1}  # fmt: skip


def run_for(daemon: Daemon, seconds: float) -> None:
    assert isinstance(daemon.clock, FakeClock) and isinstance(daemon.output, FakeOutput)
    driver = VirtualDriver(daemon.clock, daemon.output, daemon.core)
    daemon.core.call(driver.run_for, seconds).result(30)


def completed(client: TestClient) -> list[dict]:
    rows = client.get("/api/v1/log", params={"order": "asc", "kind": "page"}).json()
    return [r for r in rows if r["outcome"] == "completed"]


def test_an_active_page_carries_on_after_a_restart_and_a_finished_one_does_not(tmp_path: Path):
    data = tmp_path / "data"
    make_quiet_wav(data / "music" / "a.wav", 900)
    first = start_daemon(data)
    with api_client(first) as client:
        page = client.post("/api/v1/pages", json=BODY).json()
        done = client.post("/api/v1/pages", json={"text": "请注意。", "times": 1}).json()
        run_for(first, 45)  # both play once; the first is due again a minute after it started
        assert len(completed(client)) == 2
        assert client.get(f"/api/v1/pages/{done['id']}").json()["status"] == "finished"
    stopped_at = first.clock.now()
    first.stop()

    second = start_daemon(data)
    second.clock.set(stopped_at)  # the restart takes no virtual time
    with api_client(second) as client:
        assert client.get(f"/api/v1/pages/{page['id']}").json()["plays"] == 1
        run_for(second, 5 * 60)
        rows = completed(client)
        assert len(rows) == 4  # 2 before the restart, then plays 2 and 3 of the active page
        assert ["play 2/3" in r["detail"] for r in rows[2:]] == [True, False]
        state = client.get(f"/api/v1/pages/{page['id']}").json()
        assert (state["status"], state["plays"]) == ("finished", 3)
    second.stop()

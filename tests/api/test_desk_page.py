"""The service desk's list: notices on air first, then the notices that ended during the
store's day (not yesterday's), with who ended them and when."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from broadcaster.actors import Role
from broadcaster.clock import day_bounds
from broadcaster.paging.models import Page, PageStatus
from tests.kit.accounts import NAMES, PASSWORD
from tests.kit.factories import T0


def _page(title: str, at, status: PageStatus, ended_by: str | None = None) -> Page:
    return Page(title=title, media_path="x.wav", every_s=180, times=5, created_at=at,
                created_by="Li Na", status=status,
                ended_at=None if status is PageStatus.ACTIVE else at + timedelta(minutes=9),
                ended_by=ended_by)  # fmt: skip


def test_the_desk_shows_todays_ended_notices_but_not_yesterdays(daemon, client):
    zone = daemon.settings.zone
    midnight, _ = day_bounds(T0.astimezone(zone).date(), zone)
    assert T0 - midnight > timedelta(minutes=30)
    with Session(daemon.engine) as session:
        session.add(_page("昨天的黑色背包", midnight - timedelta(minutes=20), PageStatus.RESOLVED))
        session.add(_page("今早的红色雨伞", midnight + timedelta(minutes=5), PageStatus.RESOLVED,
                          ended_by="Li Na"))  # fmt: skip
        session.add(_page("正在找的乐乐", T0 - timedelta(minutes=1), PageStatus.ACTIVE))
        session.commit()
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.SERVICE_DESK], "password": PASSWORD})
        html = browser.get("/desk/active").text
    active, history = html.split('id="history"')
    assert "正在找的乐乐" in active and "已找到" in active  # with its "found" button
    assert "今早的红色雨伞" in history and "结束" in history and "Li Na" in history
    assert "昨天的黑色背包" not in html
    assert "正在找的乐乐" not in history

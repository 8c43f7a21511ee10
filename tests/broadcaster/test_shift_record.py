"""A shift's handover record built from play-log rows and the desk's pages: what played in
full, what was cut short or never aired in the end, emergencies, faults and open notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from broadcaster.paging.models import Page, PageStatus
from broadcaster.playlog import PlayLogPublic
from broadcaster.shifts.record import build_record

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def row(n: int, kind: str, title: str, outcome: str | None, *, asked: int = 0,
        by: str = "Zhou Min (announcer)") -> PlayLogPublic:  # fmt: skip
    at = T + timedelta(minutes=asked)
    return PlayLogPublic(id=n, layer="voice", kind=kind, title=title, requested_by=by,
                         requested_at=at, started_at=at + timedelta(seconds=n), outcome=outcome,
                         media_path=f"{title}.wav")  # fmt: skip


def test_an_item_counts_by_its_last_row_and_each_kind_goes_to_its_place():
    rows = [
        row(1, "music", "轻音乐", "completed"),
        row(2, "announcement", "欢迎光临", "preempted", asked=1),
        row(3, "page", "寻找乐乐", "completed", asked=2, by="Li Na (service_desk)"),
        row(4, "announcement", "欢迎光临", "completed", asked=1),  # replayed in full
        row(5, "announcement", "会员日", "preempted", asked=3),  # cut for good
        row(6, "emergency", "消防演练", "preempted", asked=4),
        row(7, "announcement", "双十一促销", "missed", asked=5, by="programme: promotions"),
        row(8, "announcement", "会员日", "expired", asked=6),  # asked again later: its own
        row(9, "fault", "扬声器没有声音", None, asked=7, by="audio output"),
        row(10, "music", "坏文件", "failed", asked=8),
    ]  # fmt: skip
    page = Page(id=3, title="寻找乐乐", media_path="p.wav", every_s=180, times=5, plays=1,
                attempts=1, status=PageStatus.ACTIVE, created_at=T, created_by="Li Na")  # fmt: skip
    record = build_record(rows, [page], since=T, until=T + timedelta(hours=1))
    assert record.aired == {"music": 1, "page": 1, "announcement": 1}
    assert [i.title for i in record.spoken] == ["寻找乐乐", "欢迎光临"]
    assert [(i.id, i.title) for i in record.cut_short] == [(5, "会员日")]
    assert [(i.id, i.title) for i in record.missed] == [(7, "双十一促销"), (8, "会员日")]
    assert [i.title for i in record.emergencies] == ["消防演练"]
    assert [(i.title, i.outcome) for i in record.faults] == [("扬声器没有声音", None)]
    assert record.music_failed == 1
    assert [(p.title, p.status, p.plays, p.times) for p in record.pages] == [
        ("寻找乐乐", "active", 1, 5)]  # fmt: skip

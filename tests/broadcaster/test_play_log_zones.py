"""Which zones heard a play-log row: written through the ordered writer, read back, filtered
by zone (a row of every zone is heard in each), exported, and counted in the proof of play;
migration 0009 adds the column to a database with rows and takes it away again."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import inspect

from broadcaster import migrations
from broadcaster.db import make_engine
from broadcaster.exports import play_log_csv
from broadcaster.playlog import Outcome, PlayLog
from broadcaster.proof import proof_of_play, spot_rows

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


def spot(log: PlayLog, key: str, zones: tuple[str, ...] | None, outcome: Outcome,
         minute: int) -> None:  # fmt: skip
    at = T + timedelta(minutes=minute)
    log.record(layer="voice", kind="announcement", title="双十一促销", cue_key=key,
               requested_by="programme: promotions", requested_at=at, planned_at=at,
               started_at=at, ended_at=at + timedelta(seconds=12), outcome=outcome.value,
               zones=zones)  # fmt: skip


@pytest.fixture
def log(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'z.db'}")
    playlog = PlayLog(engine)
    yield playlog
    playlog.writer.stop()


def test_a_row_says_which_zones_heard_it_and_the_log_filters_by_zone(log):
    spot(log, "p:1", ("1F",), Outcome.COMPLETED, 0)
    spot(log, "p:2", ("1F", "2F"), Outcome.COMPLETED, 1)
    spot(log, "p:3", None, Outcome.COMPLETED, 2)  # before zones: every zone heard it
    handle = log.open(layer="voice", kind="page", title="寻人", requested_by="desk",
                      requested_at=T, started_at=T, zones=["2F", "B1"])  # fmt: skip
    log.close(handle, ended_at=T + timedelta(seconds=20), outcome=Outcome.COMPLETED)
    assert [r.zones for r in log.query()] == ["1F", "1F,2F", None, "2F,B1"]
    assert [r.cue_key or r.title for r in log.query(zones=["2F"])] == ["p:2", "p:3", "寻人"]
    assert [r.cue_key or r.title for r in log.query(zones=["B1", "1F"])] == [
        "p:1", "p:2", "p:3", "寻人"]  # fmt: skip
    assert log.count(zones=["3F"]) == 1  # only the row of every zone


def test_a_zone_filter_is_not_fooled_by_like_wildcards_or_prefixes(log):
    spot(log, "p:1", ("1F_a",), Outcome.COMPLETED, 0)
    spot(log, "p:2", ("1Fxa",), Outcome.COMPLETED, 1)
    spot(log, "p:3", ("11F",), Outcome.COMPLETED, 2)
    assert [r.cue_key for r in log.query(zones=["1F_a"])] == ["p:1"]
    assert log.query(zones=["1F"]) == []


def test_a_zone_id_with_a_comma_cannot_be_written(log):
    with pytest.raises(ValueError, match="comma"):
        log.record(layer="voice", kind="page", title="x", requested_by="t", zones=["1F,2F"])


def test_the_csv_export_and_the_proof_of_play_show_the_zones(log):
    spot(log, "p:1", ("1F",), Outcome.COMPLETED, 0)
    spot(log, "p:2", ("2F",), Outcome.PREEMPTED, 1)
    spot(log, "p:3", None, Outcome.COMPLETED, 2)
    text = play_log_csv(log.query(), zone=SHANGHAI, lang="zh")
    header = text.splitlines()[0]
    assert header.endswith(",分区") and text.splitlines()[1].endswith(",1F")
    assert play_log_csv(log.query(), zone=SHANGHAI, lang="en").splitlines()[0].endswith(",Zones")
    day = date(2026, 11, 23)
    in_1f = proof_of_play(spot_rows(log, SHANGHAI, day, day, zones=["1F"]))
    in_2f = proof_of_play(spot_rows(log, SHANGHAI, day, day, zones=["2F"]))
    assert (in_1f[0].planned, in_1f[0].played, in_1f[0].cut_short) == (2, 2, 0)
    assert (in_2f[0].planned, in_2f[0].played, in_2f[0].cut_short) == (2, 1, 1)


def test_migration_0009_keeps_the_rows_up_and_down(tmp_path):
    original = tmp_path / "with_rows.db"
    engine = make_engine(f"sqlite:///{original}")
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "0008")
    assert "zones" not in {c["name"] for c in inspect(engine).get_columns("play_log")}
    with engine.begin() as connection:
        for n in range(3):
            connection.exec_driver_sql(
                "INSERT INTO play_log (layer, kind, title, requested_by, detail, requested_at) "
                f"VALUES ('voice', 'announcement', 'row {n}', 'test', '', '2026-11-23 02:00:00')"
            )
    engine.dispose()
    copy = tmp_path / "copy.db"
    shutil.copy(original, copy)  # the upgrade runs on a copy, as a technician would try it

    upgraded = make_engine(f"sqlite:///{copy}")  # migrates to the head
    log = PlayLog(upgraded)
    assert [(r.title, r.zones) for r in log.query()] == [(f"row {n}", None) for n in range(3)]
    log.record(layer="voice", kind="page", title="zoned", requested_by="t", zones=["1F"])
    assert log.query(zones=["1F"])[-1].title == "zoned"
    log.writer.stop()
    with upgraded.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "0008")
    with upgraded.connect() as connection:
        titles = [t for (t,) in connection.exec_driver_sql("SELECT title FROM play_log")]
    assert titles == ["row 0", "row 1", "row 2", "zoned"]
    assert "zones" not in {c["name"] for c in inspect(upgraded).get_columns("play_log")}
    migrations.upgrade(upgraded)
    assert "zones" in {c["name"] for c in inspect(upgraded).get_columns("play_log")}

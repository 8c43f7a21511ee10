"""Proof of play counted from play-log rows: a spot's last outcome counts, per rule and title."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from broadcaster.playlog import PlayLogPublic
from broadcaster.proof import SpotProof, lateness, proof_of_play


def row(n: int, key: str | None, outcome: str | None, title: str = "Promo A",
        rule: str = "programme: promotions", kind: str = "announcement") -> PlayLogPublic:  # fmt: skip
    return PlayLogPublic(id=n, layer="voice", kind=kind, title=title, requested_by=rule,
                         outcome=outcome, cue_key=key)  # fmt: skip


def test_each_cue_counts_once_by_its_last_outcome_and_other_rows_are_left_out():
    rows = [
        row(1, "r:1", "completed"),
        row(2, "r:2", "preempted"), row(3, "r:2", "completed"),  # re-queued, then played in full
        row(4, "r:3", "preempted"),  # cut short for good
        row(5, "r:4", "missed"), row(6, "r:5", "expired"), row(7, "r:6", None),
        row(8, "r:7", "completed", title="Promo B"),
        row(9, None, "completed", rule="Li Na (announcer)"),  # the announcer's, not the programme's
        row(10, "m:1", "completed", kind="music"),
    ]  # fmt: skip
    assert proof_of_play(rows) == [
        SpotProof("promotions", "Promo A", planned=6, played=2, late=0, cut_short=1, missed=2,
                  on_air=1),
        SpotProof("promotions", "Promo B", planned=1, played=1, late=0, cut_short=0, missed=0,
                  on_air=0),
    ]  # fmt: skip


def test_a_spot_played_late_says_by_how_much_and_is_not_counted_on_time():
    planned = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    def at(n: int, key: str, late_s: float) -> PlayLogPublic:
        return PlayLogPublic(id=n, layer="voice", kind="announcement", title="Promo A",
                             requested_by="programme: promotions", outcome="completed",
                             cue_key=key, planned_at=planned,
                             started_at=planned + timedelta(seconds=late_s))  # fmt: skip

    rows = [at(1, "r:1", 0.2), at(2, "r:2", 58.4), at(3, "r:3", 2.5)]
    assert proof_of_play(rows) == [SpotProof("promotions", "Promo A", planned=3, played=1,
                                             late=2, cut_short=0, missed=0, on_air=0,
                                             late_s=(58, 2))]  # fmt: skip
    assert proof_of_play(rows, on_time_s=5)[0].late_s == (58,)  # the tolerance is a setting
    assert lateness(planned, planned + timedelta(seconds=58.4), timedelta(seconds=2)) == "late 58 s"
    assert lateness(planned, planned + timedelta(seconds=1), timedelta(seconds=2)) == ""

"""Proof of play counted from play-log rows: a spot's last outcome counts, per rule and title."""

from __future__ import annotations

from broadcaster.playlog import PlayLogPublic
from broadcaster.proof import SpotProof, proof_of_play


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
        SpotProof("promotions", "Promo A", planned=6, played=2, cut_short=1, missed=2, on_air=1),
        SpotProof("promotions", "Promo B", planned=1, played=1, cut_short=0, missed=0, on_air=0),
    ]

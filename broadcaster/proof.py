"""Proof of play: for each programme spot (a rule's announcement), how often it was planned,
played in full, cut short and missed — the advertisers' report, from the play log alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from broadcaster.playlog import Outcome, PlayLogPublic

MISSED = {Outcome.MISSED.value, Outcome.EXPIRED.value, Outcome.SKIPPED.value,
          Outcome.FAILED.value, Outcome.CANCELLED.value}  # fmt: skip


@dataclass(frozen=True)
class SpotProof:
    rule: str
    title: str
    planned: int  # distinct cues the programme handed over
    played: int  # ended completed (after a re-queue, too)
    cut_short: int  # its last play was preempted
    missed: int  # never went on air: missed, expired, skipped, failed, cancelled
    on_air: int  # still playing when the report was made


def proof_of_play(rows: Iterable[PlayLogPublic]) -> list[SpotProof]:
    """1. Keep the programme's announcements (rows with a cue key). 2. A cue's outcome is its
    last row's (a preempted spot re-queued once may still play in full). 3. Count per rule and
    title, in the order the rules first appear."""
    last: dict[str, PlayLogPublic] = {}
    for row in rows:
        if row.cue_key and row.kind == "announcement":
            last[row.cue_key] = row
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in last.values():
        rule = row.requested_by.removeprefix("programme: ")
        bucket = counts.setdefault((rule, row.title), {"played": 0, "cut": 0, "missed": 0, "on": 0})
        if row.outcome == Outcome.COMPLETED.value:
            bucket["played"] += 1
        elif row.outcome == Outcome.PREEMPTED.value:
            bucket["cut"] += 1
        elif row.outcome in MISSED:
            bucket["missed"] += 1
        else:
            bucket["on"] += 1
    return [
        SpotProof(rule, title, sum(c.values()), c["played"], c["cut"], c["missed"], c["on"])
        for (rule, title), c in counts.items()
    ]

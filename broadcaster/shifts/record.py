"""The handover record of a shift: what the play log and the desk's pages say happened between
its start and its end. A pure function of those rows, so the open shift's page and the record
frozen at hand-over are built the same way."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from broadcaster.paging.models import Page
from broadcaster.playlog import Outcome, PlayLogPublic
from broadcaster.shifts.models import LogItem, PageItem, ShiftRecord

SPOKEN = {"announcement", "page"}
NEVER_AIRED = {Outcome.MISSED.value, Outcome.EXPIRED.value, Outcome.SKIPPED.value,
               Outcome.FAILED.value, Outcome.CANCELLED.value}  # fmt: skip


def build_record(
    rows: Iterable[PlayLogPublic], pages: Iterable[Page], *, since: dt.datetime,
    until: dt.datetime,
) -> ShiftRecord:  # fmt: skip
    """1. Count what played in full per kind. 2. List the spoken items that played, and those
    whose last row was cut short or never aired (an announcement preempted and then replayed
    in full is one that played). 3. List emergencies and faults whatever their outcome. 4. List
    the desk's pages that were active at any time in the shift, with how they ended."""
    rows = list(rows)
    last = {_request(row): row.id for row in rows if row.kind in SPOKEN}
    aired: Counter[str] = Counter()
    spoken, cut, missed, emergencies, faults = [], [], [], [], []
    music_failed = 0
    for row in rows:
        item = LogItem.model_validate(row, from_attributes=True)
        final = row.kind not in SPOKEN or last[_request(row)] == row.id
        if row.outcome == Outcome.COMPLETED.value:
            aired[row.kind] += 1
        if row.kind == "emergency":
            emergencies.append(item)
        elif row.kind == "fault":
            faults.append(item)
        elif row.kind in SPOKEN and row.outcome == Outcome.COMPLETED.value:
            spoken.append(item)
        elif row.kind in SPOKEN and final and row.outcome == Outcome.PREEMPTED.value:
            cut.append(item)
        elif row.kind in SPOKEN and final and row.outcome in NEVER_AIRED:
            missed.append(item)
        elif row.kind == "music" and row.outcome == Outcome.FAILED.value:
            music_failed += 1
    listed = [
        PageItem(id=p.id or 0, title=p.title, status=p.status.value, plays=p.plays, times=p.times,
                 created_at=p.created_at, created_by=p.created_by,
                 ended_at=p.ended_at, ended_by=p.ended_by)
        for p in pages
    ]  # fmt: skip
    return ShiftRecord(since=since, until=until, aired=dict(aired), spoken=spoken, cut_short=cut,
                       missed=missed, pages=listed, emergencies=emergencies, faults=faults,
                       music_failed=music_failed)  # fmt: skip


def _request(row: PlayLogPublic) -> tuple[object, ...]:
    """The request a row played: a replay after an interruption keeps its request's title,
    asker, request time and files."""
    return (row.kind, row.title, row.requested_by, row.requested_at, row.media_path, row.cue_key)


def digest(kept: dict[str, Any]) -> str:
    """The SHA-256 of a handover as kept (announcer, times, notes, record): what the incoming
    announcer signs for, printed on the record so a copy can be checked."""
    canonical = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()

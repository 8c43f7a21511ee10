"""The play log: one row for every item that played, or was meant to and did not.

It is the announcer's handover record and the advertisers' proof of play, so rows are written
as things happen (a row is opened when an item starts and closed when it ends) and never
deleted.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, func, literal, or_
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from broadcaster.columns import UtcDateTime
from broadcaster.writer import Writer, after_commit


class Outcome(StrEnum):
    COMPLETED = "completed"
    PREEMPTED = "preempted"
    FAILED = "failed"
    EXPIRED = "expired"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    MISSED = "missed"  # a programme cue that could not start within its grace (e.g. daemon down)
    RECOVERED = "recovered"  # a fault row (kind "fault"): the sound came back


class LogKind(StrEnum):
    """What a row is of: a request's kind (``requests.Kind``: the bed's music and the voice
    layer's items) or an output's outage (``outages``). Every kind the log writes is here, so
    a filter on the log takes each of them."""

    MUSIC = "music"
    ANNOUNCEMENT = "announcement"
    PAGE = "page"
    EMERGENCY = "emergency"
    FAULT = "fault"


class PlayLogBase(SQLModel):
    layer: str = Field(max_length=16)
    kind: str = Field(max_length=16, index=True)
    title: str = Field(max_length=300)
    media_path: str | None = Field(default=None, max_length=1000)
    requested_by: str = Field(max_length=120)
    requested_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    planned_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    started_at: datetime | None = Field(default=None, index=True, sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outcome: str | None = Field(default=None, max_length=16, index=True)  # None: on air now
    detail: str = Field(default="", max_length=1000)
    duck_db: float | None = None
    cue_key: str | None = Field(default=None, max_length=120, index=True)  # programme cues only
    zones: str | None = Field(default=None, max_length=1000)  # "1F,2F"; None: every zone


class PlayLogEntry(PlayLogBase, table=True):
    __tablename__ = "play_log"
    id: int | None = Field(default=None, primary_key=True)


class PlayLogPublic(PlayLogBase):
    id: int


class PlayLog:
    """Writes and reads play-log rows. Writes go through the ordered ``Writer`` and never wait
    for the database: ``open`` gives a handle at once (the writer learns the row's id when it
    inserts it), and a ``close`` of that handle is written after the row, whatever the
    database was doing meanwhile. Reads see every write made before them, unless the database
    is at fault (then what has landed)."""

    def __init__(self, engine: Engine, writer: Writer | None = None) -> None:
        self._engine = engine
        self.writer = writer or Writer(engine)
        self._handles = itertools.count(1)
        self._ids: dict[int, int] = {}  # handle -> row id, the writer's thread only

    def open(self, *, zones: Iterable[str] | None = None, **fields: object) -> int:
        """Record an item that has just started; returns the handle to close it with later.
        ``zones``: the ids of the zones that hear it (``ZoneMap.log_zones``); None: every zone
        of a one-zone store."""
        handle = next(self._handles)
        fields["zones"] = zones_text(zones)
        PlayLogEntry.model_validate(fields)  # a wrong field fails here, not on the writer

        def insert(session: Session) -> None:
            row = PlayLogEntry.model_validate(fields)
            session.add(row)
            session.flush()
            assert row.id is not None
            self._ids[handle] = row.id

        self.writer.submit(insert)
        return handle

    def close(self, row_id: int, *, ended_at: datetime, outcome: Outcome, detail: str = "") -> None:
        """Close the row ``open`` gave the handle ``row_id`` of."""

        def update(session: Session) -> None:
            known = self._ids.get(row_id)
            row = session.get(PlayLogEntry, known) if known is not None else None
            if row is None:
                return
            row.ended_at = ended_at
            row.outcome = outcome.value
            if detail:
                row.detail = f"{row.detail}; {detail}" if row.detail else detail
            session.add(row)
            after_commit(session, lambda: self._ids.pop(row_id, None))

        self.writer.submit(update)

    def record(self, *, zones: Iterable[str] | None = None, **fields: object) -> None:
        """Record an item that is already over (failed, expired, skipped...); ``zones`` as
        for ``open``."""
        fields["zones"] = zones_text(zones)
        PlayLogEntry.model_validate(fields)
        self.writer.submit(lambda session: session.add(PlayLogEntry.model_validate(fields)))

    def close_interrupted(self) -> int:
        """Rows left open by a daemon that was killed (crash, power cut): mark them so the log
        does not claim they are still on air. Returns how many there were."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(PlayLogEntry).where(col(PlayLogEntry.outcome).is_(None))
            ).all()
            for row in rows:
                row.outcome = Outcome.FAILED.value
                row.detail = "interrupted: the daemon stopped while this was on air; end unknown"
                session.add(row)
            session.commit()
            return len(rows)

    def cue_keys(self, *, since: datetime) -> set[str]:
        """Programme cues the log already has (played, or accounted for) since ``since``."""
        self.writer.caught_up()
        statement = select(PlayLogEntry.cue_key).where(
            col(PlayLogEntry.cue_key).is_not(None), col(PlayLogEntry.requested_at) >= since
        )
        with Session(self._engine) as session:
            return {key for key in session.exec(statement).all() if key}

    def query(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[str] = (),
        outcomes: Sequence[str] = (),
        zones: Sequence[str] = (),
        limit: int = 1000,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[PlayLogPublic]:
        """Rows in the order they were written (oldest first, or ``newest_first``), filtered by
        request time, kind, outcome and zone (rows heard in any of ``zones``; a row of every
        zone, NULL, is heard in each); ``offset`` rows are skipped before ``limit`` are taken."""
        self.writer.caught_up()
        stamp = col(PlayLogEntry.id)
        statement = _filtered(select(PlayLogEntry), since, until, kinds, outcomes, zones)
        statement = statement.order_by(stamp.desc() if newest_first else stamp)
        with Session(self._engine) as session:
            rows = session.exec(statement.offset(offset).limit(limit)).all()
        return [PlayLogPublic.model_validate(row) for row in rows]

    def count(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[str] = (),
        outcomes: Sequence[str] = (),
        zones: Sequence[str] = (),
    ) -> int:
        """How many rows ``query`` would find with these filters and no limit."""
        statement = _filtered(select(func.count()).select_from(PlayLogEntry), since, until,
                              kinds, outcomes, zones)  # fmt: skip
        with Session(self._engine) as session:
            return int(session.exec(statement).one())


def _filtered(
    statement: Any,
    since: datetime | None,
    until: datetime | None,
    kinds: Sequence[str],
    outcomes: Sequence[str],
    zones: Sequence[str] = (),
) -> Any:
    if since is not None:
        statement = statement.where(col(PlayLogEntry.requested_at) >= since)
    if until is not None:
        statement = statement.where(col(PlayLogEntry.requested_at) < until)
    if kinds:
        statement = statement.where(col(PlayLogEntry.kind).in_(list(kinds)))
    if outcomes:
        statement = statement.where(col(PlayLogEntry.outcome).in_(list(outcomes)))
    if zones:
        listed = literal(",", String) + col(PlayLogEntry.zones) + literal(",", String)
        statement = statement.where(or_(
            col(PlayLogEntry.zones).is_(None),
            *(listed.contains(f",{zone},", autoescape=True) for zone in zones),
        ))  # fmt: skip
    return statement


def zones_text(zones: Iterable[str] | None) -> str | None:
    """The ``zones`` column's text: the ids comma-separated, in the order given; None (every
    zone) for None or no zone."""
    if zones is None:
        return None
    ids = list(zones)
    if any("," in zone or not zone for zone in ids):
        raise ValueError(f"a zone id is empty or has a comma: {ids!r}")
    return ",".join(ids) or None

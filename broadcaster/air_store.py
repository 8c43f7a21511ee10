"""What must survive a crash of the daemon: the announcer's queued announcements and an active
emergency. (Service-desk pages keep their own rows, broadcaster.paging; programme cues are
caught up from the plan and the play log.)

The store listens to the core: a request it keeps is written when the core accepts it and
deleted when the core is done with it for good; at start, ``resume`` gives what was left back to
the core — the emergency first, then the queue in its order — each with a note in the log.
A request that was on air when the daemon died plays again from its start, in the zones it
was still owed (a partial call already heard in 1F comes back in 2F only; an emergency
cleared in 2F comes back in the zones it still held).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from broadcaster.columns import UtcDateTime
from broadcaster.core import Core
from broadcaster.playlog import Outcome, zones_text
from broadcaster.requests import Kind, Request, Segment
from broadcaster.writer import Writer, after_commit

log = logging.getLogger(__name__)
KEPT = (Kind.ANNOUNCEMENT, Kind.EMERGENCY)
RESUMED = "resumed after a restart"


class AirRequest(SQLModel, table=True):
    __tablename__ = "air_request"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(index=True)  # the core's id in the run that stored it
    kind: str = Field(max_length=16)
    title: str = Field(max_length=300)
    segments: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    requested_by: str = Field(max_length=120)
    requested_at: dt.datetime = Field(sa_type=UtcDateTime)
    expires_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    note: str = Field(default="", max_length=1000)
    seq: int = 0
    zones: str | None = Field(default=None, max_length=1000)  # "1F,2F"; None: every zone
    partial: bool = False


def _kept(request: Request) -> bool:
    # Programme cues (cue_key) and page plays (series) have their own ways back.
    return request.kind in KEPT and request.cue_key is None and request.series is None


class AirStore:
    """Keeps the core's announcements and emergency in the database. The core thread only
    hands the writes to the ordered writer (it never waits for the database); ``_rows`` maps
    this run's request ids to their rows and belongs to the writer's thread once the daemon
    runs."""

    def __init__(self, engine: Engine, writer: Writer | None = None) -> None:
        self._engine = engine
        self._writer = writer or Writer(engine)
        self._rows: dict[int, int] = {}  # this run's request id -> its row (ids restart per run)

    def attach(self, core: Core) -> None:
        core.on_submitted(self._submitted)
        core.on_finished(self._finished)

    def _submitted(self, request: Request) -> None:
        if not _kept(request):
            return
        segments = [[str(s.path), s.duration_ms] for s in request.segments]

        def store(session: Session) -> None:
            known = self._rows.get(request.id)
            row = session.get(AirRequest, known) if known is not None else None
            if row is not None:  # a new place in the queue, fewer zones still owed (heard in
                # the others, or an emergency cleared there), or a row resumed from the last run
                row.request_id, row.seq = request.id, request.seq
                row.zones = zones_text(sorted(request.zones))
            else:
                row = AirRequest(
                    request_id=request.id, kind=request.kind.value, title=request.title,
                    segments=segments, requested_by=request.requested_by,
                    requested_at=request.requested_at, expires_at=request.expires_at,
                    note=request.note, seq=request.seq, partial=request.partial,
                    zones=zones_text(sorted(request.zones)),
                )  # fmt: skip
            session.add(row)
            session.flush()
            assert row.id is not None
            self._rows[request.id] = row.id

        self._writer.submit(store)

    def _finished(
        self, request: Request, outcome: Outcome, started_at: dt.datetime | None, final: bool
    ) -> None:
        if not final or not _kept(request):
            return

        def forget(session: Session) -> None:
            row_id = self._rows.get(request.id)
            if row_id is not None:
                session.execute(delete(AirRequest).where(col(AirRequest.id) == row_id))
                after_commit(session, lambda: self._rows.pop(request.id, None))

        self._writer.submit(forget)

    def _forget(self, row_ids: list[int]) -> None:
        self._writer.submit(lambda session: session.execute(
            delete(AirRequest).where(col(AirRequest.id).in_(row_ids))))  # fmt: skip

    def left_over(self) -> list[AirRequest]:
        self._writer.caught_up()
        with Session(self._engine) as session:
            return list(session.exec(select(AirRequest).order_by(col(AirRequest.seq))).all())

    def resume(self, core: Core, *, emergency: bool) -> int:
        """Give the core what the last run left: the emergency (``emergency=True``; the daemon
        does that before the bed starts), or the announcements in their order (the core takes
        calls in the order they come). Each resubmitted request takes over its row, so a crash
        at any moment of this leaves every row in place; rows whose files are gone are
        deleted. Returns how many were resumed."""
        rows = [r for r in self.left_over() if (r.kind == Kind.EMERGENCY.value) == emergency]
        resumed, gone = 0, list[int]()
        for row in rows:
            assert row.id is not None
            segments = tuple(Segment(Path(path), int(ms)) for path, ms in row.segments)
            missing = [s.path.name for s in segments if not s.path.is_file()]
            if missing:
                log.error("cannot resume %s %r: %s gone", row.kind, row.title, ", ".join(missing))
                gone.append(row.id)
                continue
            request = Request(
                kind=Kind(row.kind), title=row.title, segments=segments,
                requested_by=row.requested_by, requested_at=row.requested_at,
                expires_at=row.expires_at,
                note="; ".join(filter(None, [row.note, RESUMED])),
                zones=frozenset(row.zones.split(",")) if row.zones else frozenset(),
                partial=row.partial,
            )  # fmt: skip
            self._rows[request.id] = row.id  # the request takes over its row: none is lost
            if request.kind is Kind.EMERGENCY:
                core.start_emergency(request)
            else:
                core.submit(request)
            resumed += 1
        if gone:
            self._forget(gone)
        return resumed

"""Shifts and their handover over HTTP (交接班). Every route needs the handover right (the
announcer's, and so the supervisor's); broadcaster.shifts.crud says which shifts a person may
read and who may sign what, and refuses in both languages."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from api.actor import CurrentActor, need
from api.database import Db
from api.errors import route_class
from api.web.console import language
from broadcaster.actors import Right
from broadcaster.daemon import Daemon
from broadcaster.exports import play_log_csv
from broadcaster.playlog import PlayLogPublic
from broadcaster.shifts import crud
from broadcaster.shifts.models import (
    ShiftConfirm,
    ShiftCreate,
    ShiftHandOver,
    ShiftPublic,
    ShiftUpdate,
)


def shifts_router(daemon: Daemon) -> APIRouter:
    router = APIRouter(prefix="/api/v1/shifts", tags=["shifts"],
                       route_class=route_class("invalid_shift"),
                       dependencies=[need(Right.HANDOVER)])  # fmt: skip
    now = daemon.clock.now

    def view(db: Db, shift: Any) -> ShiftPublic:
        return crud.public(db, shift=shift, playlog=daemon.playlog, now=now())

    def aware(when: dt.datetime | None) -> dt.datetime | None:
        if when is not None and when.tzinfo is None:
            return when.replace(tzinfo=daemon.settings.zone)
        return when

    @router.get("", response_model=list[ShiftPublic])
    def list_shifts(
        db: Db,
        actor: CurrentActor,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    ) -> Any:
        """The shifts the caller may read (the supervisor: all) overlapping ``since``…``until``,
        newest first, each with its record (kept at hand-over, or as it stands)."""
        found = crud.list_shifts(db, actor=actor, since=aware(since), until=aware(until),
                                 limit=limit, offset=offset)  # fmt: skip
        return [view(db, shift) for shift in found]

    @router.post("", response_model=ShiftPublic, status_code=201)
    def start_shift(body: ShiftCreate, db: Db, actor: CurrentActor) -> Any:
        """Start the caller's shift (the first of the day; later ones start by confirming)."""
        return view(db, crud.start_shift(db, actor=actor, data=body, now=now()))

    @router.get("/current", response_model=ShiftPublic | None)
    def current_shift(db: Db) -> Any:
        """The shift open now, or the handover waiting for its confirmation; null if none."""
        shift = crud.current_shift(db)
        return None if shift is None else view(db, shift)

    @router.get("/{shift_id}", response_model=ShiftPublic)
    def get_shift(shift_id: int, db: Db, actor: CurrentActor) -> Any:
        return view(db, crud.get_shift(db, shift_id=shift_id, actor=actor))

    @router.patch("/{shift_id}", response_model=ShiftPublic)
    def write_notes(shift_id: int, body: ShiftUpdate, db: Db, actor: CurrentActor) -> Any:
        """The outgoing announcer's notes, while the shift is open."""
        return view(db, crud.update_notes(db, shift_id=shift_id, actor=actor, data=body))

    @router.post("/{shift_id}/handover", response_model=ShiftPublic)
    def hand_over(shift_id: int, body: ShiftHandOver, db: Db, actor: CurrentActor) -> Any:
        """Sign the shift off: it ends now and its record is kept with its digest."""
        shift = crud.hand_over(db, shift_id=shift_id, actor=actor, data=body,
                               playlog=daemon.playlog, now=now())  # fmt: skip
        return view(db, shift)

    @router.post("/{shift_id}/confirm")
    def confirm(shift_id: int, body: ShiftConfirm, db: Db, actor: CurrentActor) -> Any:
        """The incoming announcer signs for the record (its ``digest``); their shift starts."""
        confirmed, incoming = crud.confirm(db, shift_id=shift_id, actor=actor, data=body,
                                           now=now())  # fmt: skip
        return {"confirmed": view(db, confirmed), "shift": view(db, incoming)}

    @router.get("/{shift_id}/log", response_model=None)
    def shift_log(
        request: Request,
        shift_id: int,
        db: Db,
        actor: CurrentActor,
        format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    ) -> list[PlayLogPublic] | PlainTextResponse:
        """The play log of the shift, oldest first; ``format=csv`` as the log's own export."""
        shift = crud.get_shift(db, shift_id=shift_id, actor=actor)
        rows = crud.shift_rows(shift, daemon.playlog, now=now())
        if format == "csv":
            return PlainTextResponse(
                play_log_csv(rows, zone=daemon.settings.zone, lang=language(request)),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="shift-{shift_id}.csv"'},
            )  # fmt: skip
        return rows

    return router

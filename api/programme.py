"""The supervisor's day programme over HTTP: day types, weekdays, calendar, rules, and the plan of
a day. Every route goes through broadcaster.programme.crud.

Refusals speak the house's language: 422 with a message per field, 404 for an unknown id, 409
for a clash (a name or date taken, a day type still in use), each in English and Chinese:
``{"detail": {"code", "message", "message_zh", "fields": {field: {"message", "message_zh"}}}}``.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the route parameters' types,
# and some (the session dependency) are local to programme_router.
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.actor import need
from api.cli_programme import timeline_json
from api.database import Db
from api.errors import route_class
from broadcaster.actors import Right
from broadcaster.daemon import Daemon
from broadcaster.programme import crud
from broadcaster.programme.models import (
    CalendarEntryCreate,
    CalendarEntryPublic,
    CalendarEntryUpdate,
    DayTypeCreate,
    DayTypePublic,
    DayTypeUpdate,
    RuleCreate,
    RulePublic,
    RuleUpdate,
    WeekdayDefaultPublic,
    WeekdayDefaultSet,
)
from broadcaster.programme.planner import plan_day

PREFIX = "/api/v1/programme"


def programme_router(daemon: Daemon) -> APIRouter:
    settings = daemon.settings

    def changed() -> None:
        # The live scheduler (when the daemon has one) plans again from now on.
        programme_changed = getattr(daemon, "programme_changed", None)
        if callable(programme_changed):
            programme_changed()

    router = APIRouter(prefix=PREFIX, tags=["programme"], dependencies=[need(Right.PROGRAMME)])
    day_types = APIRouter(prefix="/day-types", route_class=route_class("invalid_day_type"))
    weekdays = APIRouter(prefix="/weekdays", route_class=route_class("invalid_weekday"))
    calendar = APIRouter(prefix="/calendar", route_class=route_class("invalid_calendar_entry"))
    rules = APIRouter(prefix="/rules", route_class=route_class("invalid_rule"))
    plan = APIRouter(route_class=route_class("invalid_plan_request"))
    Weekday = Annotated[int, Path(ge=0, le=6, description="0 = Monday … 6 = Sunday")]

    # --- day types ---

    @day_types.get("", response_model=list[DayTypePublic])
    def list_day_types(db: Db) -> Any:
        return crud.list_day_types(db)

    @day_types.post("", response_model=DayTypePublic, status_code=201)
    def create_day_type(body: DayTypeCreate, db: Db) -> Any:
        row = crud.create_day_type(db, data=body)
        changed()
        return row

    @day_types.get("/{day_type_id}", response_model=DayTypePublic)
    def get_day_type(day_type_id: int, db: Db) -> Any:
        return crud.get_day_type(db, day_type_id=day_type_id)

    @day_types.patch("/{day_type_id}", response_model=DayTypePublic)
    def update_day_type(day_type_id: int, body: DayTypeUpdate, db: Db) -> Any:
        row = crud.update_day_type(db, day_type_id=day_type_id, data=body)
        changed()
        return row

    @day_types.delete("/{day_type_id}", status_code=204)
    def delete_day_type(day_type_id: int, db: Db) -> None:
        crud.delete_day_type(db, day_type_id=day_type_id)
        changed()

    # --- weekday defaults ---

    @weekdays.get("", response_model=list[WeekdayDefaultPublic])
    def list_weekdays(db: Db) -> Any:
        return crud.list_weekday_defaults(db)

    @weekdays.get("/{weekday}", response_model=WeekdayDefaultPublic)
    def get_weekday(weekday: Weekday, db: Db) -> Any:
        return crud.get_weekday_default(db, weekday=weekday)

    @weekdays.put("/{weekday}", response_model=WeekdayDefaultPublic)
    def set_weekday(weekday: Weekday, body: WeekdayDefaultSet, db: Db) -> Any:
        row = crud.set_weekday_default(db, weekday=weekday, data=body)
        changed()
        return row

    @weekdays.delete("/{weekday}", status_code=204)
    def delete_weekday(weekday: Weekday, db: Db) -> None:
        crud.delete_weekday_default(db, weekday=weekday)
        changed()

    # --- calendar ---

    @calendar.get("", response_model=list[CalendarEntryPublic])
    def list_calendar(db: Db, since: dt.date | None = None, until: dt.date | None = None) -> Any:
        return crud.list_calendar_entries(db, since=since, until=until)

    @calendar.post("", response_model=CalendarEntryPublic, status_code=201)
    def create_calendar_entry(body: CalendarEntryCreate, db: Db) -> Any:
        row = crud.create_calendar_entry(db, data=body)
        changed()
        return row

    @calendar.get("/{entry_id}", response_model=CalendarEntryPublic)
    def get_calendar_entry(entry_id: int, db: Db) -> Any:
        return crud.get_calendar_entry(db, entry_id=entry_id)

    @calendar.patch("/{entry_id}", response_model=CalendarEntryPublic)
    def update_calendar_entry(entry_id: int, body: CalendarEntryUpdate, db: Db) -> Any:
        row = crud.update_calendar_entry(db, entry_id=entry_id, data=body)
        changed()
        return row

    @calendar.delete("/{entry_id}", status_code=204)
    def delete_calendar_entry(entry_id: int, db: Db) -> None:
        crud.delete_calendar_entry(db, entry_id=entry_id)
        changed()

    # --- rules ---

    folders = {"data_dir": settings.data_dir, "music_dir": settings.music_path}

    @rules.get("", response_model=list[RulePublic])
    def list_rules(db: Db, enabled: bool | None = None) -> Any:
        return [RulePublic.from_row(row) for row in crud.list_rules(db, enabled=enabled)]

    @rules.post("", response_model=RulePublic, status_code=201)
    def create_rule(body: RuleCreate, db: Db) -> Any:
        row = crud.create_rule(db, data=body, zone_map=settings.zone_map, **folders)
        changed()
        return RulePublic.from_row(row)

    @rules.get("/{rule_id}", response_model=RulePublic)
    def get_rule(rule_id: int, db: Db) -> Any:
        return RulePublic.from_row(crud.get_rule(db, rule_id=rule_id))

    @rules.patch("/{rule_id}", response_model=RulePublic)
    def update_rule(rule_id: int, body: RuleUpdate, db: Db) -> Any:
        row = crud.update_rule(
            db, rule_id=rule_id, data=body, zone_map=settings.zone_map, **folders
        )
        changed()
        return RulePublic.from_row(row)

    @rules.delete("/{rule_id}", status_code=204)
    def delete_rule(rule_id: int, db: Db) -> None:
        crud.delete_rule(db, rule_id=rule_id)
        changed()

    # --- the plan of a day ---

    @plan.get("/plan")
    def plan_of_day(
        db: Db, day: Annotated[dt.date, Query(alias="date", description="YYYY-MM-DD")]
    ) -> dict[str, Any]:
        """The day's timeline as the live scheduler would play it: cues (UTC and the store's
        local time), music dayparts, the planner's conflicts (structured, in both languages)
        and its warnings."""
        timeline = plan_day(crud.load_programme(db), day, settings.zone, settings.zone_map)
        return {"timezone": settings.timezone, **timeline_json(timeline, settings)}

    for part in (day_types, weekdays, calendar, rules, plan):
        router.include_router(part)
    return router

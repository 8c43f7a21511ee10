"""The days the programme knows: day types with their opening hours, the weekday defaults and
the calendar's special days. Keyword-only functions that take the session, as ``crud`` (which
re-exports them with the rules'); a refused change raises before anything is written.

Day types are referred to by name: a rename is carried over to the weekdays, the calendar and
the rules, and a day type still used cannot be deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlmodel import Session, SQLModel, col, select

from broadcaster.db import commit
from broadcaster.problems import Conflict, FieldProblem, Invalid, NotFound, problems_from_errors
from broadcaster.programme.models import (
    CalendarEntry,
    CalendarEntryCreate,
    CalendarEntryUpdate,
    DayType,
    DayTypeCreate,
    DayTypeUpdate,
    Rule,
    WeekdayDefault,
    WeekdayDefaultSet,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

M = TypeVar("M", bound=SQLModel)


def patched(model: type[M], current: dict[str, Any], patch: SQLModel) -> M:
    """``current`` with the fields sent in ``patch``, validated as ``model``."""
    try:
        return model.model_validate({**current, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        raise Invalid(problems_from_errors(exc.errors())) from exc


def save(session: Session) -> None:
    commit(session, what="the programme", what_zh="播音计划")


# --- day types ---------------------------------------------------------------------------------


def list_day_types(session: Session) -> Sequence[DayType]:
    return session.exec(select(DayType).order_by(col(DayType.name))).all()


def get_day_type(session: Session, *, day_type_id: int) -> DayType:
    row = session.get(DayType, day_type_id)
    if row is None:
        raise NotFound(
            f"No day type has id {day_type_id}.", f"没有编号为 {day_type_id} 的日期类型。"
        )
    return row


def day_type_names(session: Session) -> set[str]:
    return set(session.exec(select(DayType.name)).all())


def _name_free(session: Session, name: str, *, own_id: int | None = None) -> None:
    clash = session.exec(select(DayType).where(DayType.name == name)).first()
    if clash is not None and clash.id != own_id:
        raise Conflict(
            "name_taken", f"A day type named {name!r} already exists.",
            f"已有名为 {name!r} 的日期类型。",
            [FieldProblem("name", "This name is taken.", "该名称已被使用。")],
        )  # fmt: skip


def create_day_type(session: Session, *, data: DayTypeCreate) -> DayType:
    _name_free(session, data.name)
    row = DayType.model_validate(data)
    session.add(row)
    save(session)
    session.refresh(row)
    return row


def update_day_type(session: Session, *, day_type_id: int, data: DayTypeUpdate) -> DayType:
    """Change a day type; a new name is carried over to the weekdays, calendar and rules."""
    row = get_day_type(session, day_type_id=day_type_id)
    merged = patched(DayTypeCreate, row.model_dump(exclude={"id"}), data)
    old_name = row.name
    if merged.name != old_name:
        _name_free(session, merged.name, own_id=row.id)
        _rename_references(session, old_name, merged.name)
    row.sqlmodel_update(merged.model_dump())
    session.add(row)
    save(session)
    session.refresh(row)
    return row


def _rename_references(session: Session, old: str, new: str) -> None:
    for weekday in session.exec(select(WeekdayDefault).where(WeekdayDefault.day_type == old)):
        weekday.day_type = new
        session.add(weekday)
    for entry in session.exec(select(CalendarEntry).where(CalendarEntry.day_type == old)):
        entry.day_type = new
        session.add(entry)
    for rule in session.exec(select(Rule)):
        if old in rule.day_types:
            rule.day_types = sorted(new if name == old else name for name in rule.day_types)
            session.add(rule)


def delete_day_type(session: Session, *, day_type_id: int) -> None:
    """Delete a day type that no weekday, calendar entry or rule uses (else Conflict)."""
    row = get_day_type(session, day_type_id=day_type_id)
    users = _users_of(session, row.name)
    if users:
        raise Conflict(
            "day_type_in_use",
            f"The day type {row.name!r} is still used by {'; '.join(u[0] for u in users)}. "
            "Change those first.",
            f"日期类型 {row.name!r} 仍被使用：{'；'.join(u[1] for u in users)}。请先修改这些设置。",
        )
    session.delete(row)
    save(session)


def _users_of(session: Session, name: str) -> list[tuple[str, str]]:
    users: list[tuple[str, str]] = []
    for w in session.exec(select(WeekdayDefault).where(WeekdayDefault.day_type == name)):
        users.append((WEEKDAYS[w.weekday], WEEKDAYS_ZH[w.weekday]))
    for e in session.exec(select(CalendarEntry).where(CalendarEntry.day_type == name)):
        users.append((f"calendar {e.date.isoformat()}", f"日历 {e.date.isoformat()}"))
    for r in session.exec(select(Rule).order_by(col(Rule.id))):
        if name in r.day_types:
            users.append((f"rule {r.name!r}", f"规则 {r.name!r}"))
    return users


def _known_day_type(session: Session, name: str, field: str = "day_type") -> None:
    if name not in day_type_names(session):
        raise Invalid([FieldProblem(field, f"There is no day type named {name!r}.",
                                    f"没有名为 {name!r} 的日期类型。")])  # fmt: skip


# --- weekday defaults --------------------------------------------------------------------------


def _weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise NotFound(
            f"No weekday {weekday}: 0 is Monday, 6 is Sunday.",
            f"没有星期 {weekday}：0 为星期一，6 为星期日。",
        )


def list_weekday_defaults(session: Session) -> Sequence[WeekdayDefault]:
    return session.exec(select(WeekdayDefault).order_by(col(WeekdayDefault.weekday))).all()


def get_weekday_default(session: Session, *, weekday: int) -> WeekdayDefault:
    _weekday(weekday)
    row = session.get(WeekdayDefault, weekday)
    if row is None:
        raise NotFound(f"{WEEKDAYS[weekday]} has no day type set.",
                       f"{WEEKDAYS_ZH[weekday]}尚未设置日期类型。")  # fmt: skip
    return row


def set_weekday_default(
    session: Session, *, weekday: int, data: WeekdayDefaultSet
) -> WeekdayDefault:
    """Create or change the day type a weekday has unless the calendar says otherwise."""
    _weekday(weekday)
    _known_day_type(session, data.day_type)
    row = session.get(WeekdayDefault, weekday) or WeekdayDefault(weekday=weekday, day_type="")
    row.day_type = data.day_type
    session.add(row)
    save(session)
    session.refresh(row)
    return row


def delete_weekday_default(session: Session, *, weekday: int) -> None:
    """The weekday then has no trading day unless the calendar gives one."""
    session.delete(get_weekday_default(session, weekday=weekday))
    save(session)


# --- calendar ----------------------------------------------------------------------------------


def list_calendar_entries(
    session: Session, *, since: dt.date | None = None, until: dt.date | None = None
) -> Sequence[CalendarEntry]:
    statement = select(CalendarEntry).order_by(col(CalendarEntry.date))
    if since is not None:
        statement = statement.where(col(CalendarEntry.date) >= since)
    if until is not None:
        statement = statement.where(col(CalendarEntry.date) <= until)
    return session.exec(statement).all()


def get_calendar_entry(session: Session, *, entry_id: int) -> CalendarEntry:
    row = session.get(CalendarEntry, entry_id)
    if row is None:
        raise NotFound(
            f"No calendar entry has id {entry_id}.", f"没有编号为 {entry_id} 的日历条目。"
        )
    return row


def _date_free(session: Session, day: dt.date, *, own_id: int | None = None) -> None:
    clash = session.exec(select(CalendarEntry).where(CalendarEntry.date == day)).first()
    if clash is not None and clash.id != own_id:
        raise Conflict(
            "date_taken", f"{day.isoformat()} already has a calendar entry (id {clash.id}).",
            f"{day.isoformat()} 已有日历条目（编号 {clash.id}）。",
            [FieldProblem("date", "This date already has an entry.", "该日期已有条目。")],
        )  # fmt: skip


def create_calendar_entry(session: Session, *, data: CalendarEntryCreate) -> CalendarEntry:
    _known_day_type(session, data.day_type)
    _date_free(session, data.date)
    row = CalendarEntry.model_validate(data)
    session.add(row)
    save(session)
    session.refresh(row)
    return row


def update_calendar_entry(
    session: Session, *, entry_id: int, data: CalendarEntryUpdate
) -> CalendarEntry:
    row = get_calendar_entry(session, entry_id=entry_id)
    merged = patched(CalendarEntryCreate, row.model_dump(exclude={"id"}), data)
    _known_day_type(session, merged.day_type)
    _date_free(session, merged.date, own_id=row.id)
    row.sqlmodel_update(merged.model_dump())
    session.add(row)
    save(session)
    session.refresh(row)
    return row


def delete_calendar_entry(session: Session, *, entry_id: int) -> None:
    session.delete(get_calendar_entry(session, entry_id=entry_id))
    save(session)

"""Reading and changing the programme. Every function takes the session and keyword arguments;
routes, the CLI and the demo all go through here.

A refused change raises a Refused (Invalid, NotFound, Conflict) before anything is
written, so the tables are as they were. Checks that need the outside world (the music and data
folders) take them as explicit arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import delete, text
from sqlmodel import Session, SQLModel, col, select

from broadcaster.db import commit
from broadcaster.library.models import Playlist
from broadcaster.problems import (
    Conflict,
    FieldProblem,
    Invalid,
    NotFound,
    problems_from_errors,
)
from broadcaster.programme import spec
from broadcaster.programme.models import (
    CalendarEntry,
    CalendarEntryCreate,
    CalendarEntryUpdate,
    ContentModel,
    DayType,
    DayTypeCreate,
    DayTypeUpdate,
    Rule,
    RuleCreate,
    RuleUpdate,
    WeekdayDefault,
    WeekdayDefaultSet,
)
from broadcaster.programme.references import check_references
from broadcaster.scripts.crud import approved_codes

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

M = TypeVar("M", bound=SQLModel)


def _merged(model: type[M], current: dict[str, Any], patch: SQLModel) -> M:
    """``current`` with the fields sent in ``patch``, validated as ``model``."""
    try:
        return model.model_validate({**current, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        raise Invalid(problems_from_errors(exc.errors())) from exc


def _commit(session: Session) -> None:
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
    _commit(session)
    session.refresh(row)
    return row


def update_day_type(session: Session, *, day_type_id: int, data: DayTypeUpdate) -> DayType:
    """Change a day type; a new name is carried over to the weekdays, calendar and rules."""
    row = get_day_type(session, day_type_id=day_type_id)
    merged = _merged(DayTypeCreate, row.model_dump(exclude={"id"}), data)
    old_name = row.name
    if merged.name != old_name:
        _name_free(session, merged.name, own_id=row.id)
        _rename_references(session, old_name, merged.name)
    row.sqlmodel_update(merged.model_dump())
    session.add(row)
    _commit(session)
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
    _commit(session)


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
    _commit(session)
    session.refresh(row)
    return row


def delete_weekday_default(session: Session, *, weekday: int) -> None:
    """The weekday then has no trading day unless the calendar gives one."""
    session.delete(get_weekday_default(session, weekday=weekday))
    _commit(session)


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
    _commit(session)
    session.refresh(row)
    return row


def update_calendar_entry(
    session: Session, *, entry_id: int, data: CalendarEntryUpdate
) -> CalendarEntry:
    row = get_calendar_entry(session, entry_id=entry_id)
    merged = _merged(CalendarEntryCreate, row.model_dump(exclude={"id"}), data)
    _known_day_type(session, merged.day_type)
    _date_free(session, merged.date, own_id=row.id)
    row.sqlmodel_update(merged.model_dump())
    session.add(row)
    _commit(session)
    session.refresh(row)
    return row


def delete_calendar_entry(session: Session, *, entry_id: int) -> None:
    session.delete(get_calendar_entry(session, entry_id=entry_id))
    _commit(session)


# --- rules -------------------------------------------------------------------------------------


def list_rules(session: Session, *, enabled: bool | None = None) -> Sequence[Rule]:
    statement = select(Rule).order_by(col(Rule.order), col(Rule.id))
    if enabled is not None:
        statement = statement.where(col(Rule.enabled) == enabled)
    return session.exec(statement).all()


def get_rule(session: Session, *, rule_id: int) -> Rule:
    row = session.get(Rule, rule_id)
    if row is None:
        raise NotFound(f"No rule has id {rule_id}.", f"没有编号为 {rule_id} 的规则。")
    return row


def create_rule(session: Session, *, data: RuleCreate, data_dir: Path, music_dir: Path) -> Rule:
    """Add a rule whose day types, files and playlists exist (else Invalid)."""
    _check(session, data, data_dir=data_dir, music_dir=music_dir)
    row = Rule.model_validate(data.to_row())
    session.add(row)
    _commit(session)
    session.refresh(row)
    return row


def update_rule(
    session: Session, *, rule_id: int, data: RuleUpdate, data_dir: Path, music_dir: Path
) -> Rule:
    row = get_rule(session, rule_id=rule_id)
    merged = _merged(RuleCreate, _as_create(row), data)
    _check(session, merged, data_dir=data_dir, music_dir=music_dir)
    row.sqlmodel_update(merged.to_row())
    session.add(row)
    _commit(session)
    session.refresh(row)
    return row


def delete_rule(session: Session, *, rule_id: int) -> None:
    session.delete(get_rule(session, rule_id=rule_id))
    _commit(session)


def _as_create(row: Rule) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in RuleCreate.model_fields}
    values["content"] = row.content
    values["spots"] = list(row.spots)
    return values


def rules_using(session: Session, *, kind: spec.ContentKind, ref: str) -> list[str]:
    """The names of the rules that name ``ref`` as content of ``kind`` (in their content or
    spots; for a playlist, as their daypart's playlist too)."""

    def names(content: Any) -> bool:
        return content is not None and content.kind is kind and content.ref == ref

    daypart = kind is spec.ContentKind.PLAYLIST
    return [rule.name for rule in session.exec(select(Rule)).all()
            if names(rule.content) or (daypart and rule.playlist == ref)
            or any(names(ContentModel.model_validate(spot)) for spot in rule.spots)]  # fmt: skip


def _check(session: Session, rule: RuleCreate, *, data_dir: Path, music_dir: Path) -> None:
    found = check_references(
        rule, data_dir=data_dir, music_dir=music_dir, day_types=day_type_names(session),
        scripts=approved_codes(session), playlists=set(session.exec(select(Playlist.name)).all()),
    )  # fmt: skip
    if found:
        raise Invalid(found)


# --- the whole programme -----------------------------------------------------------------------


def load_programme(session: Session) -> spec.Programme:
    """The stored programme as the planner's frozen values (enabled rules only)."""
    return spec.Programme(
        day_types={
            row.name: spec.DayType(name=row.name, opening=row.opening, closing=row.closing)
            for row in list_day_types(session)
        },
        weekday_defaults={w.weekday: w.day_type for w in list_weekday_defaults(session)},
        calendar={e.date: e.day_type for e in list_calendar_entries(session)},
        rules=tuple(rule_to_spec(row) for row in list_rules(session, enabled=True)),
    )


def rule_to_spec(row: Rule) -> spec.Rule:
    assert row.id is not None
    content = row.content
    return spec.Rule(
        id=row.id, name=row.name, kind=spec.RuleKind(row.kind), order=row.order,
        priority=row.priority, day_types=frozenset(row.day_types), valid_from=row.valid_from,
        valid_until=row.valid_until, grace_s=row.grace_s, cut=row.cut,
        content=content.to_spec() if content else None, at=row.at,
        anchor=spec.Anchor(row.anchor) if row.anchor else None, offset_s=row.offset_s,
        window_start=row.window_start, window_end=row.window_end, every_s=row.every_s,
        spread_s=row.spread_s,
        spots=tuple(ContentModel.model_validate(s).to_spec() for s in row.spots),
        start=row.start, end=row.end, playlist=row.playlist,
    )  # fmt: skip


def replace_programme(session: Session, programme: spec.Programme) -> None:
    """Install ``programme`` in place of whatever is stored (``broadcaster demo`` does this).

    Rules keep their ids (a cue's key, and so the play log, refers to them), so installing the
    same programme twice leaves the same single copy. Every rule is validated as if created by
    hand, but files and playlists are not looked for. All or nothing: one transaction."""
    found = _programme_problems(programme)
    if found:
        raise Invalid(found)
    rules = []
    for rule in programme.rules:
        try:
            rules.append((rule.id, RuleCreate.from_spec(rule)))
        except ValidationError as exc:
            problems = problems_from_errors(exc.errors())
            raise Invalid(FieldProblem(f"rules.{rule.id}.{p.field}", p.message, p.message_zh)
                          for p in problems) from exc  # fmt: skip
    for table in (Rule, CalendarEntry, WeekdayDefault, DayType):
        session.execute(delete(table))
    for day_type in programme.day_types.values():
        session.add(DayType(name=day_type.name, opening=day_type.opening,
                            closing=day_type.closing))  # fmt: skip
    for weekday, name in programme.weekday_defaults.items():
        session.add(WeekdayDefault(weekday=weekday, day_type=name))
    for day, name in programme.calendar.items():
        session.add(CalendarEntry(date=day, day_type=name))
    for rule_id, data in rules:
        session.add(Rule.model_validate({**data.to_row(), "id": rule_id if rule_id > 0 else None}))
    session.flush()
    _after_explicit_ids(session)
    _commit(session)


def _programme_problems(programme: spec.Programme) -> list[FieldProblem]:
    """Day types that are invalid, or named by a weekday, date or rule but not defined."""
    found: list[FieldProblem] = []
    for key, day_type in programme.day_types.items():
        try:
            DayTypeCreate.model_validate(vars(day_type))
        except ValidationError as exc:
            found += [FieldProblem(f"day_types.{key}.{p.field}", p.message, p.message_zh)
                      for p in problems_from_errors(exc.errors())]  # fmt: skip
    uses = [(f"weekday_defaults.{w}", {name}) for w, name in programme.weekday_defaults.items()]
    uses += [(f"calendar.{day}", {name}) for day, name in programme.calendar.items()]
    uses += [(f"rules.{rule.id}.day_types", set(rule.day_types)) for rule in programme.rules]
    for field, names in uses:
        for name in sorted(names - programme.day_types.keys()):
            found.append(FieldProblem(field, f"There is no day type named {name!r}.",
                                      f"没有名为 {name!r} 的日期类型。"))  # fmt: skip
    found += [FieldProblem(f"weekday_defaults.{w}", "A weekday is 0 (Monday) to 6 (Sunday).",
                           "星期应为 0（星期一）到 6（星期日）。")
              for w in programme.weekday_defaults if not 0 <= w <= 6]  # fmt: skip
    ids = [rule.id for rule in programme.rules if rule.id > 0]
    found += [FieldProblem(f"rules.{i}.id", "Two rules have this id.", "有两条规则使用此编号。")
              for i in sorted({i for i in ids if ids.count(i) > 1})]  # fmt: skip
    return found


def _after_explicit_ids(session: Session) -> None:
    # PostgreSQL's id sequence does not see ids given explicitly: move it past the largest, or
    # the next rule created by hand would get an id already taken. SQLite needs nothing.
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (Rule.__tablename__, DayType.__tablename__, CalendarEntry.__tablename__):
        largest = session.execute(text(f'SELECT max(id) FROM "{table}"')).scalar()
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n, :called)"),
            {"t": table, "n": largest or 1, "called": largest is not None},
        )

"""Reading and changing the programme. Every function takes the session and keyword arguments;
routes, the CLI and the demo all go through here. The rules and the programme as a whole are
here; the days (day types, weekdays, calendar) are ``calendar``, re-exported.

A refused change raises a Refused (Invalid, NotFound, Conflict) before anything is
written, so the tables are as they were. Checks that need the outside world (the music and data
folders) take them as explicit arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from broadcaster.library.models import Playlist
from broadcaster.problems import FieldProblem, Invalid, NotFound, problems_from_errors
from broadcaster.programme import spec
from broadcaster.programme.calendar import (
    WEEKDAYS,
    WEEKDAYS_ZH,
    create_calendar_entry,
    create_day_type,
    day_type_names,
    delete_calendar_entry,
    delete_day_type,
    delete_weekday_default,
    get_calendar_entry,
    get_day_type,
    get_weekday_default,
    list_calendar_entries,
    list_day_types,
    list_weekday_defaults,
    patched,
    save,
    set_weekday_default,
    update_calendar_entry,
    update_day_type,
)
from broadcaster.programme.models import (
    CalendarEntry,
    ContentModel,
    DayType,
    DayTypeCreate,
    Rule,
    RuleCreate,
    RuleUpdate,
    WeekdayDefault,
)
from broadcaster.programme.references import check_references
from broadcaster.scripts.crud import approved_codes
from broadcaster.zones.model import ZoneMap

__all__ = [
    "WEEKDAYS", "WEEKDAYS_ZH", "create_calendar_entry", "create_day_type", "create_rule",
    "day_type_names", "delete_calendar_entry", "delete_day_type", "delete_rule",
    "delete_weekday_default", "get_calendar_entry", "get_day_type", "get_rule",
    "get_weekday_default", "list_calendar_entries", "list_day_types", "list_rules",
    "list_weekday_defaults", "load_programme", "replace_programme", "rule_to_spec",
    "rules_using", "set_weekday_default", "update_calendar_entry", "update_day_type",
    "update_rule",
]  # fmt: skip
"""The days' functions are re-exported: the programme has one crud to call."""


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


def create_rule(
    session: Session,
    *,
    data: RuleCreate,
    data_dir: Path,
    music_dir: Path,
    zone_map: ZoneMap | None = None,
) -> Rule:
    """Add a rule whose day types, files, playlists and zones (``zone_map``'s; None: one zone)
    exist (else Invalid)."""
    _check(session, data, data_dir=data_dir, music_dir=music_dir, zone_map=zone_map)
    row = Rule.model_validate(data.to_row())
    session.add(row)
    save(session)
    session.refresh(row)
    return row


def update_rule(
    session: Session,
    *,
    rule_id: int,
    data: RuleUpdate,
    data_dir: Path,
    music_dir: Path,
    zone_map: ZoneMap | None = None,
) -> Rule:
    row = get_rule(session, rule_id=rule_id)
    merged = patched(RuleCreate, _as_create(row), data)
    _check(session, merged, data_dir=data_dir, music_dir=music_dir, zone_map=zone_map)
    row.sqlmodel_update(merged.to_row())
    session.add(row)
    save(session)
    session.refresh(row)
    return row


def delete_rule(session: Session, *, rule_id: int) -> None:
    session.delete(get_rule(session, rule_id=rule_id))
    save(session)


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


def _check(
    session: Session,
    rule: RuleCreate,
    *,
    data_dir: Path,
    music_dir: Path,
    zone_map: ZoneMap | None,
) -> None:
    found = check_references(
        rule, data_dir=data_dir, music_dir=music_dir, day_types=day_type_names(session),
        scripts=approved_codes(session), playlists=set(session.exec(select(Playlist.name)).all()),
        zone_map=zone_map,
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
        priority=row.priority, day_types=frozenset(row.day_types), zones=tuple(row.zones or ()),
        valid_from=row.valid_from,
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
    save(session)


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

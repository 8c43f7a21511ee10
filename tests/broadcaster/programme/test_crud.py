"""The programme's tables through crud: what the supervisor stores is what the planner reads, and
what is refused is refused with a message per field and nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from broadcaster.db import make_engine
from broadcaster.problems import (
    Conflict,
    FieldProblem,
    Invalid,
    NotFound,
    by_field,
    problems_from_errors,
)
from broadcaster.programme import crud, spec
from broadcaster.programme.default import default_programme
from broadcaster.programme.models import (
    CalendarEntry,
    CalendarEntryCreate,
    CalendarEntryUpdate,
    DayType,
    DayTypeCreate,
    DayTypeUpdate,
    Rule,
    RuleCreate,
    RulePublic,
    RuleUpdate,
    WeekdayDefault,
    WeekdayDefaultSet,
)
from tests.kit.programme import (
    BAD_REFS,
    INVALID_DAY_TYPES,
    INVALID_RULES,
    WELCOME,
    make_programme_media,
    rule,
    speech,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
EMPTY = spec.Programme(day_types={}, weekday_defaults={}, calendar={}, rules=())


@pytest.fixture
def data(tmp_path: Path) -> Path:
    make_programme_media(tmp_path / "data", real_audio=False)
    return tmp_path / "data"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'programme.db'}")
    with Session(engine) as session:
        yield session
    engine.dispose()


def folders(data: Path) -> dict[str, Path]:
    return {"data_dir": data, "music_dir": data / "music"}


def add_day_type(db: Session, name: str = "weekday", opening: str = "08:00") -> DayType:
    return crud.create_day_type(
        db, data=DayTypeCreate.model_validate({"name": name, "opening": opening,
                                               "closing": "22:00"})
    )  # fmt: skip


def add_rule(db: Session, data: Path, kind: str = "fixed", **fields: Any) -> Rule:
    body = RuleCreate.model_validate(rule(kind, **fields))
    return crud.create_rule(db, data=body, **folders(data))


def problems_of(model: type, body: dict[str, Any]) -> dict[str, dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return by_field(problems_from_errors(caught.value.errors()))


def everything(db: Session) -> list[Any]:
    db.expire_all()
    return [
        [row.model_dump() for row in db.exec(select(table))]
        for table in (DayType, WeekdayDefault, CalendarEntry, Rule)
    ]


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"), [c[1:] for c in INVALID_RULES], ids=[c[0] for c in INVALID_RULES]
)
def test_an_invalid_rule_is_refused_with_a_message_on_its_field(body, field, words):
    fields = problems_of(RuleCreate, body)
    assert field in fields, fields
    assert words.lower() in fields[field]["message"].lower()
    assert CJK.search(fields[field]["message_zh"])


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [c[1:] for c in INVALID_DAY_TYPES],
    ids=[c[0] for c in INVALID_DAY_TYPES],
)
def test_an_invalid_day_type_is_refused_with_a_message_on_its_field(body, field, words):
    fields = problems_of(DayTypeCreate, body)
    assert words.lower() in fields[field]["message"].lower()
    assert CJK.search(fields[field]["message_zh"])


def test_every_missing_piece_of_a_rule_is_reported_at_once():
    fields = problems_of(RuleCreate, {"name": "Daypart", "kind": "daypart", "start": "10:00",
                                      "end": "10:00"})  # fmt: skip
    assert set(fields) == {"end", "playlist"}
    fields = problems_of(RuleCreate, {"name": "Nothing", "kind": "fixed"})
    assert set(fields) == {"at", "content"}


@pytest.mark.parametrize("kind", ["fixed", "offset", "recurring", "daypart"])
def test_a_valid_rule_of_each_kind_is_accepted(kind):
    RuleCreate.model_validate(rule(kind))


def test_a_daypart_may_run_from_opening_or_until_closing_and_past_midnight():
    for start, end in ((None, "09:00"), ("21:00", None), ("23:00", "01:00")):
        RuleCreate.model_validate(rule("daypart", start=start, end=end))


def test_offsets_up_to_twelve_hours_either_way_are_accepted():
    for offset in (-43200, 43200):
        assert RuleCreate.model_validate(rule("offset", offset_s=offset)).offset_s == offset


def test_fields_that_do_not_apply_to_the_kind_are_cleared():
    created = RuleCreate.model_validate(
        rule("daypart", at="08:00", every_s=300, content=speech(), spots=[speech()])
    )
    assert created.at is None and created.every_s == 0
    assert created.content is None and created.spots == []
    assert created.playlist == "pop"


def test_names_are_trimmed_and_hostile_text_stays_text(db, data):
    name = "  <script>alert(1)</script>'; DROP TABLE programme_rule; --  "
    row = add_rule(db, data, name=name)
    assert crud.get_rule(db, rule_id=row.id).name == name.strip()
    add_day_type(db, name="<b>'; DROP TABLE x;--")
    assert [d.name for d in crud.list_day_types(db)] == ["<b>'; DROP TABLE x;--"]
    assert len(crud.list_rules(db)) == 1


# --- day types, weekdays, calendar -------------------------------------------------------------


def test_day_type_round_trip(db):
    created = add_day_type(db)
    assert crud.get_day_type(db, day_type_id=created.id).opening == time(8, 0)
    updated = crud.update_day_type(
        db, day_type_id=created.id, data=DayTypeUpdate.model_validate({"closing": "23:30"})
    )
    assert (updated.name, updated.opening, updated.closing) == ("weekday", time(8), time(23, 30))
    assert [d.name for d in crud.list_day_types(db)] == ["weekday"]
    crud.delete_day_type(db, day_type_id=created.id)
    with pytest.raises(NotFound) as caught:
        crud.get_day_type(db, day_type_id=created.id)
    assert CJK.search(caught.value.message_zh)


def test_a_taken_day_type_name_is_a_conflict(db):
    add_day_type(db)
    other = add_day_type(db, "weekend")
    before = everything(db)
    with pytest.raises(Conflict) as caught:
        add_day_type(db)
    assert caught.value.code == "name_taken"
    with pytest.raises(Conflict):
        crud.update_day_type(db, day_type_id=other.id,
                             data=DayTypeUpdate(name="weekday"))  # fmt: skip
    assert everything(db) == before


def test_an_invalid_update_changes_nothing(db):
    created = add_day_type(db)
    before = everything(db)
    with pytest.raises(Invalid) as caught:
        crud.update_day_type(db, day_type_id=created.id, data=DayTypeUpdate(name="  "))
    assert [p.field for p in caught.value.problems] == ["name"]
    assert everything(db) == before


def test_renaming_a_day_type_carries_the_name_to_weekdays_calendar_and_rules(db, data):
    weekday = add_day_type(db)
    add_day_type(db, "weekend")
    crud.set_weekday_default(db, weekday=0, data=WeekdayDefaultSet(day_type="weekday"))
    crud.create_calendar_entry(
        db, data=CalendarEntryCreate(date=date(2026, 12, 24), day_type="weekday")
    )
    add_rule(db, data, day_types=["weekday", "weekend"])
    crud.update_day_type(db, day_type_id=weekday.id, data=DayTypeUpdate(name="working day"))
    programme = crud.load_programme(db)
    assert programme.weekday_defaults == {0: "working day"}
    assert programme.calendar == {date(2026, 12, 24): "working day"}
    assert programme.rules[0].day_types == {"working day", "weekend"}


@pytest.mark.parametrize("user", ["weekday", "calendar", "rule"])
def test_a_day_type_in_use_cannot_be_deleted(db, data, user):
    holiday = add_day_type(db, "holiday")
    if user == "weekday":
        crud.set_weekday_default(db, weekday=6, data=WeekdayDefaultSet(day_type="holiday"))
    elif user == "calendar":
        crud.create_calendar_entry(
            db, data=CalendarEntryCreate(date=date(2026, 10, 1), day_type="holiday")
        )
    else:
        add_rule(db, data, name="National Day", day_types=["holiday"])
    before = everything(db)
    with pytest.raises(Conflict) as caught:
        crud.delete_day_type(db, day_type_id=holiday.id)
    assert caught.value.code == "day_type_in_use"
    assert {"weekday": "Sunday", "calendar": "2026-10-01", "rule": "National Day"}[user] in (
        caught.value.message
    )
    assert everything(db) == before


def test_weekday_defaults(db):
    add_day_type(db)
    add_day_type(db, "weekend")
    for weekday in range(7):
        name = "weekday" if weekday < 5 else "weekend"
        crud.set_weekday_default(db, weekday=weekday, data=WeekdayDefaultSet(day_type=name))
    crud.set_weekday_default(db, weekday=4, data=WeekdayDefaultSet(day_type="weekend"))
    names = [w.day_type for w in crud.list_weekday_defaults(db)]
    assert names == ["weekday"] * 4 + ["weekend"] * 3
    crud.delete_weekday_default(db, weekday=4)
    with pytest.raises(NotFound, match="Friday has no day type"):
        crud.get_weekday_default(db, weekday=4)
    with pytest.raises(NotFound):
        crud.get_weekday_default(db, weekday=7)
    with pytest.raises(Invalid) as caught:
        crud.set_weekday_default(db, weekday=4, data=WeekdayDefaultSet(day_type="holiday"))
    assert caught.value.problems[0].field == "day_type"


def test_calendar_round_trip_and_one_entry_per_date(db):
    add_day_type(db)
    add_day_type(db, "holiday")
    entry = crud.create_calendar_entry(
        db, data=CalendarEntryCreate(date=date(2026, 10, 1), day_type="holiday",
                                     note="National Day <国庆节>")
    )  # fmt: skip
    crud.create_calendar_entry(
        db, data=CalendarEntryCreate(date=date(2026, 10, 8), day_type="weekday")
    )
    with pytest.raises(Conflict) as caught:
        crud.create_calendar_entry(
            db, data=CalendarEntryCreate(date=date(2026, 10, 1), day_type="weekday")
        )
    assert caught.value.code == "date_taken" and caught.value.problems[0].field == "date"
    with pytest.raises(Conflict):
        crud.update_calendar_entry(
            db, entry_id=entry.id, data=CalendarEntryUpdate(date=date(2026, 10, 8))
        )
    with pytest.raises(Invalid):
        crud.create_calendar_entry(
            db, data=CalendarEntryCreate(date=date(2026, 10, 2), day_type="nope")
        )
    moved = crud.update_calendar_entry(
        db, entry_id=entry.id, data=CalendarEntryUpdate(date=date(2026, 10, 2))
    )
    assert (moved.date, moved.note) == (date(2026, 10, 2), "National Day <国庆节>")
    listed = crud.list_calendar_entries(db, since=date(2026, 10, 2), until=date(2026, 10, 2))
    assert [e.id for e in listed] == [entry.id]
    crud.delete_calendar_entry(db, entry_id=entry.id)
    with pytest.raises(NotFound):
        crud.delete_calendar_entry(db, entry_id=entry.id)


# --- rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fixed", "offset", "recurring", "daypart"])
def test_rule_round_trip(db, data, kind):
    created = add_rule(db, data, kind)
    public = RulePublic.from_row(crud.get_rule(db, rule_id=created.id))
    expected = RuleCreate.model_validate(rule(kind))
    assert public.model_dump(exclude={"id"}) == expected.model_dump()
    crud.delete_rule(db, rule_id=created.id)
    with pytest.raises(NotFound):
        crud.get_rule(db, rule_id=created.id)


def test_a_partial_update_is_validated_as_a_whole(db, data):
    created = add_rule(db, data)
    before = everything(db)
    with pytest.raises(Invalid) as caught:
        crud.update_rule(db, rule_id=created.id, data=RuleUpdate(kind=spec.RuleKind.DAYPART),
                         **folders(data))  # fmt: skip
    assert {p.field for p in caught.value.problems} == {"playlist"}
    assert everything(db) == before
    changed = crud.update_rule(
        db, rule_id=created.id,
        data=RuleUpdate.model_validate({"kind": "daypart", "playlist": "light"}), **folders(data),
    )  # fmt: skip
    assert (changed.kind, changed.playlist, changed.at, changed.content_ref) == (
        "daypart", "light", None, None,
    )  # fmt: skip
    renamed = crud.update_rule(db, rule_id=created.id, data=RuleUpdate(name="Light"),
                               **folders(data))  # fmt: skip
    assert (renamed.name, renamed.playlist) == ("Light", "light")


@pytest.mark.parametrize(("ref", "words"), [c[1:] for c in BAD_REFS], ids=[c[0] for c in BAD_REFS])
def test_content_must_be_a_file_inside_the_data_folder(db, data, ref, words):
    for body in (rule(content=speech(ref=ref)), rule("recurring", spots=[speech(), speech(ref)])):
        found = crud.check_references(RuleCreate.model_validate(body), **folders(data))
        assert len(found) == 1 and words in found[0].message, found
        assert found[0].field in ("content.ref", "spots.1.ref")
        assert CJK.search(found[0].message_zh)
    with pytest.raises(Invalid):
        add_rule(db, data, content=speech(ref=ref))
    assert crud.list_rules(db) == []


def test_an_absolute_path_inside_the_data_folder_is_refused_with_the_relative_one(data):
    body = rule(content=speech(ref=str(data / WELCOME)))
    [found] = crud.check_references(RuleCreate.model_validate(body), **folders(data))
    assert found.message.endswith(WELCOME)


def test_a_link_that_leads_out_of_the_data_folder_is_refused(data):
    (data / "announcements" / "link.wav").symlink_to(data.parent / "secret.wav")
    body = rule(content=speech(ref="announcements/link.wav"))
    [found] = crud.check_references(RuleCreate.model_validate(body), **folders(data))
    assert "outside the data folder" in found.message


@pytest.mark.parametrize("name", ["nope", "..", "pop/..", "../music", "/etc"])
def test_a_playlist_must_be_a_folder_in_the_music_folder(db, data, name):
    for body, field in ((rule("daypart", playlist=name), "playlist"),
                        (rule(content={"kind": "playlist", "ref": name}), "content.ref")):  # fmt: skip
        [found] = crud.check_references(RuleCreate.model_validate(body), **folders(data))
        assert found.field == field and "No playlist" in found.message
    with pytest.raises(Invalid):
        add_rule(db, data, "daypart", playlist=name)


def test_songs_playlists_and_scripts_that_exist_are_accepted(data):
    for content in ({"kind": "song", "ref": "songs/farewell.wav"},
                    {"kind": "playlist", "ref": "light"},
                    {"kind": "script", "ref": "any script id, not checked yet"}):  # fmt: skip
        body = RuleCreate.model_validate(rule(content=content))
        assert crud.check_references(body, **folders(data)) == []


def test_a_rule_for_an_unknown_day_type_is_refused(db, data):
    add_day_type(db)
    with pytest.raises(Invalid) as caught:
        add_rule(db, data, day_types=["weekday", "holiday"])
    assert caught.value.problems == (
        FieldProblem("day_types", "Unknown day type: 'holiday'.", "没有这些日期类型：'holiday'。"),
    )
    add_rule(db, data, day_types=["weekday"])


# --- the whole programme -----------------------------------------------------------------------


def test_load_programme_gives_back_the_spec_values(db, data):
    add_day_type(db)
    crud.set_weekday_default(db, weekday=0, data=WeekdayDefaultSet(day_type="weekday"))
    crud.create_calendar_entry(
        db, data=CalendarEntryCreate(date=date(2026, 10, 1), day_type="weekday")
    )
    fixed = add_rule(db, data, order=20, priority=10, cut=True, grace_s=300,
                     day_types=["weekday"], valid_from="2026-11-01", valid_until="2026-11-30")  # fmt: skip
    daypart = add_rule(db, data, "daypart", order=10)
    add_rule(db, data, "recurring", name="Switched off", enabled=False)
    programme = crud.load_programme(db)
    assert programme.day_types == {"weekday": spec.DayType("weekday", time(8), time(22))}
    assert programme.weekday_defaults == {0: "weekday"}
    assert programme.calendar == {date(2026, 10, 1): "weekday"}
    welcome = spec.Content(spec.ContentKind.SPEECH, WELCOME, "Welcome")
    assert programme.rules == (
        spec.Rule(id=daypart.id, name="Pop songs", kind=spec.RuleKind.DAYPART, order=10,
                  start=time(12, 30), end=time(13, 30), playlist="pop"),
        spec.Rule(id=fixed.id, name="Floor guide", kind=spec.RuleKind.FIXED, order=20,
                  priority=10, day_types=frozenset({"weekday"}), valid_from=date(2026, 11, 1),
                  valid_until=date(2026, 11, 30), grace_s=300, cut=True, content=welcome,
                  at=time(9)),
    )  # fmt: skip


def test_replace_programme_installs_the_default_once_and_keeps_rule_ids(db, data):
    add_day_type(db, "old")
    add_rule(db, data, name="Old rule")
    programme = default_programme()
    crud.replace_programme(db, programme)
    crud.replace_programme(db, programme)
    assert crud.load_programme(db) == programme
    assert len(crud.list_rules(db)) == len(programme.rules)
    assert [d.name for d in crud.list_day_types(db)] == sorted(programme.day_types)
    # A rule added by hand afterwards gets an id of its own.
    added = add_rule(db, data, day_types=["weekday"])
    assert added.id not in {r.id for r in programme.rules}


def test_replace_programme_refuses_an_invalid_programme_and_keeps_the_old_one(db, data):
    add_day_type(db)
    before = everything(db)
    broken = spec.Rule(id=7, name="Broken", kind=spec.RuleKind.FIXED)  # no time, no content
    with pytest.raises(Invalid) as caught:
        crud.replace_programme(db, replace(default_programme(), rules=(broken,)))
    assert {p.field for p in caught.value.problems} == {"rules.7.at", "rules.7.content"}
    assert everything(db) == before


def test_replace_programme_refuses_names_of_day_types_it_does_not_define(db):
    default = default_programme()
    first = default.rules[0]
    broken = replace(
        default,
        weekday_defaults={**default.weekday_defaults, 6: "holiday"},
        calendar={date(2026, 10, 1): "national day"},
        rules=(*default.rules, replace(first, day_types=frozenset({"late night"})), first),
    )
    with pytest.raises(Invalid) as caught:
        crud.replace_programme(db, broken)
    assert {p.field for p in caught.value.problems} == {
        "weekday_defaults.6", "calendar.2026-10-01", f"rules.{first.id}.day_types",
        f"rules.{first.id}.id",
    }  # fmt: skip
    assert crud.load_programme(db) == EMPTY

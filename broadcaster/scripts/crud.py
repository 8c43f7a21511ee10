"""Reading and changing the script library. Every function takes the session and keyword
arguments; the API, the demo, the feeder and the announcer's queue all go through here.

A refused change raises Invalid, NotFound, Conflict or Forbidden (broadcaster.problems) before
anything is written. The approval rule: only a supervisor approves; only an approved version
goes on air; editing an approved script makes a new draft and the approved one stays on air.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from broadcaster.actors import Actor
from broadcaster.db import commit
from broadcaster.problems import (
    Conflict,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    problems_from_errors,
)
from broadcaster.scripts.models import (
    CONTENT_FIELDS,
    Script,
    ScriptContent,
    ScriptCreate,
    ScriptPublic,
    ScriptUpdate,
    ScriptVersion,
    VersionPublic,
)
from scripts_library.spec import Category, Language, Status
from scripts_library.starter import StarterScript


def version_public(row: ScriptVersion) -> VersionPublic:
    # The table's datetime columns come back aware (UTC) on SQLite and PostgreSQL alike.
    return VersionPublic.model_validate(row)


def _versions(session: Session, script_id: int) -> list[ScriptVersion]:
    statement = (
        select(ScriptVersion)
        .where(ScriptVersion.script_id == script_id)
        .order_by(col(ScriptVersion.number))
    )
    return list(session.exec(statement).all())


def _public(session: Session, script: Script) -> ScriptPublic:
    assert script.id is not None
    versions = _versions(session, script.id)
    approved = next((v for v in versions if v.status is Status.APPROVED), None)
    newest = versions[-1] if versions else None
    draft = newest if newest is not None and newest.status is Status.DRAFT else None
    return ScriptPublic(
        id=script.id, code=script.code, created_at=script.created_at,
        created_by=script.created_by,
        on_air=version_public(approved) if approved else None,
        draft=version_public(draft) if draft else None,
    )  # fmt: skip


def _script(session: Session, script_id: int) -> Script:
    script = session.get(Script, script_id)
    if script is None or script.archived:
        raise NotFound(f"No script has id {script_id}.", f"没有编号为 {script_id} 的稿件。")
    return script


def _commit(session: Session) -> None:
    commit(session, what="this script", what_zh="这篇稿件")


def _check_recording(content: ScriptContent, data_dir: Path) -> None:
    if content.recording is None:
        return
    root = data_dir.resolve()
    candidate = Path(content.recording)
    path = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not path.is_relative_to(root):
        raise Invalid([FieldProblem(
            "recording", f"The recording must be a file in the data folder ({root}).",
            f"录音文件必须在数据目录（{root}）中。",
        )])  # fmt: skip
    if not path.is_file():
        raise Invalid([FieldProblem("recording", f"No such file: {content.recording}",
                                    f"找不到录音文件：{content.recording}")])  # fmt: skip


# --- reading -----------------------------------------------------------------------------------


def list_scripts(
    session: Session,
    *,
    category: Category | None = None,
    language: Language | None = None,
    approved: bool | None = None,
) -> list[ScriptPublic]:
    """Scripts in code order; ``approved`` True: those with a version on air, False: never
    approved yet."""
    rows = session.exec(
        select(Script).where(col(Script.archived).is_(False)).order_by(col(Script.code))
    ).all()
    result = []
    for row in rows:
        public = _public(session, row)
        current = public.on_air or public.draft
        if category is not None and (current is None or current.category is not category):
            continue
        if language is not None and (current is None or current.language is not language):
            continue
        if approved is not None and (public.on_air is not None) is not approved:
            continue
        result.append(public)
    return result


def get_script(session: Session, *, script_id: int) -> ScriptPublic:
    return _public(session, _script(session, script_id))


def list_versions(session: Session, *, script_id: int) -> list[VersionPublic]:
    _script(session, script_id)
    return [version_public(v) for v in _versions(session, script_id)]


def get_version(session: Session, *, script_id: int, number: int | None = None) -> ScriptVersion:
    """Version ``number``, or when None the one a preview plays: the newest draft if there is
    one (what the supervisor is about to approve), else the approved one."""
    _script(session, script_id)  # 404 for an unknown or archived script
    versions = _versions(session, script_id)
    if number is None:
        return versions[-1]
    for version in versions:
        if version.number == number:
            return version
    raise NotFound(f"Script {script_id} has no version {number}.",
                   f"稿件 {script_id} 没有第 {number} 版。")  # fmt: skip


def on_air_version(
    session: Session, *, day: dt.date, script_id: int | None = None, code: str | None = None
) -> tuple[Script, ScriptVersion]:
    """The approved version of a script (by id or code) that may go on air on ``day``.

    Refused with the reason a person can act on: unknown, not approved yet, outside its dates."""
    if code is not None:
        script = session.exec(
            select(Script).where(Script.code == code, col(Script.archived).is_(False))
        ).first()
        name, name_zh = f"code {code!r}", f"代码为 {code!r} "
    else:
        script = session.get(Script, script_id) if script_id is not None else None
        script = None if script is None or script.archived else script
        name, name_zh = f"id {script_id}", f"编号为 {script_id} "
    if script is None or script.id is None:
        raise NotFound(f"No script has {name}.", f"没有{name_zh}的稿件。")
    approved = next((v for v in _versions(session, script.id)
                     if v.status is Status.APPROVED), None)  # fmt: skip
    if approved is None:
        raise Conflict(
            "not_approved", f"Script {script.code} has not been approved by a supervisor yet.",
            f"稿件 {script.code} 尚未经客服主管审核通过，不能播出。",
        )  # fmt: skip
    if (approved.valid_from and day < approved.valid_from) or (
        approved.valid_until and day > approved.valid_until
    ):
        raise Conflict(
            "not_valid_today",
            f"Script {script.code} is valid {approved.valid_from or '…'} to "
            f"{approved.valid_until or '…'}, not on {day}.",
            f"稿件 {script.code} 的有效期为 {approved.valid_from or '…'} 至 "
            f"{approved.valid_until or '…'}，{day} 不能播出。",
        )
    return script, approved


def approved_codes(session: Session) -> set[str]:
    """The codes of the scripts that have a version on air: what the programme may schedule."""
    statement = (
        select(Script.code)
        .join(ScriptVersion, col(ScriptVersion.script_id) == col(Script.id))
        .where(col(Script.archived).is_(False), ScriptVersion.status == Status.APPROVED)
    )
    return set(session.exec(statement).all())


# --- changing ----------------------------------------------------------------------------------


def create_script(
    session: Session, *, data: ScriptCreate, by: Actor, now: dt.datetime, data_dir: Path
) -> ScriptPublic:
    """A new script whose first version is a draft."""
    _check_recording(data, data_dir)
    taken = session.exec(select(Script).where(Script.code == data.code)).first()
    if data.code is not None and taken is not None:
        raise Conflict("code_taken", f"The code {data.code!r} is already used.",
                       f"代码 {data.code!r} 已被其他稿件使用。",
                       [FieldProblem("code", "Already used.", "已被使用。")])  # fmt: skip
    script = Script(code=data.code or f"new-{now.timestamp():.6f}", created_at=now,
                    created_by=str(by))  # fmt: skip
    session.add(script)
    session.flush()
    assert script.id is not None
    if data.code is None:
        script.code = f"s{script.id}"
    content = data.model_dump(include=set(CONTENT_FIELDS))
    session.add(ScriptVersion(**content, script_id=script.id, number=1, status=Status.DRAFT,
                              created_at=now, created_by=str(by)))  # fmt: skip
    _commit(session)
    session.refresh(script)
    return _public(session, script)


def update_script(
    session: Session,
    *,
    script_id: int,
    data: ScriptUpdate,
    by: Actor,
    now: dt.datetime,
    data_dir: Path,
) -> ScriptPublic:
    """Change what the script says. The newest version is changed in place while it is a draft;
    when it is approved, a new draft version takes the change and the approved one stays on
    air. A change that changes nothing adds no version."""
    script = _script(session, script_id)
    newest = _versions(session, script_id)[-1]
    current: dict[str, Any] = newest.model_dump(include=set(CONTENT_FIELDS))
    patch = data.model_dump(exclude_unset=True)
    try:
        merged = ScriptCreate.model_validate({**current, **patch})
    except ValidationError as exc:
        raise Invalid(problems_from_errors(exc.errors())) from exc
    _check_recording(merged, data_dir)
    content = merged.model_dump(include=set(CONTENT_FIELDS))
    if content == current:
        return _public(session, script)
    if newest.status is Status.DRAFT:
        for name, value in content.items():
            setattr(newest, name, value)
        newest.created_at, newest.created_by = now, str(by)
        session.add(newest)
    else:
        session.add(ScriptVersion(**content, script_id=script_id, number=newest.number + 1,
                                  status=Status.DRAFT, created_at=now,
                                  created_by=str(by)))  # fmt: skip
    _commit(session)
    return _public(session, script)


def approve(
    session: Session, *, script_id: int, by: Actor, now: dt.datetime, number: int | None = None
) -> ScriptPublic:
    """Put the newest draft on air (``number``, when given, must be that draft: a supervisor
    approves what they read). The version it replaces is kept as superseded."""
    if not by.may_approve:
        raise Forbidden("Only a supervisor can approve scripts.", "只有客服主管可以审核稿件。")
    script = _script(session, script_id)
    versions = _versions(session, script_id)
    draft = versions[-1]
    if draft.status is not Status.DRAFT:
        raise Conflict("nothing_to_approve", "This script has no draft waiting for approval.",
                       "这篇稿件没有待审核的草稿。")  # fmt: skip
    if number is not None and number != draft.number:
        raise Conflict(
            "not_newest_draft", f"Version {number} is not the newest draft ({draft.number}).",
            f"第 {number} 版不是最新的草稿（最新为第 {draft.number} 版）。",
        )  # fmt: skip
    for version in versions[:-1]:
        if version.status is Status.APPROVED:
            version.status = Status.SUPERSEDED
            session.add(version)
    draft.status, draft.approved_at, draft.approved_by = Status.APPROVED, now, str(by)
    session.add(draft)
    _commit(session)
    return _public(session, script)


def archive_script(session: Session, *, script_id: int, used_by: Sequence[str] = ()) -> None:
    """Take a script out of the library. Refused while the programme uses it (``used_by``: the
    names of the rules that do). Its versions stay: the log still names them."""
    script = _script(session, script_id)
    if used_by:
        names = ", ".join(used_by)
        raise Conflict("script_in_use", f"The programme still uses this script: {names}.",
                       f"播音计划仍在使用这篇稿件：{names}。")  # fmt: skip
    script.archived = True
    session.add(script)
    _commit(session)


def install_starter(
    session: Session, *, scripts: Sequence[StarterScript], by: Actor, now: dt.datetime
) -> list[str]:
    """Add the starter scripts the library lacks, approved; returns their codes. A code already
    there (edited, or deleted by the supervisor) is left as it is: installing twice is a no-op."""
    taken = set(session.exec(select(Script.code)).all())
    added = []
    for starter in scripts:
        if starter.code in taken:
            continue
        content = ScriptCreate(code=starter.code, title=starter.title, category=starter.category,
                               language=starter.language, text=starter.text)  # fmt: skip
        script = Script(code=starter.code, created_at=now, created_by=str(by))
        session.add(script)
        session.flush()
        assert script.id is not None
        session.add(ScriptVersion(
            **content.model_dump(include=set(CONTENT_FIELDS)), script_id=script.id, number=1,
            status=Status.APPROVED, created_at=now, created_by=str(by), approved_at=now,
            approved_by=str(by),
        ))  # fmt: skip
        added.append(starter.code)
    _commit(session)
    return added


def approved_versions(session: Session) -> list[tuple[Script, ScriptVersion]]:
    """Every script's version on air (for warming the speech cache)."""
    statement = (
        select(Script, ScriptVersion)
        .join(ScriptVersion, col(ScriptVersion.script_id) == col(Script.id))
        .where(col(Script.archived).is_(False), ScriptVersion.status == Status.APPROVED)
        .order_by(col(Script.code))
    )
    return [(script, version) for script, version in session.exec(statement).all()]

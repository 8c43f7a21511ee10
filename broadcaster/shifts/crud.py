"""Reading and changing shifts. Every function takes the session and keyword arguments; the
routes and the pages go through here.

Who may see what: a person with the play log's right (the supervisor) reads every shift; an
announcer reads the shifts they held or confirmed, the one open now and a handover waiting
for its confirmation (the incoming announcer must read it before signing). A refused change
raises a Refused (NotFound, Forbidden, Conflict) before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, or_, select

from broadcaster.actors import Actor, Right
from broadcaster.db import commit
from broadcaster.paging.models import Page
from broadcaster.playlog import PlayLog, PlayLogPublic
from broadcaster.problems import Conflict, Forbidden, NotFound
from broadcaster.shifts.models import (
    Shift,
    ShiftConfirm,
    ShiftCreate,
    ShiftHandOver,
    ShiftPublic,
    ShiftRecord,
    ShiftStatus,
    ShiftUpdate,
)
from broadcaster.shifts.record import build_record, digest

ROWS_MAX = 1_000_000
_UNFINISHED = (ShiftStatus.OPEN, ShiftStatus.HANDED_OVER)


def _commit(session: Session) -> None:
    commit(session, what="the shift", what_zh="交接班记录")


def may_read(actor: Actor, shift: Shift) -> bool:
    return (
        actor.may(Right.LOG)
        or actor.name in (shift.announcer, shift.confirmed_by)
        or shift.status in _UNFINISHED
    )


def current_shift(session: Session) -> Shift | None:
    """The shift open now, or the last one handed over and not yet confirmed."""
    statement = select(Shift).where(col(Shift.status).in_(_UNFINISHED))
    return session.exec(statement.order_by(col(Shift.id).desc())).first()


def list_shifts(
    session: Session,
    *,
    actor: Actor,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Shift]:
    """The shifts ``actor`` may read that overlap ``since``…``until``, newest first."""
    statement = select(Shift)
    if since is not None:
        statement = statement.where(or_(col(Shift.ended_at).is_(None), col(Shift.ended_at) > since))
    if until is not None:
        statement = statement.where(col(Shift.started_at) < until)
    if not actor.may(Right.LOG):
        statement = statement.where(or_(
            col(Shift.announcer) == actor.name, col(Shift.confirmed_by) == actor.name,
            col(Shift.status).in_(_UNFINISHED),
        ))  # fmt: skip
    statement = statement.order_by(col(Shift.started_at).desc(), col(Shift.id).desc())
    return session.exec(statement.offset(offset).limit(limit)).all()


def get_shift(session: Session, *, shift_id: int, actor: Actor) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(f"No shift has id {shift_id}.", f"没有编号为 {shift_id} 的班次。")
    if not may_read(actor, shift):
        raise Forbidden("Only the supervisor reads other announcers' shifts.",
                        "只有客服主管可以查看其他播音员的班次。")  # fmt: skip
    return shift


def start_shift(session: Session, *, actor: Actor, data: ShiftCreate, now: dt.datetime) -> Shift:
    """Start the caller's shift; refused while another is open or waits for its confirmation
    (that handover is confirmed instead, which starts the incoming shift)."""
    _nothing_unfinished(session)
    shift = Shift(announcer=actor.name, started_at=now, notes=data.notes)
    session.add(shift)
    _commit(session)
    session.refresh(shift)
    return shift


def _nothing_unfinished(session: Session) -> None:
    current = current_shift(session)
    if current is None:
        return
    if current.status is ShiftStatus.OPEN:
        raise Conflict("shift_open", f"{current.announcer}'s shift is open: it is handed over "
                       "first, and the handover confirmed.",
                       f"{current.announcer} 的班次尚未交班：请先交班，再由接班人确认。")  # fmt: skip
    raise Conflict("handover_waiting", f"{current.announcer}'s handover waits for its "
                   "confirmation: read it and confirm it to start your shift.",
                   f"{current.announcer} 的交班记录等待确认：请阅读并确认后开始您的班次。")  # fmt: skip


def _own_open(session: Session, shift_id: int, actor: Actor, *, supervisor: bool = False) -> Shift:
    """The open shift ``actor`` may write: their own, or (``supervisor``) anyone's for a
    supervisor."""
    shift = get_shift(session, shift_id=shift_id, actor=actor)
    if shift.announcer != actor.name and not (supervisor and actor.may(Right.LOG)):
        raise Forbidden(f"This is {shift.announcer}'s shift: only they write its notes and "
                        "hand it over (a supervisor may hand it over for them).",
                        f"这是 {shift.announcer} 的班次：只有本人可以填写交班记录和交班"
                        "（客服主管可代为交班）。")  # fmt: skip
    if shift.status is not ShiftStatus.OPEN:
        raise Conflict("shift_handed_over", "This shift has been handed over; its record is "
                       "kept as it was signed.", "该班次已交班，记录按签字时的内容保存，不能再修改。")  # fmt: skip
    return shift


def update_notes(session: Session, *, shift_id: int, actor: Actor, data: ShiftUpdate) -> Shift:
    shift = _own_open(session, shift_id, actor)
    if data.notes is not None:
        shift.notes = data.notes
    session.add(shift)
    _commit(session)
    session.refresh(shift)
    return shift


def shift_rows(shift: Shift, playlog: PlayLog, *, now: dt.datetime) -> list[PlayLogPublic]:
    """The play log of the shift, oldest first (until now while it is open)."""
    return playlog.query(since=shift.started_at, until=shift.ended_at or now, limit=ROWS_MAX)


def live_record(session: Session, *, shift: Shift, playlog: PlayLog, now: dt.datetime
                ) -> ShiftRecord:  # fmt: skip
    """What happened in the shift so far (an open shift) or until its end."""
    since, until = shift.started_at, shift.ended_at or now
    pages = session.exec(select(Page).where(
        col(Page.created_at) < until,
        or_(col(Page.ended_at).is_(None), col(Page.ended_at) >= since),
    ).order_by(col(Page.id))).all()  # fmt: skip
    return build_record(shift_rows(shift, playlog, now=now), pages, since=since, until=until)


def public(session: Session, *, shift: Shift, playlog: PlayLog, now: dt.datetime) -> ShiftPublic:
    """The shift with its record: the one kept at hand-over, or the open shift's as it stands."""
    view = ShiftPublic.model_validate(shift, update={"record": None})
    if shift.record is not None:
        view.record = ShiftRecord.model_validate(shift.record)
    else:
        view.record = live_record(session, shift=shift, playlog=playlog, now=now)
    return view


def _kept(shift: Shift) -> dict[str, object]:
    """What the digest covers: who, when, the notes and the record, as stored."""
    return {"id": shift.id, "announcer": shift.announcer,
            "started_at": shift.started_at.isoformat(),
            "ended_at": shift.ended_at.isoformat() if shift.ended_at else None,
            "handed_over_by": shift.handed_over_by, "notes": shift.notes,
            "record": shift.record}  # fmt: skip


def hand_over(
    session: Session, *, shift_id: int, actor: Actor, data: ShiftHandOver, playlog: PlayLog,
    now: dt.datetime,
) -> Shift:  # fmt: skip
    """The outgoing announcer signs the shift off (or a supervisor does, for an announcer who
    left without: then the record names both): its end is now, and the record of what happened
    is frozen into the row with its digest."""
    shift = _own_open(session, shift_id, actor, supervisor=True)
    if data.notes is not None:
        shift.notes = data.notes
    shift.handed_over_by = actor.name
    shift.ended_at = now
    shift.record = live_record(session, shift=shift, playlog=playlog, now=now).model_dump(
        mode="json"
    )
    shift.digest = digest(_kept(shift))
    shift.status = ShiftStatus.HANDED_OVER
    session.add(shift)
    _commit(session)
    session.refresh(shift)
    return shift


def confirm(
    session: Session, *, shift_id: int, actor: Actor, data: ShiftConfirm, now: dt.datetime
) -> tuple[Shift, Shift]:
    """The incoming announcer signs for the handover they read (its digest) and their own shift
    starts where the last one ended. Returns (the confirmed shift, the new one)."""
    shift = get_shift(session, shift_id=shift_id, actor=actor)
    if shift.status is not ShiftStatus.HANDED_OVER:
        raise Conflict("not_handed_over", "This shift is not waiting for a confirmation "
                       "(still open, or confirmed already).",
                       "该班次不在等待确认（尚未交班，或已确认）。")  # fmt: skip
    if shift.announcer == actor.name:
        raise Conflict("own_handover", "The incoming announcer confirms a handover, not the one "
                       "who handed over.", "交班记录须由接班人确认，交班人不能自己确认。")  # fmt: skip
    if data.digest != shift.digest:
        raise Conflict("record_changed", "The record you confirmed is not the one kept; reload "
                       "it, read it again and confirm.", "您确认的内容与保存的交班记录不一致，请刷新后重新阅读并确认。")  # fmt: skip
    shift.status = ShiftStatus.CONFIRMED
    shift.confirmed_by = actor.name
    shift.confirmed_at = now
    shift.remarks = data.remarks
    shift.current = None
    session.add(shift)
    session.flush()  # the handed-over shift stops being current before the new one is
    incoming = Shift(announcer=actor.name, started_at=shift.ended_at or now,
                     previous_id=shift.id)  # fmt: skip
    session.add(incoming)
    _commit(session)
    session.refresh(shift)
    session.refresh(incoming)
    return shift, incoming

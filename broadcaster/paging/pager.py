"""Service-desk pages that repeat until resolved.

A page is played, and then again ``every_s`` after each play started, until it has been played
``times`` times or the desk resolves or cancels it. Every play is its own request to the core
(so its own play-log row, with "play 2/5" in its detail); the Pager runs on the core thread and
hears of each play's end through the core's finished hook, so a resolve can never race a repeat:

- resolved: no further play. A repeat already waiting in the queue is withdrawn (logged
  ``cancelled``, "page resolved"); the play on air, if any, fades out within a second (asking
  the mall to look for a child who has been found helps nobody), or, if the desk chose "let it
  finish", ends its sentence first.
- cancelled: the same, and a play on air is stopped now.

The ``page`` table is the desk's record and survives a restart: ``resume`` carries on with the
pages still active when the daemon stopped.
"""

from __future__ import annotations

import itertools
import logging
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from broadcaster.clock import Clock
from broadcaster.core import Core
from broadcaster.paging.models import Page, PagePublic, PageStatus
from broadcaster.playlog import Outcome
from broadcaster.problems import Conflict, NotFound
from broadcaster.requests import Kind, Request, Segment
from broadcaster.writer import Writer

log = logging.getLogger(__name__)
RESOLVE_FADE_MS = 800  # a page found while on air fades out within a second


@dataclass
class _Series:
    page_id: int
    title: str
    segments: tuple[Segment, ...]
    requested_by: str
    every: timedelta
    times: int
    plays: int = 0
    attempts: int = 0
    request_id: int | None = None  # the play queued or on air
    next_at: datetime | None = None
    ended: bool = False
    pending: set[int] = field(default_factory=set)
    on_behalf_of: str | None = None
    zones: frozenset[str] = frozenset()  # empty: every zone


def list_pages(
    engine: Engine,
    *,
    active: bool | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[PagePublic]:
    """The desk's pages, newest first; only the active ones (or only the ended ones) if asked,
    only those made since ``since`` if given."""
    statement = select(Page).order_by(col(Page.id).desc()).limit(max(1, min(limit, 1000)))
    if since is not None:
        statement = statement.where(col(Page.created_at) >= since)
    if active is not None:
        op = col(Page.status) == PageStatus.ACTIVE
        statement = statement.where(op if active else ~op)
    with Session(engine) as session:
        return [PagePublic.model_validate(row) for row in session.exec(statement).all()]


class Pager:
    """Owns the repeating pages; entry points are safe from any thread (they run on the core
    thread through ``core.call``)."""

    def __init__(
        self, *, core: Core, engine: Engine, clock: Clock, writer: Writer | None = None
    ) -> None:
        self._core, self._engine, self._clock = core, engine, clock
        self._writer = writer or Writer(engine)
        self._series: dict[int, _Series] = {}
        self._pages: dict[int, Page] = {}  # this run's pages as they are now (core thread)
        with Session(engine) as session:  # ids are given here: the desk has one at once
            last = session.exec(select(func.max(Page.id))).one()
        self._ids = itertools.count((last or 0) + 1)
        core.on_finished(self._finished)

    # -- any thread ---------------------------------------------------------------------------
    def start(self, page: Page, segments: tuple[Segment, ...]) -> Future[PagePublic]:
        """Store ``page`` (a new row) and play it now; ``segments`` are what one play plays
        (the chime, then the notice)."""
        return self._core.call(self._start, page, segments)

    def resolve(self, page_id: int, by: str, *, let_finish: bool = False) -> Future[PagePublic]:
        """Found: never plays again; a play on air fades out within a second, or with
        ``let_finish`` ends its sentence first."""
        return self._core.call(self._end, page_id, PageStatus.RESOLVED, by, let_finish)

    def cancel(self, page_id: int, by: str) -> Future[PagePublic]:
        return self._core.call(self._end, page_id, PageStatus.CANCELLED, by)

    def next_at(self, page_id: int) -> datetime | None:
        series = self._series.get(page_id)
        return None if series is None else series.next_at

    def resume(self, chime: Segment) -> Future[int]:
        """Carry on with the pages left active by the last run. Returns how many."""
        return self._core.call(self._resume, chime)

    # -- core thread --------------------------------------------------------------------------
    def _start(self, page: Page, segments: tuple[Segment, ...]) -> PagePublic:
        page.id = next(self._ids)
        public = self._save(page)
        series = _Series(page.id, page.title, segments, page.created_by,
                         timedelta(seconds=page.every_s), page.times,
                         on_behalf_of=page.on_behalf_of, zones=_zones(page.zones))  # fmt: skip
        self._series[page.id] = series
        self._play(series)
        return public

    def _resume(self, chime: Segment) -> int:
        with Session(self._engine) as session:
            rows = session.exec(select(Page).where(col(Page.status) == PageStatus.ACTIVE)).all()
        now = self._clock.now()
        for row in rows:
            assert row.id is not None
            self._pages[row.id] = row
            path = Path(row.media_path)
            if not path.is_file():
                self._close_row(row.id, PageStatus.CANCELLED, "broadcaster",
                                f"its audio {path.name} was missing after a restart")  # fmt: skip
                self._forget(row.id)
                continue
            speech = Segment(path, row.duration_ms)
            series = _Series(row.id, row.title, (chime, speech) if row.chime else (speech,),
                             row.created_by, timedelta(seconds=row.every_s), row.times,
                             row.plays, row.attempts, on_behalf_of=row.on_behalf_of,
                             zones=_zones(row.zones))  # fmt: skip
            self._series[row.id] = series
            last = row.last_started_at or row.created_at
            self._play_at(series, max(now, last + series.every))
        return len(rows)

    def _play(self, series: _Series) -> None:
        series.next_at = None
        if series.ended:
            return
        request = Request(
            kind=Kind.PAGE, title=series.title, segments=series.segments,
            requested_by=series.requested_by, requested_at=self._clock.now(),
            series=series.page_id, zones=series.zones, partial=True,  # heard where it can be
            note=f"page #{series.page_id} play {series.attempts + 1}/{series.times}"
            + (f"; on behalf of {series.on_behalf_of}" if series.on_behalf_of else ""),
        )  # fmt: skip
        series.request_id = request.id
        self._core.submit_now(request)

    def _play_at(self, series: _Series, when: datetime) -> None:
        series.next_at = when
        self._core.schedule(when, lambda: self._play(series), duration=True)

    def _finished(
        self, request: Request, outcome: Outcome, started_at: datetime | None, final: bool
    ) -> None:
        series = self._series.get(request.series) if request.series is not None else None
        if series is None or not final or request.id != series.request_id:
            return
        series.request_id = None
        if outcome is Outcome.CANCELLED:
            self._forget(series.page_id)
            return  # resolve/cancel did that, and closes the page's row itself
        series.attempts += 1
        if outcome is Outcome.COMPLETED:
            series.plays += 1
        row = self._pages.get(series.page_id)
        if row is not None:
            row.plays, row.attempts = series.plays, series.attempts
            row.last_started_at = started_at or row.last_started_at
            self._save(row)
        if series.ended:  # resolved while this play was on air: it was let finish
            self._forget(series.page_id)
            return
        if series.attempts >= series.times:
            series.ended = True
            self._close_row(series.page_id, PageStatus.FINISHED, "broadcaster", "")
            self._forget(series.page_id)
            return
        self._play_at(series, (started_at or self._clock.now()) + series.every)

    def _end(
        self, page_id: int, status: PageStatus, by: str, let_finish: bool = False
    ) -> PagePublic:
        series = self._series.get(page_id)
        if series is None:
            with Session(self._engine) as session:
                row = session.get(Page, page_id)
                if row is None:
                    raise NotFound(
                        f"No page has id {page_id}.", f"没有编号为 {page_id} 的寻人寻物广播。"
                    )
                raise Conflict(
                    "page_over", f"Page {page_id} is already {row.status.value}.",
                    f"该广播已经结束（{row.status.value}）。",
                )  # fmt: skip
        series.ended = True
        series.next_at = None
        fade = status is PageStatus.RESOLVED and not let_finish
        public = self._close_row(page_id, status, by, "")
        on_air = series.request_id is not None and not self._core.cancel_now(
            series.request_id, by, stop=status is PageStatus.CANCELLED or fade,
            why=f"page {status.value} by {by}", fade_ms=RESOLVE_FADE_MS if fade else 0,
        )  # fmt: skip
        if not on_air:  # else the play on air finishes first, and _finished forgets the page
            self._forget(page_id)
        return public

    def _close_row(self, page_id: int, status: PageStatus, by: str, why: str) -> PagePublic:
        row = self._pages[page_id]
        row.status, row.ended_at, row.ended_by = status, self._clock.now(), by
        if why:
            log.warning("page %d %s: %s", page_id, status.value, why)
        return self._save(row)

    def _save(self, page: Page) -> PagePublic:
        """Keep ``page`` as it is now and have it written (inserted or updated) in order."""
        assert page.id is not None
        self._pages[page.id] = page
        values = page.model_dump()
        self._writer.submit(lambda session: session.merge(Page.model_validate(values)))
        return PagePublic.model_validate(values)

    def _forget(self, page_id: int) -> None:
        """The page will not play again: its series and its copy go (its row is written)."""
        self._series.pop(page_id, None)
        self._pages.pop(page_id, None)

    def latest(self, pages: list[PagePublic], *, add_active: bool) -> list[PagePublic]:
        """``pages`` as read from the database (newest first), with what this run knows newer
        (a page made or played while the database was locked): the desk sees what is on air.
        ``add_active``: the active pages the database does not have yet are added."""
        mine = {i: PagePublic.model_validate(p.model_dump()) for i, p in dict(self._pages).items()}
        seen = {p.id for p in pages}
        new = [mine[i] for i in sorted(mine, reverse=True)
               if i not in seen and mine[i].status is PageStatus.ACTIVE] if add_active else []  # fmt: skip
        return new + [mine.get(p.id, p) for p in pages]


def _zones(text: str | None) -> frozenset[str]:
    return frozenset(text.split(",")) if text else frozenset()

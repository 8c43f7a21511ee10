"""The one writer of what the air path records: play-log rows, the air store, pages, the audit.

The core thread decides and commands the output first; what it wants written it hands to the
``Writer`` (``submit``), which never blocks it. The writer's own thread writes the operations in
the order they came, in one transaction per batch, on its own connection (a short busy
timeout, so it notices a lock quickly). When the database is locked by another process, or
fails, the batch is rolled back and tried again until it lands: nothing is lost and nothing
overtakes. A write held up longer than ``fault_after_s`` is a fault (``fault()``, told to the
listeners), shown in the status, ``/health`` and the announcer's banner until the queue drains.

Rows the core must refer to before they exist (a play-log row to close later) are handles
resolved by the writer (``broadcaster.playlog``); rows a person refers to at once (a page's id)
get ids allocated in memory by their owner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)
Op = Callable[[Session], object]
"""One write: runs on the writer's thread inside its transaction (it must not commit). It may
run again after a rollback (a locked database), so it works from its own values, not from
what a previous try did."""
FaultListener = Callable[[str | None], None]

BUSY_TIMEOUT_MS = 1000  # the writer's connection: wait this long for a lock, then look again
FAULT_AFTER_S = 2.0  # a write held up this long is shown as a fault
RETRY_S = (0.1, 0.2, 0.5, 1.0)  # waits between tries, the last one repeated
BATCH = 500
IDLE_EXIT_S = 5.0  # an idle writer's thread ends; the next write starts it again
FAULT_TEXT = (
    "The database does not answer ({why}): the air goes on, and the play log, the queue's "
    "record and the pages are written as soon as it answers. / 数据库没有响应（{why}）："
    "播出照常进行，播放记录、队列和寻人寻物记录将在数据库恢复后写入。"
)


def _own_engine(engine: Engine) -> Engine:
    """A connection of the writer's own: for a SQLite file, with a short busy timeout (the
    writer's thread looks at its queue and its fault between tries); otherwise the engine."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return engine
    own = create_engine(url, connect_args={"check_same_thread": False,
                                           "timeout": BUSY_TIMEOUT_MS / 1000})  # fmt: skip

    def pragmas(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    event.listen(own, "connect", pragmas)
    return own


class Writer:
    """Ordered writes off the caller's thread. ``submit``, ``flush``, ``fault`` and ``stop`` are
    safe from any thread."""

    def __init__(
        self, engine: Engine, *, fault_after_s: float = FAULT_AFTER_S, name: str = "db-writer"
    ) -> None:
        self._engine = _own_engine(engine)
        self._owns_engine = self._engine is not engine
        self._fault_after_s, self._name = fault_after_s, name
        self._queue: deque[Op] = deque()
        self._cond = threading.Condition()
        self._submitted = 0  # ops ever submitted
        self._written = 0  # ops ever written (or dropped as broken)
        self._thread: threading.Thread | None = None
        self._closed = False
        self._held_since: float | None = None  # monotonic: when the head batch first failed
        self._fault: str | None = None
        self._listeners: list[FaultListener] = []

    # -- any thread ---------------------------------------------------------------------------
    def submit(self, op: Op) -> None:
        """Write ``op`` after everything submitted before it; never waits."""
        with self._cond:
            self._queue.append(op)
            self._submitted += 1
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is written; False after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._submitted
            while self._written < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def caught_up(self, timeout: float = 2.0) -> bool:
        """For a reader that wants to see its own writes: wait for them, unless the database
        is at fault (then read at once what has landed: a locked database must not hold up a
        page)."""
        return self._fault is None and self.flush(timeout)

    def pending(self) -> int:
        with self._cond:
            return self._submitted - self._written

    def fault(self) -> str | None:
        return self._fault

    def on_fault(self, listener: FaultListener) -> None:
        """``listener(fault or None)`` is called (on the writer's thread) when the fault
        starts and when it ends."""
        self._listeners.append(listener)

    def stop(self, timeout: float = 2.0) -> int:
        """Write what is waiting, for up to ``timeout`` seconds; then stop. Returns how many
        writes were left unwritten (the database did not answer in time)."""
        self.flush(timeout)
        with self._cond:
            self._closed = True
            left = self._submitted - self._written
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=BUSY_TIMEOUT_MS / 1000 + 0.5)
        if left:
            log.error("%d database writes were not made: the database did not answer", left)
        if self._owns_engine:
            self._engine.dispose()
        return left

    # -- the writer's thread ------------------------------------------------------------------
    def _run(self) -> None:
        tries = 0
        while True:
            with self._cond:
                idle_until = time.monotonic() + IDLE_EXIT_S
                while not self._queue and not self._closed:
                    left = idle_until - time.monotonic()
                    if left <= 0:
                        self._thread = None  # the next submit starts a new thread
                        return
                    self._cond.wait(left)
                if self._closed and (not self._queue or tries):
                    self._thread = None
                    return
                batch = list(self._queue)[:BATCH]
            try:
                self._write(batch)
            except (OperationalError, DBAPIError) as exc:
                self._held(exc)
                time.sleep(RETRY_S[min(tries, len(RETRY_S) - 1)])
                tries += 1
                continue
            tries = 0
            self._done(len(batch))

    def _write(self, batch: list[Op]) -> None:
        with Session(self._engine) as session:
            try:
                for op in batch:
                    op(session)
                session.commit()
                _committed(session)
            except (OperationalError, DBAPIError):
                session.rollback()
                raise
            except Exception:
                session.rollback()
                log.exception("a database write failed; writing the batch one by one")
                self._one_by_one(batch)

    def _one_by_one(self, batch: list[Op]) -> None:
        """A broken write (a bug, a constraint) must not hold up the others: each on its own,
        the broken one dropped and logged."""
        for op in batch:
            with Session(self._engine) as session:
                try:
                    op(session)
                    session.commit()
                    _committed(session)
                except (OperationalError, DBAPIError):
                    raise  # the database, not the write: the whole batch again later
                except Exception:
                    session.rollback()
                    log.exception("a database write was dropped: it cannot be made")

    def _held(self, exc: Exception) -> None:
        now = time.monotonic()
        if self._held_since is None:
            self._held_since = now
            log.warning("database write held up, retrying: %s", _why(exc))
        if self._fault is None and now - self._held_since >= self._fault_after_s:
            self._set_fault(FAULT_TEXT.format(why=_why(exc)))
            log.error("the database does not answer: writes wait (%d)", self.pending())

    def _done(self, count: int) -> None:
        # The fault is over before anyone waiting for these writes hears they landed.
        if self._held_since is not None:
            log.warning("database writes landed after %.1f s", time.monotonic() - self._held_since)
            self._held_since = None
        if self._fault is not None:
            self._set_fault(None)
        with self._cond:
            for _ in range(count):
                self._queue.popleft()
            self._written += count
            self._cond.notify_all()

    def _set_fault(self, fault: str | None) -> None:
        self._fault = fault
        for listener in list(self._listeners):
            try:
                listener(fault)
            except Exception:
                log.exception("a database fault listener failed")


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` once the write that calls this has been committed (not on a try that
    was rolled back): for state kept beside the rows, such as a handle's row id."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


_AFTER_COMMIT = "broadcaster.writer.after_commit"


def _committed(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, []):
        action()


def _why(exc: Exception) -> str:
    message = str(getattr(exc, "orig", None) or exc)
    return message.splitlines()[0][:120] if message else type(exc).__name__

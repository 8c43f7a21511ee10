"""The database session a route works in: one per request, from the daemon the app serves
(``create_app`` puts it in ``app.state.daemon``)."""

# No ``from __future__ import annotations``: FastAPI reads the dependency's annotations.
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session
from starlette.requests import Request


def session(request: Request) -> Iterator[Session]:
    """A session that sees what the daemon's writer was given before this request (the
    audit of the person's last change, a page just sent), unless the database is at fault."""
    daemon = request.app.state.daemon
    engine = daemon.engine
    assert engine is not None, "the daemon is started before the API"
    daemon.writer.caught_up()
    with Session(engine) as s:
        yield s


Db = Annotated[Session, Depends(session)]

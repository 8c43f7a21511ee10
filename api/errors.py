"""Errors a person reads: a code, and the message in English and Chinese.

Routes built with ``route_class(code)`` turn every refusal into that shape: a bad body or query
and crud's Invalid -> 422 with a message per field, NotFound -> 404, Forbidden -> 403,
Conflict -> 409: ``{"detail": {"code", "message", "message_zh", "fields": {...}}}``.
"""

# No ``from __future__ import annotations``: FastAPI reads the annotations of route handlers.
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from fastapi import HTTPException, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.requests import Request

from broadcaster.problems import (
    Conflict,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    by_field,
    problems_from_errors,
)


class ApiError(HTTPException):
    def __init__(self, status: int, code: str, message: str, message_zh: str) -> None:
        super().__init__(status, {"code": code, "message": message, "message_zh": message_zh})


def invalid(code: str, problems: Iterable[FieldProblem]) -> HTTPException:
    return HTTPException(422, {
        "code": code, "message": "Some fields are not valid; nothing was saved.",
        "message_zh": "部分内容填写有误，未保存任何更改。", "fields": by_field(problems),
    })  # fmt: skip


def route_class(code: str) -> type[APIRoute]:
    """Routes whose refusals (a bad body or query, a crud refusal) come out in the house format,
    with ``code`` naming what was invalid."""

    class HouseRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Response:
                try:
                    return await handler(request)
                except RequestValidationError as exc:
                    raise invalid(code, problems_from_errors(exc.errors())) from None
                except Invalid as exc:
                    raise invalid(code, exc.problems) from None
                except Forbidden as exc:
                    denied = {"code": exc.code, "message": exc.message,
                              "message_zh": exc.message_zh}  # fmt: skip
                    raise HTTPException(403, denied) from None
                except NotFound as exc:
                    found = {"code": "not_found", "message": exc.message,
                             "message_zh": exc.message_zh}  # fmt: skip
                    raise HTTPException(404, found) from None
                except Conflict as exc:
                    detail: dict[str, Any] = {"code": exc.code, "message": exc.message,
                              "message_zh": exc.message_zh, "fields": by_field(exc.problems)}  # fmt: skip
                    raise HTTPException(409, detail) from None

            return guarded

    return HouseRoute


RETRY_AFTER_S = 5


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """The database is locked by another program (a backup, a scan, a ``sqlite3`` shell) for
    longer than a write may wait, or does not answer: 503 with ``Retry-After``, nothing
    changed, never a 500. (The air does not depend on it: the core writes through its own
    ordered writer.)"""
    assert isinstance(exc, OperationalError)
    why = str(exc.orig) if exc.orig is not None else str(exc)
    if "locked" in why or "busy" in why:
        detail = {"code": "database_busy",
                  "message": "The database is busy (another program is writing to it); "
                             f"nothing was changed. Try again in {RETRY_AFTER_S} seconds.",
                  "message_zh": f"数据库正忙（另一个程序正在写入），未做任何更改，请 {RETRY_AFTER_S} "
                                "秒后重试。"}  # fmt: skip
    else:
        detail = {"code": "database_unavailable",
                  "message": f"The database does not answer ({why[:120]}); nothing was changed. "
                             f"Try again in {RETRY_AFTER_S} seconds; the broadcast goes on.",
                  "message_zh": f"数据库没有响应（{why[:120]}），未做任何更改，请 {RETRY_AFTER_S} "
                                "秒后重试；广播照常进行。"}  # fmt: skip
    return JSONResponse({"detail": detail}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_S)})  # fmt: skip


def fault_detail(fault: str) -> dict[str, str]:
    """A fault as the house's error: the faults say their English and Chinese as
    ``english / 中文``; one said only in English is given a Chinese lead-in."""
    english, _, chinese = fault.rpartition(" / ")
    if english and any("\u4e00" <= ch <= "\u9fff" for ch in chinese):
        return {"code": "fault", "message": english, "message_zh": chinese}
    return {"code": "fault", "message": fault, "message_zh": f"广播故障：{fault}"}

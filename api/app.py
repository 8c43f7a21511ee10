"""The HTTP face: JSON API under /api/v1, server-sent events, OpenAPI at /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError

from api.accounts import accounts_router, client_of
from api.actor import UNSAFE, CurrentActor, need
from api.docs import mount_docs
from api.errors import ApiError, database_unavailable, fault_detail, route_class
from api.events import event_stream
from api.library import library_router
from api.on_air import on_air_router
from api.programme import programme_router
from api.proof import proof_routes
from api.scripts import scripts_router
from api.shifts import shifts_router
from api.status import current_status
from api.web import mount_static, web_router
from api.web.console import language
from api.zones import ZoneQuery, emergency_zones, zone_filter, zones_router
from broadcaster import __version__
from broadcaster.accounts.crud import LoginLimiter, add_audit
from broadcaster.actors import Right
from broadcaster.arbiter import Moved
from broadcaster.daemon import Daemon
from broadcaster.exports import play_log_csv
from broadcaster.playlog import LogKind, Outcome, PlayLogPublic

FUTURE_TIMEOUT_S = 5.0
Order = Literal["desc", "asc"]
HEALTH_CORE_S = 2.0
CORE_FAULT = (
    f"The broadcast core does not answer within {HEALTH_CORE_S:.0f} s: requests cannot reach "
    "the air. / 播出核心在 2 秒内没有响应：请求无法播出。"
)


class MoveRequest(BaseModel):
    position: int = Field(..., ge=0, le=100_000,
                          description="0-based place in the queue as GET /api/v1/status shows it")  # fmt: skip


ID_MAX = 2**63 - 1  # SQLite's and PostgreSQL's bigint


def create_app(daemon: Daemon) -> FastAPI:
    app = FastAPI(title="broadcaster", version=__version__, docs_url=None, redoc_url=None,
                  description="Mall broadcast room controller 商场广播室控制器")  # fmt: skip
    mount_docs(app)
    app.state.daemon = daemon  # for the request-scoped dependencies (api.database)
    app.state.login_limiter = LoginLimiter()  # for the API's log-in and the page's alike
    core, settings = daemon.core, daemon.settings

    def status() -> dict[str, Any]:
        return current_status(daemon)

    def aware(when: datetime | None) -> datetime | None:
        # A time without a zone is read in the store's zone.
        if when is not None and when.tzinfo is None:
            return when.replace(tzinfo=settings.zone)
        return when

    @app.get("/api/v1/health", response_model=None,
             responses={503: {"description": "a fault holds the air"}})  # fmt: skip
    def health() -> dict[str, Any] | JSONResponse:
        """For a monitor: 200 while the air is sound; 503 while a fault holds it (no sound
        reaching the speakers, no playable music, the database not answering, the core not
        answering), with the fault in both languages. A bed playing its fallback is shown in
        the status but does not fail the check: music is on air."""
        fault = core.air_fault()
        if fault is None and not daemon.alive(HEALTH_CORE_S):
            fault = CORE_FAULT
        if fault is None:
            return {"ok": True, "fault": None}
        return JSONResponse({"ok": False, "fault": fault, "detail": fault_detail(fault)},
                            status_code=503)  # fmt: skip

    @app.get("/api/v1/status", dependencies=[need(Right.STATUS)])
    def get_status() -> dict[str, Any]:
        return status()

    queue = APIRouter(prefix="/api/v1/queue", route_class=route_class("invalid_move"),
                      tags=["queue"])  # fmt: skip

    @queue.delete("/{request_id}", dependencies=[need(Right.ANNOUNCE)])
    def cancel(request_id: int, actor: CurrentActor) -> dict[str, Any]:
        if not core.cancel(request_id, str(actor)).result(FUTURE_TIMEOUT_S):
            raise ApiError(404, "unknown_request",
                           f"No waiting or playing request has id {request_id}.",
                           f"没有编号为 {request_id} 的待播或正在播放的请求。")  # fmt: skip
        return {"cancelled": request_id}

    @queue.post("/{request_id}/move", dependencies=[need(Right.ANNOUNCE)])
    def move(request_id: int, body: MoveRequest, actor: CurrentActor) -> dict[str, Any]:
        """Move a waiting request to ``position`` among those of its priority: a page stays
        ahead of every announcement, so a place past that is clamped (``clamped``, and the
        message says where it went)."""
        moved = core.move(request_id, body.position, str(actor)).result(FUTURE_TIMEOUT_S)
        if moved is None:
            raise ApiError(404, "unknown_request",
                           f"No request with id {request_id} is waiting in the queue "
                           "(it may have gone on air, finished or been cancelled).",
                           f"队列中没有编号为 {request_id} 的待播请求（可能已开始播出、已播完或已撤销）。")  # fmt: skip
        return {"moved": request_id, "position": moved.position, "asked": body.position,
                "clamped": moved.clamped, **_move_message(moved)}  # fmt: skip

    app.include_router(queue)

    @app.delete("/api/v1/emergency", dependencies=[need(Right.EMERGENCY)])
    def clear_emergency(
        actor: CurrentActor,
        zone: Annotated[
            list[str] | None,
            Query(
                description=(
                    "end it in these zones only (zone or group ids, an emergency plan's id, or "
                    '"all"); it holds on in the others. None: every zone'
                )
            ),
        ] = None,
    ) -> dict[str, Any]:
        """End the emergency: everywhere, or in the zones named (GB 50116 §4.8.10: zones are
        chosen by hand). Names that match nothing: 422 ``unknown_zones``, nothing ended."""
        zones = emergency_zones(settings.zone_map, zone)
        if not core.clear_emergency(str(actor), zones).result(FUTURE_TIMEOUT_S):
            if zones:
                named = ", ".join(sorted(zones))
                raise ApiError(409, "no_emergency", f"No emergency is active in {named}.",
                               f"{'、'.join(sorted(zones))} 当前没有紧急广播。")  # fmt: skip
            raise ApiError(409, "no_emergency", "No emergency is active.", "当前没有紧急广播。")
        return {"cleared": True, "zones": sorted(zones) or None}

    @app.get("/api/v1/log", dependencies=[need(Right.LOG)], response_model=None)
    def play_log(
        request: Request,
        response: Response,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: Annotated[list[LogKind] | None, Query()] = None,
        outcome: Annotated[list[Outcome] | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
        offset: Annotated[int, Query(ge=0, le=ID_MAX)] = 0,
        order: Annotated[Order, Query(description="newest (default) or oldest first")] = "desc",
        format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
        zone: ZoneQuery = None,
    ) -> list[PlayLogPublic] | PlainTextResponse:
        """Play-log rows, newest first unless ``order=asc``; ``offset`` skips rows for the next
        page, and ``X-Total-Count`` says how many match the filters. ``format=csv`` is the file
        a spreadsheet opens (UTF-8 with a BOM, the store's local times, headers in the
        person's language: ``lang``, else the console's choice, else Chinese)."""
        filters: dict[str, Any] = {
            "since": aware(since), "until": aware(until), "kinds": [k.value for k in kind or []],
            "outcomes": [o.value for o in outcome or []],
            "zones": zone_filter(settings.zone_map, zone),
        }  # fmt: skip
        rows = daemon.playlog.query(**filters, limit=limit, offset=offset,
                                    newest_first=order == "desc")  # fmt: skip
        counted = {"X-Total-Count": str(daemon.playlog.count(**filters)),
                   "X-Order": "newest-first" if order == "desc" else "oldest-first"}  # fmt: skip
        if format == "csv":
            return PlainTextResponse(
                play_log_csv(rows, zone=settings.zone, lang=language(request)),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="play-log.csv"', **counted},
            )  # fmt: skip
        response.headers.update(counted)
        return rows

    proof_routes(app, daemon)

    @app.get("/api/v1/events", dependencies=[need(Right.STATUS)])
    async def events() -> StreamingResponse:
        return StreamingResponse(
            event_stream(core, status), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )  # fmt: skip

    app.include_router(programme_router(daemon))
    app.include_router(on_air_router(daemon))
    app.include_router(scripts_router(daemon))
    app.include_router(library_router(daemon))
    app.include_router(accounts_router(daemon))
    app.include_router(shifts_router(daemon))
    app.include_router(zones_router(daemon))
    app.include_router(web_router(daemon))
    mount_static(app)
    app.add_exception_handler(OperationalError, database_unavailable)

    @app.exception_handler(OverflowError)
    async def number_too_large(request: Request, exc: OverflowError) -> JSONResponse:
        """A number in the query or body beyond what the database stores (SQLite refuses to
        bind it): the request's fault, said as such, not a server error."""
        return JSONResponse({"detail": {
            "code": "number_too_large", "message": "A number in the request is too large.",
            "message_zh": "请求中的数字过大。"}}, status_code=422)  # fmt: skip

    @app.middleware("http")
    async def ids_the_database_can_hold(request: Request, call_next: Any) -> Any:
        """A number in the path beyond 64-bit integers cannot name anything the database holds
        (SQLite refuses to even look it up): 404, as for any unknown id."""
        if any(part.lstrip("-").isdigit() and abs(int(part)) > ID_MAX
               for part in request.url.path.split("/")):  # fmt: skip
            return JSONResponse({"detail": {"code": "not_found", "message": "No such item.",
                                            "message_zh": "没有这一项。"}}, status_code=404)  # fmt: skip
        return await call_next(request)

    @app.middleware("http")
    async def audit_changes(request: Request, call_next: Any) -> Any:
        """Every change asked through the API goes into the audit trail: who, what, when and
        how it ended (refusals too). Log-ins are audited by their route."""
        response = await call_next(request)
        path = request.url.path
        if request.method in UNSAFE and path.startswith("/api/") and path != "/api/v1/login":
            actor = getattr(request.state, "actor", None)
            _audit(
                str(actor) if actor else "(not logged in)",
                f"{request.method} {path}",
                response.status_code,
                client_of(request),
            )
        return response

    def _audit(actor: str, action: str, status: int, client: str) -> None:
        # Through the ordered writer: a busy database never holds up the answer (an
        # emergency's above all); the entry lands when the database answers.
        now = daemon.clock.now()
        daemon.writer.submit(lambda session: add_audit(
            session, actor=actor, action=action, status=status, now=now, client=client))  # fmt: skip

    return app


def _move_message(moved: Moved) -> dict[str, str]:
    """What happened, for the person who asked (places counted from 1, as they are shown).
    Only pages and announcements wait in the queue (an emergency takes the air at once), so a
    clamped move always met the one rule between them."""
    place = moved.position + 1
    if not moved.clamped:
        return {"message": f"Moved to place {place} in the queue.",
                "message_zh": f"已移到队列第 {place} 位。"}  # fmt: skip
    return {"message": "A page always waits ahead of announcements, so it went as far as it "
                       f"may: place {place}.",
            "message_zh": f"寻人寻物广播始终排在普通广播之前，已移到允许的最远位置：第 {place} 位。"}  # fmt: skip

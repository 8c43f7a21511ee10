"""What the announcer and the service desk put on air: announcements and pages (寻人寻物).

Announcements take a file, an approved script or one-off text (logged ``unapproved``), or a
recording made in the announcer's browser (uploaded, saved under a name of ours, checked). Pages
come from a template (the service desk's form), rendered in Chinese, English or both, and repeat
until resolved (broadcaster.paging.Pager).
"""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import asyncio
from concurrent.futures import Future
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import FileResponse
from pydantic import ValidationError
from sqlmodel import Session

from api.actor import CurrentActor, need
from api.errors import ApiError, route_class
from api.media import checked_segment, save_upload
from api.schemas import (
    Accepted,
    AnnouncementRequest,
    EmergencyRequest,
    LiveRequest,
    NoticePreview,
    PageRequest,
    ResolveRequest,
    Titled,
)
from api.speech import rendered, said
from broadcaster.actors import Right
from broadcaster.daemon import Daemon
from broadcaster.emergency import Misfit, segments_for
from broadcaster.paging.models import Page, PagePublic
from broadcaster.paging.pager import list_pages
from broadcaster.playlog import zones_text
from broadcaster.problems import FieldProblem, Invalid, NotFound, problems_from_errors
from broadcaster.requests import Kind, Request, Segment
from broadcaster.scripts import book
from broadcaster.zones.selection import ZoneSelectionError, select_zones
from scripts_library.templates import TEMPLATES

FUTURE_TIMEOUT_S = 5.0
NOTICE_TEXT = "X-Notice-Text"  # what a previewed notice will read, percent-encoded UTF-8
T = TypeVar("T")
RECORDED = "announcements/recorded"  # in the data dir
RECORDING_MAX_BYTES = 20 * 1024 * 1024  # about 20 minutes of a browser's Opus
RECORDING_TYPES = {
    "audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav",
    "audio/mpeg": ".mp3",
}  # fmt: skip
"""What a browser's MediaRecorder (Chromium: WebM/Opus; Firefox: Ogg; Safari: MP4) or a
person's upload may send, by content type, and the suffix the saved file gets."""


async def settled(future: Future[T]) -> T:
    """The core's answer, awaited without holding up the server's other requests meanwhile
    (``future.result()`` in an ``async`` route blocks the whole event loop)."""
    return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), FUTURE_TIMEOUT_S)


def on_air_router(daemon: Daemon) -> APIRouter:
    router = APIRouter(prefix="/api/v1", route_class=route_class("invalid_request"),
                       tags=["on air"])  # fmt: skip
    core, settings = daemon.core, daemon.settings

    def aware(when: datetime | None) -> datetime | None:
        if when is not None and when.tzinfo is None:
            return when.replace(tzinfo=settings.zone)
        return when

    def today() -> Any:
        return daemon.clock.now().astimezone(settings.zone).date()

    def zones_of(names: list[str], *, emergency: bool = False) -> frozenset[str]:
        """The zone ids that a body's ``zones`` reach (none: every zone); 422 naming every
        unknown name, in both languages."""
        if not names:
            return frozenset()
        try:
            chosen = select_zones(settings.zone_map, names, emergency=emergency)
        except ZoneSelectionError as exc:
            raise Invalid([FieldProblem("zones", exc.message, exc.message_zh)]) from None
        return frozenset() if chosen == settings.zone_map.ids else chosen

    def position(request_id: int) -> int | None:
        queue = core.snapshot()["queue"]
        return next((i for i, r in enumerate(queue) if r["id"] == request_id), None)

    @router.post("/announcements", dependencies=[need(Right.ANNOUNCE)], status_code=202)
    async def announce(body: AnnouncementRequest, actor: CurrentActor) -> Accepted:
        received = daemon.clock.now()
        zones = zones_of(body.zones)
        what = await said(daemon, body, today())
        request = Request(
            kind=Kind.ANNOUNCEMENT, title=body.title or what.title, segments=(what.segment,),
            requested_by=actor.name, requested_at=received, expires_at=aware(body.expires_at),
            note=noted(what.note, body.on_behalf_of), zones=zones, partial=body.partial,
        )  # fmt: skip
        accepted = await settled(core.submit(request))
        return Accepted(id=accepted.id, kind="announcement", title=accepted.title,
                        queue_position=position(accepted.id))  # fmt: skip

    @router.post("/announcements/recording", dependencies=[need(Right.ANNOUNCE)],
                 status_code=202)  # fmt: skip
    async def announce_recording(
        file: UploadFile,
        actor: CurrentActor,
        title: Annotated[str, Form()] = "",
        zones: Annotated[str, Form(description="zone or group ids, comma-separated")] = "",
    ) -> Accepted:
        """Queue a clip recorded in the browser (or any audio file) as an announcement. It is
        saved in the data dir under ``announcements/recorded/`` with a name of ours, and must
        be audio by its content type, at most 20 MB, and playable by the real output."""
        received = daemon.clock.now()
        chosen = zones_of([name for name in zones.split(",") if name.strip()])
        kind = (file.content_type or "").split(";")[0].strip().lower()
        if kind not in RECORDING_TYPES:
            raise ApiError(422, "bad_recording_type",
                           f"Send an audio recording (WebM, Ogg, MP4, WAV or MP3); this is "
                           f"{kind or 'of no type'}.",
                           f"请上传音频录音（WebM、Ogg、MP4、WAV 或 MP3），此文件类型为 "
                           f"{kind or '未知'}。")  # fmt: skip
        try:
            title = Titled(title=title).title
        except ValidationError as exc:
            raise Invalid(problems_from_errors(exc.errors())) from None
        local = received.astimezone(settings.zone)
        segment = await save_upload(
            core, file, settings.data_dir.resolve() / RECORDED,
            f"mic-{local:%Y%m%d-%H%M%S}", RECORDING_TYPES[kind],
            set(RECORDING_TYPES.values()), RECORDING_MAX_BYTES,
        )  # fmt: skip
        request = Request(
            kind=Kind.ANNOUNCEMENT, title=title or f"录音 {local:%H:%M}", segments=(segment,),
            requested_by=actor.name, requested_at=received,
            note="recorded in the browser", zones=chosen,
        )  # fmt: skip
        accepted = await settled(core.submit(request))
        return Accepted(id=accepted.id, kind="announcement", title=accepted.title,
                        queue_position=position(accepted.id))  # fmt: skip

    async def notice(
        template: str, fields: dict[str, Any], fields_en: dict[str, Any] | None,
        languages: list[str],
    ) -> tuple[book.Spoken, dict[str, Any]]:  # fmt: skip
        """A template notice rendered (cached): for a page, and for the desk to listen first."""
        if template not in TEMPLATES:
            known = ", ".join(TEMPLATES)
            raise Invalid([FieldProblem("template", f"Unknown template; use one of: {known}.",
                                        f"没有这个模板，可用：{known}。")])  # fmt: skip
        return await rendered(lambda: daemon.scripts.notice(
            template=template, fields=fields, fields_en=fields_en, languages=languages,
        ))  # fmt: skip

    @router.post("/pages/preview", dependencies=[need(Right.PAGES)])
    async def preview(body: NoticePreview) -> FileResponse:
        """Listen before sending: the notice as it would be said (WAV); nothing goes on air.
        The words that will be read are in the ``X-Notice-Text`` header (UTF-8, percent-encoded;
        one line per language)."""
        spoken, _ = await notice(body.template, body.fields, body.fields_en,
                                 [language.value for language in body.languages])  # fmt: skip
        return FileResponse(spoken.path, media_type="audio/wav", filename="notice.wav",
                            content_disposition_type="inline",
                            headers={NOTICE_TEXT: quote(spoken.said)})  # fmt: skip

    @router.post("/pages", dependencies=[need(Right.PAGES)], status_code=202)
    async def page(body: PageRequest, actor: CurrentActor) -> dict[str, Any]:
        received = daemon.clock.now()
        zones = zones_of(body.zones)
        languages = [language.value for language in body.languages]
        fields: dict[str, Any] = {}
        if body.template is not None:
            spoken, fields = await notice(body.template, body.fields, body.fields_en, languages)
            speech, title = Segment(spoken.path, spoken.duration_ms or 0), spoken.title
        else:
            what = await said(daemon, body, today())
            speech, title = what.segment, what.title
        segments: tuple[Segment, ...] = (speech,)
        if body.chime:
            segments = (await checked_segment(core, daemon.chime), speech)
        every_min = body.every_min or settings.pages.every_min
        row = Page(
            title=body.title or title, template=body.template, fields=fields,
            languages=languages, media_path=str(speech.path), duration_ms=speech.duration_ms,
            chime=body.chime, every_s=round(every_min * 60),
            times=body.times or settings.pages.times, created_at=received,
            created_by=actor.name, on_behalf_of=body.on_behalf_of,
            zones=zones_text(sorted(zones)),
        )  # fmt: skip
        return _page_json(daemon, await settled(daemon.pager.start(row, segments)))

    @router.post("/emergency", dependencies=[need(Right.EMERGENCY)], status_code=202)
    async def emergency(body: EmergencyRequest, actor: CurrentActor) -> Accepted:
        """The alert, then the message as the emergency profile times it; a message that
        cannot fit the profile is refused, saying by how much (broadcaster.emergency)."""
        received = daemon.clock.now()
        zones = zones_of(body.zones, emergency=True)
        alert = await checked_segment(core, daemon.alert)
        title, message, note = body.title or "emergency", None, ""
        if body.sources():
            what = await said(daemon, body, today())
            message, note = what.segment, what.note
            title = body.title or what.title
        segments = segments_for(daemon.emergency, alert, message)
        if isinstance(segments, Misfit):
            raise Invalid([FieldProblem(body.sources()[0], segments.message, segments.message_zh)])
        request = Request(
            kind=Kind.EMERGENCY, title=title, segments=segments, requested_by=actor.name,
            requested_at=received, note=noted(note, body.on_behalf_of), zones=zones,
        )  # fmt: skip
        started = await settled(core.start_emergency(request))
        return Accepted(id=started.id, kind="emergency", title=started.title)

    live_calls: set[int] = set()  # the ids of the live calls this run made

    @router.post("/live", dependencies=[need(Right.ANNOUNCE)], status_code=202)
    async def go_live(body: LiveRequest, actor: CurrentActor) -> Accepted:
        """Talk (the announcer holds "talk"): the chime, then the PC's microphone
        (``live_mic.source``) live in ``zones`` (none: every zone), over their ducked music,
        recorded to ``recordings/live/``, until ``DELETE /live/{id}``."""
        received = daemon.clock.now()
        if settings.audio.output != "pulse":
            raise ApiError(409, "live_needs_pulse",
                           "The live microphone needs the PulseAudio output (audio.output = "
                           "\"pulse\").", "现场话筒需要 PulseAudio 输出（audio.output = \"pulse\"）。")  # fmt: skip
        zones = zones_of(body.zones)
        chime = await checked_segment(core, daemon.chime)
        request = Request(
            kind=Kind.PAGE, title=body.title or "现场广播 / Live call", segments=(chime,),
            requested_by=actor.name, requested_at=received, zones=zones, partial=True,
            live=True, note=noted("live microphone", body.on_behalf_of),
        )  # fmt: skip
        live_calls.add(request.id)
        accepted = await settled(core.submit(request))
        return Accepted(id=accepted.id, kind="live", title=accepted.title,
                        queue_position=position(accepted.id))  # fmt: skip

    @router.delete("/live/{request_id}", dependencies=[need(Right.ANNOUNCE)])
    async def release(request_id: int, actor: CurrentActor) -> dict[str, Any]:
        """Talk released: the microphone leaves the air (a call still waiting is withdrawn)."""
        ended = request_id in live_calls and await settled(core.cancel(request_id, actor.name))
        if not ended:
            raise ApiError(404, "no_live_call", f"No live call #{request_id} is on air or waiting.",
                           f"没有正在进行或等待中的现场广播 #{request_id}。")  # fmt: skip
        live_calls.discard(request_id)
        return {"id": request_id, "ended": True}

    @router.get("/pages/templates", dependencies=[need(Right.PAGES)])
    def templates() -> list[dict[str, Any]]:
        """The service desk's forms: each template's fields, labels, limits and examples."""
        return [
            {"name": t.name, "title_zh": t.title_zh, "title_en": t.title_en,
             "category": t.category.value, "fields": [asdict(f) for f in t.fields]}
            for t in TEMPLATES.values()
        ]  # fmt: skip

    @router.get("/pages", dependencies=[need(Right.PAGES)])
    def pages(active: bool | None = None, limit: int = 100) -> list[dict[str, Any]]:
        assert daemon.engine is not None
        daemon.writer.caught_up()
        found = daemon.pager.latest(list_pages(daemon.engine, active=active, limit=limit),
                                    add_active=active is not False)  # fmt: skip
        return [_page_json(daemon, page) for page in found[: max(1, min(limit, 1000))]]

    @router.get("/pages/{page_id}", dependencies=[need(Right.PAGES)])
    def get_page(page_id: int) -> dict[str, Any]:
        assert daemon.engine is not None
        daemon.writer.caught_up()
        with Session(daemon.engine) as session:
            row = session.get(Page, page_id)
        stored = [PagePublic.model_validate(row)] if row is not None else []
        known = [p for p in daemon.pager.latest(stored, add_active=True) if p.id == page_id]
        if not known:
            raise NotFound(f"No page has id {page_id}.", f"没有编号为 {page_id} 的寻人寻物广播。")
        return _page_json(daemon, known[0])

    @router.post("/pages/{page_id}/resolve", dependencies=[need(Right.PAGES)])
    def resolve(
        page_id: int, actor: CurrentActor, body: ResolveRequest | None = None
    ) -> dict[str, Any]:
        """Found: the page never plays again; a play on air fades out within a second, unless
        ``let_finish`` (then it ends its sentence first)."""
        let_finish = body.let_finish if body else False
        ended = daemon.pager.resolve(page_id, actor.name, let_finish=let_finish)
        return _page_json(daemon, ended.result(FUTURE_TIMEOUT_S))

    @router.post("/pages/{page_id}/cancel", dependencies=[need(Right.PAGES)])
    def cancel(page_id: int, actor: CurrentActor) -> dict[str, Any]:
        """Withdrawn: stops a play on air now, and never plays again."""
        return _page_json(daemon, daemon.pager.cancel(page_id, actor.name).result(FUTURE_TIMEOUT_S))

    return router


def noted(note: str, on_behalf_of: str | None) -> str:
    """The log's detail: where the words came from, and whom the signed-in person asked for
    (never the author: that is always the authenticated actor)."""
    return "; ".join(filter(None, [note, f"on behalf of {on_behalf_of}" if on_behalf_of else ""]))


def _page_json(daemon: Daemon, page: PagePublic) -> dict[str, Any]:
    next_at = daemon.pager.next_at(page.id)
    return {**page.model_dump(mode="json"), "next_at": next_at.isoformat() if next_at else None,
            "every_min": page.every_s / 60}  # fmt: skip

"""The script library over HTTP: list, create, edit (a new draft once approved), approve (a
supervisor only), versions, archive, a recording upload, and previews that return the audio so
a person can listen in the browser before anything goes on air. Every route goes through
broadcaster.scripts.crud; refusals come out in the house format (api.errors)."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.actor import CurrentActor, need
from api.database import Db
from api.errors import route_class
from api.media import save_upload
from api.speech import rendered, segment_of
from broadcaster.actors import Right
from broadcaster.daemon import Daemon
from broadcaster.emergency import Misfit
from broadcaster.problems import FieldProblem, Invalid
from broadcaster.programme.crud import rules_using
from broadcaster.programme.spec import ContentKind
from broadcaster.scripts import crud
from broadcaster.scripts.models import (
    ScriptCreate,
    ScriptPublic,
    ScriptUpdate,
    VersionPublic,
)
from scripts_library.spec import Category, Language

log = logging.getLogger(__name__)
PREFIX = "/api/v1/scripts"
RECORDINGS = "recordings"
UPLOAD_MAX_BYTES = 50 * 1024 * 1024
UPLOAD_TYPES = (".wav", ".mp3", ".ogg", ".m4a", ".flac", ".aac")


class PreviewRequest(BaseModel):
    text: str = Field(..., min_length=1, max_length=4000, description="marked-up text")
    language: Language = Language.ZH_CN


class ApproveRequest(BaseModel):
    version: int | None = Field(None, ge=1, description="the draft read; refused if not newest")


def _wav(path: Path, name: str) -> FileResponse:
    return FileResponse(path, media_type="audio/wav" if path.suffix == ".wav" else None,
                        filename=name, content_disposition_type="inline")  # fmt: skip


def _warm(daemon: Daemon, script_id: int) -> None:
    try:
        daemon.scripts.preview(script_id=script_id)
    except Exception:  # a failure shows when the script is played or previewed; log it now
        log.exception("could not render script %d after its approval", script_id)


async def _fits_the_emergency_profile(daemon: Daemon, script_id: int, number: int) -> None:
    """An emergency notice must fit the emergency profile (broadcaster.emergency): refused
    at approval, saying by how much, rather than found out during an evacuation."""
    spoken = await rendered(lambda: daemon.scripts.preview(script_id=script_id, number=number))
    segment = await segment_of(daemon, spoken)
    fit = daemon.emergency.fit(segment.duration_ms / 1000)
    if isinstance(fit, Misfit):
        raise Invalid([FieldProblem("text", fit.message, fit.message_zh)])


def scripts_router(daemon: Daemon) -> APIRouter:
    settings = daemon.settings

    router = APIRouter(prefix=PREFIX, tags=["scripts"], route_class=route_class("invalid_script"))
    now = daemon.clock.now

    @router.get("", dependencies=[need(Right.ANNOUNCE)], response_model=list[ScriptPublic])
    def list_scripts(
        db: Db,
        category: Category | None = None,
        language: Language | None = None,
        approved: bool | None = None,
    ) -> Any:
        return crud.list_scripts(db, category=category, language=language, approved=approved)

    @router.post(
        "", dependencies=[need(Right.SCRIPTS)], response_model=ScriptPublic, status_code=201
    )
    def create_script(body: ScriptCreate, db: Db, actor: CurrentActor) -> Any:
        return crud.create_script(db, data=body, by=actor, now=now(), data_dir=settings.data_dir)

    @router.post("/preview", dependencies=[need(Right.PAGES)])
    async def preview_text(body: PreviewRequest) -> FileResponse:
        """Hear marked-up text before saving it: nothing is stored, nothing goes on air."""
        spoken = await rendered(lambda: daemon.scripts.one_off(
            language=body.language.value, text=body.text, title="preview"))  # fmt: skip
        return _wav(spoken.path, "preview.wav")

    @router.get("/{script_id}", dependencies=[need(Right.ANNOUNCE)], response_model=ScriptPublic)
    def get_script(script_id: int, db: Db) -> Any:
        return crud.get_script(db, script_id=script_id)

    @router.patch("/{script_id}", dependencies=[need(Right.SCRIPTS)], response_model=ScriptPublic)
    def update_script(script_id: int, body: ScriptUpdate, db: Db, actor: CurrentActor) -> Any:
        return crud.update_script(db, script_id=script_id, data=body, by=actor, now=now(),
                                  data_dir=settings.data_dir)  # fmt: skip

    @router.post(
        "/{script_id}/approve", dependencies=[need(Right.SCRIPTS)], response_model=ScriptPublic
    )
    async def approve(script_id: int, db: Db, actor: CurrentActor, background: BackgroundTasks,
                      body: ApproveRequest | None = None) -> Any:  # fmt: skip
        number = body.version if body else None
        draft = crud.get_script(db, script_id=script_id).draft
        if draft is not None and draft.category is Category.EMERGENCY:
            await _fits_the_emergency_profile(daemon, script_id, number or draft.number)
        approved = await run_in_threadpool(
            lambda: crud.approve(db, script_id=script_id, by=actor, now=now(), number=number)
        )
        # Render the approved words now, so their first time on air (an evacuation notice!)
        # finds them in the cache.
        background.add_task(_warm, daemon, script_id)
        return approved

    @router.get(
        "/{script_id}/versions",
        dependencies=[need(Right.ANNOUNCE)],
        response_model=list[VersionPublic],
    )
    def versions(script_id: int, db: Db) -> Any:
        return crud.list_versions(db, script_id=script_id)

    @router.delete("/{script_id}", dependencies=[need(Right.SCRIPTS)], status_code=204)
    def archive(script_id: int, db: Db) -> None:
        code = crud.get_script(db, script_id=script_id).code
        crud.archive_script(
            db, script_id=script_id, used_by=rules_using(db, kind=ContentKind.SCRIPT, ref=code)
        )

    @router.get("/{script_id}/preview", dependencies=[need(Right.ANNOUNCE)])
    async def preview(
        script_id: int, version: Annotated[int | None, Query(ge=1)] = None
    ) -> FileResponse:
        """The audio of a version (default: the newest, draft or approved), for listening."""
        spoken = await rendered(lambda: daemon.scripts.preview(script_id=script_id,
                                                               number=version))  # fmt: skip
        return _wav(spoken.path, f"script-{script_id}.wav")

    @router.put(
        "/{script_id}/recording", dependencies=[need(Right.SCRIPTS)], response_model=ScriptPublic
    )
    async def upload_recording(
        script_id: int, file: UploadFile, db: Db, actor: CurrentActor
    ) -> Any:
        """A recording of the script (it wins over the voice): saved in the data dir, checked
        playable, then set on a new draft, which a supervisor approves as usual."""
        crud.get_script(db, script_id=script_id)
        folder = settings.data_dir.resolve() / RECORDINGS
        saved = await save_upload(daemon.core, file, folder, f"script-{script_id}",
                                  Path(file.filename or "").suffix.lower(), UPLOAD_TYPES,
                                  UPLOAD_MAX_BYTES)  # fmt: skip
        relative = saved.path.relative_to(settings.data_dir.resolve()).as_posix()
        return crud.update_script(db, script_id=script_id, data=ScriptUpdate(recording=relative),
                                  by=actor, now=now(), data_dir=settings.data_dir)  # fmt: skip

    return router

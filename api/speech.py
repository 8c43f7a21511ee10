"""Turning what a request asks to say (a file, an approved script, one-off text, a template)
into checked segments for the core. Rendering blocks (a voice, loudness), so it runs in the
thread pool, never on the event loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.media import checked_segment, resolve_in_data_dir
from api.schemas import Spoken as SpokenBody
from broadcaster.daemon import Daemon
from broadcaster.problems import Conflict, FieldProblem, Invalid, NotFound
from broadcaster.requests import Segment
from broadcaster.scripts.book import Spoken
from scripts_library.markup import MarkupError, parse, plain
from scripts_library.render import DiskFull, NothingToSay, RenderError
from scripts_library.templates import TemplateError

T = TypeVar("T")


@dataclass(frozen=True)
class Said:
    segment: Segment
    title: str
    note: str


async def rendered(work: Callable[[], T]) -> T:
    """Run a rendering call off the event loop; its refusals become the house's errors."""
    try:
        return await run_in_threadpool(work)
    except MarkupError as exc:
        raise Invalid([FieldProblem("text", exc.message, exc.message_zh)]) from None
    except TemplateError as exc:
        raise Invalid([FieldProblem(_form_field(name), en, zh)
                       for name, (en, zh) in exc.problems.items()]) from None  # fmt: skip
    except NothingToSay as exc:
        raise Invalid([FieldProblem("text", exc.message, exc.message_zh)]) from None
    except DiskFull as exc:  # nothing went on air; what is playing goes on
        raise ApiError(507, "disk_full", f"{exc.message} The music keeps playing.",
                       f"{exc.message_zh}背景音乐照常播放。") from None  # fmt: skip
    except RenderError as exc:
        raise ApiError(503, "speech_failed", f"The voice could not speak this: {exc.message}",
                       f"语音合成失败：{exc.message_zh}") from None  # fmt: skip


def _form_field(name: str) -> str:
    """Where a template problem was typed: ``fields.<name>``, ``fields_en.<name>`` for the
    English values (the templates key those ``<name>_en``), or ``languages``."""
    if name == "languages":
        return name
    if name.endswith("_en"):
        return f"fields_en.{name.removesuffix('_en')}"
    return f"fields.{name}"


async def segment_of(daemon: Daemon, spoken: Spoken) -> Segment:
    if spoken.duration_ms is not None:
        return Segment(spoken.path, spoken.duration_ms)
    return await checked_segment(daemon.core, spoken.path)  # a recording: check it like a file


async def said(daemon: Daemon, body: SpokenBody, today: date) -> Said:
    """The one segment ``body`` asks to say (file, approved script or one-off text)."""
    if body.file is not None:
        path = resolve_in_data_dir(body.file, daemon.settings.data_dir)
        return Said(await checked_segment(daemon.core, path), path.stem, "")
    if body.script_id is not None:
        script_id = body.script_id
        try:
            spoken = await rendered(lambda: daemon.scripts.script(day=today, script_id=script_id))
        except NotFound as exc:
            raise Invalid([FieldProblem("script_id", exc.message, exc.message_zh)]) from None
        except Conflict as exc:
            raise ApiError(409, exc.code, exc.message, exc.message_zh) from None
        return Said(await segment_of(daemon, spoken), spoken.title, spoken.note)
    assert body.text is not None
    text, language = body.text, body.language.value
    try:
        title = plain(parse(text))[:40]  # the words, not the marks
    except MarkupError as exc:
        raise Invalid([FieldProblem("text", exc.message, exc.message_zh)]) from None
    spoken = await rendered(lambda: daemon.scripts.one_off(language=language, text=text,
                                                           title=title))  # fmt: skip
    return Said(await segment_of(daemon, spoken), spoken.title, spoken.note)

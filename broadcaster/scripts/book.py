"""From the script library to a file the speakers can play.

``ScriptBook`` is the one way words become audio: an approved script (for the programme and the
announcer's queue), a draft (for the supervisor's preview), one-off text (the announcer's own
words, logged ``unapproved``) and a service-desk notice from a template. A script's recording
wins over synthesis; everything else is rendered by the ``Renderer`` (trimmed, loudness
normalised, cached by content, so the second time costs a file lookup).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from broadcaster.scripts import crud
from broadcaster.scripts.models import ScriptVersion
from broadcaster.settings import Settings, SettingsError
from scripts_library.markup import parse, plain
from scripts_library.render import Renderer, RenderSettings
from scripts_library.render_worker import RenderWorkers, WorkerRenderer
from scripts_library.templates import TEMPLATES, notice_texts, validate_fields
from scripts_library.voices import VoiceError, get_voice

SPEECH_CACHE = Path("cache") / "speech"


@dataclass(frozen=True)
class Spoken:
    """Audio ready for a request: ``duration_ms`` is None for a recording (the caller checks
    it through the output, like any file)."""

    path: Path
    duration_ms: int | None
    title: str
    note: str  # for the play log: which script and version, or "unapproved"
    said: str = ""  # a notice's words as they will be read, each language on its line


def build_renderer(
    settings: Settings, *, warm: bool = True, workers: RenderWorkers | None = None
) -> WorkerRenderer:
    """The renderer (in its worker process) with the voices the settings choose; a voice that
    cannot speak the language it is chosen for stops start-up with a message naming it.
    ``workers``: share their worker for these voices instead of starting one (tests)."""
    specs: dict[str, tuple[str, dict[str, Any]]] = {}
    for language, name, setting in (("zh-CN", settings.speech.voice_zh, "speech.voice_zh"),
                                    ("en", settings.speech.voice_en, "speech.voice_en")):  # fmt: skip
        options: dict[str, Any] = getattr(settings.voices, name).model_dump(exclude_none=True)
        try:
            voice = get_voice(name, **options)
            spoken = voice.languages()
        except VoiceError as exc:
            raise SettingsError(
                f"{setting} = {name!r}: {exc}\n{setting}（{name}）无法使用：{exc}"
            ) from exc
        if language not in spoken:
            raise SettingsError(
                f"{setting} = {name!r}: this voice does not speak {language} "
                f"(it speaks {', '.join(spoken) or 'nothing'}).\n"
                f"{setting}：语音 {name} 不能朗读 {language}，请换一个语音。"
            )
        specs[language] = (name, options)
    render = RenderSettings(target_lufs=settings.speech.target_lufs)
    worker = workers.get(specs, render) if workers is not None else None
    return WorkerRenderer(settings.data_dir / SPEECH_CACHE, specs, render, warm=warm, worker=worker)


class ScriptBook:
    def __init__(
        self,
        *,
        engine: Engine,
        renderer: Renderer | WorkerRenderer,
        data_dir: Path,
        frozen: bool = False,
    ) -> None:
        """``frozen``: the library cannot change while this book is used (a simulated day), so
        a script's audio is looked up once per day, not once per cue."""
        self._engine, self._renderer, self._data_dir = engine, renderer, data_dir.resolve()
        self._remembered: dict[tuple[dt.date, int | None, str | None], Spoken] | None = (
            {} if frozen else None
        )

    def script(
        self, *, day: dt.date, script_id: int | None = None, code: str | None = None
    ) -> Spoken:
        """The approved words of a script, for the air on ``day`` (refused if not approved or
        outside its dates: broadcaster.problems)."""
        with Session(self._engine) as session:
            script, version = crud.on_air_version(session, day=day, script_id=script_id, code=code)
        return self._audio(version, f"script {script.code} v{version.number}")

    def preview(self, *, script_id: int, number: int | None = None) -> Spoken:
        """What a version sounds like (default: the newest, draft or not): nothing goes on air."""
        with Session(self._engine) as session:
            version = crud.get_version(session, script_id=script_id, number=number)
        return self._audio(version, f"preview of script {script_id} v{version.number}")

    def one_off(self, *, language: str, text: str, title: str) -> Spoken:
        """The announcer's own words, not approved by anyone: the log says so."""
        rendered = self._renderer.render([(language, text)])
        return Spoken(rendered.path, rendered.duration_ms, title, "unapproved one-off text")

    def notice(
        self,
        *,
        template: str,
        fields: Mapping[str, object],
        fields_en: Mapping[str, object] | None,
        languages: Sequence[str],
    ) -> tuple[Spoken, dict[str, str]]:
        """A service-desk notice from a template; also returns the cleaned field values (what
        the desk's record keeps). Bad fields raise scripts_library.templates.TemplateError."""
        spec = TEMPLATES[template]
        values = validate_fields(spec, fields)
        texts = notice_texts(spec, values, languages=languages, values_en=fields_en,
                             pronounce=self._renderer.pronounced)  # fmt: skip
        rendered = self._renderer.render(texts)
        subject = next(iter(values.values()), "")
        title = f"{spec.title_zh}：{subject}" if subject else spec.title_zh
        said = "\n".join(plain(parse(text)) for _, text in texts)
        spoken = Spoken(rendered.path, rendered.duration_ms, title, f"template {template}", said)
        return spoken, values

    def _audio(self, version: ScriptVersion, note: str) -> Spoken:
        if version.recording:
            path = Path(version.recording)
            path = path if path.is_absolute() else self._data_dir / path
            return Spoken(path.resolve(), None, version.title, f"{note}, recording")
        rendered = self._renderer.render([(version.language.value, version.text)])
        return Spoken(rendered.path, rendered.duration_ms, version.title, note)

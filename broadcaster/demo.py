"""Demo content, generated into the data dir at first run (never committed): synthesised music
playlists and songs (scanned into the music library: tags, loudness, one playlist per folder),
the starter script library (installed approved, then rendered into the
speech cache so the first day plays without waiting for the voice) and a few rehearsal notices
for `broadcaster simulate --inject`."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from broadcaster.actors import SYSTEM
from broadcaster.db import make_engine
from broadcaster.library.jobs import JobSaver, run_scan
from broadcaster.library.models import ScanJob
from broadcaster.programme.crud import load_programme, replace_programme
from broadcaster.programme.default import DEMO_SONGS, default_programme, song_ref
from broadcaster.scripts import crud as scripts
from broadcaster.scripts.book import build_renderer
from broadcaster.settings import Settings
from playlists.demo_music import synthesize_demo_music
from scripts_library.render_worker import WorkerRenderer
from scripts_library.starter import STARTER_SCRIPTS

REHEARSAL_DIR = "announcements"
# Files for rehearsing interrupts in `broadcaster simulate --inject` (see programme/simulate.py).
REHEARSAL_NOTICES = {
    "lost_child_zh": (
        "zh-CN",
        "寻人启事：/ 一位五岁左右的小朋友，/ 身穿红色外套，/ 正在一楼服务台等候家长，// "
        "请家长听到广播后速来认领。",
    ),
    "attention_zh": ("zh-CN", "亲爱的顾客朋友们，/ 这是一条测试广播，/ 感谢您的配合。"),
    "evacuation_zh": (
        "zh-CN",
        "紧急通知：/ 请全体顾客和员工 *保持冷静*，/ 听从工作人员指挥，/ 从最近的安全出口有序撤离。",
    ),
}

Progress = Callable[[str], None]
DEMO_TRACKS = 4  # per playlist: 20 tracks of about 2.5 min, enough for a day's rotation
SONG_SOURCES = {  # demo songs are demo tracks, kept under their programme names
    "staff_songs": ("upbeat", 0), "welcome_music": ("piano", 0),
    "farewell_music": ("light", 0), "farewell_song": ("light", 1),
}  # fmt: skip


def generate_demo(settings: Settings, progress: Progress = print) -> None:
    """Create whatever demo content is missing, then install the default programme if the
    database has none (a programme the supervisor has edited is never overwritten)."""
    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)

    def music_progress(done: int, total: int, name: str) -> None:
        progress(f"[{done}/{total}] music: {name}")

    playlists = synthesize_demo_music(
        settings.music_path, tracks_per_playlist=DEMO_TRACKS, progress=music_progress
    )
    for stem in DEMO_SONGS:
        target = data / song_ref(stem)
        if not target.exists():
            name, index = SONG_SOURCES[stem]
            _to_wav(playlists[name][index], target)
        progress(f"song: {target.name}")
    _scan_library(settings, progress)
    # The chime and alert tone are made by the daemon itself when missing (Daemon.start).
    renderer = build_renderer(settings)
    try:
        _speech(settings, renderer, progress)
    finally:
        renderer.close()


def _scan_library(settings: Settings, progress: Progress) -> None:
    """Scan the demo music into the library (tags, loudness) so it plays loudness-matched and
    its folders are playlists from the first start."""
    engine = make_engine(settings.db_url)
    shown: set[tuple[str, int]] = set()

    def show(job: ScanJob) -> None:
        total = job.files if job.phase == "tags" else job.to_measure
        done = job.scanned if job.phase == "tags" else job.measured + job.measure_failed
        step = (job.phase, 4 * done // max(total, 1))
        if job.phase in ("tags", "loudness") and total and step not in shown:
            shown.add(step)
            progress(f"library {job.phase}: {done}/{total}")

    try:
        job = ScanJob(requested_by="demo", requested_at=datetime.now(UTC))
        run_scan(engine, job, folders=settings.music_folders, music_dir=settings.music_path,
                 now=lambda: datetime.now(UTC), save=JobSaver(engine, show),
                 workers=os.cpu_count() or 1)  # fmt: skip
        progress(f"library: {job.files} tracks, {job.measured} measured for loudness")
    finally:
        engine.dispose()


def _speech(settings: Settings, renderer: WorkerRenderer, progress: Progress) -> None:
    """The rehearsal notices, the starter library (approved) and its rendered speech, and the
    default programme if the database has none."""
    data = settings.data_dir
    for index, (stem, (language, text)) in enumerate(REHEARSAL_NOTICES.items(), start=1):
        path = data / REHEARSAL_DIR / f"{stem}.wav"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(renderer.render([(language, text)]).path, path)
        progress(f"[{index}/{len(REHEARSAL_NOTICES)}] rehearsal notice: {path.name}")
    install_content(settings, progress)
    render_approved(settings, renderer, progress)


def render_approved(settings: Settings, renderer: WorkerRenderer, progress: Progress) -> None:
    """Every approved script rendered into the speech cache, so the first day's cues play
    without waiting for the voice."""
    engine = make_engine(settings.db_url)
    try:
        with Session(engine) as session:
            on_air = scripts.approved_versions(session)
    finally:
        engine.dispose()
    for index, (script, version) in enumerate(on_air, start=1):
        if version.recording is None:
            rendered = renderer.render([(version.language.value, version.text)])
            state = "cached" if rendered.cached else f"{rendered.duration_ms / 1000:.1f} s"
            progress(f"[{index}/{len(on_air)}] speech: {script.code} ({state})")


def install_content(settings: Settings, progress: Progress = print) -> None:
    """What a broadcast room starts with (the demo and the install alike): the starter script
    library, approved, and the default day programme if the database has none. The voice
    renders the scripts when they are first due (or `broadcaster demo` renders them ahead)."""
    engine = make_engine(settings.db_url)
    try:
        with Session(engine) as session:
            added = scripts.install_starter(
                session, scripts=STARTER_SCRIPTS, by=SYSTEM, now=datetime.now(UTC)
            )
            progress(f"scripts: {len(added)} starter scripts installed (approved)")
        with Session(engine) as session:
            if not load_programme(session).rules:
                replace_programme(session, default_programme())
                progress("programme: the default day programme is installed")
    finally:
        engine.dispose()


def _to_wav(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.wav")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), str(partial)],
                   check=True)  # fmt: skip
    partial.replace(target)

"""Demo content, generated into the data dir at first run (never committed): synthesised music
playlists and a few spoken announcements (espeak-ng)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from broadcaster.db import make_engine
from broadcaster.programme.crud import load_programme, replace_programme
from broadcaster.programme.default import (
    DEMO_ANNOUNCEMENTS,
    DEMO_SONGS,
    default_programme,
    song_ref,
    speech_ref,
)
from broadcaster.settings import Settings
from playlists.demo_music import synthesize_demo_music
from scripts_library.voices.espeak import EspeakVoice

# Beyond the programme's own speech (programme/default.py): notices for rehearsing interrupts.
INTERRUPT_ANNOUNCEMENTS = {
    "lost_child_zh": (
        "zh-CN",
        "寻人启事：一位五岁左右的小朋友，身穿红色外套，正在一楼服务台等候家长，请家长听到广播后速来认领。",
    ),
    "lost_child_en": (
        "en",
        "Attention please. A five year old child in a red coat is waiting for their parents "
        "at the service desk on the first floor.",
    ),
    "evacuation_zh": (
        "zh-CN",
        "紧急通知：请全体顾客和员工保持冷静，听从工作人员指挥，从最近的安全出口有序撤离。",
    ),
}

Progress = Callable[[str], None]
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

    playlists = synthesize_demo_music(settings.music_path, progress=music_progress)
    for stem in DEMO_SONGS:
        target = data / song_ref(stem)
        if not target.exists():
            name, index = SONG_SOURCES[stem]
            _to_wav(playlists[name][index], target)
        progress(f"song: {target.name}")
    # The chime and alert tone are made by the daemon itself when missing (Daemon.start).
    voice = EspeakVoice()
    spoken = {**DEMO_ANNOUNCEMENTS, **INTERRUPT_ANNOUNCEMENTS}
    for index, (stem, (language, text)) in enumerate(spoken.items(), start=1):
        path = data / speech_ref(stem)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            voice.render(text, language, path)
        progress(f"[{index}/{len(spoken)}] announcement: {path.name}")
    engine = make_engine(settings.db_url)
    try:
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

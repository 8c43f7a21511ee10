"""Demo content, generated into the data dir at first run (never committed): synthesised music
playlists and a few spoken announcements (espeak-ng)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from broadcaster.settings import Settings
from playlists.demo_music import synthesize_demo_music
from scripts_library.voices.espeak import EspeakVoice

ANNOUNCEMENTS = {
    "welcome_zh": ("zh-CN", "亲爱的顾客朋友们，早上好！欢迎光临本商场，祝您购物愉快。"),
    "welcome_en": ("en", "Good morning, and welcome to our mall. We wish you a pleasant day."),
    "promotion_zh": ("zh-CN", "会员日活动正在进行，全场消费满二百元即可到一楼服务台领取精美礼品。"),
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
    "closing_zh": (
        "zh-CN",
        "亲爱的顾客朋友们，本商场将于十五分钟后结束营业，请您抓紧时间选购商品。",
    ),
}

Progress = Callable[[str], None]


def generate_demo(settings: Settings, progress: Progress = print) -> list[Path]:
    """Create whatever demo content is missing; returns the announcement files."""
    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)

    def music_progress(done: int, total: int, name: str) -> None:
        progress(f"[{done}/{total}] music: {name}")

    synthesize_demo_music(settings.music_path, progress=music_progress)
    # The chime and alert tone are made by the daemon itself when missing (Daemon.start).
    voice = EspeakVoice()
    spoken = []
    for index, (name, (language, text)) in enumerate(ANNOUNCEMENTS.items(), start=1):
        path = data / "announcements" / f"{name}.wav"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            voice.render(text, language, path)
        spoken.append(path)
        progress(f"[{index}/{len(ANNOUNCEMENTS)}] announcement: {path.name}")
    return spoken

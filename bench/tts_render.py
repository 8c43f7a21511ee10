"""Rendering speed: script text to a loudness-normalised WAV with the real espeak-ng voice.

For two notices, a 60-character Chinese notice and a bilingual (zh + en) lost-person notice:
- cold: the first render of the notice into a fresh, empty cache directory (``--cold`` times,
  a new directory each time): synthesis, trimming, loudness normalisation, writing. The
  process has rendered once before, so these figures leave out the one-off imports;
- cached: the same notice again with its file in the cache (``--cached`` times): key and checks.
Prints p50 and max of each. Then, separately, the first render in a fresh Python process with
the imports included (numpy, scipy, pyloudnorm, pydub are loaded on the first render), timed by
that process itself from its first statement, and its peak RSS.

Last, the figure the service desk feels: the real daemon (real VLC, null output, its render
worker warmed) is sent ``--on-air`` bilingual lost-person pages over HTTP, each with a new name
so nothing is cached, and the time from sending the request to the page going on air (the
chime's start in the play log) is printed.

Usage: .venv/bin/python bench/tts_render.py [--cold 5] [--cached 20] [--on-air 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import pct
from scripts_library.render import Rendered, Renderer
from scripts_library.templates import TEMPLATES, notice_texts, validate_fields
from scripts_library.voices import EspeakVoice
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone

ROOT = Path(__file__).resolve().parent.parent

NOTICE_60_ZH = (
    "亲爱的顾客朋友们，欢迎光临本商场。本商场营业时间为每天上午十点至晚上十点，"
    "地下一层设有大型超市和美食广场，祝您购物愉快！"
)
LOST_PERSON = TEMPLATES["lost_person"]
LOST_PERSON_FIELDS = {"name": "王小明", "age": "六岁", "clothing": "红色上衣、蓝色牛仔裤",
                      "last_seen": "三楼运动用品区", "meet_at": "一楼服务台"}  # fmt: skip
LOST_PERSON_EN = {"name": "Wang Xiaoming", "age": "six", "clothing": "a red top and blue jeans",
                  "last_seen": "the sports floor", "meet_at": "the service desk on floor one"}  # fmt: skip
NOTICES: dict[str, list[tuple[str, str]]] = {
    "60-char Chinese notice": [("zh-CN", NOTICE_60_ZH)],
    "bilingual lost-person notice": notice_texts(
        LOST_PERSON,
        validate_fields(LOST_PERSON, LOST_PERSON_FIELDS),
        languages=("zh-CN", "en"),
        values_en=LOST_PERSON_EN,
    ),
}

FRESH_PROCESS = """
import time
t0 = time.perf_counter()
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from scripts_library.render import Renderer
from scripts_library.voices import EspeakVoice
voice = EspeakVoice()
with tempfile.TemporaryDirectory() as cache:
    Renderer(Path(cache), {"zh-CN": voice, "en": voice}).render(json.loads(sys.argv[2]))
ms = (time.perf_counter() - t0) * 1000
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
hwm = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
print(json.dumps({"ms": ms, "rss_mb": int(hwm) / 1024}))
"""


def renderer(cache: Path) -> Renderer:
    voice = EspeakVoice()
    return Renderer(cache, {"zh-CN": voice, "en": voice})


def timed(render: Renderer, parts: list[tuple[str, str]]) -> tuple[float, Rendered]:
    t0 = time.perf_counter()
    rendered = render.render(parts)
    return (time.perf_counter() - t0) * 1000, rendered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--cached", type=int, default=20)
    parser.add_argument("--on-air", type=int, default=10)
    args = parser.parse_args()
    assert len(NOTICE_60_ZH) == 60, len(NOTICE_60_ZH)

    with tempfile.TemporaryDirectory() as tmp:
        renderer(Path(tmp) / "warm-up").render(NOTICES["60-char Chinese notice"])  # imports
        for name, parts in NOTICES.items():
            cold = []
            for i in range(args.cold):
                ms, rendered = timed(renderer(Path(tmp) / f"{name}-{i}"), parts)
                assert not rendered.cached
                cold.append(ms)
            cached = []
            for _ in range(args.cached):
                ms, hit = timed(renderer(Path(tmp) / f"{name}-0"), parts)
                assert hit.cached and hit.path.parent.parent == Path(tmp) / f"{name}-0"
                cached.append(ms)
            print(
                f"{name}: cold p50={pct(cold, 0.5):.1f} ms max={max(cold):.1f} ms; "
                f"cached p50={pct(cached, 0.5):.2f} ms max={max(cached):.2f} ms "
                f"(n={args.cold}/{args.cached}; {rendered.duration_ms / 1000:.1f} s of audio "
                f"at {rendered.lufs:.1f} LUFS)"
            )

    parts = NOTICES["60-char Chinese notice"]
    out = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(ROOT), json.dumps(parts)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    fresh = json.loads(out.stdout)
    print(
        f"60-char Chinese notice, first render in a fresh process (imports included): "
        f"{fresh['ms']:.1f} ms; peak RSS {fresh['rss_mb']:.1f} MB"
    )

    print(on_air(args.on_air))


NAMES = (
    "乐乐",
    "明明",
    "小红",
    "天天",
    "朵朵",
    "豆豆",
    "果果",
    "安安",
    "乐天",
    "小雨",
    "小宇",
    "欢欢",
)


def on_air(rounds: int) -> str:
    """Send bilingual lost-person pages to the real daemon; time request -> chime on air."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        make_tone(data / "music" / "bed.wav", 300, 330, level_db=-20)
        with DaemonProcess(data, audio__output="null") as daemon:
            time.sleep(3)  # the render worker starts and warms its imports in the background
            latencies = []
            for n in range(rounds):
                name = f"{NAMES[n % len(NAMES)]}{n // len(NAMES) or ''}"
                sent = time.time()
                page = daemon.post("/api/v1/pages", {
                    "template": "lost_person", "languages": ["zh-CN", "en"], "times": 1,
                    "fields": {**LOST_PERSON_FIELDS, "name": name},
                    "fields_en": {**LOST_PERSON_EN, "name": f"child {n}"},
                })  # fmt: skip
                row = None
                while row is None or row["started_at"] is None:
                    time.sleep(0.02)
                    rows = daemon.get(
                        "/api/v1/log", params={"order": "asc", "kind": "page", "limit": 10000}
                    )
                    row = next((r for r in rows if r["title"] == page["title"]), None)
                started = datetime.fromisoformat(row["started_at"]).timestamp()
                latencies.append((started - sent) * 1000)
                daemon.send("POST", f"/api/v1/pages/{page['id']}/cancel")
                time.sleep(1)
    return (
        f"bilingual lost-person page, request sent -> on air (cold cache, real daemon): "
        f"n={rounds} p50={pct(latencies, 0.5):.0f} ms p95={pct(latencies, 0.95):.0f} ms "
        f"max={max(latencies):.0f} ms"
    )


if __name__ == "__main__":
    main()

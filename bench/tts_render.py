"""Rendering speed: script text to a loudness-normalised WAV with the real espeak-ng voice.

For two notices, a 60-character Chinese notice and a bilingual (zh + en) lost-person notice:
- cold: the first render of the notice into a fresh, empty cache directory (``--cold`` times,
  a new directory each time): synthesis, trimming, loudness normalisation, writing. The
  process has rendered once before, so these figures leave out the one-off imports;
- cached: the same notice again with its file in the cache (``--cached`` times): key and checks.
Prints p50 and max of each. Then, separately, the first render in a fresh Python process with
the imports included (numpy, scipy, pyloudnorm, pydub are loaded on the first render), timed by
that process itself from its first statement, and its peak RSS.

Usage: .venv/bin/python bench/tts_render.py [--cold 5] [--cached 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts_library.render import Rendered, Renderer
from scripts_library.voices import EspeakVoice

ROOT = Path(__file__).resolve().parent.parent

NOTICE_60_ZH = (
    "亲爱的顾客朋友们，欢迎光临本商场。本商场营业时间为每天上午十点至晚上十点，"
    "地下一层设有大型超市和美食广场，祝您购物愉快！"
)
LOST_PERSON_ZH = (
    "*寻人启事*。// 一位名叫 *王小明* 的小朋友，/ 男孩，/ 六岁，/ 身穿 *红色上衣、蓝色牛仔裤*，/ "
    "现在与家人走散。// 小明小朋友，/ 听到广播后请到 *一楼服务台*，/ 你的家人正在那里等你。// "
    "如有顾客见到这位小朋友，/ 请带他到一楼服务台，/ 或告诉身边的工作人员。// 谢谢您的帮助！"
)
LOST_PERSON_EN = (
    "*Attention please.* // We are looking for a six-year-old boy, / *Wang Xiaoming*, / "
    "wearing a *red top and blue jeans*, / who has become separated from his family. // "
    "Xiaoming, / please go to the *service desk on the ground floor*, / where your family is "
    "waiting for you. // If you see him, / please take him to the service desk on the ground "
    "floor, / or tell any member of staff. // Thank you for your help."
)
NOTICES: dict[str, list[tuple[str, str]]] = {
    "60-char Chinese notice": [("zh-CN", NOTICE_60_ZH)],
    "bilingual lost-person notice": [("zh-CN", LOST_PERSON_ZH), ("en", LOST_PERSON_EN)],
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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


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


if __name__ == "__main__":
    main()

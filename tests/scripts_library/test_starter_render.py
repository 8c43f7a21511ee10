"""Every starter script, spoken by the real espeak-ng voice and rendered for the air: audible,
and within ±1 LU of the speech target."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts_library.loudness import measure_lufs
from scripts_library.render import Renderer, RenderSettings
from scripts_library.starter import STARTER_SCRIPTS
from scripts_library.voices import EspeakVoice

pytestmark = [
    pytest.mark.audio,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing"),
]

TARGET = RenderSettings().target_lufs


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    voice = EspeakVoice()
    return Renderer(tmp_path_factory.mktemp("speech"), {"zh-CN": voice, "en": voice})


@pytest.mark.parametrize("script", STARTER_SCRIPTS, ids=lambda s: s.code)
def test_every_starter_script_renders_at_the_speech_target(renderer: Renderer, script) -> None:
    rendered = renderer.render([(script.language.value, script.text)])
    assert rendered.duration_ms > 1000, f"{script.code} is too short to be the whole script"
    measured = measure_lufs(Path(rendered.path))  # read back from the file, not the renderer
    assert abs(measured - TARGET) <= 1.0, f"{script.code}: {measured:.2f} LUFS"

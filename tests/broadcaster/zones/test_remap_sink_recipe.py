"""The README's recipe for local zones on one multi-channel card, run as written: its
``module-remap-sink`` lines on a private PulseAudio server whose "card" is an 8-channel null
sink laid out as ALSA's 7.1, recorded channel by channel. What plays into a floor's sink must
reach that floor's channel pair and not one non-zero sample of any other channel."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer

README = Path(__file__).resolve().parents[3] / "README.md"
CARD_MAP = "front-left,front-right,rear-left,rear-right,front-center,lfe,side-left,side-right"
PAIRS = {"zone_1f": (0, 1), "zone_2f": (2, 3), "zone_3f": (6, 7)}  # channels of CARD_MAP


def recipe() -> list[list[str]]:
    """The README's ``load-module module-remap-sink`` lines, split into pactl arguments."""
    lines = re.findall(r"^load-module (module-remap-sink .+)$", README.read_text(), re.M)
    assert len(lines) == 3, "the README's zone recipe has three remap-sink lines"
    return [line.split() for line in lines]


def channels_of(path: Path) -> np.ndarray:
    with wave.open(str(path)) as recorded:
        assert recorded.getnchannels() == 8
        frames = recorded.readframes(recorded.getnframes())
    return np.frombuffer(frames, dtype="<i2").reshape(-1, 8)


@pytest.mark.timeout(120)
def test_each_floor_sink_reaches_its_own_channel_pair_and_no_other(tmp_path):
    tone = make_tone(tmp_path / "tone.wav", 0.5, 1000)
    with PulseServer() as pulse:
        pulse.pactl("load-module", "module-null-sink", "sink_name=card", "rate=44100",
                    "channels=8", f"channel_map={CARD_MAP}")  # fmt: skip
        for args in recipe():
            args = [re.sub(r"^master=.*", "master=card", arg) for arg in args]
            pulse.pactl("load-module", *args)
        for sink, pair in PAIRS.items():
            recording = tmp_path / f"{sink}.wav"
            with pulse.record(recording, channels=8, source="card.monitor",
                              channel_map=CARD_MAP):  # fmt: skip
                pulse.play(tone, sink=sink)
            samples = channels_of(recording)
            peaks = np.abs(samples.astype(np.int32)).max(axis=0)
            heard = {n for n in range(8) if peaks[n] > 0}
            assert heard == set(pair), (sink, peaks.tolist())
            assert min(peaks[n] for n in pair) > 3000, (sink, peaks.tolist())  # −12 dBFS tone

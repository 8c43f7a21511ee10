"""The emergency to the standard, measured from outside: the real daemon with real VLC plays
into a private PulseAudio null sink, the sink's monitor is recorded, and the recording gives
the alert's length, the voice's length, the interval between the starts of consecutive messages
and the longest silence, for the GB 50116 and the ISO 7240-16 / EN 54-16 profiles.

The message is a steady 300 Hz tone (tests/kit/emergency_air.py), short and of a chosen length
so each run stays well under a minute; ``-s`` prints the figures (bench/emergency_profiles.py
measures the profiles' defaults with a message as long as the starter evacuation notice).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.kit.emergency_air import record_emergency

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]


def test_gb50116_alarm_tone_alternates_with_10_to_30_s_of_voice(tmp_path: Path):
    # A 5.5 s message is said twice to fill GB 50116's voice window of at least 10 s.
    figures, row = record_emergency(tmp_path, 5.5, 8 + 11 + 2 + 8 + 11 + 2,
                                    emergency__profile="gb50116", emergency__alert_s="8")  # fmt: skip
    print(f"\nGB 50116: {figures}")
    assert row["outcome"] == "completed" and "cleared" in row["detail"]
    assert 8 - 0.3 <= figures.alert_s <= 20, figures  # the alarm tone, 8–20 s
    assert 10 <= figures.voice_s <= 30, figures  # the voice, 10–30 s
    assert figures.alerts_between_messages == 1, figures  # alternating
    assert figures.interval_s == pytest.approx(8 + 11 + 2, abs=1.5), figures
    assert figures.longest_silence_s <= 2 + 0.5, figures  # the gap


def test_en54_alert_before_the_first_message_then_messages_within_30_s(tmp_path: Path):
    figures, row = record_emergency(tmp_path, 6, 3 + 6 + 2 + 6 + 2 + 3,
                                    emergency__profile="en54", emergency__alert_s="3")  # fmt: skip
    print(f"\nISO 7240-16 / EN 54-16: {figures}")
    assert row["outcome"] == "completed"
    assert 3 - 0.3 <= figures.alert_s <= 10, figures  # the alert signal, 3–10 s
    assert figures.alerts_between_messages == 0, figures  # only before the first message
    assert figures.voice_s == pytest.approx(6, abs=0.5), figures
    assert figures.interval_s <= 30, figures
    assert figures.interval_s == pytest.approx(6 + 2, abs=1.0), figures
    assert figures.longest_silence_s <= 10, figures

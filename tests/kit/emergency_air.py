"""An emergency heard from outside: the real daemon (real VLC) into a private PulseAudio null
sink, the monitor recorded, and from the recording the alert's length, the voice's length, the
interval between the starts of consecutive messages and the longest silence. Used by
tests/test_emergency_recorded.py and bench/emergency_profiles.py.

The message is a steady 300 Hz tone of a chosen length (the alerts sweep or alternate between
500 and 1200 Hz), so the two are told apart in the recording.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.kit.analysis import level_track, load_wav, spans_above
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import wait_for

MESSAGE_HZ = 300.0
MESSAGE_BAND = (270.0, 330.0)  # VLC resamples by up to ~1 % to follow the sink's clock
ALERT_BAND = (480.0, 1250.0)  # both alert shapes' fundamentals
STEP_S = 0.02
ON_DB = -40.0  # a tone at -12 dBFS reads about -12; silence reads -120
JOIN_S = 0.7  # one part: the slow whoop's 0.5 s pauses, VLC's ~0.1 s between files


@dataclass(frozen=True)
class Figures:
    alert_s: float
    voice_s: float
    interval_s: float
    longest_silence_s: float
    alerts_between_messages: int

    def __str__(self) -> str:
        return (f"alert {self.alert_s:.2f} s, voice {self.voice_s:.2f} s, interval between "
                f"message starts {self.interval_s:.2f} s, longest silence "
                f"{self.longest_silence_s:.2f} s, alerts between messages "
                f"{self.alerts_between_messages}")  # fmt: skip


def joined(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for start, end in spans:
        if out and start - out[-1][1] <= JOIN_S:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def measure(recording: Path) -> Figures:
    samples, rate = load_wav(recording)
    alert = level_track(samples, rate, ALERT_BAND, STEP_S, window_s=0.05)
    message = level_track(samples, rate, MESSAGE_BAND, STEP_S, window_s=0.05)
    alerts = joined(spans_above(alert, ON_DB, min_duration_s=0.2))
    messages = joined(spans_above(message, ON_DB, min_duration_s=0.2))
    assert alerts and len(messages) >= 2, (alerts, messages)
    first, second = messages[0], messages[1]
    # The longest silence from the first alert to the end of the second message.
    heard = sorted(alerts + messages)
    longest, reach = 0.0, heard[0][1]
    for start, end in heard[1:]:
        if start > second[1]:
            break
        longest = max(longest, start - reach)
        reach = max(reach, end)
    between = [a for a in alerts if first[1] <= a[0] < second[0]]
    return Figures(
        alert_s=alerts[0][1] - alerts[0][0] + STEP_S,
        voice_s=first[1] - first[0] + STEP_S,
        interval_s=second[0] - first[0],
        longest_silence_s=longest,
        alerts_between_messages=len(between),
    )


def record_emergency(
    tmp_path: Path, message_s: float, listen_s: float, **settings: str
) -> tuple[Figures, dict[str, Any]]:
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 120, 5000, level_db=-20)
    make_tone(data / "announcements" / "evacuate.wav", message_s, MESSAGE_HZ)
    with (
        PulseServer() as pulse,
        DaemonProcess(
            data, env=pulse.env, audio__output="pulse", audio__device=pulse.sink, **settings
        ) as daemon,  # fmt: skip
    ):
        wait_for("music", lambda: (daemon.get("/api/v1/status")["layers"]["bed"]["position_ms"]
                                   or 0) > 500, 15)  # fmt: skip
        with pulse.record(tmp_path / "air.wav"):
            time.sleep(0.5)
            daemon.post("/api/v1/emergency", {"file": "announcements/evacuate.wav"})
            time.sleep(listen_s)
            assert daemon.delete("/api/v1/emergency").status_code == 200
        row = daemon.get("/api/v1/log", params={"kind": "emergency"})[0]
    return measure(tmp_path / "air.wav"), row

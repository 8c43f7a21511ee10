"""The whole daemon with real VLC, playing into a private PulseAudio null sink; the sink's monitor
is recorded and the recording is what the assertions read, as a listener in the mall would."""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest

from broadcaster.emergency import DEFAULT_PROFILE
from scripts_library.markup import parse
from scripts_library.tones import ALERT_FREQS_HZ, CHIME_FREQS_HZ, CHIME_SECONDS
from scripts_library.voices.espeak import EspeakVoice
from tests.kit.analysis import band_level_db, load_wav, tone_level_db
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import wait_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]

ALERT_SECONDS = DEFAULT_PROFILE.alert_s  # GB 50116's alarm tone, generated as its two-tone
BED_HZ = 5000.0  # the bed is a steady tone, so its level can be read under speech and chimes
BED_BAND = (BED_HZ - 150, BED_HZ + 150)  # VLC resamples by up to ~1 % to follow the sink's clock
SPEECH_BAND = (200.0, 3500.0)


def test_page_ducks_the_music_and_an_emergency_cuts_through(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 120, BED_HZ, level_db=-12)
    EspeakVoice().render(
        parse("请注意，一位五岁的小朋友正在一楼服务台等候家长。"), "zh-CN", data / "page.wav"
    )

    with (
        PulseServer() as pulse,
        DaemonProcess(data, env=pulse.env, audio__output="pulse", audio__device=pulse.sink) as d,
    ):
        wait_for("music", lambda: (d.get("/api/v1/status")["layers"]["bed"]["position_ms"] or 0)
                 > 500, 10)  # fmt: skip
        with pulse.record(tmp_path / "air.wav") as recording:
            wall0 = time.time() - (time.monotonic() - recording.started)
            time.sleep(3)
            d.post("/api/v1/pages", {"file": "page.wav", "title": "寻人 lost child"})
            page = wait_for("the page", lambda: [
                r for r in d.get("/api/v1/log", params={"order": "asc", "kind": "page"})
                if r["outcome"] == "completed"], 30)[0]  # fmt: skip
            time.sleep(3)
            d.post("/api/v1/emergency", {"file": "page.wav", "title": "fire"})
            time.sleep(ALERT_SECONDS + 5)
            assert d.delete("/api/v1/emergency").status_code == 200
            cleared = time.time()
            time.sleep(3)
        fire = d.get("/api/v1/log", params={"order": "asc", "kind": "emergency"})[0]

    samples, rate = load_wav(tmp_path / "air.wav")

    def t(stamp: str) -> float:  # an ISO time from the log, in seconds into the recording
        return datetime.fromisoformat(stamp).timestamp() - wall0

    def bed(t0: float, t1: float) -> float:
        return band_level_db(samples, rate, *BED_BAND, t0, t1)

    def speech(t0: float, t1: float) -> float:
        return band_level_db(samples, rate, *SPEECH_BAND, t0, t1)

    def chime(t0: float, t1: float) -> float:
        return max(tone_level_db(samples, rate, f, t0, t1, tolerance_hz=3) for f in CHIME_FREQS_HZ)

    start, end = t(page["started_at"]), t(page["ended_at"])
    speech_from = start + CHIME_SECONDS + 0.3
    before = bed(start - 2.5, start - 0.5)
    assert before > -30, f"no music before the page ({before:.1f} dB)"
    # Chime, then speech, both present over the music.
    assert chime(start, start + 1.5) > chime(start - 2.5, start - 0.5) + 20
    assert speech(speech_from, end - 0.3) > speech(start - 2.5, start - 0.5) + 20
    # Ducked, not stopped: at least 12 dB down, still there.
    during = bed(speech_from, end - 0.3)
    assert before - during >= 12, f"music only {before - during:.1f} dB lower under speech"
    assert during > before - 30, "music was stopped, not ducked"
    # And back afterwards.
    assert bed(end + 1.5, end + 2.5) > before - 1.5

    # Emergency: music gone, alert and message present, music back once cleared.
    e0, e1 = t(fire["started_at"]), cleared - wall0
    # (read during the alert: espeak's own sibilants reach the bed's band during the message)
    gone = bed(e0 + 0.3, e0 + ALERT_SECONDS - 0.2)
    assert gone < before - 40, f"music still audible during the emergency ({gone:.1f} dB)"
    alert = max(tone_level_db(samples, rate, f, e0, e0 + ALERT_SECONDS) for f in ALERT_FREQS_HZ)
    assert alert > before
    assert speech(e0 + ALERT_SECONDS + 0.3, e0 + ALERT_SECONDS + 2.5) > speech(e0 - 2, e0) + 20
    assert bed(e1 + 2.0, e1 + 2.8) > before - 3, "music did not come back after the emergency"

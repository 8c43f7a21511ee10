"""A found child is not searched for a minute longer: resolving a page while it is on air fades
it out within a second, heard on the recorded output of the real daemon (real VLC, a private
PulseAudio null sink), while the music comes back up.

The fade is timed from its own start on the recording (a fade, not a cut, and over within a
second); how long the request takes to reach the air depends on the machine's load and is
measured by bench/interrupt_latency.py, so here it has only to come (within 5 s)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.kit.analysis import first_time_below, level_track, load_wav
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import wait_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]

NOTICE_BAND = (270.0, 330.0)  # the notice: a steady 300 Hz tone
BED_BAND = (4850.0, 5150.0)


def test_resolving_a_page_on_air_fades_it_out_within_a_second(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 120, 5000, level_db=-20)
    make_tone(data / "announcements" / "lost_child.wav", 30, 300)
    with (
        PulseServer() as pulse,
        DaemonProcess(data, env=pulse.env, audio__output="pulse", audio__device=pulse.sink) as d,
    ):
        wait_for("music", lambda: (d.get("/api/v1/status")["layers"]["bed"]["position_ms"]
                                   or 0) > 500, 15)  # fmt: skip
        with pulse.record(tmp_path / "air.wav") as recording:
            wall0 = time.time() - (time.monotonic() - recording.started)
            page = d.post("/api/v1/pages", {"file": "announcements/lost_child.wav",
                                            "title": "寻人", "chime": False})  # fmt: skip
            wait_for("the notice on air", lambda: (d.get("/api/v1/status")["voice"] or {})
                     .get("started_at"), 10)  # fmt: skip
            time.sleep(3)
            found_at = time.time() - wall0
            resolved = d.send("POST", f"/api/v1/pages/{page['id']}/resolve")
            assert resolved["status"] == "resolved"
            wait_for("the notice off air", lambda: d.get("/api/v1/status")["voice"] is None, 10)
            time.sleep(3)  # the music back up
        [row] = d.get("/api/v1/log", params={"kind": "page"})

    samples, rate = load_wav(tmp_path / "air.wav")
    notice = level_track(samples, rate, NOTICE_BAND, 0.01, window_s=0.05)
    bed = level_track(samples, rate, BED_BAND, 0.01, window_s=0.05)
    on_air = notice.at(found_at - 0.5)
    assert on_air > -25, f"the notice was not heard before 'found' ({on_air:.1f} dB)"
    fading = first_time_below(notice, on_air - 1, after=found_at)
    gone = first_time_below(notice, on_air - 40, after=found_at)
    assert fading is not None and gone is not None, "the notice never stopped"
    print(f"\nfade began {fading - found_at:.2f} s after 'found' was sent, over in "
          f"{gone - fading:.2f} s")  # fmt: skip
    assert fading - found_at <= 5.0, "the resolve did not reach the air"
    assert 0.3 <= gone - fading <= 1.0, f"not a fade within a second: {gone - fading:.2f} s"
    assert bed.at(gone + 2.5) > bed.at(found_at - 0.5) + 10, "the music did not come back up"
    assert row["outcome"] == "cancelled" and "faded out" in row["detail"]

"""The announcer talks (issue 16 part 6): the real daemon with two zones on two null sinks and a
"microphone" saying a steady tone (tests/kit/microphone.py), both zones recorded. A live call
to 1F plays the chime, then the microphone is heard in 1F over its ducked music and not a
sample of it reaches 2F; releasing "talk" takes it off the air, the music comes back, the call
is logged and its recording holds what was said. A call waiting for a zone held by an
emergency joins it, chime first, when the emergency is cleared there."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.kit.analysis import band_level_db, load_wav
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.microphone import ToneMicrophone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import wait_for
from tests.kit.zone_air import SINKS, level, recorded, zone_status
from tests.kit.zone_air import TWO_FLOORS as ZONES

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]

MIC = (3650.0, 3750.0)  # the microphone's tone: 3700 Hz, apart from the chime and the music
BED = (4850.0, 5150.0)


@contextmanager
def two_floors_and_a_microphone(tmp_path: Path) -> Iterator[tuple[PulseServer, DaemonProcess]]:
    """The real daemon on two recorded floors, its microphone a 3,700 Hz tone, music in both."""
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 180, 5000, level_db=-20)
    with PulseServer() as pulse:
        for zone in ZONES:
            pulse.add_sink(zone["sink"], keep_clock=True)
        with (
            ToneMicrophone(pulse, freq=3700) as mic,
            DaemonProcess(
                data,
                env=pulse.env,
                audio__output="pulse",
                zones=json.dumps(ZONES),
                live_mic__source=mic.source,
            ) as d,  # fmt: skip
        ):
            wait_for("music in both zones", lambda: all(
                zone_status(d, z["id"])["bed"]["now_playing"] for z in ZONES), 20)  # fmt: skip
            yield pulse, d


def test_the_microphone_is_live_in_the_chosen_zone_only_and_recorded(tmp_path: Path):
    with two_floors_and_a_microphone(tmp_path) as (pulse, d):
        with recorded(pulse, tmp_path, "live", SINKS) as began:
            call = d.post("/api/v1/live", {"zones": ["1F"], "title": "现场广播"})
            wait_for("the microphone live in 1F", lambda: (
                    zone_status(d, "1F")["voice"] or {}).get("live"), 10)  # fmt: skip
            live_at = time.monotonic()
            assert zone_status(d, "2F")["voice"] is None
            time.sleep(2.5)
            d.send("DELETE", f"/api/v1/live/{call['id']}")
            released = time.monotonic()
            time.sleep(1.5)
            end = time.monotonic()
        rows = d.get("/api/v1/log", params={"kind": "page"})

    one = {k: v - began["1F"] for k, v in (("live", live_at), ("off", released), ("end", end))}
    assert level(tmp_path, "live", "1F", MIC, one["live"] + 0.5, one["off"] - 0.1) > -40
    assert level(tmp_path, "live", "1F", BED, one["live"] + 0.5, one["off"] - 0.1) < -38  # ducked
    assert level(tmp_path, "live", "1F", MIC, one["off"] + 0.6, one["end"]) < -70  # released
    assert level(tmp_path, "live", "1F", BED, one["off"] + 1.0, one["end"]) > -35  # music back
    assert level(tmp_path, "live", "2F", MIC, 0, None) < -80  # not a sample of it in 2F
    [row] = rows
    assert (row["outcome"], row["zones"], row["title"]) == ("completed", "1F", "现场广播")
    assert "talk released by " in row["detail"] and "recorded to " in row["detail"]
    recording = Path(row["detail"].split("recorded to ")[1])
    said, rate = load_wav(recording)
    assert band_level_db(said, rate, *MIC, 0.5, 2.0) > -25  # the recording holds the voice


def test_a_live_call_joins_a_zone_when_its_emergency_is_cleared_there(tmp_path: Path):
    """2F is in an emergency when the announcer talks to 1F and 2F: the microphone is live in
    1F and not in 2F; the emergency is cleared in 2F alone (the API's
    per-zone clear): 2F hears the chime, then the microphone, while 1F stays live."""
    with two_floors_and_a_microphone(tmp_path) as (pulse, d):
        d.post("/api/v1/emergency", {"title": "二楼火警", "zones": ["2F"]})
        wait_for("the emergency in 2F", lambda: zone_status(d, "2F")["emergency"], 10)
        with recorded(pulse, tmp_path, "join", SINKS) as began:
            call = d.post("/api/v1/live", {"zones": ["1F", "2F"], "title": "现场广播"})
            wait_for("the microphone live in 1F", lambda: (
                    zone_status(d, "1F")["voice"] or {}).get("live"), 10)  # fmt: skip
            live_at = time.monotonic()
            time.sleep(2.0)
            assert zone_status(d, "2F")["emergency"] is not None
            cleared = d.send("DELETE", "/api/v1/emergency?zone=2F")
            assert cleared == {"cleared": True, "zones": ["2F"]}
            cleared_at = time.monotonic()
            wait_for("the microphone live in 2F too", lambda: (
                    zone_status(d, "2F")["voice"] or {}).get("live"), 10)  # fmt: skip
            joined_at = time.monotonic()
            assert (zone_status(d, "1F")["voice"] or {}).get("live")
            time.sleep(2.0)
            d.send("DELETE", f"/api/v1/live/{call['id']}")
            released = time.monotonic()
            time.sleep(1.5)
        rows = d.get("/api/v1/log", params={"kind": ["page", "emergency"]})

    one = {k: v - began["1F"] for k, v in (("live", live_at), ("off", released))}
    two = {k: v - began["2F"] for k, v in (("cleared", cleared_at), ("joined", joined_at),
                                           ("off", released))}  # fmt: skip
    assert level(tmp_path, "join", "1F", MIC, one["live"] + 0.5, one["off"] - 0.1) > -40
    # Before the clear 2F plays the alarm, whose spectrum reaches 3.7 kHz at about -65 dB; the
    # microphone there would stand out of it (1F hears it at about -12 dB): no peak at 3.7 kHz.
    before = level(tmp_path, "join", "2F", MIC, 0, two["cleared"])
    beside = [level(tmp_path, "join", "2F", band, 0, two["cleared"])
              for band in ((3450.0, 3550.0), (3850.0, 3950.0))]  # fmt: skip
    assert before < -50 and before < max(beside) + 3, (before, beside)
    chime = (510.0, 800.0)  # the chime's notes (scripts_library.tones.CHIME_FREQS_HZ)
    assert level(tmp_path, "join", "2F", chime, two["cleared"], two["joined"]) > -45
    assert level(tmp_path, "join", "2F", MIC, two["joined"] + 0.5, two["off"] - 0.1) > -40
    assert level(tmp_path, "join", "2F", MIC, two["off"] + 0.6, None) < -70  # released
    calls = sorted((r["zones"], r["outcome"]) for r in rows if r["kind"] == "page")
    assert calls == [("1F", "completed"), ("2F", "completed")]
    (fire,) = [r for r in rows if r["kind"] == "emergency"]
    assert (fire["zones"], fire["outcome"]) == ("2F", "completed")

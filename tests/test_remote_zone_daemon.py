"""A remote zone through the real daemon (issue 16): one local zone on a null sink and one
Snapcast zone whose player (a real ``snapclient``) plays into a sink of its own, both recorded.
An announcement to the remote zone is heard at its player and not in the local zone, whose
music goes on; the player killed is a zone fault within 10 s (status, ``/health``, a play-log
``fault`` row naming the zone) that clears by itself when it is back; the zone's snapserver
killed (the daemon's child, by its PID) is started again and heard within 5 s."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.kit.analysis import band_level_db, load_wav
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.snapcast import SNAPCAST, SnapPlayer, free_ports
from tests.kit.waiting import wait_for
from tests.kit.zone_air import level, recorded, zone_status

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
    pytest.mark.skipif(not SNAPCAST, reason="snapcast not installed"),
]

BED = (4850.0, 5150.0)  # the music: a steady 5 kHz tone
SPEECH = (270.0, 330.0)  # the announcement: a steady 300 Hz tone
SILENT_DB = -80.0
MUSIC_DB = -35.0
ZONES = [
    {"id": "1F", "name_zh": "一楼", "name_en": "First floor", "sink": "zone_1f"},
    {"id": "B1", "name_zh": "停车场", "name_en": "Car park", "output": "snapcast",
     "stream": "b1"},
]  # fmt: skip
SINKS = {"1F": "zone_1f", "B1": "amp_b1"}  # what each zone's listener hears (B1: its player's)


def faults(d: DaemonProcess) -> list[dict]:
    """The play log's fault rows (the API's ``kind`` filter knows only the requests' kinds)."""
    return [row for row in d.get("/api/v1/log") if row["kind"] == "fault"]


def snapservers(pid: int) -> list[int]:
    """The daemon's child processes that are snapservers."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                if Path(f"/proc/{child}/comm").read_text().strip() == "snapserver":
                    found.append(int(child))
            except OSError:
                continue
    return found


def heard_at_player(pulse: PulseServer, d: DaemonProcess, folder: Path, name: str) -> bool:
    """A short announcement to B1 is heard at its player."""
    with pulse.record(folder / f"{name}.wav", source="amp_b1.monitor") as began:
        d.post("/api/v1/announcements", {"file": "announcements/blip.wav", "title": name,
                                         "zones": ["B1"]})  # fmt: skip
        time.sleep(1.0)
        t1 = time.monotonic()
    samples, rate = load_wav(folder / f"{name}.wav")
    return band_level_db(samples, rate, *SPEECH, 0, t1 - began.started) > -40


def test_a_remote_zone_through_the_daemon(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 240, 5000, level_db=-20)
    make_tone(data / "announcements" / "promo.wav", 3, 300)
    make_tone(data / "announcements" / "blip.wav", 0.6, 300)
    base = free_ports(2)
    with PulseServer() as pulse:
        pulse.add_sink("zone_1f", keep_clock=True)
        pulse.add_sink("amp_b1", rate=48000, keep_clock=True)
        with (
            DaemonProcess(data, env=pulse.env, audio__output="pulse", zones=json.dumps(ZONES),
                          snapcast__port_base=str(base), snapcast__bind="127.0.0.1") as d,
            SnapPlayer(pulse, "amp_b1", base, tmp_path / "player.log", host_id="amp-b1") as player,
        ):  # fmt: skip
            assert d.proc is not None
            wait_for("music in both zones", lambda: all(
                zone_status(d, z["id"])["bed"]["now_playing"] for z in ZONES), 20)  # fmt: skip
            wait_for("B1 without a fault", lambda: zone_status(d, "B1")["fault"] is None, 15)
            time.sleep(1.5)  # past the first track's fade-in

            # 1. An announcement to the car park: heard at its player, not in 1F.
            with recorded(pulse, tmp_path, "promo", SINKS) as began:
                t0 = time.monotonic()
                d.post("/api/v1/announcements", {"file": "announcements/promo.wav",
                                                 "title": "停车场通知", "zones": ["B1"]})  # fmt: skip
                wait_for("the notice on air in B1",
                         lambda: zone_status(d, "B1")["voice"] is not None, 10)  # fmt: skip
                wait_for("the notice over", lambda: zone_status(d, "B1")["voice"] is None, 15)
                t1 = time.monotonic()
            b0, b1 = t0 - began["B1"] + 0.6, t1 - began["B1"] - 0.2
            assert level(tmp_path, "promo", "B1", SPEECH, b0, b1) > -30  # heard at the player
            ducked = level(tmp_path, "promo", "B1", BED, b0 + 1, b1 - 0.5)
            one0, one1 = t0 - began["1F"], t1 - began["1F"]
            assert level(tmp_path, "promo", "1F", SPEECH, one0, one1) < SILENT_DB  # not a word
            music_1f = level(tmp_path, "promo", "1F", BED, one0 + 1, one1 - 0.5)
            assert music_1f > MUSIC_DB and music_1f > ducked + 10  # 1F's music stayed up

            # 2. The player at the amplifier dies: a zone fault within 10 s, everywhere.
            player.kill()
            killed = time.monotonic()
            wait_for("a B1 fault", lambda: zone_status(d, "B1")["fault"] is not None, 10)
            assert time.monotonic() - killed <= 10
            assert "B1" in zone_status(d, "B1")["fault"]
            health = httpx.get(f"{d.url}/api/v1/health", timeout=5)
            assert health.status_code == 503 and "B1" in health.json()["fault"]
            assert zone_status(d, "1F")["fault"] is None
            assert [(r["zones"], r["outcome"]) for r in faults(d)] == [("B1", None)]
            # Back again: the fault clears by itself and the row is closed.
            player.start()
            wait_for("B1 heard again", lambda: zone_status(d, "B1")["fault"] is None, 15)
            assert httpx.get(f"{d.url}/api/v1/health", timeout=5).status_code == 200
            assert [(r["zones"], r["outcome"]) for r in faults(d)] == [("B1", "recovered")]

            # 3. Our snapserver dies (the OOM killer): started again and heard within 5 s.
            (server,) = snapservers(d.proc.pid)
            os.kill(server, signal.SIGKILL)
            killed = time.monotonic()
            wait_for("a new snapserver", lambda: snapservers(d.proc.pid) not in ([], [server]), 5)
            player.restart()  # snapclient 0.26's pulse player hangs when its server dies
            wait_for("heard at the player again",
                     lambda: heard_at_player(pulse, d, tmp_path, "again"), 5)  # fmt: skip
            recovered = time.monotonic() - killed
            assert recovered <= 5, recovered
            wait_for("no B1 fault", lambda: zone_status(d, "B1")["fault"] is None, 10)

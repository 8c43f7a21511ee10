"""A remote zone through real Snapcast on loopback: what is played into the zone's sink on the
broadcast PC is heard at that zone's player, never at another zone's, and a dead server or
player is a zone fault that mends itself."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from broadcaster.audio.remote_zone import RemoteZone
from broadcaster.audio.snapcast import SnapPorts
from tests.kit.analysis import load_wav
from tests.kit.media import make_tone
from tests.kit.pulse import PulseError, PulseServer
from tests.kit.snapcast import SNAPCAST, SnapPlayer, free_ports
from tests.kit.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not SNAPCAST, reason="snapcast not installed")]


def heard(path: Path, threshold: float = 0.02) -> tuple[float, float]:
    """(the recording's peak, seconds to its first sample above ``threshold``, or -1)."""
    samples, rate = load_wav(path)
    level = np.abs(samples)
    loud = np.flatnonzero(level > threshold)
    return float(level.max(initial=0.0)), (loud[0] / rate if loud.size else -1.0)


def test_a_remote_zone_is_heard_at_its_player_only_and_mends_a_dead_server(
    pulse_server: PulseServer, tmp_path: Path
):
    base = free_ports(4)
    faults: list[tuple[str, str | None]] = []
    zones = [
        RemoteZone(name, sink=f"zone_{name}", workdir=tmp_path / "snap",
                   ports=SnapPorts.for_zone(base, n), bind="127.0.0.1", env=pulse_server.env
                   | {"PATH": "/usr/bin:/bin"}, report=lambda z, f: faults.append((z, f)))
        for n, name in enumerate(("2f", "b1"))
    ]  # fmt: skip
    amps = [pulse_server.add_sink(f"amp_{z.zone}", rate=48000) for z in zones]
    tone = make_tone(tmp_path / "tone.wav", 1.5, 1000)
    for zone in zones:
        zone.start()
    players = [SnapPlayer(pulse_server, amp, z.server.ports.stream, tmp_path / f"{amp}.log",
                          host_id=amp).start() for z, amp in zip(zones, amps, strict=True)]  # fmt: skip
    try:
        wait_for(
            "both players connected",
            lambda: all(z.check().players_connected == 1 for z in zones),
            10,
        )
        with (
            pulse_server.record(tmp_path / "2f.wav", rate=48000, source="amp_2f.monitor"),
            pulse_server.record(tmp_path / "b1.wav", rate=48000, source="amp_b1.monitor"),
        ):
            pulse_server.play(tone, sink="zone_2f")
            time.sleep(0.4)
        peak_2f, _ = heard(tmp_path / "2f.wav")
        samples_b1, _ = load_wav(tmp_path / "b1.wav")
        assert peak_2f > 0.1, "the 2F player heard nothing"
        assert int(np.count_nonzero(samples_b1)) == 0, "sound leaked into B1"

        # The 2F server dies: the zone says so, starts it again, and its player is back.
        old = zones[0].server.pid
        assert old is not None
        zones[0].server._process.kill()  # type: ignore[union-attr]  # as the OOM killer would
        wait_for(
            "the server started again",
            lambda: zones[0].server.pid not in (None, old) and zones[0].server.running(),
            5,
        )
        players[0].restart()  # snapclient 0.26's pulse player hangs when its server dies
        wait_for("the 2F player back", lambda: zones[0].check().players_connected == 1, 10)
        # A player that has just connected syncs its clock before it plays: heard within 10 s.
        blip = make_tone(tmp_path / "blip.wav", 0.4, 1000)
        deadline, again = time.monotonic() + 10, 0.0
        while again <= 0.1 and time.monotonic() < deadline:
            try:
                with pulse_server.record(tmp_path / "2f-again.wav", rate=48000,
                                         source="amp_2f.monitor"):  # fmt: skip
                    pulse_server.play(blip, sink="zone_2f")
                    time.sleep(0.4)
            except PulseError:  # nothing at all from the player's sink yet: not heard, again
                continue
            again = heard(tmp_path / "2f-again.wav")[0]
        assert again > 0.1, "the 2F player was not heard again within 10 s"
        assert ("2f", None) in faults and any(z == "2f" and f and "Snapcast" in f
                                               for z, f in faults)  # fmt: skip

        # B1's player goes away for good: a fault within 10 s naming the player.
        players[1].kill()
        wait_for(
            "a B1 fault for the missing player",
            lambda: zones[1].fault is not None and "没有播放器连接" in zones[1].fault,
            12,
        )
        assert zones[0].fault is None
    finally:
        for player in players:
            player.kill()
        for zone in zones:
            zone.stop()

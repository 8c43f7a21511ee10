"""Two ways to keep the alert armed, straight on libvlc (issue 16: skew between zones).

Two players, each on a null sink of a private PulseAudio server (a zone each), both monitors
read as the sound arrives (``tests/kit/stamped.py``). Each round arms the alert on both (a
300 ms 440 Hz lead-in, then 1 kHz: ``tests/kit/media.make_alert``) one way, waits 1 s, checks
that nothing was heard meanwhile, then sets the volume and unpauses both back to back. Printed
per way (p50/p95/max): unpause -> first alert sample per zone, the skew between the two zones,
and how much of the lead-in was lost (300 ms less the time from the first sample heard to the
1 kHz body; 0 = heard from its first sample, in 5 ms steps).

Ways:
- ``start-paused`` (``vlc_armed``): a media opened with ``:start-paused``; VLC connects its
  PulseAudio stream only on unpause.
- ``parked``: played at volume 0 until VLC reports Playing with a time (the stream connected),
  then paused and set back to 0 (``set_time(0)``), so unpause uncorks a connected stream.
- ``parked-late``: the same, with 100 ms between the pause and ``set_time(0)``.

Usage: .venv/bin/python bench/armed_start.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broadcaster.audio.vlc_setup import new_media, open_instance, vlc
from tests.kit.analysis import dominant_from_ms
from tests.kit.media import BODY, LEAD_IN_MS, make_alert
from tests.kit.pulse import PulseServer
from tests.kit.stamped import RATE, StampedReader

SINKS = ("zone_a", "zone_b")
WAYS = ("start-paused", "parked", "parked-late")
LOUD = 0.05  # an alert sample (it peaks at 0.5; nothing else plays)


def arm(instance: Any, alert: Path, sink: str, way: str) -> tuple[Any, Any]:
    player = instance.media_player_new()
    player.audio_output_device_set(None, sink)
    media = new_media(instance, alert)
    if way == "start-paused":
        media.add_option(":start-paused")
    player.set_media(media)
    player.audio_set_volume(100 if way == "start-paused" else 0)
    player.play()
    return player, media


def park(players: list[Any], way: str) -> None:
    """Pause each player once it plays (its stream connected) and set it back to 0."""
    waiting, deadline = list(players), time.monotonic() + 5.0
    while waiting and time.monotonic() < deadline:
        for player in list(waiting):
            if player.get_state() == vlc.State.Playing and player.get_time() > 0:
                player.set_pause(1)
                if way == "parked-late":
                    time.sleep(0.1)
                player.set_time(0)
                waiting.remove(player)
        time.sleep(0.02)
    if waiting:
        raise SystemExit(f"{way}: a player never played")


def one_round(instance: Any, alert: Path, readers: list[StampedReader], way: str) -> list[float]:
    """[first sample ms per zone..., skew ms, lead-in lost ms per zone...]"""
    armed = [arm(instance, alert, sink, way) for sink in SINKS]
    players = [player for player, _ in armed]
    if way != "start-paused":
        park(players, way)
    time.sleep(1.0)
    t0 = time.monotonic()
    for reader in readers:
        _, before = reader.timeline(t0 - 0.9, t0)
        if before.size and np.max(np.abs(before)) > LOUD / 5:
            raise SystemExit(f"{way}: heard while armed")
    for player in players:
        player.audio_set_volume(100)
        player.set_pause(0)
    time.sleep(0.8)
    firsts, lost = [], []
    for reader in readers:
        times, samples = reader.timeline(t0 - 0.5, time.monotonic())
        loud = np.flatnonzero((np.abs(samples) > LOUD) & (times > t0 - 0.2))
        if not loud.size:
            raise SystemExit(f"{way}: no alert heard")
        start = int(loud[0])
        body = dominant_from_ms(samples[start : start + RATE // 2], RATE, BODY)
        firsts.append(float(times[start]))
        lost.append(LEAD_IN_MS - body if body is not None else LEAD_IN_MS)
    for player, media in armed:
        player.stop()
        player.release()
        media.release()
    time.sleep(0.3)
    latencies = [(at - t0) * 1000 for at in firsts]
    return [*latencies, (max(firsts) - min(firsts)) * 1000, *lost]


def stats(values: list[float]) -> str:
    p50, p95 = np.percentile(values, [50, 95])
    return f"p50={p50:.1f} p95={p95:.1f} max={max(values):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, PulseServer(shm=False) as pulse:
        alert = make_alert(Path(tmp) / "alert.wav")
        for sink in SINKS:
            pulse.add_sink(sink, keep_clock=True)
        os.environ.update(pulse.env)
        instance = open_instance("pulse", 300)
        readers = [StampedReader(pulse, f"{sink}.monitor") for sink in SINKS]
        rows: dict[str, list[list[float]]] = {way: [] for way in WAYS}
        try:
            time.sleep(1.0)
            for _ in range(args.rounds):
                for way in WAYS:  # interleaved: each way sees the same machine
                    rows[way].append(one_round(instance, alert, readers, way))
        finally:
            for reader in readers:
                reader.stop()
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}; "
              f"{args.rounds} rounds, 2 zones")  # fmt: skip
        n = len(SINKS)
        for way, got in rows.items():
            first = [v for row in got for v in row[:n]]
            skew = [row[n] for row in got]
            lost = [v for row in got for v in row[n + 1 :]]
            print(f"{way}: unpause -> first sample {stats(first)}; skew {stats(skew)}; "
                  f"lead-in lost {stats(lost)}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Ways to start the alert in two zones at once (issue 16: skew between zones).

Two zones on a private PulseAudio server: each a null sink of its own, both monitors read as
the sound arrives (``tests/kit/stamped.py``), or with ``--one-card`` remap sinks on the channel
pairs of one 4-channel null sink (the README's one-card deployment), read by ONE stream, so the
skew between the zones is exact to the sample. ``--bed-latency-ms N`` plays a quiet bed
(``paplay --latency-msec=N``, far below the alert) in both zones throughout, as the daemon's
music does: the sinks then render in blocks of about that size. Each round arms the alert (a
300 ms 440 Hz lead-in, then 1 kHz: ``tests/kit/media.make_alert``) one way, waits 1 s, checks
that nothing was heard meanwhile, then starts it in both zones back to back. Printed per way
(p50/p95/max): start -> first alert sample per zone, the skew between the two zones, and how
much of the lead-in was lost (300 ms less the time from the first sample heard to the 1 kHz
body; 0 = heard from its first sample, in 5 ms steps).

Ways:
- ``start-paused`` (``vlc_armed``): a media opened with ``:start-paused``; VLC connects its
  PulseAudio stream only on unpause.
- ``parked``: played at volume 0 until VLC reports Playing with a time (the stream connected),
  then paused and set back to 0 (``set_time(0)``), so unpause uncorks a connected stream.
- ``parked-late``: the same, with 100 ms between the pause and ``set_time(0)``.
- ``sample-cache``: not VLC. The alert uploaded once into the sound server's sample cache
  (``pactl upload-sample``); starting it is one ``pa_context_play_sample`` per zone's sink, all
  sent on one connection before waiting for any answer (``PulseSamples``, libpulse through
  ctypes), so the server starts them in one go, with no client stream to connect or time.

``--busy N`` runs N busy loops (child processes, stopped at the end) for the CPU contention of
the daemon's machine; ``--rt-audio`` gives the sound server and this process's threads but the
main one realtime scheduling (``bench/rt_threads.py``).

Usage: .venv/bin/python bench/armed_start.py [--rounds 10] [--one-card] [--extra-zones 2] [--vlc-bed]
                                             [--instance-per-zone] [--busy 2] [--rt-audio]
                                             [--bed-pause-ms 10] [--bed-latency-ms 20] [--ways sample-cache]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import summary
from bench.rt_threads import promote_threads
from broadcaster.audio.vlc_setup import new_media, open_instance, vlc
from tests.kit.analysis import dominant_from_ms
from tests.kit.media import BODY, LEAD_IN_MS, make_alert
from tests.kit.pulse import PulseServer
from tests.kit.stamped import RATE, Channel, StampedReader
from tests.kit.zone_air import card_channels, card_with_pairs

SINKS = ("zone_a", "zone_b")
WAYS = ("start-paused", "parked", "parked-late", "sample-cache")
LOUD = 0.05  # an alert sample (it peaks at 0.5; nothing else plays)


class PulseSamples:
    """The sound server's sample cache through libpulse (ctypes, one connection of its own):
    ``play`` sends one ``pa_context_play_sample`` per sink, then waits for all the answers."""

    def __init__(self) -> None:
        pa = ctypes.CDLL("libpulse.so.0")
        pa.pa_mainloop_new.restype = ctypes.c_void_p
        pa.pa_mainloop_get_api.restype = ctypes.c_void_p
        pa.pa_mainloop_get_api.argtypes = [ctypes.c_void_p]
        pa.pa_context_new.restype = ctypes.c_void_p
        pa.pa_context_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        pa.pa_context_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                          ctypes.c_void_p]  # fmt: skip
        pa.pa_context_get_state.argtypes = [ctypes.c_void_p]
        pa.pa_mainloop_iterate.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        pa.pa_context_play_sample.restype = ctypes.c_void_p
        pa.pa_context_play_sample.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                              ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p]  # fmt: skip
        pa.pa_operation_get_state.argtypes = [ctypes.c_void_p]
        pa.pa_operation_unref.argtypes = [ctypes.c_void_p]
        self._pa = pa
        self._loop = pa.pa_mainloop_new()
        self._context = pa.pa_context_new(pa.pa_mainloop_get_api(self._loop), b"armed_start")
        if pa.pa_context_connect(self._context, None, 0, None) < 0:
            raise SystemExit("sample-cache: cannot connect to the sound server")
        while (state := pa.pa_context_get_state(self._context)) != 4:  # PA_CONTEXT_READY
            if state in (5, 6):  # FAILED, TERMINATED
                raise SystemExit("sample-cache: the sound server refused the connection")
            pa.pa_mainloop_iterate(self._loop, 1, None)

    def play(self, name: str, sinks: tuple[str, ...]) -> None:
        pa = self._pa
        volume = 0x10000  # PA_VOLUME_NORM: 0 dB
        operations = [pa.pa_context_play_sample(self._context, name.encode(), sink.encode(),
                                                volume, None, None) for sink in sinks]  # fmt: skip
        while any(pa.pa_operation_get_state(op) == 0 for op in operations):  # RUNNING
            pa.pa_mainloop_iterate(self._loop, 1, None)
        for op in operations:
            pa.pa_operation_unref(op)


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


def one_round(instances: dict[str, Any], alert: Path,
              readers: list[StampedReader] | list[Channel], way: str, cache: PulseSamples,
              beds: list[Any], pause_ms: int) -> list[float]:  # fmt: skip
    """[first sample ms per zone..., skew ms, lead-in lost ms per zone...] of the zones read
    (the first two of ``instances``: every zone, with its libvlc instance)"""
    armed = ([] if way == "sample-cache"
             else [arm(instance, alert, sink, way) for sink, instance in instances.items()])  # fmt: skip
    players = [player for player, _ in armed]
    if way in ("parked", "parked-late"):
        park(players, way)
    time.sleep(1.0)
    t0 = time.monotonic()
    for reader in readers:
        _, before = reader.timeline(t0 - 0.9, t0)
        if before.size and np.max(np.abs(before)) > LOUD / 5:
            raise SystemExit(f"{way}: heard while armed")
    if pause_ms >= 0:  # the daemon's beds pause for an emergency
        for bed in beds:
            bed.set_pause(1)
        time.sleep(pause_ms / 1000)
    if way == "sample-cache":
        cache.play("alert", tuple(instances))
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
    time.sleep(0.3 if way != "sample-cache" else 2.3)  # the sample plays to its end
    for bed in beds if pause_ms >= 0 else ():
        bed.set_pause(0)
    latencies = [(at - t0) * 1000 for at in firsts]
    return [*latencies, (max(firsts) - min(firsts)) * 1000, *lost]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--one-card", action="store_true",
                        help="the zones as channel pairs of one 4-channel sink")  # fmt: skip
    parser.add_argument("--bed-latency-ms", type=int, default=0,
                        help="a quiet bed in both zones at this latency (0: none)")  # fmt: skip
    parser.add_argument("--vlc-bed", action="store_true",
                        help="the bed on a VLC player in each zone, as the daemon's music")  # fmt: skip
    parser.add_argument("--bed-pause-ms", type=int, default=-1,
                        help="the VLC beds paused this long before the start (-1: they play on)")  # fmt: skip
    parser.add_argument("--extra-zones", type=int, default=0,
                        help="more zones, each on a null sink of its own, started too but not read")  # fmt: skip
    parser.add_argument("--instance-per-zone", action="store_true",
                        help="a libvlc instance per zone (file caching 100 ms), as the daemon")  # fmt: skip
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    parser.add_argument("--busy", type=int, default=0,
                        help="this many busy loops (child processes) compete for the cores")  # fmt: skip
    parser.add_argument("--rt-audio", action="store_true",
                        help="realtime scheduling for the sound server and for every thread of "
                             "this process but the main one (VLC's, libpulse's: bench/rt_threads)")  # fmt: skip
    args = parser.parse_args()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        run(args)
    finally:
        for loop in busy:
            loop.kill()
            loop.wait()


def run(args: argparse.Namespace) -> None:
    with (tempfile.TemporaryDirectory() as tmp,
          PulseServer(shm=False, realtime=args.rt_audio) as pulse):  # fmt: skip
        alert = make_alert(Path(tmp) / "alert.wav")
        if args.one_card:
            card_with_pairs(pulse, "card", SINKS)
        else:
            for sink in SINKS:
                pulse.add_sink(sink, keep_clock=True)
        extra = tuple(f"zone_x{n}" for n in range(args.extra_zones))
        for sink in extra:
            pulse.add_sink(sink, keep_clock=True)
        zones = (*SINKS, *extra)
        os.environ.update(pulse.env)
        pulse.pactl("upload-sample", str(alert), "alert")
        shared = open_instance("pulse", 300)
        instances = {sink: open_instance("pulse", 100) if args.instance_per_zone else shared
                     for sink in zones}  # fmt: skip
        cache = PulseSamples()
        readers: list[StampedReader] | list[Channel]
        if args.one_card:
            readers = list(card_channels(pulse, "card", SINKS).values())
            stoppers = [readers[0].reader]
        else:
            readers = stoppers = [StampedReader(pulse, f"{sink}.monitor") for sink in SINKS]
        beds, vlc_beds = [], []
        if args.bed_latency_ms or args.vlc_bed:
            bed = Path(tmp) / "bed.wav"
            seconds = args.rounds * len(args.ways) * 4 + 30
            subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                            f"anoisesrc=a=0.002:d={seconds}", "-ar", "48000", "-ac", "2", str(bed)],
                           check=True)  # fmt: skip
        if args.vlc_bed:
            for sink in zones:
                player = instances[sink].media_player_new()
                player.audio_output_device_set(None, sink)
                player.set_media(new_media(instances[sink], bed))
                player.play()
                vlc_beds.append(player)
        elif args.bed_latency_ms:
            beds = [subprocess.Popen(["paplay", f"--latency-msec={args.bed_latency_ms}",
                                      f"--device={sink}", str(bed)], env=pulse.child_env())
                    for sink in zones]  # fmt: skip
        rows: dict[str, list[list[float]]] = {way: [] for way in args.ways}
        promoted = 0  # realtime threads (--rt-audio), counted before each round
        try:
            time.sleep(1.0)
            for _ in range(args.rounds):
                for way in args.ways:  # interleaved: each way sees the same machine
                    if args.rt_audio:
                        promoted = promote_threads()
                    rows[way].append(one_round(instances, alert, readers, way, cache,
                                               vlc_beds, args.bed_pause_ms))  # fmt: skip
        finally:
            for reader in stoppers:
                reader.stop()
            for process in beds:
                process.kill()
                process.wait()
        layout = "one card" if args.one_card else "a null sink each"
        bed_text = (
            ("a VLC bed" if args.vlc_bed else f"a bed at {args.bed_latency_ms} ms")
            if args.vlc_bed or args.bed_latency_ms
            else "no bed"
        )
        if args.bed_pause_ms >= 0:
            bed_text += f", paused {args.bed_pause_ms} ms before the start"
        if args.rt_audio:
            print(f"realtime threads of this process: {promoted}")
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}; "
              f"{args.rounds} rounds, 2 zones read of {len(zones)}, {layout}, {bed_text}")  # fmt: skip
        n = len(SINKS)
        for way, got in rows.items():
            first = [v for row in got for v in row[:n]]
            skew = [row[n] for row in got]
            lost = [v for row in got for v in row[n + 1 :]]
            print(f"{way}: unpause -> first sample {summary(first)}; skew {summary(skew)}; "
                  f"lead-in lost {summary(lost)}")  # fmt: skip


if __name__ == "__main__":
    main()

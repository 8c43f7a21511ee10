"""Four zones through the real daemon (issue 16 part 7): two local (null sinks of a private
PulseAudio server) and two Snapcast (our snapservers, each with a real ``snapclient`` playing
into a sink of its own, as the player at an amplifier would), music in all four.

Each zone's listener is read as it arrives (``tests/kit/stamped.py``, 10 ms), so every sample
has a capture time. Two topologies:
- one card (the default): the local zones' sinks are remap sinks on channel pairs of ONE
  4-channel null sink (the README's deployment: floors on one multi-channel card), and the two
  players' sinks are remap sinks of one 4-channel "recorder" (a technician's multi-channel
  recorder on two amplifiers' inputs); each is recorded by ONE stream, so the zones' samples are
  aligned to the sample and the skew between them is what a listener would measure;
- ``--separate-sinks``: every zone (and player) on a null sink of its own, each monitor read by
  its own ``parec`` (the bench until issue 16's zonesync3): each sink renders its blocks at its
  own phase and each reader wakes with its own jitter, which adds several ms of apparent skew.
``--realtime-pulse`` runs the sound server with realtime scheduling, as the installed
``broadcaster-pulse.service`` does (the test kit's server runs without it).
``--mix-sink`` also makes the daemon's own sinks of the Snapcast zones (``broadcaster_zone_B1``,
``_B2``: the daemon uses a sink it finds by its name) channel pairs of one sink, read too: the
skew before the Snapcast transport ("B1 mix", "B2 mix").
Printed:
1. emergency request (just before the POST) -> first alert sample, per zone (p50/p95/max over
   ``--rounds`` whole-building emergencies; the alert is a 1 kHz tone, found through a band-pass
   filter under the 5 kHz music) and, for the same message, the skew between the zones; for
   the Snapcast zones also each FIFO's backlog (the feed's queue, FIONREAD) as the alert goes
   through, and how much of their skew its difference explains (``ZONES_VERBOSE=1``: each
   round's first samples and backlogs);
2. leakage: samples of anything but the music (60 Hz-4 kHz, above one LSB) in the zones a
   1-zone announcement was not for, beside the same count over music alone (the detector's
   floor) and in the zone addressed;
3. music alone: 20 ms windows of each zone under half the music's level (dropouts), and the
   CPU (% of one core) of the daemon (VLC, feeders, snapservers: its process tree), the
   snapclients and the PulseAudio server while only music plays (the bench's readers stopped);
4. recovery: a snapserver, a snapclient, a feeder (``parec``) and the PulseAudio server
   killed (SIGKILL): the time until the zone's music is back (present for 0.5 s), the
   interruptions meanwhile in the other zones, and the time the zone's fault took to clear.

Usage: .venv/bin/python bench/zones.py [--rounds 20] [--steady-seconds 30] [--cpu-seconds 30]
                                       [--buffer-ms 100] [--separate-sinks] [--mix-sink]
                                       [--realtime-pulse]
       a short run: --rounds 5 --steady-seconds 5 --cpu-seconds 5
       latency and skew only: --rounds 10 --emergencies-only
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zones_rig import (
    ALERT,
    LISTENERS,
    LOCAL,
    LSB,
    MIX,
    REMOTE,
    SPEECH,
    ZONES,
    ZoneBench,
    band,
    make_sinks,
)

from bench.figures import summary
from tests.kit.analysis import tone_level_db
from tests.kit.cpu import cpu_seconds
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.snapcast import FifoBacklogs, SnapPlayer, free_ports
from tests.kit.stamped import RATE
from tests.kit.waiting import seconds_until as until


class Bench(ZoneBench):
    # 1. emergency -> first alert sample; skew
    def emergencies(self, rounds: int) -> None:
        first: dict[str, list[float]] = {zone: [] for zone in [*LISTENERS, *self.taps]}
        skews: dict[str, list[float]] = {"local": [], "snapcast": [], "all": []}
        if self.taps:
            skews["snapcast at the daemon's sinks"] = []
        signed: list[tuple[float, float]] = []  # B2 - B1: (heard, backlog floor), ms
        missed = 0
        self.http.get("/api/v1/health")  # connected
        for _ in range(rounds):
            requested = time.monotonic()
            reply = self.http.post("/api/v1/emergency", json={"title": "bench"})
            assert reply.status_code == 202, reply.text
            floors = self.backlogs.floor_ms(0.2)  # while the alert goes through the FIFOs
            time.sleep(1.0)
            heard: dict[str, float] = {}
            for zone, reader in {**self.readers, **self.taps}.items():
                times, samples = reader.timeline(requested - 0.2, time.monotonic())
                loud = np.flatnonzero((np.abs(band(samples, *ALERT)) > 0.02) & (times > requested))
                if loud.size:
                    heard[zone] = float(times[loud[0]])
                    first[zone].append((heard[zone] - requested) * 1000)
                else:
                    missed += 1
            for name, zones in (("local", LOCAL), ("snapcast", REMOTE), ("all", LISTENERS),
                                ("snapcast at the daemon's sinks", tuple(self.taps))):  # fmt: skip
                if not zones:
                    continue
                if all(z in heard for z in zones):
                    spread = max(heard[z] for z in zones) - min(heard[z] for z in zones)
                    skews[name].append(spread * 1000)
            if all(z in heard for z in REMOTE):
                signed.append(((heard["B2"] - heard["B1"]) * 1000, floors["B2"] - floors["B1"]))
            if os.environ.get("ZONES_VERBOSE"):
                print(
                    "   round:",
                    {z: round((t - requested) * 1000, 1) for z, t in heard.items()},
                    {z: round(v, 1) for z, v in floors.items()},
                )
            self.http.delete("/api/v1/emergency")
            until(lambda: not any(z["emergency"] or z["voice"] for z in self.status().values()),
                  10)  # fmt: skip
            time.sleep(1.0)
            for stream in self.streams:
                stream.forget(time.monotonic() - 5)
        print(f"1. emergency request -> first alert sample ({rounds} whole-building emergencies; "
              f"zones that heard nothing: {missed}):")  # fmt: skip
        for zone, values in first.items():
            kind = "local" if zone in LOCAL else "the daemon's sink" if zone in MIX else "snapcast"
            print(f"   {zone} ({kind}): {summary(values)}")
        print("   skew between zones for one message: "
              + "; ".join(f"{name} {summary(v)}" for name, v in skews.items()))  # fmt: skip
        backlog_share(signed)

    # 2. leakage
    def leakage(self) -> None:
        quiet0 = time.monotonic()
        time.sleep(2.5)
        requested = time.monotonic()
        self.d.post("/api/v1/announcements", {"file": "announcements/promo.wav",
                                              "title": "1F only", "zones": ["1F"]})  # fmt: skip
        until(lambda: self.status()["1F"]["voice"] is not None, 10)
        until(lambda: self.status()["1F"]["voice"] is None, 15)
        time.sleep(0.5)  # the Snapcast zones' buffer, and more
        ended = time.monotonic()
        print(
            "2. leakage, a 2 s announcement (a 300 Hz tone) to 1F: the 300 Hz tone's level "
            "and the samples above one LSB in the 250-350 Hz band (a dropout's click counts "
            "there too), then the same over music alone, and the music's 20 ms gaps:"
        )
        for zone, reader in self.readers.items():
            _, during = reader.timeline(requested, ended)
            _, before = reader.timeline(quiet0, requested)
            heard, quiet = band(during, *SPEECH, order=8), band(before, *SPEECH, order=8)
            role = "addressed" if zone == "1F" else "not addressed"
            print(f"   {zone} ({role}): {tone_level_db(during, RATE, 300.0):.1f} dB, "
                  f"{np.count_nonzero(np.abs(heard) > LSB)} of {len(heard)} samples; music "
                  f"alone {tone_level_db(before, RATE, 300.0):.1f} dB, "
                  f"{np.count_nonzero(np.abs(quiet) > LSB)} of {len(quiet)}; gaps "
                  f"{self.gaps(zone, requested, ended)}")  # fmt: skip

    # 3. music alone: its dropouts, then the CPU
    def steady(self, seconds: float) -> None:
        t0 = time.monotonic()
        time.sleep(seconds)
        t1 = time.monotonic()
        print(f"3. music alone for {t1 - t0:.0f} s, 20 ms windows under half the music's level: "
              + ", ".join(f"{z} {self.gaps(z, t0, t1)}" for z in LISTENERS))  # fmt: skip

    def cpu(self, seconds: float) -> None:
        self.deafen()
        assert self.d.proc is not None and self.pulse._process is not None
        daemon = psutil.Process(self.d.proc.pid)
        groups = {
            "daemon (VLC, feeders, snapservers)": [daemon, *daemon.children(recursive=True)],
            "snapclients": [psutil.Process(p.process.pid) for p in self.players.values()
                            if p.process is not None],
            "PulseAudio server": [psutil.Process(self.pulse._process.pid)],
        }  # fmt: skip
        time.sleep(1)
        before = {name: cpu_seconds(procs) for name, procs in groups.items()}
        t0 = time.monotonic()
        time.sleep(seconds)
        span = time.monotonic() - t0
        used = {name: (cpu_seconds(procs) - before[name]) / span * 100
                for name, procs in groups.items()}  # fmt: skip
        snapservers = [p for p in groups["daemon (VLC, feeders, snapservers)"][1:]
                       if p.name() == "snapserver"]  # fmt: skip
        print(f"   CPU while only music plays, {span:.0f} s (% of one core): "
              + ", ".join(f"{name} {v:.1f} %" for name, v in used.items())
              + f"; of the daemon's, the snapservers {cpu_share(snapservers, seconds=2):.1f} %"
              f"; all together {sum(used.values()):.1f} % (target <= 30 %)")  # fmt: skip
        self.listen()
        time.sleep(1.5)

    def faults_until(self, since: float, seconds: float = 12.0) -> dict[str, str]:
        """Watch every zone's fault for ``seconds`` after ``since`` (longer while one holds,
        up to 40 s): per zone, until when a fault was shown."""
        last: dict[str, float] = {}
        while time.monotonic() < since + 40:
            faulted = [z for z, v in self.status().items() if v["fault"]]
            now = time.monotonic()
            last.update({z: now - since for z in faulted})
            if not faulted and now > since + seconds:
                break
            time.sleep(0.2)
        return {z: (f"fault shown until {last[z]:.1f} s" if z in last else "no fault shown")
                for z in LISTENERS}  # fmt: skip

    def recover(self, what: str, zone: str, kill: Callable[[], None]) -> None:
        killed = time.monotonic()
        kill()
        faults = self.faults_until(killed)
        took = self.back(zone, killed)
        others = {z: self.gaps(z, killed, time.monotonic()) for z in LISTENERS if z != zone}
        back = self.back_text(zone, took, killed, 0.0)
        print(f"   {what}: {zone} {back}, {faults[zone]}; 20 ms gaps in the other zones "
              f"over {time.monotonic() - killed:.0f} s: "
              + ", ".join(f"{z} {n}" for z, n in others.items()))  # fmt: skip

    def child(self, name: str, marker: str) -> psutil.Process:
        assert self.d.proc is not None
        for proc in psutil.Process(self.d.proc.pid).children(recursive=True):
            if proc.name() == name and any(marker in part for part in proc.cmdline()):
                return proc
        raise LookupError(f"no {name} with {marker}")

    def kill_server(self, port: int, player: SnapPlayer) -> None:
        old = self.child("snapserver", f"--stream.port={port}")
        old.send_signal(signal.SIGKILL)
        until(lambda: self.child_pid("snapserver", f"--stream.port={port}") not in (None, old.pid),
              10)  # fmt: skip
        player.restart()  # snapclient 0.26's pulse player hangs when its server dies

    def child_pid(self, name: str, marker: str) -> int | None:
        try:
            return self.child(name, marker).pid
        except (LookupError, psutil.Error):
            return None

    def kill_pulse(self) -> float:
        self.deafen()
        self.pulse.crash()
        self.pulse.revive()
        revived = time.monotonic()
        # what the system's PulseAudio would load again; players at amplifiers have their own
        make_sinks(self.pulse, separate=self.separate, mix=self.mix)
        for player in self.players.values():
            player.restart()
        self.listen()
        return revived

    def recoveries(self, base: int) -> None:
        print("4. recovery after a kill (SIGKILL):")
        b1, b2 = self.players["B1"], self.players["B2"]
        self.recover("snapserver of B1", "B1", lambda: self.kill_server(base, b1))
        time.sleep(2)
        self.recover("snapclient of B2 (started again at once)", "B2", b2.restart)
        time.sleep(2)
        feeder = self.child("parec", "broadcaster_zone_B2.monitor")
        self.recover("feeder (parec) of B2", "B2", lambda: os.kill(feeder.pid, signal.SIGKILL))
        time.sleep(2)
        killed = time.monotonic()
        revived = self.kill_pulse()
        listening = time.monotonic()
        faults = self.faults_until(killed)
        print(
            f"   PulseAudio server (started again {revived - killed:.2f} s after the kill; its "
            f"sinks and the players back, listened again {listening - killed:.2f} s after):"
        )
        for zone in LISTENERS:
            took = self.back(zone, listening, timeout=30)
            back = self.back_text(zone, took, killed, listening - killed)
            print(f"     {zone}: {back}, {faults[zone]}")


def backlog_share(signed: list[tuple[float, float]]) -> None:
    """How much of the Snapcast zones' skew (B2 - B1, signed) the difference of their FIFOs'
    backlog floors as the alert went through explains: their correlation, and the skew left
    once it is taken off (each ms of backlog is a ms of delay)."""
    if len(signed) < 3:
        return
    heard, backlog = np.array(signed).T
    left = [abs(v) for v in heard - backlog]
    r = float(np.corrcoef(heard, backlog)[0, 1]) if np.std(backlog) > 0 else float("nan")
    print(f"   snapcast: FIFO backlog floor B2 - B1 as the alert went through "
          f"{summary([abs(v) for v in backlog])}; correlation with the skew B2 - B1 r={r:.2f}; skew less the backlog's difference "
          f"{summary(left)}")  # fmt: skip


def cpu_share(processes: list[psutil.Process], *, seconds: float) -> float:
    before, t0 = cpu_seconds(processes), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(processes) - before) / (time.monotonic() - t0) * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cpu-seconds", type=float, default=30.0)
    parser.add_argument("--steady-seconds", type=float, default=30.0)
    parser.add_argument("--buffer-ms", type=int, default=100)
    parser.add_argument(
        "--separate-sinks",
        action="store_true",
        help="every zone on a sink of its own, read by a reader of its own",
    )
    parser.add_argument("--mix-sink", action="store_true",
                        help="the Snapcast zones' own sinks as channel pairs of one sink, read "
                             "too: the skew before the transport")  # fmt: skip
    parser.add_argument("--realtime-pulse", action="store_true",
                        help="the sound server with realtime scheduling, as the installed unit")  # fmt: skip
    parser.add_argument("--emergencies-only", action="store_true",
                        help="only part 1 (latency and skew), for a quick look")  # fmt: skip
    args = parser.parse_args()
    print(f"cores: {psutil.cpu_count()}, load average: {psutil.getloadavg()[0]:.2f}; "
          f"snapcast buffer {args.buffer_ms} ms; "
          f"{'separate sinks' if args.separate_sinks else 'one card'}"
          f"{'; the Snapcast zones own sinks on one sink' if args.mix_sink else ''}")  # fmt: skip
    with (tempfile.TemporaryDirectory(prefix="zones-bench-") as tmp,
          PulseServer(shm=False, realtime=args.realtime_pulse) as pulse):  # fmt: skip
        folder = Path(tmp)
        data = folder / "data"
        make_tone(data / "music" / "bed.wav", 1200, 5000, level_db=-20)
        make_tone(data / "announcements" / "promo.wav", 2, 300)
        alert = make_tone(folder / "alert.wav", 3, 1000, level_db=-6)
        make_sinks(pulse, separate=args.separate_sinks, mix=args.mix_sink)
        base = free_ports(4)
        d = DaemonProcess(data, env=pulse.env, audio__output="pulse", zones=json.dumps(ZONES),
                          audio__alert=str(alert), snapcast__port_base=str(base),
                          snapcast__bind="127.0.0.1",
                          snapcast__buffer_ms=str(args.buffer_ms)).start()  # fmt: skip
        players = {zone: SnapPlayer(pulse, LISTENERS[zone], base + 2 * n, folder / f"{zone}.log",
                                    host_id=f"amp-{zone}").start()
                   for n, zone in enumerate(REMOTE)}  # fmt: skip
        backlogs = FifoBacklogs({zone: data / "snapcast" / f"{zone}.fifo" for zone in REMOTE})
        bench = Bench(
            pulse, d, players, separate=args.separate_sinks, backlogs=backlogs, mix=args.mix_sink
        )
        try:
            ready = until(lambda: all(z["bed"]["now_playing"] and z["fault"] is None
                                      for z in bench.status().values()), 30)  # fmt: skip
            if ready is None:
                raise SystemExit(f"the zones did not come up: {bench.status()}")
            bench.listen()
            time.sleep(3)
            bench.calibrate()
            bench.emergencies(args.rounds)
            if args.emergencies_only:
                return
            bench.leakage()
            bench.steady(args.steady_seconds)
            bench.cpu(args.cpu_seconds)
            bench.recoveries(base)
        finally:
            bench.deafen()
            backlogs.close()
            for player in players.values():
                player.kill()
            d.stop()
    print(f"load average after: {psutil.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

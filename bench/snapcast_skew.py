"""The Snapcast transport alone (issue 16): how far apart two Snapcast zones play one sound.

One source (a null sink) is carried by two feeds (``PipeFeed``, as the daemon runs them) into
two snapservers, each with a real ``snapclient`` playing into a remap sink on a channel pair of
ONE 4-channel "recorder" sink, read by one stream: the two zones' samples are aligned to the
sample. A click (a 1 kHz burst, 40 ms) every 250 ms goes into the source; per click, the skew
between the zones is the time between its onsets in the two channels. Each round starts the
feeds, servers and players afresh (the skew is set by each zone's start), alternating the
snapservers' chunk sizes given (``--chunk-ms``), and prints, per chunk size, the skew over
every click and each zone's FIFO backlog floor (the least backlog, looked at every ms, as the
server reads it).

Usage: .venv/bin/python bench/snapcast_skew.py [--rounds 6] [--seconds 6] [--chunk-ms 20 10 ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import summary
from broadcaster.audio.pipe_feed import RATE, PipeFeed
from broadcaster.audio.snapcast import SnapPorts, SnapServer
from scripts_library.tones import write_stereo_wav
from tests.kit.pulse import PulseServer
from tests.kit.snapcast import FifoBacklogs, SnapPlayer, free_ports
from tests.kit.zone_air import card_channels, card_with_pairs

ZONES = ("b1", "b2")
AMPS = ("amp_b1", "amp_b2")
BURST_S, EVERY_S = 0.04, 0.25


def clicks(path: Path, seconds: float) -> Path:
    """A stereo WAV: a 1 kHz burst of ``BURST_S`` every ``EVERY_S``, silence between."""
    t = np.arange(int(RATE * seconds)) / RATE
    on = (t % EVERY_S) < BURST_S
    return write_stereo_wav(path, 0.5 * np.sin(2 * np.pi * 1000 * (t % EVERY_S)) * on, RATE)


def onsets(samples: np.ndarray) -> np.ndarray:
    """Sample indices where a click starts (first sample above 0.05 after 100 ms of quiet)."""
    loud = np.flatnonzero(np.abs(samples) > 0.05)
    if not loud.size:
        return loud
    gaps = np.diff(loud, prepend=-(10**9))
    return loud[gaps > RATE * 0.1]


def one_round(pulse: PulseServer, folder: Path, click: Path, chunk_ms: int,
              seconds: float) -> tuple[list[float], dict[str, float]]:  # fmt: skip
    base = free_ports(4)
    feeds, servers, players = {}, [], []
    for n, (zone, amp) in enumerate(zip(ZONES, AMPS, strict=True)):
        fifo = folder / f"{zone}.fifo"
        feeds[zone] = PipeFeed("src.monitor", fifo, env=pulse.child_env())
        ports = SnapPorts.for_zone(base, n)
        servers.append(SnapServer(zone, fifo, folder / zone, ports, bind="127.0.0.1",
                                  chunk_ms=chunk_ms))  # fmt: skip
        players.append(SnapPlayer(pulse, amp, ports.stream, folder / f"{zone}.log",
                                  host_id=f"amp-{zone}"))  # fmt: skip
    channels = card_channels(pulse, "recorder", AMPS)
    try:
        for feed, server, player in zip(feeds.values(), servers, players, strict=True):
            feed.start()
            server.start()
            player.start()
        time.sleep(4)  # players connected, their buffers filled
        backlogs = FifoBacklogs({zone: feed.fifo for zone, feed in feeds.items()})
        least: dict[str, float] = {}
        watch = threading.Thread(target=lambda: least.update(backlogs.floor_ms(seconds)))
        t0 = time.monotonic()
        watch.start()  # while the clicks play
        pulse.play(click, sink="src")
        time.sleep(0.4)  # the transport's delay
        watch.join()
        backlogs.close()
        heard = [channels[amp].timeline(t0, time.monotonic())[1] for amp in AMPS]
        starts = [onsets(h) for h in heard]
        skews = []
        for s1 in starts[0]:
            s2 = starts[1][np.argmin(np.abs(starts[1] - s1))] if starts[1].size else None
            if s2 is not None and abs(s2 - s1) < RATE * 0.1:
                skews.append((s2 - s1) / RATE * 1000)
        return skews, least
    finally:
        channels[AMPS[0]].reader.stop()
        for player in players:
            player.kill()
        for server in servers:
            server.stop()
        for feed in feeds.values():
            feed.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--chunk-ms", type=int, nargs="+", default=[20])
    args = parser.parse_args()
    configs = {f"chunk {chunk} ms": chunk for chunk in args.chunk_ms}
    print(f"cores: {psutil.cpu_count()}, load average: {psutil.getloadavg()[0]:.2f}")
    results: dict[str, list[float]] = {name: [] for name in configs}
    per_round: dict[str, list[str]] = {name: [] for name in configs}
    with tempfile.TemporaryDirectory(prefix="snap-skew-") as tmp, PulseServer(shm=False) as pulse:
        folder = Path(tmp)
        click = clicks(folder / "clicks.wav", args.seconds)
        pulse.add_sink("src", rate=RATE, keep_clock=True)
        card_with_pairs(pulse, "recorder", AMPS, rate=RATE)
        for n in range(args.rounds):
            for name, config in configs.items():
                skews, least = one_round(pulse, folder / f"{config}-{n}", click, config,
                                         args.seconds)  # fmt: skip
                results[name] += [abs(v) for v in skews]
                mid = float(np.median(skews)) if skews else float("nan")
                per_round[name].append(
                    f"skew b2-b1 median {mid:+.1f} ms (spread {np.ptp(skews) if skews else 0:.1f})"
                    f", FIFO backlog floors b1 {least['b1']:.1f} b2 {least['b2']:.1f} ms"
                )
                print(f"round {n} {name}: {per_round[name][-1]}", flush=True)
    for name in configs:
        print(f"{name}: |skew| between the zones, every click of every round "
              f"{summary(results[name])}")  # fmt: skip
    print(f"load average after: {psutil.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""The live microphone's path: request -> first sample of the microphone in the zone.

A private PulseAudio server with two zones (null sinks) and a "microphone" saying a steady
1 kHz tone (tests/kit/microphone.py). Each round puts the microphone live on zone 1F with
``LiveMic``, holds it, and stops it. A reader (``parec``, 10 ms) on each zone's monitor stamps
every block as it arrives, so the first loud sample's time is known to within the reader's own
latency (the figure is an upper bound: it includes the ~10 ms the reader holds a block).
Prints, per loopback latency: request -> first sample in 1F (p50/p95/max), how long
``start()`` itself took, dropouts while live (10 ms windows below half the tone's level),
non-zero samples that reached 2F, and the CPU of the sound server and the recorder while a call
is live on both zones (against the server idle for as long). Dropouts are also counted in the
microphone itself (its feeder is a Python thread under the same load), to tell them apart.

Usage: .venv/bin/python bench/live_mic.py [--rounds 20] [--latency-ms 10,20,50]
                                           [--live-seconds 1.0] [--cpu-seconds 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import pct
from broadcaster.audio.live_mic import LiveMic
from tests.kit.cpu import cpu_seconds
from tests.kit.microphone import ToneMicrophone
from tests.kit.pulse import PulseServer
from tests.kit.stamped import RATE, StampedReader

LEVEL = 0.3  # the microphone's tone


def summary(name: str, values: list[float], unit: str = "ms") -> str:
    return (f"{name}: n={len(values)} p50={pct(values, 0.5):.1f} {unit} "
            f"p95={pct(values, 0.95):.1f} {unit} max={max(values):.1f} {unit}")  # fmt: skip


def dropouts(samples: np.ndarray) -> int:
    """10 ms windows whose peak is under half the tone's."""
    n = RATE // 100
    windows = samples[: len(samples) // n * n].reshape(-1, n)
    return int(np.count_nonzero(np.abs(windows).max(axis=1) < LEVEL / 2))


def run(pulse: PulseServer, mic: ToneMicrophone, latency: int, args: argparse.Namespace,
        recordings: Path) -> None:  # fmt: skip
    live = LiveMic(recordings=recordings, source=mic.source, latency_ms=latency, env=pulse.env)
    zone_1f, zone_2f = (
        StampedReader(pulse, "zone_1f.monitor"),
        StampedReader(pulse, "zone_2f.monitor"),
    )
    source = StampedReader(pulse, mic.source)  # the microphone itself: its own dropouts
    time.sleep(0.5)
    first, calls, gaps, missing, source_gaps = [], [], 0, 0, 0
    try:
        for _ in range(args.rounds):
            requested = time.monotonic()
            live.start(["zone_1f"])
            calls.append((time.monotonic() - requested) * 1000)
            time.sleep(args.live_seconds)
            stopped = time.monotonic()
            live.stop()
            heard = zone_1f.first_above(requested, LEVEL / 4)
            if heard is None or heard > stopped:
                missing += 1
            else:
                first.append((heard - requested) * 1000)
                # the steady part: 50 ms after the first sample until the stop
                gaps += dropouts(zone_1f.window(heard + 0.05, stopped - 0.02))
                source_gaps += dropouts(source.window(heard + 0.05, stopped - 0.02))
            time.sleep(0.3)  # the tail of the call clears the monitor
        leaked = zone_2f.nonzero()
    finally:
        for reader in (zone_1f, zone_2f, source):
            reader.stop()
    print(f"loopback latency_msec={latency}:")
    print("  " + summary("request -> first microphone sample in 1F", first))
    print("  " + summary("start() returned after", calls))
    print(f"  rounds without the tone: {missing}; 10 ms dropouts while live: {gaps} in 1F, "
          f"{source_gaps} in the microphone itself; "
          f"non-zero samples in 2F (not addressed): {leaked}")  # fmt: skip


def cpu_while_live(pulse: PulseServer, mic: ToneMicrophone, seconds: float,
                   recordings: Path) -> None:  # fmt: skip
    assert pulse._process is not None
    server = psutil.Process(pulse._process.pid)
    before, t0 = cpu_seconds([server]), time.monotonic()
    time.sleep(seconds)
    idle = (cpu_seconds([server]) - before) / (time.monotonic() - t0) * 100
    live = LiveMic(recordings=recordings, source=mic.source, env=pulse.env)
    live.start(["zone_1f", "zone_2f"])
    assert live._recorder is not None and live._recorder.process is not None
    ours = [server, psutil.Process(live._recorder.process.pid)]
    time.sleep(0.5)
    before, t0 = cpu_seconds(ours), time.monotonic()
    time.sleep(seconds)
    busy = (cpu_seconds(ours) - before) / (time.monotonic() - t0) * 100
    call = live.stop()
    print(f"CPU over {seconds:g} s (% of one core): sound server idle (tone playing into the "
          f"microphone) {idle:.1f} %; live on 2 zones, sound server + recorder {busy:.1f} % "
          f"(+{busy - idle:.1f} %); recording {call.recorded_s:.1f} s, "
          f"{call.file.stat().st_size / 1e6 if call.file else 0:.2f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--latency-ms", default="10,20,50")
    parser.add_argument("--live-seconds", type=float, default=1.0)
    parser.add_argument("--cpu-seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(f"cores: {psutil.cpu_count()}, load average: {psutil.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="live-mic-bench-") as tmp, PulseServer() as pulse:
        for zone in ("zone_1f", "zone_2f"):
            pulse.add_sink(zone, rate=RATE, keep_clock=True)
        with ToneMicrophone(pulse, freq=1000, level=LEVEL) as mic:
            for latency in (int(v) for v in args.latency_ms.split(",")):
                run(pulse, mic, latency, args, Path(tmp) / "recordings")
            cpu_while_live(pulse, mic, args.cpu_seconds, Path(tmp) / "recordings")
    print(f"load average after: {psutil.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Interrupt latency with real VLC, over HTTP.

Starts `broadcaster serve` with music playing into a private PulseAudio null sink, then sends
30 pages and 30 emergencies. Prints p50/p95/max of
- page: bed at duck level - request received (the engine's FADED time, from the event stream),
- emergency: voice started - request received (the play log's started_at, an engine timestamp),
and the daemon's RSS and CPU while it plays music alone for 60 s.

Usage: .venv/bin/python bench/interrupt_latency.py [--rounds 30] [--idle-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import pct
from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from broadcaster.db import make_engine
from broadcaster.settings import load_settings
from scripts_library.markup import parse
from scripts_library.voices.espeak import EspeakVoice
from tests.kit.accounts import as_role
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name}: n={len(values)} p50={pct(values, 0.5):.1f} ms p95={pct(values, 0.95):.1f} ms "
        f"max={max(values):.1f} ms"
    )


class EventLog:
    """Collects server-sent events in a background thread."""

    def __init__(self, url: str) -> None:
        self.events: list[dict] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read, args=(url,), daemon=True).start()

    def _read(self, url: str) -> None:
        kind = ""
        try:
            with httpx.stream("GET", url + "/api/v1/events", timeout=None,
                              headers=as_role(Role.ADMIN)) as stream:  # fmt: skip
                for line in stream.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        with self._lock:
                            self.events.append({"event": kind, **json.loads(line[6:])})
        except httpx.HTTPError:
            return  # the daemon stopped

    def wait(self, kind: str, after: int, timeout: float = 5.0, **match: object) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for event in self.events[after:]:
                    if event["event"] == kind and all(event.get(k) == v for k, v in match.items()):
                        return event
            time.sleep(0.005)
        raise TimeoutError(kind)

    def count(self) -> int:
        with self._lock:
            return len(self.events)


def ms(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--idle-seconds", type=float, default=60)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, PulseServer() as pulse:
        data = Path(tmp) / "data"
        make_tone(data / "music" / "bed.wav", 600, 330, level_db=-14)
        EspeakVoice().render(parse("请注意，这是一条测试广播。"), "zh-CN", data / "speech.wav")
        # As `broadcaster demo` does: tones exist before the daemon starts (making them at
        # start-up would load numpy into the daemon and inflate the RSS figure).
        Daemon(load_settings(data_dir=data)).ensure_tones()  # the chime, the profile's alert
        # Likewise the database exists and is migrated, as on any start after the first:
        # migrating loads Alembic (about 10 MB) into the process that does it.
        make_engine(f"sqlite:///{(data / 'broadcaster.db').resolve()}").dispose()
        daemon = DaemonProcess(
            data, env=pulse.env, audio__output="pulse", audio__device=pulse.sink
        ).start()
        try:
            events = EventLog(daemon.url)
            time.sleep(2)
            ducks, voices = [], []
            for _ in range(args.rounds):
                mark = events.count()
                body = {"file": "speech.wav", "chime": True, "times": 1}
                reply = daemon.post("/api/v1/pages", body)
                faded = events.wait("bed_faded", mark, volume_db=-15.0)
                row = daemon.get("/api/v1/log", params={"kind": "page", "limit": 1})[
                    0
                ]  # the newest
                ducks.append(ms(faded["at"], row["requested_at"]))
                daemon.send("POST", f"/api/v1/pages/{reply['id']}/cancel")
                events.wait("bed_faded", mark, volume_db=0.0)
            for _ in range(args.rounds):
                mark = events.count()
                daemon.post("/api/v1/emergency", {"file": "speech.wav", "title": "bench"})
                events.wait("voice_started", mark)
                row = daemon.get("/api/v1/log", params={"kind": "emergency", "limit": 1})[0]
                voices.append(ms(row["started_at"], row["requested_at"]))
                daemon.delete("/api/v1/emergency")
                events.wait("bed_faded", mark, volume_db=0.0, timeout=10)
            print(summary("page: bed at duck level after request", ducks))
            print(summary("emergency: voice started after request", voices))

            assert daemon.proc is not None
            proc = psutil.Process(daemon.proc.pid)
            time.sleep(3)
            cpu0, t0 = proc.cpu_times(), time.monotonic()
            peak = 0
            while time.monotonic() - t0 < args.idle_seconds:
                peak = max(peak, proc.memory_info().rss)
                time.sleep(1)
            cpu1, t1 = proc.cpu_times(), time.monotonic()
            busy = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
            status = daemon.get("/api/v1/status")
            print(
                f"music only for {t1 - t0:.0f} s: daemon RSS peak {peak / 2**20:.1f} MB, "
                f"CPU {100 * busy / (t1 - t0):.2f} % of one core; "
                f"bed {status['layers']['bed']['file']} at {status['layers']['bed']['position_ms']} ms"
            )
        finally:
            daemon.stop()


if __name__ == "__main__":
    main()

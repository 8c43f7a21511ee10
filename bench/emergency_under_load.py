"""Emergency request to voice on air, with the database locked by another process and a
library scan running, against the same with no load (issue 15: the air path never waits).

1. Makes ``--files`` real tagged music files (``tests.kit.music_files.make_library``, as
   ``bench/library_scan.py`` does) in the music folder, a bed tone, and an alert tone at
   3,150 Hz (a frequency nothing else plays, so its onset is found in the recording).
2. Starts ``broadcaster serve`` (real VLC) into a private PulseAudio null sink.
3. Without load: ``--tries`` emergencies, one at a time (request, on air, clear).
4. With load: a library scan of the files is asked for (``POST /library/scans``), and for each
   try another process takes the database's write lock (``BEGIN IMMEDIATE``) and holds it for
   ``--lock-seconds``; the emergency is sent ``--lead-seconds`` into it, when the daemon's
   writes are already waiting. The rows are read after the lock goes.
For each try: the API's answer time, voice started by the play log (its engine timestamp
``started_at`` minus ``requested_at``) and by the recorded sink (the alert's first sample on
the monitor minus the moment the request was sent; it includes the recorder's ~20 ms of
capture latency). A status poller asks ``/status`` every 200 ms throughout; any 5xx anywhere is
counted and printed. Prints p50/p95/max per figure and mode, and the ratio of the p95s.

Usage: .venv/bin/python bench/emergency_under_load.py [--tries 20] [--files 2000]
       [--lock-seconds 10] [--lead-seconds 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import pct
from broadcaster.db import make_engine
from scripts_library.tones import make_chime
from tests.kit.analysis import first_time_above, level_track, load_wav
from tests.kit.daemon_process import DaemonProcess
from tests.kit.db_lock import write_lock_held
from tests.kit.media import make_tone
from tests.kit.music_files import make_library
from tests.kit.pulse import PulseServer

ALERT_HZ = 3150.0
ONSET_DB = -30.0  # the alert plays at -12 dBFS; the bed has nothing at 3,150 Hz


def line(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: no values"
    return (f"{name}: n={len(values)} p50={pct(values, 0.5):.0f} ms p95={pct(values, 0.95):.0f} ms "
            f"max={max(values):.0f} ms")  # fmt: skip


class Poller:
    """Asks /status every 200 ms; counts answers, 5xx and the slowest answer."""

    def __init__(self, daemon: DaemonProcess) -> None:
        self.daemon, self.answers, self.errors, self.slowest_ms = daemon, 0, [], 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with httpx.Client(headers=self.daemon.headers, timeout=30) as client:
            while not self._stop.wait(0.2):
                t0 = time.monotonic()
                try:
                    reply = client.get(self.daemon.url + "/api/v1/status")
                except httpx.HTTPError as exc:
                    self.errors.append(f"status: {exc}")
                    continue
                self.slowest_ms = max(self.slowest_ms, (time.monotonic() - t0) * 1000)
                self.answers += 1
                if reply.status_code >= 500:
                    self.errors.append(f"status: {reply.status_code}")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def checked(reply: httpx.Response, errors: list[str], what: str) -> httpx.Response:
    if reply.status_code >= 500:
        errors.append(f"{what}: {reply.status_code} {reply.text[:200]}")
    return reply


def one_try(
    daemon: DaemonProcess, pulse: PulseServer, work: Path, n: int, errors: list[str]
) -> tuple[float, float | None]:
    """One emergency: (API answer ms, sink onset ms). The emergency is cleared after."""
    wav = work / f"try-{n}.wav"
    with pulse.record(wav) as recording, httpx.Client(headers=daemon.headers, timeout=30) as c:
        sent = time.monotonic()
        reply = checked(c.post(daemon.url + "/api/v1/emergency", json={"title": f"bench {n}"}),
                        errors, "emergency")  # fmt: skip
        answered = (time.monotonic() - sent) * 1000
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            status = checked(c.get(daemon.url + "/api/v1/status"), errors, "status").json()
            if (status.get("voice") or {}).get("kind") == "emergency" and status["layers"]["voice"][
                "playing"
            ]:
                break
            time.sleep(0.02)
        time.sleep(0.4)
        offset = sent - recording.started
    assert reply.status_code == 202, reply.text
    checked(httpx.delete(daemon.url + "/api/v1/emergency", headers=daemon.headers, timeout=30),
            errors, "clear")  # fmt: skip
    samples, rate = load_wav(wav)
    series = level_track(samples, rate, ALERT_HZ, 0.002, window_s=0.01)
    onset = first_time_above(series, ONSET_DB, after=max(0.0, offset - 0.05))
    wav.unlink()
    return answered, None if onset is None else (onset - offset) * 1000


def logged_ms(daemon: DaemonProcess, count: int) -> list[float]:
    """voice started - requested, from the play log's last ``count`` emergency rows."""
    rows = daemon.get("/api/v1/log", params={"kind": "emergency", "limit": 10000})
    rows = sorted(rows, key=lambda r: r["id"])[-count:]  # the log answers newest first
    return [(datetime.fromisoformat(r["started_at"]) - datetime.fromisoformat(r["requested_at"]))
            .total_seconds() * 1000 for r in rows if r["started_at"]]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=20)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--lock-seconds", type=float, default=10.0)
    parser.add_argument("--lead-seconds", type=float, default=3.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, PulseServer() as pulse:
        work = Path(tmp)
        data = work / "data"
        make_tone(data / "music" / "bed.wav", 600, 330, level_db=-14)
        t0 = time.monotonic()
        make_library(work / "made", args.files)  # moved into the scanned folder after step 3
        (work / "scan").mkdir()
        print(f"made {args.files} music files in {time.monotonic() - t0:.0f} s", flush=True)
        # The alert it listens for, long enough for the default profile (GB 50116: 8-20 s),
        # named in the settings: else the daemon plays the profile's own generated tone.
        alert = make_tone(data / "tones" / "alert.wav", 10.0, ALERT_HZ)
        make_chime(data / "tones" / "chime.wav")
        make_engine(f"sqlite:///{(data / 'broadcaster.db').resolve()}").dispose()
        daemon = DaemonProcess(
            data, env=pulse.env, audio__output="pulse", audio__device=pulse.sink,
            audio__alert=str(alert), library__folders=f'["{work / "scan"}"]',
        ).start()  # fmt: skip
        errors: list[str] = []
        try:
            poller = Poller(daemon)
            time.sleep(2)
            calm_api, calm_sink = [], []
            for n in range(args.tries):
                api, sink = one_try(daemon, pulse, work, n, errors)
                calm_api.append(api)
                if sink is not None:
                    calm_sink.append(sink)
                time.sleep(1.5)  # the music back
            calm_log = logged_ms(daemon, args.tries)

            (work / "scan").rmdir()
            (work / "made").rename(work / "scan")
            scan = daemon.send("POST", "/api/v1/library/scans", None)
            print(f"library scan {scan.get('id')} asked for; locking the database "
                  f"{args.lock_seconds:.0f} s around each try", flush=True)  # fmt: skip
            load_api, load_sink, faults = [], [], 0
            for n in range(args.tries):
                locked_at = time.monotonic()
                with write_lock_held(data / "broadcaster.db"):
                    time.sleep(args.lead_seconds)
                    api, sink = one_try(daemon, pulse, work, 100 + n, errors)
                    load_api.append(api)
                    if sink is not None:
                        load_sink.append(sink)
                    time.sleep(max(0.0, args.lock_seconds - (time.monotonic() - locked_at)))
                    # The emergency's rows have waited for seconds by now: the fault shows.
                    health = daemon.http.get(daemon.url + "/api/v1/health", timeout=30)
                    faults += health.status_code == 503
                deadline = time.monotonic() + 20
                while daemon.http.get(daemon.url + "/api/v1/health", timeout=30).status_code != 200:
                    if time.monotonic() > deadline:
                        errors.append("the database fault did not clear within 20 s")
                        break
                    time.sleep(0.1)
            load_log = logged_ms(daemon, args.tries)
            jobs = daemon.get("/api/v1/library/scans")
            poller.stop()

            print(f"\nno load ({args.tries} tries):")
            print("  " + line("API answered", calm_api))
            print("  " + line("voice started (play log)", calm_log))
            print("  " + line("voice started (recorded sink)", calm_sink))
            print(f"with the write lock held {args.lock_seconds:.0f} s around each try and a "
                  f"library scan of {args.files} files ({args.tries} tries; /health said 503 "
                  f"(database) before {faults} of the {args.tries} releases):")  # fmt: skip
            print("  " + line("API answered", load_api))
            print("  " + line("voice started (play log)", load_log))
            print("  " + line("voice started (recorded sink)", load_sink))
            if calm_sink and load_sink:
                print(f"ratio of p95 (recorded sink), load / no load: "
                      f"{pct(load_sink, 0.95) / pct(calm_sink, 0.95):.2f}")  # fmt: skip
            latest = jobs[0] if isinstance(jobs, list) and jobs else {}
            print(f"scan: {latest.get('status')} phase {latest.get('phase')} "
                  f"progress {latest.get('progress')} {latest.get('message') or ''}")  # fmt: skip
            print(f"/status polled {poller.answers} times, slowest {poller.slowest_ms:.0f} ms")
            print(f"5xx and errors: {len(errors) + len(poller.errors)}")
            for error in (errors + poller.errors)[:20]:
                print("  " + error)
        finally:
            daemon.stop()


if __name__ == "__main__":
    main()

"""Soak: 50 clients polling the status and holding the event stream, plus 5 writes a second,
for 5 minutes while music plays and a programme spot is due every minute.

Real daemon, real VLC into a private PulseAudio null sink whose monitor is recorded. Prints:
- API latency (client-side, asyncio httpx): p50 / p99 / max for the status polls and the writes,
  and any answer >= 500 or transport error;
- programme cues due in the window and how many were missed (not completed);
- the longest silence in the recorded air (10 ms windows under -50 dBFS);
- the daemon's RSS and CPU over the run.

    python bench/soak.py [--seconds 300] [--clients 50] [--writes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broadcaster.actors import Role
from broadcaster.db import make_engine
from scripts_library.tones import make_alert_tone, make_chime
from tests.kit.accounts import as_role
from tests.kit.analysis import longest_silence_seconds
from tests.kit.daemon_process import DaemonProcess
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer

HEADERS = as_role(Role.ADMIN)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def load(url: str, seconds: float, clients: int, writes: float) -> dict[str, object]:
    polls: list[float] = []
    posts: list[float] = []
    errors: list[str] = []
    events = 0
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients * 2 + 20, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=10, limits=limits) as http:

        async def poller(n: int) -> None:
            await asyncio.sleep(n / clients)  # spread over the first second
            while time.monotonic() < end:
                t0 = time.perf_counter()
                try:
                    reply = await http.get("/api/v1/status")
                    polls.append((time.perf_counter() - t0) * 1000)
                    if reply.status_code >= 500:
                        errors.append(f"status {reply.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"poll: {exc!r}")
                await asyncio.sleep(1.0)

        async def listener() -> None:
            nonlocal events
            try:
                async with http.stream("GET", "/api/v1/events", timeout=None) as stream:
                    async for line in stream.aiter_lines():
                        if line.startswith("event: "):
                            events += 1
                        if time.monotonic() > end:
                            return
            except httpx.HTTPError as exc:
                errors.append(f"stream: {exc!r}")

        async def writer() -> None:
            # Each pair is two writes: queue a one-second announcement, then cancel it.
            pause = 2.0 / writes
            while time.monotonic() < end:
                t0 = time.perf_counter()
                try:
                    made = await http.post("/api/v1/announcements",
                                           json={"file": "ann.wav", "title": "soak"})  # fmt: skip
                    posts.append((time.perf_counter() - t0) * 1000)
                    if made.status_code >= 500:
                        errors.append(f"post {made.status_code}")
                    elif made.status_code == 202:
                        t1 = time.perf_counter()
                        gone = await http.delete(f"/api/v1/queue/{made.json()['id']}")
                        posts.append((time.perf_counter() - t1) * 1000)
                        if gone.status_code >= 500:
                            errors.append(f"delete {gone.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"write: {exc!r}")
                await asyncio.sleep(max(0.0, pause - (time.perf_counter() - t0)))

        tasks = [poller(n) for n in range(clients)] + [listener() for _ in range(clients)]
        await asyncio.gather(*tasks, writer())
    return {"polls": polls, "posts": posts, "errors": errors, "events": events}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--writes", type=float, default=5.0, help="writes per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, PulseServer() as pulse:
        data = Path(tmp) / "data"
        for n, hz in enumerate((330, 392, 440, 494)):
            make_tone(data / "music" / f"track{n}.wav", 75, hz, level_db=-14)
        make_tone(data / "ann.wav", 1, 660, level_db=-10)
        make_tone(data / "spot.wav", 3, 880, level_db=-10)
        make_chime(data / "tones" / "chime.wav")
        make_alert_tone(data / "tones" / "alert.wav")
        make_engine(f"sqlite:///{(data / 'broadcaster.db').resolve()}").dispose()
        daemon = DaemonProcess(data, env=pulse.env, audio__output="pulse",
                               audio__device=pulse.sink, timezone="UTC").start()  # fmt: skip
        try:
            daemon.open_all_day()
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=20)
            stop = start + timedelta(seconds=args.seconds - 30)
            daemon.send("POST", "/api/v1/programme/rules", {
                "name": "soak spot", "kind": "recurring", "every_s": 60, "cut": True,
                "window_start": start.strftime("%H:%M:%S"), "window_end": stop.strftime("%H:%M:%S"),
                "spots": [{"kind": "speech", "ref": "spot.wav", "title": "spot"}],
            })  # fmt: skip
            time.sleep(3)  # the first track under way
            assert daemon.proc is not None
            proc = psutil.Process(daemon.proc.pid)
            cpu0, wall0, peak = proc.cpu_times(), time.monotonic(), 0
            with pulse.record(Path(tmp) / "air.wav"):
                result = asyncio.run(load(daemon.url, args.seconds, args.clients, args.writes))
                peak = proc.memory_info().rss
            cpu1, wall = proc.cpu_times(), time.monotonic() - wall0
            log = daemon.get("/api/v1/log", params={"kind": "announcement", "limit": 10000})
        finally:
            daemon.stop()
        silence = longest_silence_seconds(Path(tmp) / "air.wav")
    spots = [r for r in log if r["cue_key"]]
    due = [r for r in spots if r["planned_at"]]
    missed = [r for r in due if r["outcome"] != "completed"]
    polls, posts, errors = result["polls"], result["posts"], result["errors"]
    assert isinstance(polls, list) and isinstance(posts, list) and isinstance(errors, list)
    print(
        f"soak: {args.clients} clients polling /status every 1 s and holding /events, "
        f"{args.writes:g} writes/s, {args.seconds:g} s, music and a spot every minute"
    )
    print(
        f"status polls: n={len(polls)} p50={statistics.median(polls):.1f} ms "
        f"p99={pct(polls, 99):.1f} ms max={max(polls):.1f} ms (target p99 <= 50 ms)"
    )
    print(
        f"writes: n={len(posts)} p50={statistics.median(posts):.1f} ms "
        f"p99={pct(posts, 99):.1f} ms max={max(posts):.1f} ms"
    )
    print(
        f"events received on the streams: {result['events']}; errors: {len(errors)}"
        + (f" (first: {errors[0]})" if errors else "")
    )
    print(f"programme spots due: {len(due)}, missed: {len(missed)} (target 0)")
    print(f"longest silence on air: {silence * 1000:.0f} ms (target 0 ms)")
    print(
        f"daemon: RSS {peak / 2**20:.1f} MB at the end, CPU "
        f"{100 * ((cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)) / wall:.1f} %"
    )
    return 1 if errors or missed or silence > 0 else 0


if __name__ == "__main__":
    sys.exit(main())

"""Soak: 50 clients polling the status and holding the event stream, plus 5 writes a second,
for 5 minutes while music plays and a programme spot is due every minute.

Real daemon, real VLC into a private PulseAudio null sink whose monitor is recorded. Prints:
- API latency (client-side, asyncio httpx): p50 / p99 / max for the status polls and the writes,
  and any answer >= 500 or transport error;
- how late the load generator's own event loop woke (its lag is part of every latency above);
- programme cues due in the window and how many were missed (not completed);
- the longest silence in the recorded air (10 ms windows under -50 dBFS);
- the daemon's RSS and CPU over the run.

The load generator runs in its own process. On a machine with two or more CPUs it is pinned to
the first and the daemon (every thread) to the last, so the client's work does not queue behind
the daemon's on one core, as it would not in the mall (``--no-pin`` shares the CPUs as before;
the layout is printed). tests/test_soak_short.py runs the same ``soak`` for a few seconds.

With ``--backup-at S`` a `broadcaster backup` runs S seconds into the load (a separate process,
as a technician would run it); after the soak the archive is restored into another folder and
every play-log row that existed when the backup started must be there (printed: the backup's
time and size, the rows then and at the end, any row missing).

    python bench/soak.py [--seconds 300] [--clients 50] [--writes 5] [--no-pin] [--backup-at S]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from broadcaster.db import make_engine
from broadcaster.settings import load_settings
from tests.kit.accounts import as_role
from tests.kit.analysis import longest_silence_seconds
from tests.kit.backup_rows import BackupRun, backup_now, missing_rows, play_log_rows, restore
from tests.kit.daemon_process import DaemonProcess, free_port, zone_clear_of_midnight
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer

HEADERS = as_role(Role.ADMIN)
SPOT_EVERY_S = 60
SPOT_LEAD_S = 20.0  # the first spot after the daemon starts (sooner in a run shorter than 60 s)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class SoakResult:
    seconds: float
    clients: int
    writes: float
    layout: str
    polls: list[float] = field(default_factory=list)  # ms
    posts: list[float] = field(default_factory=list)  # ms
    errors: list[str] = field(default_factory=list)
    events: int = 0
    lag: list[float] = field(default_factory=list)  # ms the load generator's loop woke late
    due: int = 0
    missed: int = 0
    silence_s: float = 0.0
    rss: int = 0
    cpu_percent: float = 0.0
    backup: BackupRun | None = None
    rows_at_end: int = 0
    rows_missing: int = 0
    backup_note: str = ""
    backup_mb: float = 0.0

    @property
    def ok(self) -> bool:
        return (not self.errors and not self.missed and self.silence_s <= 0
                and not self.rows_missing and not self.backup_note)  # fmt: skip

    def _backup_lines(self) -> list[str]:
        if self.backup is None:
            return []
        return [
            f"backup during the load: {self.backup.seconds:.2f} s, {self.backup_mb:.2f} MB; "
            "play-log rows when "
            f"it started: {len(self.backup.before)}, at the end of the soak: {self.rows_at_end}",
            f"restored: {self.rows_missing} of the {len(self.backup.before)} rows missing (target 0)"
            + (f"; {self.backup_note}" if self.backup_note else ""),
        ]

    def report(self) -> str:
        def figures(values: list[float]) -> str:
            if not values:
                return "n=0"
            return (f"n={len(values)} p50={statistics.median(values):.1f} ms "
                    f"p99={pct(values, 99):.1f} ms max={max(values):.1f} ms")  # fmt: skip

        return "\n".join([
            f"soak: {self.clients} clients polling /status every 1 s and holding /events, "
            f"{self.writes:g} writes/s, {self.seconds:g} s, music and a spot every minute",
            f"layout: {self.layout}",
            f"status polls: {figures(self.polls)} (target p99 <= 50 ms)",
            f"writes: {figures(self.posts)}",
            f"load generator's loop lag: {figures(self.lag)}",
            f"events received on the streams: {self.events}; errors: {len(self.errors)}"
            + (f" (first: {self.errors[0]})" if self.errors else ""),
            f"programme spots due: {self.due}, missed: {self.missed} (target 0)",
            f"longest silence on air: {self.silence_s * 1000:.0f} ms (target 0 ms)",
            *self._backup_lines(),
            f"daemon: RSS {self.rss / 2**20:.1f} MB at the end, CPU {self.cpu_percent:.1f} %",
        ])  # fmt: skip


async def load(url: str, seconds: float, clients: int, writes: float) -> dict[str, object]:
    polls: list[float] = []
    posts: list[float] = []
    errors: list[str] = []
    lag: list[float] = []
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
            # Held until the end of the run exactly (not until the first line after it, which
            # could be a keep-alive 15 s later: the run's wall time and CPU share are the load's).
            nonlocal events
            deadline = asyncio.get_running_loop().time() + (end - time.monotonic())
            try:
                async with (
                    asyncio.timeout_at(deadline),
                    http.stream("GET", "/api/v1/events", timeout=None) as stream,
                ):
                    async for line in stream.aiter_lines():
                        if line.startswith("event: "):
                            events += 1
            except TimeoutError:
                pass
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

        async def lag_meter() -> None:
            # How late this loop wakes from a 50 ms sleep: the client's own share of a latency.
            while time.monotonic() < end:
                t0 = time.perf_counter()
                await asyncio.sleep(0.05)
                lag.append((time.perf_counter() - t0) * 1000 - 50)

        tasks = [poller(n) for n in range(clients)] + [listener() for _ in range(clients)]
        await asyncio.gather(*tasks, writer(), lag_meter())
    return {"polls": polls, "posts": posts, "errors": errors, "events": events, "lag": lag}


def run_load(
    url: str, seconds: float, clients: int, writes: float, cpus: set[int] | None
) -> dict[str, object]:
    """``load`` in this (child) process, on ``cpus`` if given."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    return asyncio.run(load(url, seconds, clients, writes))


def pin_process(pid: int, cpus: set[int]) -> None:
    """Every thread of ``pid`` (affinity is per thread; threads started later inherit it)."""
    for _ in range(2):  # a thread started while the first pass ran is caught by the second
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(ProcessLookupError):  # the thread ended meanwhile
                os.sched_setaffinity(int(task.name), cpus)


def layout_for(pin: bool) -> tuple[set[int] | None, set[int] | None, str]:
    """(the client's CPUs, the daemon's CPUs, how to say it)."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not pin or len(available) < 2:
        return None, None, "load generator in its own process, CPUs shared with the daemon"
    client, daemon = {available[0]}, set(available[1:])
    said = (f"load generator in its own process pinned to CPU {available[0]}, daemon (all its "
            f"threads) pinned to CPU {','.join(map(str, sorted(daemon)))}")  # fmt: skip
    return client, daemon, said


def soak(seconds: float, clients: int, writes: float, *, pin: bool = True,
         backup_at: float | None = None) -> SoakResult:  # fmt: skip
    client_cpus, daemon_cpus, layout = layout_for(pin)
    result = SoakResult(seconds, clients, writes, layout)
    with tempfile.TemporaryDirectory() as tmp, PulseServer() as pulse:
        data = Path(tmp) / "data"
        for n, hz in enumerate((330, 392, 440, 494)):
            make_tone(data / "music" / f"track{n}.wav", 75, hz, level_db=-14)
        make_tone(data / "ann.wav", 1, 660, level_db=-10)
        make_tone(data / "spot.wav", 3, 880, level_db=-10)
        Daemon(load_settings(data_dir=data)).ensure_tones()  # the chime, the profile's alert
        make_engine(f"sqlite:///{(data / 'broadcaster.db').resolve()}").dispose()
        # The spots' window is a time of day: a zone where it does not cross midnight.
        zone = zone_clear_of_midnight(timedelta(seconds=seconds + 60))
        daemon = DaemonProcess(data, env=pulse.env, audio__output="pulse",
                               audio__device=pulse.sink, timezone=zone)  # fmt: skip
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            warm = pool.submit(int)  # the load's process starts up while the daemon does
            try:
                daemon.start()
                assert daemon.proc is not None
                if daemon_cpus:
                    pin_process(daemon.proc.pid, daemon_cpus)
                daemon.open_all_day()
                lead = timedelta(seconds=min(SPOT_LEAD_S, seconds / 3))
                start = datetime.now(ZoneInfo(zone)).replace(microsecond=0) + lead
                stop = start + timedelta(seconds=max(seconds - 30, 1))
                daemon.send("POST", "/api/v1/programme/rules", {
                    "name": "soak spot", "kind": "recurring", "every_s": SPOT_EVERY_S, "cut": True,
                    "window_start": start.strftime("%H:%M:%S"),
                    "window_end": stop.strftime("%H:%M:%S"),
                    "spots": [{"kind": "speech", "ref": "spot.wav", "title": "spot"}],
                })  # fmt: skip
                time.sleep(3)  # the first track under way
                warm.result()
                proc = psutil.Process(daemon.proc.pid)
                cpu0, wall0 = proc.cpu_times(), time.monotonic()
                with pulse.record(Path(tmp) / "air.wav"):
                    running = pool.submit(run_load, daemon.url, seconds, clients, writes,
                                          client_cpus)  # fmt: skip
                    if backup_at is not None:
                        time.sleep(backup_at)
                        result.backup = backup_now(daemon.env, data, Path(tmp) / "soak.tar.gz")
                        result.backup_mb = result.backup.archive.stat().st_size / 1e6
                    loaded = running.result()
                    result.rss = proc.memory_info().rss
                cpu1, wall = proc.cpu_times(), time.monotonic() - wall0
                busy = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
                result.cpu_percent = 100 * busy / wall
                log = daemon.get(
                    "/api/v1/log", params={"order": "asc", "kind": "announcement", "limit": 10000}
                )
            finally:
                daemon.stop()
        result.silence_s = longest_silence_seconds(Path(tmp) / "air.wav")
        if result.backup is not None:
            result.rows_at_end = len(play_log_rows(data / "broadcaster.db"))
            restored = restore(result.backup.archive, Path(tmp) / "restored", free_port())
            if restored.returncode != 0:
                result.backup_note = f"restore failed: {restored.stderr.strip()}"
            else:
                result.rows_missing = len(missing_rows(result.backup.before,
                                                       Path(tmp) / "restored" / "broadcaster.db"))  # fmt: skip
    for name in ("polls", "posts", "errors", "lag"):
        setattr(result, name, loaded[name])
    result.events = int(loaded["events"])  # type: ignore[call-overload]
    due = [r for r in log if r["cue_key"] and r["planned_at"]]
    result.due = len(due)
    result.missed = sum(1 for r in due if r["outcome"] != "completed")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--writes", type=float, default=5.0, help="writes per second")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="let the load generator and the daemon share the CPUs")  # fmt: skip
    parser.add_argument("--backup-at", type=float, default=None, metavar="S",
                        help="run `broadcaster backup` S seconds into the load, then restore it")  # fmt: skip
    args = parser.parse_args()
    result = soak(args.seconds, args.clients, args.writes, pin=args.pin, backup_at=args.backup_at)
    print(result.report())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

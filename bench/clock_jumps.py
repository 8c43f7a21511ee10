"""Step the wall clock of a real daemon 2 minutes forward, then 2 minutes back, around programme
cues, and print what the play log says of each cue (the long version of
tests/broadcaster/programme/test_clock_jumps.py: it waits for the instants to come round again).

The step is made the way NTP makes it: only CLOCK_REALTIME moves (and time(), gettimeofday());
CLOCK_MONOTONIC and every sleep go on as they were. libfaketime cannot do that for this daemon
(0.9.10, Debian's): with FAKETIME_DONT_FAKE_MONOTONIC=1 it breaks clock_nanosleep(CLOCK_MONOTONIC,
TIMER_ABSTIME) — Python 3.11's time.sleep raises EINVAL and VLC's waits return at once, so a
120 s track "ends" after 0.6 s (libfaketime issue #426); without it CLOCK_MONOTONIC reads as
the wall clock and Python's timed lock waits (sem_clockwait) hang. So a 40-line LD_PRELOAD shim
is compiled here with `cc` (the offset in seconds is read from a file at every call).

    python bench/clock_jumps.py            # about 2.5 minutes

Time line (t: seconds of real time from the start; the daemon's wall clock is t+120 between the
steps): +120 s at t=2, back at t=12, a programme change at t=13 (the daemon plans again), the
end at t=140. Exit status 1 when a cue's rows are not the expected ones.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.daemon_process import DaemonProcess, zone_clear_of_midnight
from tests.kit.media import make_tone

SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long offset_ns(void) {
    const char *path = getenv("WALLSTEP_FILE");
    char buf[64];
    if (path == NULL) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    return (long long)(strtod(buf, NULL) * 1e9);
}

int clock_gettime(clockid_t id, struct timespec *tp) {
    static int (*real)(clockid_t, struct timespec *);
    if (real == NULL) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int result = real(id, tp);
    if (result == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
        long long ns = (long long)tp->tv_sec * 1000000000LL + tp->tv_nsec + offset_ns();
        tp->tv_sec = ns / 1000000000LL;
        tp->tv_nsec = ns % 1000000000LL;
    }
    return result;
}

int gettimeofday(struct timeval *tv, void *tz) {
    struct timespec ts;
    (void)tz;
    clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out != NULL) *out = ts.tv_sec;
    return ts.tv_sec;
}
"""
SHORT, LONG = "announcements/short.wav", "announcements/long.wav"  # 1 s, 6 s


@dataclass
class Cue:
    name: str
    wall: int  # planned: seconds after t0 on the daemon's wall clock
    grace_s: int
    media: str
    expect: str  # outcomes, in order
    what: str


CUES = [
    Cue("A", 8, 300, SHORT, "completed", "jumped over, within grace: plays late"),
    Cue("B", 9, 30, SHORT, "missed", "jumped over, past grace: logged missed"),
    Cue("F", 22, 300, SHORT, "completed", "jumped over, plays late; not again at t=22"),
    Cue("C", 128, 3, SHORT, "completed", "first after the jump: on time; not again at t=128"),
    Cue("V", 130, 30, LONG, "completed", "on air (t=10-16) when the clock is set back"),
    Cue("H", 133, 30, SHORT, "completed", "waits in the core at the step back: plays at t=133"),
]


def build_shim(folder: Path) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        sys.exit("clock_jumps: needs a C compiler (apt-get install gcc) for its wall-clock shim")
    source, library = folder / "wallstep.c", folder / "libwallstep.so"
    source.write_text(SHIM)
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source), "-ldl"],
                   check=True)  # fmt: skip
    return library


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="clock-jumps-") as tmp:
        folder = Path(tmp)
        step = folder / "step"
        step.write_text("0")
        data = folder / "data"
        make_tone(data / "music" / "bed.wav", 240, 330)
        make_tone(data / SHORT, 1, 880)
        make_tone(data / LONG, 6, 660)
        zone_name = zone_clear_of_midnight(timedelta(minutes=10))
        zone = ZoneInfo(zone_name)
        env = {"LD_PRELOAD": str(build_shim(folder)), "WALLSTEP_FILE": str(step)}
        daemon = DaemonProcess(data, env=env, audio__output="null", timezone=zone_name)
        keys: dict[str, str] = {}
        try:
            daemon.start()
            daemon.open_all_day()
            t0 = (datetime.now(UTC) + timedelta(seconds=1)).replace(microsecond=0)
            time.sleep((t0 - datetime.now(UTC)).total_seconds())
            start = time.monotonic()

            def until(t: float) -> None:
                time.sleep(max(0.0, start + t - time.monotonic()))

            def add_rule(name: str, wall: int, grace_s: int, media: str) -> str:
                when = (t0 + timedelta(seconds=wall)).astimezone(zone)
                rule = daemon.send("POST", "/api/v1/programme/rules", {
                    "name": name, "kind": "fixed", "at": when.strftime("%H:%M:%S"),
                    "grace_s": grace_s, "cut": True, "valid_from": when.date().isoformat(),
                    "content": {"kind": "speech", "ref": media, "title": name},
                })  # fmt: skip
                return f"{rule['id']}:{when.date().isoformat()}:0"

            for cue in CUES:
                keys[cue.name] = add_rule(cue.name, cue.wall, cue.grace_s, cue.media)
            until(2)
            step.write_text("120")
            print("t=2   the wall clock jumps +120 s", flush=True)
            until(12)
            step.write_text("0")
            print("t=12  the wall clock is set back 120 s", flush=True)
            until(13)
            add_rule("later", 3600, 60, SHORT)
            print("t=13  the programme changes (the daemon plans again); waiting until t=140",
                  flush=True)  # fmt: skip
            until(140)
            log: list[dict[str, Any]] = daemon.get(
                "/api/v1/log", params={"order": "asc", "limit": 10000}
            )
        finally:
            daemon.stop()

    failures = 0
    print("\nplanned and started: seconds after t0 on the daemon's wall clock")
    print(f"{'cue':4}{'planned':>8}{'grace':>6}  {'rows: outcome @ started':34}  expected")
    for cue in CUES:
        rows = [row for row in log if row["cue_key"] == keys[cue.name]]
        shown = [row["outcome"] + ("" if row["started_at"] is None else
                                   f" @ {(datetime.fromisoformat(row['started_at']) - t0).total_seconds():.1f}")
                 for row in rows]  # fmt: skip
        ok = [row["outcome"] for row in rows] == cue.expect.split()
        failures += not ok
        print(f"{cue.name:4}{cue.wall:>8}{cue.grace_s:>6}  {'; '.join(shown) or '(no row)':34}  "
              f"{'ok  ' if ok else 'FAIL'} {cue.expect}: {cue.what}")  # fmt: skip
        for row in rows:
            if row["detail"]:
                print(f"{'':20}{row['detail']}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

"""The library changes under a playing daemon (issue 14): the chaos the bed's test and
``bench/library_chaos.py`` share.

A real daemon (``DaemonProcess``: real VLC into a private PulseAudio null sink, recorded) plays
two sources in turn: first an in-order list playlist (made through the API, played by an
all-day daypart), then, after the daypart is switched to it, a shuffled folder playlist. While
each plays, its files are deleted, emptied, truncated, replaced by text, renamed to GBK names,
added and restored at random; halfway through each phase a rescan is asked for, and the list is
saved again (a playlist edit). From the recording and the play log it measures what a listener
and the supervisor would notice: the longest silence, back-to-back repeats, the in-order
list's continuity, failed rows per bad file, tracks played.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from playlists.names import path_text
from tests.kit.analysis import longest_silence_seconds
from tests.kit.daemon_process import DaemonProcess
from tests.kit.pulse import PulseServer

ACTIONS = ("delete", "empty", "truncate", "text", "rename_gbk", "add", "restore", "restore")


@dataclass
class Report:
    seconds: float = 0.0
    longest_silence_s: float = 0.0
    played: int = 0
    repeats: int = 0  # the same file twice in a row
    order_played: list[int] = field(default_factory=list)  # list positions, in play order
    order_backward_jumps: int = 0  # a later track followed by an earlier one, not at a round's end
    failed_rows: Counter[str] = field(default_factory=Counter)  # per file
    actions: Counter[str] = field(default_factory=Counter)
    faults: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        worst = max(self.failed_rows.values(), default=0)
        return [
            f"ran {self.seconds / 60:.1f} min; tracks played {self.played}",
            f"longest silence {self.longest_silence_s:.2f} s",
            f"back-to-back repeats {self.repeats}",
            f"in-order list: {len(self.order_played)} played, "
            f"{self.order_backward_jumps} jumps back (other than the end of a round)",
            f"failed rows: {sum(self.failed_rows.values())} for {len(self.failed_rows)} files, "
            f"at most {worst} per file",
            "chaos: " + ", ".join(f"{k} {v}" for k, v in sorted(self.actions.items())),
            f"faults shown: {sorted(set(self.faults)) or 'none'}",
        ]


def make_tracks(folder: Path, count: int, seconds: float, first_hz: float) -> list[Path]:
    """``count`` tracks of tones, a different pitch each, in four formats."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(count):
        path = folder / f"{n:02d}.{('mp3', 'ogg', 'flac', 'wav')[n % 4]}"
        hz = first_hz * 2 ** (n / 12)
        expr = f"0.25*sin(2*PI*{hz:.1f}*t)"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"aevalsrc={expr}|{expr}:s=44100:d={seconds}", str(path)],
                       check=True)  # fmt: skip
        made.append(path)
    return made


class Chaos:
    """Changes one phase's files at random; ``restore`` puts a file back as it was made."""

    def __init__(self, files: list[Path], spare: Path, rng: random.Random) -> None:
        self.files, self.rng = files, rng
        self.spare = spare
        spare.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copy2(path, spare / path.name)
        self.renamed: dict[Path, Path] = {}
        self.added = 0

    def step(self) -> str:
        action = self.rng.choice(ACTIONS)
        path = self.rng.choice(self.files)
        self._undo_rename(path)
        if action == "delete":
            path.unlink(missing_ok=True)
        elif action == "empty":
            path.write_bytes(b"")
        elif action == "truncate":
            data = (self.spare / path.name).read_bytes()
            path.write_bytes(data[: max(1, len(data) // 5)])
        elif action == "text":
            path.write_text("not music\n" * 200)
        elif action == "rename_gbk":
            if path.exists():
                target = Path(os.fsdecode(os.fsencode(path.parent) + b"/"
                                         + "月亮".encode("gbk") + os.fsencode(path.name)))  # fmt: skip
                path.rename(target)
                self.renamed[path] = target
        elif action == "add":
            self.added += 1
            shutil.copy2(self.spare / path.name, path.parent / f"new{self.added}{path.suffix}")
        else:
            shutil.copy2(self.spare / path.name, path)
        return action

    def restore_all(self) -> None:
        for path in self.files:
            self._undo_rename(path)
            shutil.copy2(self.spare / path.name, path)

    def _undo_rename(self, path: Path) -> None:
        target = self.renamed.pop(path, None)
        if target is not None and target.exists():
            target.rename(path)


def wait(what: str, check: Callable[[], Any], seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def run(
    work: Path,
    *,
    phase_s: float,
    tracks: int,
    track_s: float = 8.0,
    step_s: float = 3.0,
    seed: int = 14,
    log: Callable[[str], None] = lambda line: None,
) -> Report:
    """Both phases (``phase_s`` each) on ``tracks`` files per source; see the module docstring."""
    rng = random.Random(seed)
    data = work / "data"
    music = data / "music"
    ordered = make_tracks(music / "order", tracks, track_s, 300.0)
    shuffled = make_tracks(music / "shuffle", tracks, track_s, 350.0)
    report = Report()
    with PulseServer() as pulse:
        daemon = DaemonProcess(data, env=pulse.env, audio__output="pulse")
        daemon.start(timeout=40)
        try:
            daemon.open_all_day()
            scan = wait("the first scan", lambda: [j for j in daemon.get("/api/v1/library/scans")
                                                   if j["status"] == "done"], 120)  # fmt: skip
            log(f"scanned {scan[0]['files']} files")
            ids = track_ids(daemon, ordered)
            playlist = daemon.send("POST", "/api/v1/playlists", {
                "name": "in order", "kind": "list", "shuffle": False,
                "tracks": [{"track_id": i} for i in ids]})  # fmt: skip
            rule = daemon.send("POST", "/api/v1/programme/rules", {
                "name": "all day", "kind": "daypart", "start": "00:00", "end": "23:59",
                "playlist": "in order", "cut": True})  # fmt: skip
            wait("the list on air", lambda: "/order/" in (now_file(daemon) or ""), 30)
            began = time.monotonic()
            marks: list[float] = []
            with pulse.record(work / "air.wav"):
                first_id = max((r["id"] for r in log_rows(daemon)), default=0)
                for phase, files in (("order", ordered), ("shuffle", shuffled)):
                    if phase == "shuffle":
                        daemon.send("PATCH", f"/api/v1/programme/rules/{rule['id']}",
                                    {"playlist": "shuffle"})  # fmt: skip
                    marks.append(time.monotonic() - began)
                    chaos = Chaos(files, work / "spare" / phase, rng)
                    phase_began = time.monotonic()
                    edited = False
                    while time.monotonic() - phase_began < phase_s:
                        time.sleep(step_s)
                        report.actions[chaos.step()] += 1
                        if not edited and time.monotonic() - phase_began > phase_s / 2:
                            edited = True
                            daemon.send("POST", "/api/v1/library/scans", None)
                            daemon.send("PATCH", f"/api/v1/playlists/{playlist['id']}",
                                        {"tracks": [{"track_id": i} for i in ids]})  # fmt: skip
                        fault = daemon.get("/api/v1/status")["fault"]
                        if fault:
                            report.faults.append(fault.split(" / ")[0][:80])
                    chaos.restore_all()
            report.seconds = time.monotonic() - began
            rows = [r for r in log_rows(daemon) if r["id"] > first_id and r["kind"] == "music"]
        finally:
            daemon.stop()
    report.longest_silence_s = longest_silence_seconds(work / "air.wav")
    measure(report, rows, [path_text(p.resolve()) for p in ordered])
    return report


def measure(report: Report, rows: list[dict[str, Any]], order: list[str]) -> None:
    rows = sorted(rows, key=lambda r: r["id"])
    started = [r["media_path"] for r in rows if r["started_at"]]
    report.played = len(started)
    report.repeats = sum(1 for a, b in pairwise(started) if a == b)
    for r in rows:
        if r["outcome"] == "failed":
            report.failed_rows[r["media_path"]] += 1
    positions = [order.index(p) for p in started if p in order]
    report.order_played = positions
    head, tail = 3, len(order) - 3
    # Back to the top only from the end of a round (its last tracks may have been set aside).
    report.order_backward_jumps = sum(
        1 for a, b in pairwise(positions) if b <= a and not (b < head and a >= tail)
    )


def track_ids(daemon: DaemonProcess, paths: list[Path]) -> list[int]:
    page = daemon.get("/api/v1/library/tracks", params={"limit": 1000})
    by_path = {t["path"]: t["id"] for t in page["tracks"]}
    return [by_path[path_text(p.resolve())] for p in paths]


def log_rows(daemon: DaemonProcess) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = daemon.get("/api/v1/log", params={"limit": 10000})
    return rows


def now_file(daemon: DaemonProcess) -> str | None:
    """The file of the bed's open play-log row (the track on air)."""
    open_rows = [r for r in log_rows(daemon) if r["kind"] == "music" and r["ended_at"] is None]
    return max(open_rows, key=lambda r: r["id"])["media_path"] if open_rows else None

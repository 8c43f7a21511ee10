"""How loud a music track is: EBU R128 integrated loudness, measured by ffmpeg's ``ebur128``.

This is the same ITU-R BS.1770 measurement (K-weighting, 400 ms blocks, -70 LUFS absolute gate,
-10 LU relative gate) that the speech renderer makes with pyloudnorm
(``scripts_library.loudness``); the two agree within a few tenths of an LU on the same file. Music
is measured by ffmpeg instead because music files are long and many: ffmpeg decodes every format
and measures in one streaming pass, in C, without loading a track into memory, and the
``playlists`` package stays free of numpy.

The track is measured at its own rate and channel layout, on one thread: ebur128 takes 44.1 kHz
as it is, and resampling to 48 kHz first made it no faster. Most of the time goes to the true-peak
meter (4x oversampling); a 60 s stereo 44.1 kHz MP3 measures in about 0.3-0.45 s, 130-200x real
time (half that without true peak). The per-frame log is sent to the verbose level so that stderr
carries only the summary.

A silent track has no integrated loudness: its ``lufs`` is ``float("-inf")`` and ``gain_db``
gives it no gain; what else to do with it is the caller's choice.
"""

from __future__ import annotations

import math
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from playlists.errors import MusicError

SILENCE_LUFS = -70.0
"""The BS.1770 absolute gate: ebur128 reports this (or -inf) when every block is gated out."""

_SUMMARY = re.compile(r"Summary:(?P<body>.*)", re.S)
_INTEGRATED = re.compile(r"I:\s+(?P<lufs>-?(?:inf|[\d.]+))\s+LUFS")
_PEAK = re.compile(r"Peak:\s+(?P<peak>-?(?:inf|[\d.]+))\s+dBFS")
_POLL_S = 0.1  # how often a running measurement looks whether it should stop
_DURATION = re.compile(r"time=(?P<h>\d+):(?P<m>\d+):(?P<s>[\d.]+)")


class MeasureStopped(Exception):
    """The measurement was stopped before it finished: nothing was learnt about the track."""


class LoudnessError(MusicError):
    """The track's loudness cannot be measured: not audio, ffmpeg failed, or it took too long."""


@dataclass(frozen=True)
class TrackLoudness:
    lufs: float
    """Integrated loudness; ``-inf`` for silence."""
    true_peak_dbtp: float | None
    """Highest true (inter-sample) peak; ``None`` if ffmpeg did not report one."""
    duration_ms: int
    """The decoded audio's length."""


def measure_track(
    path: Path, *, timeout_s: float = 120, nice: int = 0, stop: threading.Event | None = None
) -> TrackLoudness:
    """Integrated loudness and true peak of a file's first audio stream; raises
    ``LoudnessError`` if the file cannot be measured within ``timeout_s`` seconds. ``nice``
    lowers ffmpeg's CPU priority (the daemon measures at 10, so playback always comes first).
    When ``stop`` is set meanwhile, ffmpeg is killed and ``MeasureStopped`` raised (a daemon
    stopping does not wait for a long track)."""
    name = path.name
    command = ["nice", "-n", str(nice)] if nice else []
    command += [
        "ffmpeg",
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-threads",
        "1",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-af",
        "ebur128=peak=true:framelog=verbose",
        "-f",
        "null",
        "-",
    ]
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError:
        raise LoudnessError(
            "ffmpeg cannot be started; install ffmpeg on the broadcast computer.",
            "无法启动 ffmpeg，请在广播电脑上安装 ffmpeg。",
        ) from None
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            _, errors = process.communicate(timeout=_POLL_S)
            break
        except subprocess.TimeoutExpired:
            stopped = stop is not None and stop.is_set()
            if stopped or time.monotonic() > deadline:
                process.kill()
                process.communicate()
                if stopped:
                    raise MeasureStopped(name) from None
                raise LoudnessError(
                    f"{name}: measuring took more than {timeout_s:g} s; the file may be damaged.",
                    f"{name}：测量响度超过 {timeout_s:g} 秒，文件可能已损坏。",
                ) from None
    stderr = errors.decode("utf-8", "replace")
    summary = _SUMMARY.search(stderr)
    integrated = _INTEGRATED.search(summary["body"]) if summary else None
    if process.returncode != 0 or integrated is None:
        raise LoudnessError(
            f"{name}: not a readable music file (damaged, or not audio); replace the file.",
            f"{name}：不是可读取的音乐文件（已损坏或不是音频），请更换该文件。",
        )
    lufs = float(integrated["lufs"])
    if lufs <= SILENCE_LUFS:
        lufs = float("-inf")
    assert summary is not None
    peak = _PEAK.search(summary["body"])
    return TrackLoudness(
        lufs=lufs,
        true_peak_dbtp=float(peak["peak"]) if peak else None,
        duration_ms=_duration_ms(stderr),
    )


def gain_db(
    lufs: float,
    target_lufs: float,
    *,
    true_peak_dbtp: float | None = None,
    ceiling_dbtp: float = -1.0,
    max_gain_db: float = 12.0,
) -> float:
    """The gain that brings a track measured at ``lufs`` to ``target_lufs``, clamped to
    ±``max_gain_db``; 0 for silence (``-inf``) or an unknown (NaN) reading.

    A quiet track is raised only as far as its true peak allows: its peaks stay at or under
    ``ceiling_dbtp`` (the bed has no limiter, so more would clip). Such a track then plays
    below the target; lowering a loud track is never limited."""
    if not math.isfinite(lufs):
        return 0.0
    gain = max(-max_gain_db, min(max_gain_db, target_lufs - lufs))
    if gain > 0 and true_peak_dbtp is not None and math.isfinite(true_peak_dbtp):
        gain = max(0.0, min(gain, ceiling_dbtp - true_peak_dbtp))
    return gain


def _duration_ms(stderr: str) -> int:
    # The null muxer's last progress line (printed even with -nostats) is the decoded length.
    times = _DURATION.findall(stderr)
    if not times:
        return 0
    h, m, s = times[-1]
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)

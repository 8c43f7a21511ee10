"""The rig of ``bench/zones.py`` (issue 16): its four zones, their sinks in either topology (one
card, or ``separate``), the streams that listen to them, and what it reads from them (the music
band's level in 20 ms windows, its gaps, when a zone's music is back)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import numpy as np
from scipy import signal as dsp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.daemon_process import DaemonProcess
from tests.kit.pulse import PulseServer
from tests.kit.snapcast import FifoBacklogs, SnapPlayer
from tests.kit.stamped import RATE, Channel, StampedReader
from tests.kit.zone_air import card_channels, card_with_pairs

ZONES = [
    {"id": "1F", "name_zh": "一楼", "name_en": "First floor", "sink": "zone_1f"},
    {"id": "2F", "name_zh": "二楼", "name_en": "Second floor", "sink": "zone_2f"},
    {"id": "B1", "name_zh": "地下一层", "name_en": "B1", "output": "snapcast", "stream": "b1"},
    {"id": "B2", "name_zh": "地下二层", "name_en": "B2", "output": "snapcast", "stream": "b2"},
]
LISTENERS = {"1F": "zone_1f", "2F": "zone_2f", "B1": "amp_b1", "B2": "amp_b2"}
LOCAL, REMOTE = ("1F", "2F"), ("B1", "B2")
MIX = {"B1 mix": "broadcaster_zone_B1", "B2 mix": "broadcaster_zone_B2"}  # the daemon's names
CARDS = {"card": LOCAL, "recorder": REMOTE}  # one card: the 4-channel sinks the zones' pairs are on
MUSIC, ALERT, SPEECH = (4500.0, 5500.0), (800.0, 1250.0), (250.0, 350.0)
LSB = 1.0 / 32768
WINDOW_S = 0.02  # music present: every 20 ms window at half its usual level or more
BACK_S = 0.5  # a zone is back once its music has been present this long


def band(samples: np.ndarray, lo: float, hi: float, order: int = 4) -> np.ndarray:
    if len(samples) < 64:
        return np.zeros(len(samples))
    sos = dsp.butter(order, [lo, hi], btype="bandpass", fs=RATE, output="sos")
    return np.asarray(dsp.sosfiltfilt(sos, samples))


def windows_rms(samples: np.ndarray) -> np.ndarray:
    n = int(RATE * WINDOW_S)
    whole = samples[: len(samples) // n * n].reshape(-1, n)
    return np.asarray(np.sqrt(np.mean(whole**2, axis=1)))


def make_sinks(pulse: PulseServer, *, separate: bool, mix: bool = False) -> None:
    """The local zones' sinks and the players' (see the docstring: one card, or separate);
    ``mix``: the Snapcast zones' own sinks too, on one 4-channel sink (``--mix-sink``)."""
    if mix:
        card_with_pairs(pulse, "mix", list(MIX.values()), rate=RATE)
    if separate:
        for zone, sink in LISTENERS.items():
            pulse.add_sink(sink, rate=RATE if zone in REMOTE else None, keep_clock=True)
        return
    for card, zones in CARDS.items():
        card_with_pairs(pulse, card, [LISTENERS[z] for z in zones],
                        rate=RATE if zones == REMOTE else None)  # fmt: skip


class ZoneBench:
    """The daemon, its zones' sinks and players, and the streams listening to them."""

    def __init__(self, pulse: PulseServer, d: DaemonProcess, players: dict[str, SnapPlayer],
                 *, separate: bool, backlogs: FifoBacklogs, mix: bool) -> None:  # fmt: skip
        self.pulse, self.d, self.players = pulse, d, players
        self.separate, self.backlogs, self.mix = separate, backlogs, mix
        self.taps: dict[str, Channel] = {}  # the Snapcast zones' own sinks (--mix-sink)
        self.streams: list[StampedReader] = []
        self.readers: dict[str, StampedReader | Channel] = {}
        self.music_rms: dict[str, float] = {}
        # The console's way: one connection kept open. A client made per request (httpx.post)
        # spends 35-70 ms loading certificates before it sends anything; that was counted in
        # the latency until this bench's run of issue 16's item 7 follow-up.
        self.http = httpx.Client(base_url=d.url, headers=d.headers, verify=d.verify, timeout=10)

    def listen(self) -> None:
        if self.mix:
            channels = card_channels(self.pulse, "mix", list(MIX.values()))
            self.taps = {tap: channels[sink] for tap, sink in MIX.items()}
            self.streams.append(next(iter(channels.values())).reader)
        if self.separate:
            own = [StampedReader(self.pulse, f"{sink}.monitor") for sink in LISTENERS.values()]
            self.readers = dict(zip(LISTENERS, own, strict=True))
            self.streams += own
            return
        self.readers = {}
        for card, zones in CARDS.items():
            channels = card_channels(self.pulse, card, [LISTENERS[z] for z in zones])
            self.readers.update({z: channels[LISTENERS[z]] for z in zones})
            self.streams.append(next(iter(channels.values())).reader)

    def deafen(self) -> None:
        for stream in self.streams:
            stream.stop()
        self.streams, self.readers, self.taps = [], {}, {}

    def status(self) -> dict:
        return self.d.get("/api/v1/status")["zones"]

    def music_rms_of(self, zone: str, t0: float, t1: float) -> np.ndarray:
        _, samples = self.readers[zone].timeline(t0, t1)
        return windows_rms(band(samples, *MUSIC))

    def calibrate(self) -> None:
        t1 = time.monotonic()
        for zone in LISTENERS:
            self.music_rms[zone] = float(np.median(self.music_rms_of(zone, t1 - 2, t1)))
        print("music level per zone (RMS, 5 kHz band): " + ", ".join(
            f"{z} {20 * np.log10(max(v, LSB)):.1f} dBFS" for z, v in self.music_rms.items()))  # fmt: skip

    # 4. recovery
    def back(self, zone: str, since: float, timeout: float = 20.0) -> float | None:
        """Seconds from ``since`` to the end of the zone's last gap in the music, once the
        music has been present for ``BACK_S``; 0 when there was no gap; None if not back."""
        deadline = since + timeout
        while time.monotonic() < deadline:
            time.sleep(0.25)
            times, samples = self.readers[zone].timeline(since, time.monotonic())
            levels = windows_rms(band(samples, *MUSIC))
            low = np.flatnonzero(levels < self.music_rms[zone] / 2)
            n = int(RATE * WINDOW_S)
            if not low.size:
                if time.monotonic() - since > 3:
                    return 0.0
                continue
            if len(levels) - 1 - low[-1] >= BACK_S / WINDOW_S:
                return float(times[min(len(times) - 1, (low[-1] + 1) * n)] - since)
        return None

    def back_text(self, zone: str, took: float | None, killed: float, offset: float) -> str:
        if took is not None:
            return f"music back {offset + took:.2f} s after the kill"
        now = time.monotonic()
        return (
            f"not back ({self.gaps(zone, now - 5, now)} of 250 20 ms windows under half "
            f"the music's level in the last 5 s, {now - killed:.0f} s after the kill)"
        )

    def gaps(self, zone: str, t0: float, t1: float) -> int:
        levels = self.music_rms_of(zone, t0, t1)
        return int(np.count_nonzero(levels < self.music_rms[zone] / 2))

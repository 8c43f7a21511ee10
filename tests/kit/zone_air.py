"""Listening to several zones at once, for the tests that run the real daemon with zones:
every zone's sink recorded while a block runs, a band's level in one zone's recording, a
zone's part of the daemon's status, and zones on channel pairs of one card read as one stream."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from tests.kit.analysis import band_level_db, load_wav
from tests.kit.daemon_process import DaemonProcess
from tests.kit.pulse import PulseServer
from tests.kit.stamped import Channel, StampedReader

TWO_FLOORS = [
    {"id": "1F", "name_zh": "一楼", "name_en": "First floor", "sink": "zone_1f"},
    {"id": "2F", "name_zh": "二楼", "name_en": "Second floor", "sink": "zone_2f"},
]  # two local zones, each on a null sink of its own (the kit's PulseServer.add_sink)
SINKS = {zone["id"]: zone["sink"] for zone in TWO_FLOORS}


@contextmanager
def recorded(
    pulse: PulseServer, folder: Path, name: str, sinks: Mapping[str, str]
) -> Iterator[dict[str, float]]:
    """Each zone's sink (``sinks``: zone id -> the sink its listener hears) recorded into
    ``folder/<name>-<zone>.wav`` while the block runs; the dict gets each file's start."""
    started: dict[str, float] = {}
    with ExitStack() as stack:
        for zone, sink in sinks.items():
            path = folder / f"{name}-{zone}.wav"
            recording = stack.enter_context(pulse.record(path, source=f"{sink}.monitor"))
            started[zone] = recording.started
        yield started


def level(folder: Path, name: str, zone: str, band: tuple[float, float], t0: float,
          t1: float | None) -> float:  # fmt: skip
    """The level of ``band`` (Hz) in ``zone``'s recording ``name``, from ``t0`` to ``t1`` s."""
    samples, rate = load_wav(folder / f"{name}-{zone}.wav")
    return band_level_db(samples, rate, *band, t0, t1)


def zone_status(d: DaemonProcess, zone: str) -> dict[str, Any]:
    return d.get("/api/v1/status")["zones"][zone]  # type: ignore[no-any-return]


CARD_MAP = "front-left,front-right,rear-left,rear-right"
PAIRS = ("front-left,front-right", "rear-left,rear-right")  # channels 0-1 and 2-3 of CARD_MAP


def card_with_pairs(pulse: PulseServer, card: str, sinks: Sequence[str], *,
                    rate: int | None = None) -> None:  # fmt: skip
    """A 4-channel null sink ``card`` (its monitor a faithful timeline) and each of ``sinks``
    (two at most) a remap sink on one channel pair of it: the README's recipe for local zones
    on one multi-channel card, and what a technician's multi-channel recorder on two
    amplifiers' inputs is. Its monitor read by one stream (``card_channels``) has every
    zone sample-aligned with the others."""
    pulse.add_sink(card, rate=rate, channels=4, channel_map=CARD_MAP, keep_clock=True)
    for sink, pair in zip(sinks, PAIRS, strict=False):
        pulse.pactl("load-module", "module-remap-sink", f"sink_name={sink}", f"master={card}",
                    "channels=2", f"master_channel_map={pair}",
                    "channel_map=front-left,front-right", "remix=no")  # fmt: skip


def card_channels(pulse: PulseServer, card: str, sinks: Sequence[str], *,
                  channel_map: str = CARD_MAP) -> dict[str, Channel]:  # fmt: skip
    """``card``'s monitor (``channel_map``: the card's own) read by one stamped stream: per
    sink of ``sinks``, in the order of their pairs, the left channel of its pair."""
    count = channel_map.count(",") + 1
    reader = StampedReader(pulse, f"{card}.monitor", channels=count, channel_map=channel_map)
    return {sink: reader.channel(2 * n) for n, sink in enumerate(sinks)}

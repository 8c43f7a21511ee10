"""Each configured zone's output, for the daemon (principle 13: a zone is an output).

1. A store with nothing configured has no zone outputs: the core plays on the one output, as
   before.
2. A ``local`` zone plays through VLC into its PulseAudio sink (a sound card's sink, or one
   channel pair of a multi-channel card through ``module-remap-sink``); no sink named: the
   audio section's device.
3. A ``snapcast`` zone plays through VLC into a null sink of its own on this PC
   (``broadcaster_zone_<id>``); its ``RemoteZone`` carries the sink's monitor through a small
   non-blocking pipe into one fixed stream of a ``snapserver`` of ours (one per remote zone,
   ports ``snapcast.port_base + 2 i`` and ``+ 2 i + 1``), which the players at the amplifiers
   (``snapclient``) play. Its watch reports the zone's fault (no player connected, the feed
   stalled, the server down) to ``report``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from broadcaster.audio.output import AudioOutput
from broadcaster.audio.remote_zone import FaultReport, RemoteZone
from broadcaster.audio.snapcast import SnapPorts
from broadcaster.bed_tracks import MusicSource
from broadcaster.clock import Clock
from broadcaster.settings import Settings
from broadcaster.speakers import ZoneOutput

SINK_PREFIX = "broadcaster_zone_"


def remote_sink(zone_id: str) -> str:
    return f"{SINK_PREFIX}{zone_id}"


def build_zone_outputs(
    settings: Settings,
    clock: Clock,
    *,
    music: Callable[[], MusicSource],
    report: FaultReport,
    given: Callable[[str], AudioOutput] | None = None,
) -> tuple[list[ZoneOutput], list[RemoteZone]]:
    """The zones' outputs (each with its own rotation of ``music()``) and the remote zones'
    transports, started (their sinks must exist before VLC opens them). ``given``: each
    zone's output by its id, made by the caller (tests' fakes: no VLC, no Snapcast)."""
    zones = settings.zone_map
    if zones.single:
        return [], []
    if given is not None:
        return [ZoneOutput(zone.id, given(zone.id), music()) for zone in zones], []
    make = _vlc_maker(settings)
    outputs: list[ZoneOutput] = []
    remotes: list[RemoteZone] = []
    workdir: Path = settings.data_dir / "snapcast"
    workdir.mkdir(parents=True, exist_ok=True)
    for zone in zones:
        if zone.output == "snapcast":
            remote = RemoteZone(
                zone.id, sink=remote_sink(zone.id), workdir=workdir, stream=zone.stream,
                ports=SnapPorts.for_zone(settings.snapcast.port_base, len(remotes)),
                buffer_ms=settings.snapcast.buffer_ms, bind=settings.snapcast.bind,
                report=report,
            )  # fmt: skip
            try:
                remote.start()
            except Exception:
                for started in remotes:
                    started.stop()
                raise
            remotes.append(remote)
            outputs.append(ZoneOutput(zone.id, make(clock, remote.sink), music()))
        else:
            outputs.append(ZoneOutput(zone.id, make(clock, zone.sink), music()))
    return outputs, remotes


def _vlc_maker(settings: Settings) -> Callable[[Clock, str | None], AudioOutput]:
    from broadcaster.audio.vlc_engine import VlcEngine
    from broadcaster.audio.vlc_output import VlcOutput

    audio = settings.audio
    engine = VlcEngine()  # one thread for every zone: what the core commands them all at
    # once (an emergency) reaches their players back to back (vlc_engine)

    def make(clock: Clock, sink: str | None) -> AudioOutput:
        if sink is None:  # the audio section's device (the default sink)
            return VlcOutput(clock, output=audio.output, device=audio.device,
                             file_caching_ms=audio.file_caching_ms, engine=engine)  # fmt: skip
        # A sink is PulseAudio's, whatever the audio section's output.
        return VlcOutput(clock, output="pulse", device=sink, file_caching_ms=audio.file_caching_ms,
                         engine=engine)  # fmt: skip

    return make

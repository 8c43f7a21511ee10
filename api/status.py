"""What is on air now, as one dict: for GET /api/v1/status, the event stream and the pages."""

from __future__ import annotations

from typing import Any

from broadcaster.bed import BED_LAYERS
from broadcaster.daemon import Daemon
from playlists.names import display_name


def current_status(daemon: Daemon) -> dict[str, Any]:
    core = daemon.core
    snapshot = core.snapshot()
    layers = {}
    # "bed" is whichever of the bed's two players carries the current track.
    bed_layer = (snapshot["bed"].get("now_playing") or {}).get("layer", BED_LAYERS[0])
    for name, layer in (("bed", bed_layer), ("voice", "voice")):
        state = daemon.output.layer_state(layer)
        layers[name] = {
            "playing": state.playing,
            "file": display_name(state.path.name) if state.path else None,  # GBK names too
            "position_ms": state.position_ms if state.playing else None,
            "volume_db": state.volume_db if state.playing else None,
        }
    return {"now": daemon.clock.now().isoformat(), "timezone": daemon.settings.timezone,
            "layers": layers, **snapshot, "fault": core.fault(),
            "next": daemon.scheduler.upcoming(5)}  # fmt: skip

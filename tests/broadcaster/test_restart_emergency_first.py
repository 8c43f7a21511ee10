"""After a crash with an emergency held, the restarted daemon puts nothing but the emergency on
air: the music bed does not start first (it used to play for ~50 ms and leave a music row
"stopped for an emergency at 0 s")."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from broadcaster.air_store import AirRequest
from broadcaster.audio.fake_output import FakeOutput
from broadcaster.bed import BED_LAYERS
from broadcaster.db import make_engine
from tests.api.conftest import start_daemon
from tests.kit.media import make_tone


def test_a_held_emergency_is_on_air_before_any_music_after_a_restart(tmp_path: Path):
    data = tmp_path / "data"
    make_tone(data / "music" / "bed.wav", 60, 220)
    fire = make_tone(data / "announcements" / "fire.wav", 2, 880)
    engine = make_engine(f"sqlite:///{(data / 'broadcaster.db').resolve()}")
    with Session(engine) as session:  # what a killed run leaves: the emergency it held
        session.add(AirRequest(request_id=7, kind="emergency", title="fire",
                               segments=[[str(fire), 2000]], requested_by="Zhou Min",
                               requested_at=datetime(2026, 11, 23, 1, 59, tzinfo=UTC)))  # fmt: skip
        session.commit()
    engine.dispose()

    daemon = start_daemon(data)
    try:
        assert isinstance(daemon.output, FakeOutput)
        daemon.core.call(lambda: None).result(10)  # everything posted at start is handled
        layers = [record.layer for record in daemon.output.history]
        assert layers and layers[0] == "voice", layers
        assert not [layer for layer in layers if layer in BED_LAYERS], layers
        snapshot = daemon.core.snapshot()
        assert snapshot["emergency"]["title"] == "fire" and snapshot["bed"]["mode"] == "stopped"
        assert [r.kind for r in daemon.playlog.query()] in ([], ["emergency"])  # no music row
        assert daemon.core.clear_emergency("test").result(5)
        # Music back: at once, or (while the start-up scan still fills the library) at the bed's
        # next look, which the virtual clock is moved on to.
        for _ in range(60):
            daemon.core.call(lambda: None).result(10)
            if [r.layer for r in daemon.output.history if r.layer in BED_LAYERS]:
                break
            daemon.clock.advance(1)
            time.sleep(0.05)
        assert [r.layer for r in daemon.output.history if r.layer in BED_LAYERS]  # music back
    finally:
        daemon.stop()

"""The music bed with real VLC (null output): bad tracks in the list cost no air time
and are logged once each."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.bed import BED_LAYERS
from broadcaster.clock import SystemClock
from broadcaster.db import make_engine
from broadcaster.station import build_station
from playlists.sources import track_list
from tests.kit.media import make_corrupt, make_empty, make_tone

pytestmark = pytest.mark.vlc


def test_corrupt_empty_and_missing_tracks_are_skipped_within_2_s_and_logged_failed(tmp_path):
    good1 = make_tone(tmp_path / "good1.wav", 2.0, 440)
    good2 = make_tone(tmp_path / "good2.ogg", 3.0, 660)
    corrupt = make_corrupt(tmp_path / "corrupt.mp3")
    empty = make_empty(tmp_path / "empty.mp3")
    missing = tmp_path / "missing.flac"
    clock = SystemClock()
    output = VlcOutput(clock, output="null")
    music = track_list([corrupt, good1, empty, missing, corrupt, good2])
    station = build_station(clock=clock, output=output, music=music, desk=False,
                            engine=make_engine(f"sqlite:///{tmp_path / 'log.db'}"))  # fmt: skip
    core, playlog = station.core, station.playlog
    stop = threading.Event()
    thread = threading.Thread(target=core.run_forever, args=(stop,), daemon=True)
    core.start()
    thread.start()
    try:
        began = time.monotonic()
        silent_since: float | None = began
        longest_silence, first_sound = 0.0, None
        while time.monotonic() - began < 7.0:
            now = time.monotonic()
            if any(output.layer_state(layer).playing for layer in BED_LAYERS):
                first_sound = first_sound or now - began
                if silent_since is not None:
                    longest_silence = max(longest_silence, now - silent_since)
                silent_since = None
            elif silent_since is None:
                silent_since = now
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(5)
        core.shutdown()
        output.close()

    assert first_sound is not None and first_sound < 2.0
    assert longest_silence < 2.0, f"the bed was silent for {longest_silence:.2f} s"
    rows = playlog.query(kinds=["music"])
    failed = [Path(r.media_path or "").name for r in rows if r.outcome == "failed"]
    # Listed twice, the corrupt file is one failure episode: logged once, then set aside.
    assert failed == ["corrupt.mp3", "empty.mp3", "missing.flac"]
    played = [Path(r.media_path or "").name for r in rows if r.outcome == "completed"]
    assert played[:2] == ["good1.wav", "good2.ogg"]
    assert all(r.detail for r in rows if r.outcome == "failed")

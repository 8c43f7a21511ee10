"""A daemon with zones plays a stream on each zone's sink from one process: whether a zone is
heard is asked of its own sink, so another zone's stream cannot hide the loss of its own (after
a PulseAudio restart, the zones whose streams did not come back stayed "heard" and silent)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from broadcaster.audio.pulse_probe import has_stream
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer


def test_a_stream_counts_only_on_its_own_sink(pulse_server: PulseServer, tmp_path: Path):
    tone = make_tone(tmp_path / "tone.wav", 5, 440)
    pulse_server.add_sink("zone_1f")
    pulse_server.add_sink("zone_2f")
    player = subprocess.Popen(["paplay", "--device=zone_2f", str(tone)],
                              env=pulse_server.child_env())  # fmt: skip
    try:
        deadline = time.monotonic() + 5
        while not pulse_server.sink_inputs() and time.monotonic() < deadline:
            time.sleep(0.05)
        inputs = pulse_server.pactl("list", "sink-inputs")
        sinks = pulse_server.pactl("list", "short", "sinks")
    finally:
        player.kill()
        player.wait(5)
    assert has_stream(inputs, sinks, player.pid, "zone_2f")
    assert not has_stream(inputs, sinks, player.pid, "zone_1f")  # 1F's stream is lost
    assert has_stream(inputs, sinks, player.pid, None)  # no sink named: any stream of ours
    assert not has_stream(inputs, sinks, player.pid + 1, "zone_2f")  # another process's
    assert not has_stream(inputs, sinks, player.pid, "no_such_sink")

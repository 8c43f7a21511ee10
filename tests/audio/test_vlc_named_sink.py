"""A named sink (a zone's, or ``audio.device``) keeps every item, not only the first: libvlc
opens a new audio output for a player whose item ended, on the default sink unless it is told
the device again. Heard on a private PulseAudio server: the named sink's monitor holds both
plays, the default sink's holds nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from broadcaster.audio.output import OutputEvent, OutputEventKind
from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.clock import SystemClock
from tests.kit.analysis import band_level_db, load_wav
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.waiting import wait_for

pytestmark = pytest.mark.vlc


def test_the_second_item_on_a_player_goes_to_the_named_sink_too(
    pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in pulse_server.env.items():  # VLC runs in this process: it reads our env
        monkeypatch.setenv(key, value)
    zone = pulse_server.add_sink("zone_2f", keep_clock=True)
    tone = make_tone(tmp_path / "tone.wav", 1.0, 300)
    events: list[OutputEvent] = []
    output = VlcOutput(SystemClock(), output="pulse", device=zone)
    output.start(events.append)

    def ended(token: int) -> bool:
        return any(e.token == token and e.kind == OutputEventKind.ENDED for e in list(events))

    try:
        with (
            pulse_server.record(tmp_path / "zone.wav", source=f"{zone}.monitor") as in_zone,
            pulse_server.record(tmp_path / "default.wav") as in_default,
        ):
            output.play("voice", tone, token=1)
            wait_for("the first play to end", lambda: ended(1), 10)
            second = time.monotonic()
            output.play("voice", tone, token=2)
            wait_for("the second play to end", lambda: ended(2), 10)
    finally:
        output.close()
    samples, rate = load_wav(tmp_path / "zone.wav")
    start = second - in_zone.started + 0.2
    assert band_level_db(samples, rate, 270, 330, start, start + 0.6) > -30  # heard there
    default, rate = load_wav(tmp_path / "default.wav")
    assert band_level_db(default, rate, 270, 330, 0, None) < -80  # not a sample elsewhere
    assert in_default.started  # recorded the whole time

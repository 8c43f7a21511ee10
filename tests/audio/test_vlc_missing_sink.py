"""A PulseAudio sink named in the settings that the server does not have is a fault a person
sees at start, naming the sinks there are (read from libvlc's own device list)."""

from __future__ import annotations

import time

import pytest

from broadcaster.audio.output import OutputEvent, OutputEventKind
from broadcaster.audio.output_health import DEVICE_FAULT
from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.clock import SystemClock
from tests.kit.pulse import PulseServer

pytestmark = pytest.mark.vlc


def test_a_sink_the_server_lacks_is_a_fault_naming_the_sinks_it_has(
    pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in pulse_server.env.items():  # VLC runs in this process: it reads our env
        monkeypatch.setenv(key, value)
    events: list[OutputEvent] = []
    output = VlcOutput(SystemClock(), output="pulse", device="hall-2f")
    output.start(events.append)
    try:
        deadline = time.monotonic() + 5.0
        while not [e for e in list(events) if e.kind == OutputEventKind.FAULT]:
            assert time.monotonic() < deadline, "no fault for a missing sink"
            time.sleep(0.02)
        sinks = output.diagnostics()["devices"]
        assert pulse_server.sink in sinks
        fault = DEVICE_FAULT.format(device="hall-2f", found=sinks)
        assert output.fault() == fault
        assert [e.detail for e in events if e.kind == OutputEventKind.FAULT] == [fault]
        assert "PulseAudio sink 'hall-2f' was not found" in fault and "找不到" in fault
    finally:
        output.close()

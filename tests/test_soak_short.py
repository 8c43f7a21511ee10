"""A short soak: the bench's soak (bench/soak.py, the same code) for 12 s with 10 clients
polling the status and holding the event stream, 2 writes a second, music and a programme
spot, against the real daemon playing into a PulseAudio null sink.

It asserts what must hold under load: no server error or dropped connection, every stream
told of the changes, the spot played in full, and never a moment of silence on air. How fast
the answers came is measured by the bench, not asserted here (this machine's load is not the
daemon's doing). The CPUs are left to the scheduler (no pinning): nothing here is timed."""

from __future__ import annotations

import shutil

import pytest

from bench.soak import soak

# serial: it records the air and counts a 10 ms dropout as silence; the parallel part's load
# starved the player once (20 ms) on a 2-core machine
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.serial,
    pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="pulseaudio not installed"),
]

SECONDS = 12
CLIENTS = 10
WRITES = 2.0


def test_a_short_soak_has_no_errors_misses_no_spot_and_never_goes_silent():
    result = soak(SECONDS, CLIENTS, WRITES, pin=False)
    report = result.report()
    assert result.errors == [], report
    assert result.due >= 1 and result.missed == 0, report  # the spot came due and played
    assert result.silence_s == 0, report
    # Every stream had its first status; the writes' changes came on top of that.
    assert result.events > CLIENTS, report
    assert len(result.polls) >= CLIENTS * (SECONDS - 2), report
    assert len(result.posts) >= WRITES * (SECONDS - 2), report

"""Pytest fixtures of the test kit. Use them from a test module with

    from tests.kit.fixtures import pulse_server  # noqa: F401  (a fixture, used by name)

or, for the whole suite, ``pytest_plugins = ["tests.kit.fixtures"]`` in the top conftest.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.kit.pulse import PulseServer


@pytest.fixture
def pulse_server() -> Iterator[PulseServer]:
    """A private PulseAudio server with a null sink, fresh for each test (it starts in ~0.1 s,
    and no stream or recording can leak from one test into another). Skips the test only if
    PulseAudio is not installed; any other failure to start is an error, with the server's log.
    """
    if shutil.which("pulseaudio") is None:
        pytest.skip("pulseaudio is not installed (Debian packages pulseaudio, pulseaudio-utils)")
    with PulseServer() as server:
        yield server

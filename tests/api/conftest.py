"""A daemon on a fake output and a virtual clock, with a test client for its API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import FakeClock
from broadcaster.daemon import Daemon
from broadcaster.settings import load_settings
from tests.kit.factories import T0
from tests.kit.media import make_corrupt, make_empty, make_tone


def start_daemon(data: Path, **settings: object) -> Daemon:
    clock = FakeClock(T0)
    d = Daemon(
        load_settings(data_dir=data, audio={"output": "null"}, **settings),
        clock=clock,
        output=FakeOutput(clock),
    )
    d.start()
    return d


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 120, 220)
    make_tone(data / "announcements" / "hello.wav", 2, 440)
    make_corrupt(data / "announcements" / "corrupt.mp3")
    make_empty(data / "announcements" / "empty.wav")
    (tmp_path / "secret.wav").write_bytes((data / "announcements" / "hello.wav").read_bytes())
    d = start_daemon(data)
    yield d
    d.stop()


@pytest.fixture
def client(daemon: Daemon) -> Iterator[TestClient]:
    with TestClient(create_app(daemon)) as c:
        yield c

"""A daemon on a fake output and a virtual clock, with a test client for its API. It starts
without the live scheduler (APScheduler) and without warming the render worker unless a test
needs them: ``@pytest.mark.scheduler`` on a test (or ``start_daemon(..., scheduler=True)``) runs
the scheduler; the render worker starts on the first render and serves every later daemon of
the test process (tests/kit/render_workers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from broadcaster.audio.fake_output import FakeOutput
from broadcaster.clock import FakeClock
from broadcaster.daemon import Daemon
from broadcaster.settings import load_settings
from broadcaster.simulation import VirtualDriver
from tests.kit.accounts import api_client
from tests.kit.factories import T0
from tests.kit.media import make_corrupt, make_empty, make_tone, tones_made_once
from tests.kit.render_workers import shared_render_workers


def start_daemon(
    data: Path, *, scheduler: bool = False, scan: bool = False, **settings: object
) -> Daemon:
    clock = FakeClock(T0)
    d = Daemon(
        load_settings(data_dir=data, audio={"output": "null"}, **settings),
        clock=clock,
        output=FakeOutput(clock),
        zone_output=lambda zone: FakeOutput(clock),  # with zones configured: one each
        scheduler=scheduler,
        warm_renderer=False,  # the worker starts on the first render, in the tests that render
        render_workers=shared_render_workers(),  # and serves this process's later daemons
        scan_at_start=scan,  # the library's first scan (ffmpeg measuring every file), if asked
    )
    audio = d.settings.audio  # the tones it generates: those not configured
    with tones_made_once(*(p for p, set_ in ((d.chime, audio.chime), (d.alert, audio.alert))
                           if set_ is None)):  # fmt: skip
        d.start()
    return d


@pytest.fixture
def daemon(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Daemon]:
    data = tmp_path / "data"
    make_tone(data / "music" / "a.wav", 120, 220)
    make_tone(data / "announcements" / "hello.wav", 2, 440)
    make_corrupt(data / "announcements" / "corrupt.mp3")
    make_empty(data / "announcements" / "empty.wav")
    (tmp_path / "secret.wav").write_bytes((data / "announcements" / "hello.wav").read_bytes())
    d = start_daemon(data, scheduler=request.node.get_closest_marker("scheduler") is not None)
    yield d
    d.stop()


@pytest.fixture
def client(daemon: Daemon) -> Iterator[TestClient]:
    with api_client(daemon) as c:
        yield c


@pytest.fixture
def run_for(daemon: Daemon) -> Callable[[float], None]:
    """Let ``seconds`` of virtual time pass: on the core thread, jump from one due event (an
    output's end, a timer) to the next, as the day simulator does, so plays end and repeats
    come due in order without a real second passing."""

    clock, output = daemon.clock, daemon.output
    assert isinstance(clock, FakeClock) and isinstance(output, FakeOutput)
    driver = VirtualDriver(clock, output, daemon.core)

    def run(seconds: float) -> None:
        daemon.core.call(driver.run_for, seconds).result(30)

    return run

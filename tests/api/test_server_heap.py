"""The served daemon settles its start-up heap before it answers, so the garbage collector's
full passes (which stop every thread) no longer walk it: the soak's slowest answers were those
passes (bench/soak.py)."""

from __future__ import annotations

import gc
import signal
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn

from api import server


@pytest.fixture
def unfrozen():
    """Whatever a test freezes goes back to the collector afterwards (the rest of the run)."""
    yield
    gc.unfreeze()


def test_settling_takes_the_start_up_heap_out_of_full_collections(unfrozen):
    tracked = len(gc.get_objects())
    server.settle_heap()
    assert gc.get_freeze_count() > tracked // 2  # the start-up heap: left alone from now on
    assert len(gc.get_objects()) < tracked // 10  # what a full pass still walks
    made_later = [[n] for n in range(1000)]
    assert gc.is_tracked(made_later[0]) and len(gc.get_objects()) >= 1000  # still collected


class FakeDaemon:
    def __init__(self, settings: Any) -> None:
        self.settings = settings

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def alive(self) -> bool:
        return True


def test_serve_settles_the_heap_after_start_up_and_before_it_answers(monkeypatch, unfrozen):
    frozen_when_serving: list[int] = []

    def run(self: uvicorn.Server, sockets: Any = None) -> None:
        frozen_when_serving.append(gc.get_freeze_count())
        self.should_exit = True  # the ready thread stops waiting

    async def app(scope: Any, receive: Any, send: Any) -> None: ...

    monkeypatch.setattr(server, "Daemon", FakeDaemon)
    monkeypatch.setattr(server, "create_app", lambda daemon: app)
    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # the test runner's handlers stay
    gc.unfreeze()
    settings = SimpleNamespace(http=SimpleNamespace(host="127.0.0.1", port=0, uses_tls=False))
    server.serve(settings)  # type: ignore[arg-type]
    assert frozen_when_serving and frozen_when_serving[0] > 0

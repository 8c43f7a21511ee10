"""Our snapserver's log stays quiet while the zone's watch asks it every second who is
connected: snapserver 0.26 logs an error for every control connection closed by its client,
which would grow its log by a line a second per zone, for ever (86 400 lines a day)."""

from __future__ import annotations

from pathlib import Path

import pytest

from broadcaster.audio.pipe_feed import make_fifo
from broadcaster.audio.snapcast import SnapPorts, SnapServer
from tests.kit.snapcast import SNAPCAST, free_ports
from tests.kit.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not SNAPCAST, reason="snapcast not installed")]


def test_asking_who_is_connected_leaves_nothing_in_the_log(tmp_path: Path):
    base = free_ports(2)
    make_fifo(tmp_path / "zone.fifo")
    server = SnapServer("zone", tmp_path / "zone.fifo", tmp_path / "zone", SnapPorts(base, base + 1),
                        bind="127.0.0.1")  # fmt: skip
    server.start()
    try:
        wait_for("the server answering", lambda: server.players() is not None, 10)
        for _ in range(5):
            assert server.players() == []
    finally:
        server.stop()
    log = (tmp_path / "zone" / "snapserver.log").read_text()
    assert "ControlSession" not in log, log

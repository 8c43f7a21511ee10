"""The benches' look at a remote zone's FIFO: the sound waiting in it, without taking any."""

from __future__ import annotations

import os
from pathlib import Path

from broadcaster.audio.pipe_feed import BLOCK_BYTES, make_fifo
from tests.kit.snapcast import FifoBacklogs


def test_the_backlog_is_the_sound_waiting_and_looking_takes_none_of_it(tmp_path: Path):
    fifo = tmp_path / "b1.fifo"
    make_fifo(fifo)
    feed = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # as PipeFeed holds it
    backlogs = FifoBacklogs({"B1": fifo})
    try:
        assert backlogs.floor_ms(0.01) == {"B1": 0.0}
        os.write(feed, b"\0" * BLOCK_BYTES)  # one 20 ms block
        assert backlogs.floor_ms(0.01) == {"B1": 20.0}
        assert backlogs.floor_ms(0.01) == {"B1": 20.0}  # still all there
        assert len(os.read(feed, 2 * BLOCK_BYTES)) == BLOCK_BYTES
    finally:
        backlogs.close()
        os.close(feed)

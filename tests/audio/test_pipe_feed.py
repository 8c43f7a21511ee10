"""The feed into a remote zone's snapserver never lets a backlog build in the FIFO (the delay
stays bounded) yet keeps the newest sound, and never splits a frame (a split frame swaps the
channels and turns the rest of the stream to noise)."""

from __future__ import annotations

import os
from pathlib import Path

from broadcaster.audio.pipe_feed import BLOCK_BYTES, FRAME_BYTES, MAX_QUEUED_BYTES, PipeFeed


def blocks(count: int) -> list[bytes]:
    return [bytes([n]) * BLOCK_BYTES for n in range(1, count + 1)]


def test_the_oldest_sound_goes_when_the_server_is_behind(tmp_path: Path):
    feed = PipeFeed("unused.monitor", tmp_path / "zone.fifo")
    feed.start()
    feed._stop.set()  # no parec: the test writes itself
    reader = os.open(tmp_path / "zone.fifo", os.O_RDONLY | os.O_NONBLOCK)
    try:
        sent = blocks(6)
        for block in sent:  # the server reads nothing meanwhile
            feed.put(block)
        waiting = os.read(reader, 1 << 16)
        assert len(waiting) == MAX_QUEUED_BYTES  # 40 ms, not 120
        assert waiting == sent[-2] + sent[-1]  # the newest sound, whole
        assert feed.dropped_bytes == 4 * BLOCK_BYTES and feed.dropped_blocks == 0

        feed.put(sent[0])  # room again: nothing dropped
        assert os.read(reader, 1 << 16) == sent[0]
    finally:
        os.close(reader)
        feed.stop()


def test_frames_are_never_split(tmp_path: Path):
    feed = PipeFeed("unused.monitor", tmp_path / "zone.fifo")
    feed.start()
    feed._stop.set()
    reader = os.open(tmp_path / "zone.fifo", os.O_RDONLY | os.O_NONBLOCK)
    try:
        frames = bytes(range(256)) * FRAME_BYTES * 4
        feed.put(frames[:1001])  # parec's read ended inside a frame
        assert len(os.read(reader, 1 << 16)) == 1000
        feed.put(frames[1001:2000])
        assert os.read(reader, 1 << 16) == frames[1000:2000]
        for _ in range(7):  # dropping keeps to whole frames too
            feed.put(frames[:1002])
            feed.put(frames[1002:2000])
        assert len(os.read(reader, 1 << 16)) % FRAME_BYTES == 0
    finally:
        os.close(reader)
        feed.stop()

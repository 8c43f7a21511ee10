"""The event stream's fan-out: every open stream gets every change, in order, while each change
is given its status and encoded once, however many streams are open."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api import events
from broadcaster.clock import FakeClock
from broadcaster.loop import EventLoop
from tests.kit.factories import T0

STREAMS = 20


class CountingStatus:
    """A status that says how many times it was built."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        return {"built": self.calls}


def parse(chunk: bytes) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for block in chunk.decode().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        if lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


async def read(stream: AsyncIterator[bytes], count: int) -> list[tuple[str, dict[str, Any]]]:
    got: list[tuple[str, dict[str, Any]]] = []
    async with asyncio.timeout(5):
        while len(got) < count:
            got += parse(await anext(stream))
    return got


def from_core_thread(core: EventLoop, changes: list[tuple[str, dict[str, Any]]]) -> None:
    """The core tells its listeners on its own thread, never the server's."""
    thread = threading.Thread(target=lambda: [core._changed(k, d) for k, d in changes])
    thread.start()
    thread.join()


def test_every_stream_gets_every_change_in_order_and_each_is_encoded_once():
    core, status = EventLoop(FakeClock(T0)), CountingStatus()

    async def main() -> None:
        streams = [events.event_stream(core, status) for _ in range(STREAMS)]
        for stream in streams:
            assert await read(stream, 1) == [("status", {"built": status.calls})]
        assert len(core._listeners) == 1  # one subscription for all the streams
        from_core_thread(core, [("queued", {"id": n}) for n in range(5)])
        got = [await read(stream, 5) for stream in streams]
        assert all(g == got[0] for g in got)  # the same events, the same status, the same bytes
        assert [(kind, data["id"]) for kind, data in got[0]] == [("queued", n) for n in range(5)]
        assert status.calls == STREAMS + 5  # one per stream opened, then one per change
        for stream in streams:
            await stream.aclose()  # type: ignore[attr-defined]
        assert core._listeners == []  # the last stream to close lets go of the core

    asyncio.run(main())


def test_a_client_that_falls_behind_loses_the_oldest_changes_and_keeps_the_rest():
    core, status = EventLoop(FakeClock(T0)), CountingStatus()

    async def main() -> None:
        slow, quick = events.event_stream(core, status), events.event_stream(core, status)
        await read(slow, 1)
        await read(quick, 1)
        for batch in range(3):
            from_core_thread(core, [("queued", {"id": batch * 100 + n}) for n in range(100)])
            await asyncio.sleep(0)  # the loop fans the batch out
            assert [d["id"] for _, d in await read(quick, 100)][-1] == batch * 100 + 99
        behind = [d["id"] for _, d in await read(slow, events.BACKLOG)]
        everything = [b * 100 + n for b in range(3) for n in range(100)]
        assert behind == everything[-events.BACKLOG :]
        await slow.aclose()  # type: ignore[attr-defined]
        await quick.aclose()  # type: ignore[attr-defined]

    asyncio.run(main())


def test_a_quiet_stream_is_kept_alive(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(events, "HEARTBEAT_S", 0.05)
    core = EventLoop(FakeClock(T0))

    async def main() -> None:
        stream = events.event_stream(core, CountingStatus())
        await read(stream, 1)
        async with asyncio.timeout(2):
            assert await anext(stream) == events.KEEP_ALIVE
        from_core_thread(core, [("queued", {"id": 7})])
        assert [k for k, _ in await read(stream, 1)] == ["queued"]
        await stream.aclose()  # type: ignore[attr-defined]

    asyncio.run(main())


def test_an_event_carries_the_status_after_the_change_it_reports(client, daemon):
    """Through the whole app: the status sent with "queued" already shows the request (in the
    queue, or on air if it went there at once)."""
    got: list[tuple[str, dict[str, Any]]] = []
    done = threading.Event()

    def listen() -> None:
        with client.stream("GET", "/api/v1/events") as stream:
            buffer = b""
            for chunk in stream.iter_bytes():
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    got.extend(parse(block + b"\n\n"))
                if any(kind == "queued" for kind, _ in got):
                    done.set()
                    return

    reader = threading.Thread(target=listen, daemon=True)
    reader.start()
    deadline = time.monotonic() + 5
    while not got and time.monotonic() < deadline:
        time.sleep(0.01)
    assert got and got[0][0] == "status"
    reply = client.post("/api/v1/announcements", json={"file": "announcements/hello.wav"})
    assert reply.status_code == 202, reply.text
    assert done.wait(5)
    queued = next(data for kind, data in got if kind == "queued")
    status = queued["status"]
    on_air = [r["id"] for r in [*status["queue"], status["voice"]] if r]
    assert queued["id"] == reply.json()["id"] and queued["id"] in on_air

"""Server-sent events: every change the core reports, as it happens.

The streams of one event loop share one subscription to the core (a ``_Hub``): each change
crosses from the core thread to the loop once, its status is built once and the event is
encoded once, and every stream is handed the same bytes. A stream writes whatever has piled up
since it last wrote in one chunk (the core often reports two or three changes in a row), so
fifty open pages cost fifty socket writes per burst, not fifty per change times the status
each one used to build and encode for itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from broadcaster.core import Core

HEARTBEAT_S = 15.0
BACKLOG = 256  # a client that falls this far behind loses the oldest events, never the daemon
KEEP_ALIVE = b": keep-alive\n\n"

Status = Callable[[], dict[str, Any]]


class _Stream:
    """One client's pending chunks (loop thread only)."""

    def __init__(self) -> None:
        self.pending: deque[bytes] = deque(maxlen=BACKLOG)  # full: the oldest falls off
        self.ready = asyncio.Event()
        self.ended = False  # the server is stopping: the stream ends

    def end(self) -> None:
        self.ended = True
        self.ready.set()

    def put(self, chunk: bytes) -> None:
        self.pending.append(chunk)
        self.ready.set()

    def take(self) -> bytes:
        chunk = b"".join(self.pending)
        self.pending.clear()
        self.ready.clear()
        return chunk


class _Hub:
    """The core's changes for every stream of one event loop: subscribed while a stream is
    open, each event encoded once (with the status as it is when the loop takes the event)."""

    def __init__(self, core: Core, status: Status, loop: asyncio.AbstractEventLoop) -> None:
        self.status, self.loop = status, loop
        self.streams: set[_Stream] = set()
        self.unsubscribe = core.subscribe(self._told)

    def _told(self, kind: str, payload: dict[str, Any]) -> None:
        """On the core thread: hand the change to the loop, once for all streams."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is listening
            self.loop.call_soon_threadsafe(self._fan_out, kind, payload)

    def end(self) -> None:
        """On the loop: every stream ends (the server is stopping)."""
        for stream in list(self.streams):
            stream.end()

    def _fan_out(self, kind: str, payload: dict[str, Any]) -> None:
        if not self.streams:
            return
        chunk = encode(kind, {**payload, "status": self.status()})
        for stream in self.streams:
            stream.put(chunk)


_hubs: dict[tuple[Core, Status, asyncio.AbstractEventLoop], _Hub] = {}
_hubs_lock = threading.Lock()  # each test client runs its own loop in its own thread


def _join(core: Core, status: Status, stream: _Stream) -> _Hub:
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        hub = _hubs.get((core, status, loop))
        if hub is None:
            hub = _hubs[core, status, loop] = _Hub(core, status, loop)
        hub.streams.add(stream)
    return hub


def _leave(core: Core, hub: _Hub, stream: _Stream) -> None:
    with _hubs_lock:
        hub.streams.discard(stream)
        if not hub.streams:
            _hubs.pop((core, hub.status, hub.loop), None)
            hub.unsubscribe()


async def event_stream(core: Core, status: Status) -> AsyncIterator[bytes]:
    stream = _Stream()
    hub = _join(core, status, stream)
    try:
        # Joined and first status in one step of the loop: any change the hub fans out later
        # comes after it, as before.
        yield encode("status", status())
        while not stream.ended:
            if not stream.pending:
                try:
                    async with asyncio.timeout(HEARTBEAT_S):
                        await stream.ready.wait()
                except TimeoutError:
                    yield KEEP_ALIVE
                    continue
            if stream.pending:
                yield stream.take()
    finally:
        _leave(core, hub, stream)


def end_streams() -> None:
    """Every open stream ends (safe from any thread, and from a signal handler): a stopping
    server must not wait for pages that stay open all day. A client that does not read is
    cut off by the server's graceful-shutdown timeout instead (api.server)."""
    with _hubs_lock:
        hubs = list(_hubs.values())
    for hub in hubs:
        with contextlib.suppress(RuntimeError):  # its loop has closed
            hub.loop.call_soon_threadsafe(hub.end)


def encode(kind: str, payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload, ensure_ascii=False, default=str)
    return f"event: {kind}\ndata: {data}\n\n".encode()

"""Server-sent events: every change the core reports, as it happens."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from broadcaster.core import Core

HEARTBEAT_S = 15.0
BACKLOG = 256  # a client that falls this far behind loses the oldest events, never the daemon


async def event_stream(core: Core, status: Any) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(BACKLOG)

    def push(kind: str, payload: dict[str, Any]) -> None:
        def put() -> None:
            if events.full():
                events.get_nowait()
            events.put_nowait((kind, payload))

        loop.call_soon_threadsafe(put)

    unsubscribe = core.subscribe(push)
    try:
        yield _format("status", status())
        while True:
            try:
                kind, payload = await asyncio.wait_for(events.get(), HEARTBEAT_S)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield _format(kind, {**payload, "status": status()})
    finally:
        unsubscribe()


def _format(kind: str, payload: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(payload, ensure_ascii=False, default=str)}\n\n"

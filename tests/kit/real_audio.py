"""What real audio the running test used (``make check`` leaves such tests out: tests/conftest.py).

A test process makes some things once and shares them (an encoded tone, the voice worker), so
only the first test to use one would start a tool: the kit says so on every use instead."""

from __future__ import annotations

used: list[str] = []


def note(what: str) -> None:
    used.append(what)

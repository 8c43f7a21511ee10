"""What a voice is: something that turns a text in a language into a WAV file."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

LANGUAGES: tuple[str, ...] = ("zh-CN", "en")
"""The languages every voice must speak: Mandarin Chinese and English."""


class VoiceError(Exception):
    """A voice could not render a text: the engine is missing or failed, the language is not
    supported, or nothing audible came out. The message says which, for the operator."""


@runtime_checkable
class Voice(Protocol):
    """A text-to-speech engine. ``name`` is its key in ``VOICES``."""

    name: str

    def render(self, text: str, language: str, dest: Path) -> Path:
        """Speak ``text`` in ``language`` (one of ``LANGUAGES``) into the WAV file ``dest``,
        replacing it, and return ``dest``. Raises VoiceError on any failure."""
        ...

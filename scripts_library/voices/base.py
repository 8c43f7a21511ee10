"""What a voice is: something that turns marked-up speech in a language into a WAV file."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from scripts_library.markup import Speech

LANGUAGES: tuple[str, ...] = ("zh-CN", "en")
"""The languages a script can be written in: Mandarin Chinese and English."""


class VoiceError(Exception):
    """A voice could not render a text: the engine is missing or failed, the language is not
    supported, or nothing audible came out. The message says which, for the operator."""


@runtime_checkable
class Voice(Protocol):
    """A text-to-speech engine. ``name`` is its key in ``VOICES``; its settings are keyword
    arguments of its constructor (the ``[voices.<name>]`` section of the settings)."""

    name: str

    def languages(self) -> tuple[str, ...]:
        """Which of ``LANGUAGES`` this voice (with its settings) can speak."""
        ...

    def identity(self) -> str:
        """Everything that changes the sound for the same text: engine version, voice model,
        settings. Rendered audio is cached under it, so a change invalidates the cache."""
        ...

    def pronounced(self, text: str, language: str) -> str:
        """What this voice's own text analysis makes of plain ``text`` in ``language``: its
        phonemes, or '' when nothing is left to say (emoji or symbols the voice skips). Used to
        refuse a name the voice would silently leave out. Raises VoiceError if it cannot tell."""
        ...

    def render(self, speech: Speech, language: str, dest: Path) -> Path:
        """Speak ``speech`` (parsed markup: pauses, emphasis) in ``language`` into the WAV file
        ``dest``, replacing it, and return ``dest``. Raises VoiceError on any failure."""
        ...

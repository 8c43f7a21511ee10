"""Text-to-speech voices. ``VOICES`` names every voice class; there is no plug-in discovery, a
new engine is added here explicitly."""

from __future__ import annotations

from scripts_library.voices.base import LANGUAGES, Voice, VoiceError
from scripts_library.voices.espeak import EspeakVoice

VOICES: dict[str, type[Voice]] = {
    EspeakVoice.name: EspeakVoice,
}


def get_voice(name: str) -> Voice:
    """A voice by its name in ``VOICES``, with default settings."""
    try:
        cls = VOICES[name]
    except KeyError:
        raise VoiceError(f"unknown voice {name!r} (known: {', '.join(sorted(VOICES))})") from None
    return cls()


__all__ = ["LANGUAGES", "VOICES", "EspeakVoice", "Voice", "VoiceError", "get_voice"]

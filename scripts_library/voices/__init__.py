"""Text-to-speech voices. ``VOICES`` names every voice class; there is no plug-in discovery, a
new engine is added here explicitly. Importing this package loads no engine: Piper (and
onnxruntime) are imported only when a Piper voice first speaks."""

from __future__ import annotations

import inspect
from typing import Any

from scripts_library.voices.base import LANGUAGES, Voice, VoiceError
from scripts_library.voices.espeak import EspeakVoice
from scripts_library.voices.piper import PiperVoice

VOICES: dict[str, type[Voice]] = {
    EspeakVoice.name: EspeakVoice,
    PiperVoice.name: PiperVoice,
}


def get_voice(name: str, **settings: Any) -> Voice:
    """A voice by its name in ``VOICES``, built with ``settings`` (its ``[voices.<name>]``
    section; missing settings keep their defaults). An unknown voice or setting is a
    VoiceError that names it and lists the known ones."""
    try:
        cls = VOICES[name]
    except KeyError:
        raise VoiceError(f"unknown voice {name!r} (known: {', '.join(sorted(VOICES))})") from None
    known = [
        parameter.name
        for parameter in inspect.signature(cls).parameters.values()
        if parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
    ]
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise VoiceError(
            f"unknown setting voices.{name}.{unknown[0]} "
            f"(the {name} voice has: {', '.join(known) or 'no settings'})"
        )
    return cls(**settings)


__all__ = [
    "LANGUAGES",
    "VOICES",
    "EspeakVoice",
    "PiperVoice",
    "Voice",
    "VoiceError",
    "get_voice",
]

"""A voice from the ``espeak-ng`` synthesiser: robotic but always available and offline."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from scripts_library.markup import Speech, plain, to_ssml
from scripts_library.voices.base import VoiceError

_VOICE_FOR_LANGUAGE = {
    "zh-cn": "cmn",
    "zh": "cmn",
    "cmn": "cmn",
    "en": "en-gb",
    "en-gb": "en-gb",
    "en-us": "en-us",
}
_WAV_HEADER_BYTES = 44
_VERSION_TIMEOUT_S = 10.0


class EspeakVoice:
    """Renders with the ``espeak-ng`` binary: Mandarin with its ``cmn`` voice, English with
    ``en-gb``, at an unhurried announcement pace (``speed_wpm``, espeak's default is 175).

    The speech goes to espeak on stdin as SSML (``-m``), never on the command line, so nothing
    in a script can be taken for an option or reach a shell. Pauses become ``<break>`` and
    stressed words ``<emphasis>``; every text is XML-escaped by ``markup.to_ssml``, so a ``<``,
    ``&`` or ``</speak>`` in a script is read out (or skipped), never taken for markup.

    espeak-ng makes a ``<break>`` the whole gap between the words around it: after a full stop
    it replaces the sentence pause instead of adding to it, so a one-second pause is a
    one-second silence wherever the announcer puts it.
    """

    name = "espeak"

    def __init__(
        self,
        *,
        binary: str = "espeak-ng",
        speed_wpm: int = 150,
        speed_wpm_zh: int = 240,
        timeout_s: float = 60.0,
    ) -> None:
        self.binary = binary
        self.speed_wpm = speed_wpm
        # espeak counts each Mandarin syllable as a word: 240 gives about four characters a
        # second, a broadcaster's pace; its English pace would drag Chinese out to half that.
        self.speed_wpm_zh = speed_wpm_zh
        self.timeout_s = timeout_s

    def languages(self) -> tuple[str, ...]:
        return ("zh-CN", "en")

    def identity(self) -> str:
        voices = ",".join(sorted(set(_VOICE_FOR_LANGUAGE.values())))
        return (
            f"espeak-ng {_engine_version(self.binary)}; voices {voices}; "
            f"speed_wpm={self.speed_wpm}; speed_wpm_zh={self.speed_wpm_zh}; ssml"
        )

    def pronounced(self, text: str, language: str) -> str:
        voice = _VOICE_FOR_LANGUAGE.get(language.lower())
        if voice is None:
            raise VoiceError(f"espeak-ng cannot speak language {language!r} (it speaks zh-CN, en)")
        return espeak_phonemes(text, voice, binary=self.binary, timeout_s=self.timeout_s)

    def render(self, speech: Speech, language: str, dest: Path) -> Path:
        voice = _VOICE_FOR_LANGUAGE.get(language.lower())
        if voice is None:
            raise VoiceError(f"espeak-ng cannot speak language {language!r} (it speaks zh-CN, en)")
        words = plain(speech)
        if not words:
            raise VoiceError("nothing to say: the text is empty")
        binary = shutil.which(self.binary)
        if binary is None:
            raise VoiceError(
                f"{self.binary} is not installed (Debian package espeak-ng): cannot speak {words!r}"
            )
        dest = Path(dest).absolute()
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Written beside dest and renamed over it, so a reader never sees half a file.
        partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
        speed = self.speed_wpm_zh if voice == "cmn" else self.speed_wpm
        command = [binary, "-m", "-v", voice, "-s", str(speed), "-b", "1"]
        command += ["-w", str(partial), "--stdin"]
        try:
            result = subprocess.run(
                command,
                input=to_ssml(speech).encode("utf-8"),
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
            if result.returncode != 0:
                detail = result.stderr.decode("utf-8", "replace").strip()
                raise VoiceError(f"espeak-ng failed (exit {result.returncode}): {detail}")
            if not partial.is_file() or partial.stat().st_size <= _WAV_HEADER_BYTES:
                raise VoiceError(f"espeak-ng produced no audio for {words!r} in {language}")
            partial.replace(dest)
        except subprocess.TimeoutExpired as exc:
            raise VoiceError(f"espeak-ng took longer than {self.timeout_s:g} s") from exc
        except OSError as exc:
            raise VoiceError(f"espeak-ng could not run or write {dest}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        return dest


_NOT_SOUNDS = re.compile(r"\([a-z-]+\)|[\s_|:'\",.;!?-]")
"""In ``espeak-ng -x`` output: language switches like ``(en)``, pauses, stress marks, breaks."""


def espeak_phonemes(
    text: str, voice: str, *, binary: str = "espeak-ng", timeout_s: float = 10.0
) -> str:
    """The phonemes espeak-ng's text analysis gives ``text`` with ``voice`` (``-x``), without
    pauses, stress and language marks: '' when it finds nothing to say. The text goes on
    stdin as plain text (no SSML), never on the command line."""
    path = shutil.which(binary)
    if path is None:
        raise VoiceError(f"{binary} is not installed (Debian package espeak-ng)")
    try:
        result = subprocess.run(
            [path, "-q", "-x", "-v", voice, "--stdin"], input=text.encode("utf-8"),
            capture_output=True, timeout=timeout_s, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VoiceError(f"espeak-ng could not analyse the text: {exc}") from exc
    if result.returncode != 0:
        raise VoiceError(f"espeak-ng failed (exit {result.returncode})")
    return _NOT_SOUNDS.sub("", result.stdout.decode("utf-8", "replace"))


@functools.cache
def _engine_version(binary: str) -> str:
    """The version ``binary --version`` reports, asked once per binary (identity is called for
    every cache lookup). Never raises: an engine that is missing or broken says so instead,
    and rendering will then fail with the full reason."""
    path = shutil.which(binary)
    if path is None:
        return "missing"
    try:
        result = subprocess.run(
            [path, "--version"], capture_output=True, timeout=_VERSION_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = result.stdout.decode("utf-8", "replace").strip()
    if result.returncode != 0 or not text:
        return "unknown"
    # "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/x86_64-linux-gnu/espeak-ng-data"
    match = re.search(r"text-to-speech:\s*(\S+)", text)
    return match.group(1) if match else text.splitlines()[0]

"""A voice from the ``espeak-ng`` synthesiser: robotic but always available and offline."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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


class EspeakVoice:
    """Renders with the ``espeak-ng`` binary: Mandarin with its ``cmn`` voice, English with
    ``en-gb``, at an unhurried announcement pace (``speed_wpm``, espeak's default is 175).

    The text goes to espeak on stdin, never on the command line, so nothing in it can be taken
    for an option or reach a shell; espeak's SSML mode stays off, so markup is read as text.
    """

    name = "espeak"

    def __init__(
        self, *, binary: str = "espeak-ng", speed_wpm: int = 150, timeout_s: float = 60.0
    ) -> None:
        self.binary = binary
        self.speed_wpm = speed_wpm
        self.timeout_s = timeout_s

    def render(self, text: str, language: str, dest: Path) -> Path:
        voice = _VOICE_FOR_LANGUAGE.get(language.lower())
        if voice is None:
            raise VoiceError(f"espeak-ng cannot speak language {language!r} (it speaks zh-CN, en)")
        if not text.strip():
            raise VoiceError("nothing to say: the text is empty")
        binary = shutil.which(self.binary)
        if binary is None:
            raise VoiceError(
                f"{self.binary} is not installed (Debian package espeak-ng): cannot speak {text!r}"
            )
        dest = Path(dest).absolute()
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
        command = [binary, "-v", voice, "-s", str(self.speed_wpm), "-b", "1"]
        command += ["-w", str(partial), "--stdin"]
        try:
            result = subprocess.run(
                command,
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
            if result.returncode != 0:
                detail = result.stderr.decode("utf-8", "replace").strip()
                raise VoiceError(f"espeak-ng failed (exit {result.returncode}): {detail}")
            if not partial.is_file() or partial.stat().st_size <= _WAV_HEADER_BYTES:
                raise VoiceError(f"espeak-ng produced no audio for {text!r} in {language}")
            partial.replace(dest)
        except subprocess.TimeoutExpired as exc:
            raise VoiceError(f"espeak-ng took longer than {self.timeout_s:g} s") from exc
        except OSError as exc:
            raise VoiceError(f"espeak-ng could not run or write {dest}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        return dest

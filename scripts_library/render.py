"""Rendering: a notice's script texts become one loudness-normalised WAV file, cached.

A notice is one or more parts, each a language and a marked-up text, spoken in order by the voice
configured for that language: a bilingual notice is ``[("zh-CN", zh), ("en", en)]``. The file
is mono 16-bit WAV at ``RenderSettings.sample_rate``, trimmed of silence at both ends and
normalised to ``target_lufs`` with sample peaks at most ``peak_dbfs``, so every notice plays at
the same loudness above the ducked music bed.

Files live in ``cache_dir/<key[:2]>/<key>.wav``, with the measured loudness beside them in
``<key>.json``; the key is a hash of everything that changes the sound, so a cache entry never
goes stale and rendering the same notice again costs a file check. numpy, scipy, pyloudnorm and
pydub are imported only when something has to be synthesised.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
import threading
import wave
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scripts_library.loudness import load_mono, measure_lufs, normalise, trim_silence
from scripts_library.markup import Speech, parse
from scripts_library.voices.base import Voice, VoiceError

if TYPE_CHECKING:
    from scripts_library.loudness import Float

RENDER_VERSION = 1
"""Part of every cache key: raise it when a change here changes the audio."""
MIN_FREE_BYTES = 1 << 20
"""A disk with less room than this left after a voice wrote to it is full: espeak-ng exits 0
with its file cut short when the disk fills, so what it wrote there cannot be trusted."""

# Renders of one key in this process wait for each other. Striped: bounded, and two different
# notices share a lock only by chance (1 in 64), which merely makes one wait.
_LOCKS = tuple(threading.Lock() for _ in range(64))

__all__ = ["DiskFull", "RenderError", "RenderSettings", "Rendered", "Renderer", "measure_lufs"]


class RenderError(Exception):
    """A notice could not be rendered. ``message``/``message_zh`` say why and what to do."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message, self.message_zh = message, message_zh


class NothingToSay(RenderError):
    """The text has no word a voice could say (only punctuation, symbols, or characters the
    voice cannot read, so it said nothing): the text's fault, not the voice's."""


class DiskFull(RenderError):
    """The disk the speech is written to has no room left: nothing was saved, nothing half
    written is left behind, and once space is freed the same notice renders again."""


@dataclass(frozen=True)
class RenderSettings:
    """How rendered speech sounds. ``target_lufs`` must sit at least 10 LU above the ducked
    music bed (the daemon checks)."""

    target_lufs: float = -16.0
    peak_dbfs: float = -1.0
    silence_dbfs: float = -50.0
    edge_ms: int = 80
    language_gap_ms: int = 800
    sample_rate: int = 22050  # the voices' own rate (espeak-ng, Piper medium)


@dataclass(frozen=True)
class Rendered:
    """A rendered notice: its file, length, loudness (measured on the file's samples when it
    was written), whether it came from the cache, and its cache key."""

    path: Path
    duration_ms: int
    lufs: float
    cached: bool
    key: str


class Renderer:
    """Renders notices into ``cache_dir`` with ``voices``, a voice for each language."""

    def __init__(
        self,
        cache_dir: Path,
        voices: Mapping[str, Voice],
        settings: RenderSettings = RenderSettings(),  # frozen: safe to share
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.voices = dict(voices)
        self.settings = settings

    def pronounced(self, text: str, language: str) -> str:
        """What the voice of ``language`` makes of ``text`` (``Voice.pronounced``): '' when it
        would say nothing. A voice that cannot tell (or no voice) gives the text back: the
        render itself then says what is wrong."""
        voice = self.voices.get(language)
        if voice is None:
            return text
        try:
            return voice.pronounced(text, language)
        except VoiceError:
            return text

    def render(
        self,
        parts: Sequence[tuple[str, str]],
        *,
        progress: Callable[[str], None] | None = None,
    ) -> Rendered:
        """One notice's parts, (language, marked-up text), as one WAV file.

        1. Parse every part's markup (``MarkupError`` propagates as it is) and find its voice
           (none for the language: ``RenderError``).
        2. Key: sha256 of a canonical JSON of ``RENDER_VERSION``, the settings and, per part,
           the language, the text, the voice's name and ``identity()``.
        3. If the cache holds a valid file for the key (readable header, frames to its last
           one, loudness beside it), return it with ``cached=True``, reading headers only.
        4. Otherwise synthesise each part into a temporary directory, load it (pydub), make it
           mono at ``sample_rate``, trim the silence at both ends down to ``edge_ms``, and join
           the parts so ``language_gap_ms`` of silence separates them.
        5. Normalise the loudness to ``target_lufs`` under ``peak_dbfs`` (``loudness.normalise``:
           gain, then a look-ahead limiter and gain correction if the peaks need it).
        6. Write the loudness, then the WAV, each to a temporary file beside its place and
           ``os.replace`` it there. Nothing reaches the cache unless the whole render succeeded.

        A voice failure or audio that is silent raises ``RenderError``; a full disk (the
        cache's, or the temporary one the voice writes to) ``DiskFull``. Concurrent renders of
        one key in this process wait for each other; across processes the atomic writes keep
        every file whole.
        """
        say = progress or (lambda _message: None)
        speeches, key, path = self._prepare(parts)
        with _LOCKS[int(key[:8], 16) % len(_LOCKS)]:
            hit = self._cached(path, key)
            if hit is not None:
                return hit
            audio = self._synthesise(speeches, say)
            say("normalising loudness…")
            try:
                out, _ = normalise(
                    audio, self.settings.sample_rate,
                    target_lufs=self.settings.target_lufs, peak_dbfs=self.settings.peak_dbfs,
                )  # fmt: skip
            except ValueError:
                raise _silent("the notice", "广播") from None
            say("saving…")
            return self._save(path, key, out)

    def lookup(self, parts: Sequence[tuple[str, str]]) -> Rendered | None:
        """Steps 1 to 3 of ``render`` alone: check the markup and the voices, and return the
        notice if the cache has it (headers only, no audio maths), else None."""
        _, key, path = self._prepare(parts)
        return self._cached(path, key)

    def _prepare(
        self, parts: Sequence[tuple[str, str]]
    ) -> tuple[list[tuple[str, Speech, Voice]], str, Path]:
        """Steps 1 and 2: each part parsed with its voice, the key, and the file's place."""
        if not parts:
            raise RenderError("The notice has nothing to say.", "广播内容为空。")
        speeches = [(language, parse(text), self._voice(language)) for language, text in parts]
        for _, text in parts:
            if not any(ch.isalnum() for ch in text):
                raise NothingToSay(
                    "There is nothing a voice can say: only punctuation, symbols or unknown "
                    "characters.",
                    "没有可以朗读的文字：只有标点、符号或无法识别的字符。",
                )
        key = self._key(parts)
        return speeches, key, self.cache_dir / key[:2] / f"{key}.wav"

    def _voice(self, language: str) -> Voice:
        voice = self.voices.get(language)
        if voice is None:
            known = ", ".join(sorted(self.voices)) or "none"
            raise RenderError(
                f"No voice speaks {language!r} (voices are set up for: {known}). "
                "Set up a voice for it in the settings, or remove that part of the notice.",
                f"没有能朗读“{language}”的语音（已配置：{known}）。请在设置中为它配置语音，"
                "或删去广播中的这一部分。",
            )
        return voice

    def _key(self, parts: Sequence[tuple[str, str]]) -> str:
        described = []
        for language, text in parts:
            voice = self.voices[language]
            try:
                identity = voice.identity()
            except VoiceError as exc:
                raise _voice_failed(voice, language, exc) from exc
            described.append(
                {"language": language, "text": text, "voice": voice.name, "identity": identity}
            )
        settings = asdict(self.settings)
        document = {"version": RENDER_VERSION, "settings": settings, "parts": described}
        canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _cached(self, path: Path, key: str) -> Rendered | None:
        try:
            with wave.open(str(path), "rb") as w:
                frames, rate = w.getnframes(), w.getframerate()
                shape = (w.getnchannels(), w.getsampwidth(), rate)
                if frames <= 0 or shape != (1, 2, self.settings.sample_rate):
                    return None
                w.setpos(frames - 1)
                if len(w.readframes(1)) != 2:  # the file was cut short
                    return None
            lufs = float(json.loads(path.with_suffix(".json").read_text("utf-8"))["lufs"])
        except (OSError, EOFError, wave.Error, ValueError, KeyError, TypeError):
            return None
        return Rendered(path, round(frames * 1000 / rate), lufs, cached=True, key=key)

    def _synthesise(
        self, speeches: list[tuple[str, Speech, Voice]], say: Callable[[str], None]
    ) -> Float:
        import numpy as np

        rate, settings = self.settings.sample_rate, self.settings
        gap = np.zeros(round(max(0, settings.language_gap_ms - 2 * settings.edge_ms) * rate / 1000))
        pieces: list[Float] = []
        scratch = Path(tempfile.gettempdir())
        with _on_disk(scratch), tempfile.TemporaryDirectory(prefix="render-", dir=scratch) as tmp:
            for i, (language, speech, voice) in enumerate(speeches):
                say(f"synthesising {language}…")
                try:
                    wav = voice.render(speech, language, Path(tmp) / f"{i}-{language}.wav")
                    _check_room(scratch)  # else the voice's file may be cut short
                    mono = load_mono(wav, rate)  # ValueError if it cannot be decoded
                except (VoiceError, ValueError) as exc:
                    _check_room(scratch)  # a voice that failed for want of room: say so
                    raise _voice_failed(voice, language, exc) from exc
                trimmed = trim_silence(
                    mono, rate, threshold_dbfs=settings.silence_dbfs, edge_ms=settings.edge_ms
                )
                if trimmed is None:
                    raise _silent(f"the {language} part", f"{_zh(language)}部分")
                pieces += [gap, trimmed] if pieces else [trimmed]
        return np.concatenate(pieces)

    def _save(self, path: Path, key: str, samples: Float) -> Rendered:
        import numpy as np

        from scripts_library.loudness import integrated_loudness

        rate = self.settings.sample_rate
        pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
        lufs = integrated_loudness(pcm / 32768.0, rate)  # exactly what measure_lufs will read

        def write_wav(f: IO[bytes]) -> None:
            with wave.open(f, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(pcm.tobytes())

        loudness = path.with_suffix(".json")
        with _on_disk(self.cache_dir):
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(loudness, lambda f: f.write(json.dumps({"lufs": lufs}).encode()))
            try:
                _atomic_write(path, write_wav)
            except BaseException:
                loudness.unlink(missing_ok=True)  # no loudness left without its sound
                raise
        return Rendered(path, round(len(pcm) * 1000 / rate), lufs, cached=False, key=key)


def _atomic_write(dest: Path, write: Callable[[IO[bytes]], object]) -> None:
    fd, partial = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())  # a power cut must not leave a named but empty file
        os.replace(partial, dest)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@contextmanager
def _on_disk(folder: Path) -> Iterator[None]:
    """Writing into ``folder``: running out of room (or quota) there is ``DiskFull``."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise _disk_full(folder) from exc


def _check_room(folder: Path) -> None:
    if shutil.disk_usage(folder).free < MIN_FREE_BYTES:
        raise _disk_full(folder)


def _disk_full(folder: Path) -> DiskFull:
    return DiskFull(
        f"The disk is full: there is no room in {folder} to save the speech. Free some space "
        "on that disk (old recordings, logs, music no longer played), then try again; nothing "
        "needs restarting.",
        f"磁盘已满：{folder} 没有空间保存语音。请清理该磁盘（旧录音、日志、不再播放的音乐）"
        "后重试，无需重启。",
    )


def _zh(language: str) -> str:
    return {"zh-CN": "中文", "en": "英文"}.get(language, language)


def _voice_failed(voice: Voice, language: str, reason: object) -> RenderError:
    return RenderError(
        f"The {voice.name} voice could not speak the {language} part: {reason}. "
        "Check the voice's settings, or try again.",
        f"“{voice.name}”语音无法朗读{_zh(language)}部分：{reason}。请检查语音设置后重试。",
    )


def _silent(what: str, what_zh: str) -> NothingToSay:
    # A voice that fails says so (an error); silence means it found nothing it could read.
    return NothingToSay(
        f"The voice said nothing for {what}: the text may hold only characters it cannot read. "
        "If every text is silent, run `broadcaster check` for the voice.",
        f"语音没有读出{what_zh}的任何内容：文字中可能只有它无法朗读的字符。"
        "如果所有稿件都没有声音，请运行 broadcaster check 检查语音。",
    )

"""A voice from Piper, a neural text-to-speech engine: natural-sounding, offline, one voice
model (a ``.onnx`` file and its ``.onnx.json`` config) per language.

The ``piper`` package (and with it onnxruntime) is imported only when a Piper voice is first
used, so a daemon that does not speak with Piper never pays for loading it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import wave
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts_library.markup import Pause, Span, Speech, plain
from scripts_library.voices.base import LANGUAGES, VoiceError
from scripts_library.voices.espeak import espeak_phonemes

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from piper import PiperVoice as _PiperModel

# Normalised to a peak just under full scale (-1 dBFS): loud enough to match other voices,
# with headroom for the resampling a player may do.
_PEAK = 10 ** (-1 / 20)
_SETTINGS_HELP = (
    "set voices.piper.model to the .onnx file of a Piper voice (its config, the .onnx.json "
    "file, next to it or named by voices.piper.config); Piper voices are never downloaded"
)


class PiperVoice:
    """Renders with a Piper voice model, loaded once (on first use) per instance.

    Settings (the ``[voices.piper]`` section): ``model``, the ``.onnx`` voice file; ``config``,
    its JSON config (default: the model's path + ``.json``); ``length_scale``, the speed (above
    1 is slower; default: the model's own); ``speaker``, the speaker number of a multi-speaker
    model. The model speaks the one language its config names.

    Pauses become digital silence of their exact length. Piper has no way to stress a word,
    so emphasis is said plainly: stressed and unstressed words next to each other are
    synthesised together, as one phrase, so the sentence keeps its natural flow.
    """

    name = "piper"

    def __init__(
        self,
        *,
        model: Path | str | None = None,
        config: Path | str | None = None,
        length_scale: float | None = None,
        speaker: int | None = None,
    ) -> None:
        if length_scale is not None and not length_scale > 0:
            raise VoiceError(
                f"voices.piper.length_scale must be a number above 0 (1 is the model's normal "
                f"speed, 1.2 slower), not {length_scale!r}"
            )
        if speaker is not None and speaker < 0:
            raise VoiceError(f"voices.piper.speaker must be 0 or more, not {speaker!r}")
        self.model = Path(model) if model is not None else None
        self.config = Path(config) if config is not None else None
        self.length_scale = length_scale
        self.speaker = speaker
        self._lock = threading.Lock()
        self._loaded: _PiperModel | None = None
        self._config_data: dict[str, Any] | None = None
        self._identity: str | None = None

    # -- files -------------------------------------------------------------------------------

    def _model_path(self) -> Path:
        if self.model is None:
            raise VoiceError(f"Piper has no voice model: {_SETTINGS_HELP}.")
        if not self.model.is_file():
            raise VoiceError(
                f"The Piper voice model {self.model} does not exist (setting voices.piper.model): "
                f"copy the voice there or correct the setting; Piper voices are never downloaded."
            )
        return self.model

    def _config_path(self) -> Path:
        model = self._model_path()
        path = self.config or model.with_name(model.name + ".json")
        setting = "voices.piper.config" if self.config else "voices.piper.model"
        if not path.is_file():
            raise VoiceError(
                f"The Piper voice config {path} does not exist (setting {setting}): every Piper "
                f"voice comes as a .onnx model and its .onnx.json config; put the config there "
                f"or name it with voices.piper.config."
            )
        return path

    def _read_config(self) -> dict[str, Any]:
        with self._lock:
            if self._config_data is None:
                path = self._config_path()
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    raise VoiceError(
                        f"The Piper voice config {path} cannot be read ({exc}): it must be the "
                        f".onnx.json file that came with the voice model (voices.piper.model)."
                    ) from exc
                if not isinstance(data, dict) or not isinstance(data.get("audio"), dict):
                    raise VoiceError(
                        f"{path} is not a Piper voice config (no audio section): it must be the "
                        f".onnx.json file that came with the voice model (voices.piper.model)."
                    )
                self._config_data = data
            return self._config_data

    # -- the protocol ------------------------------------------------------------------------

    def languages(self) -> tuple[str, ...]:
        language = _language_of(self._read_config())
        return (language,) if language else ()

    def identity(self) -> str:
        with self._lock:
            if self._identity is not None:
                return self._identity
            identity, complete = self._compute_identity()
            if complete:
                self._identity = identity
            return identity

    def _compute_identity(self) -> tuple[str, bool]:
        """The identity, and whether it is final: while the model is missing it is not (it
        is not cached then, so the model's own identity is used once it is installed)."""
        try:
            version = metadata.version("piper-tts")
        except metadata.PackageNotFoundError:
            version = "missing"
        settings = f"length_scale={self.length_scale}; speaker={self.speaker}"
        model = self.model
        if model is None or not model.is_file():
            return f"piper-tts {version}; model {model} missing; {settings}", False
        config = self.config or model.with_name(model.name + ".json")
        try:
            config_hash = hashlib.sha256(config.read_bytes()).hexdigest()
        except OSError:
            config_hash = "missing"
        # Size and modification time stand in for the model's contents: hashing 60 MB on
        # every start would cost seconds, and replacing a model file changes both.
        stat = model.stat()
        identity = (
            f"piper-tts {version}; model {model.name} {stat.st_size} bytes "
            f"mtime {stat.st_mtime_ns}; config sha256 {config_hash}; {settings}"
        )
        return identity, config_hash != "missing"

    def pronounced(self, text: str, language: str) -> str:
        """Piper's own text analysis without loading the model: an espeak-phoneme voice runs
        the espeak-ng voice its config names (Piper phonemizes with espeak-ng); a pinyin voice
        (Chinese, g2pW) reads the Chinese characters and the letters and digits."""
        data = self._read_config()
        if data.get("phoneme_type") == "pinyin":
            return "".join(c for c in text if c.isalnum())
        espeak = data.get("espeak")
        voice = espeak.get("voice") if isinstance(espeak, dict) else None
        if not isinstance(voice, str):
            return "".join(c for c in text if c.isalnum())  # codepoint voices: read as written
        return espeak_phonemes(text, voice)

    def render(self, speech: Speech, language: str, dest: Path) -> Path:
        """Speak ``speech`` into ``dest`` as a mono 16-bit WAV at the model's sample rate.

        1. Refuse a language the model does not speak and a speech with no words.
        2. Load the model (once).
        3. Synthesise each run of text between pauses, and make each pause that many
           milliseconds of silence.
        4. Normalise the whole to one peak level, so separately synthesised phrases match.
        5. Write a partial file beside ``dest`` and rename it over ``dest``.
        """
        spoken = self.languages()
        if language not in spoken:
            speaks = ", ".join(spoken) or f"none of {', '.join(LANGUAGES)}"
            raise VoiceError(
                f"The Piper voice {self.model.name if self.model else ''} speaks {speaks}; "
                f"it cannot speak {language!r}: choose another voice for those scripts."
            )
        if not plain(speech):
            raise VoiceError("nothing to say: the text is empty")
        import numpy as np  # here, not at import: the daemon loads voices but may never use Piper

        model = self._load()
        rate = int(model.config.sample_rate)
        pieces = [
            np.zeros(round(rate * part.ms / 1000), np.float32)
            if isinstance(part, Pause)
            else self._synthesise(model, part)
            for part in _phrases(speech)
        ]
        audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak < 1e-6:
            raise VoiceError(f"Piper produced no audio for {plain(speech)!r} in {language}")
        samples = np.clip(audio * (_PEAK / peak) * 32767, -32767, 32767).astype("<i2")
        dest = Path(dest).absolute()
        partial = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.partial")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with wave.open(str(partial), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(rate)
                out.writeframes(samples.tobytes())
            partial.replace(dest)
        except OSError as exc:
            raise VoiceError(f"Piper could not write {dest}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        return dest

    # -- the engine --------------------------------------------------------------------------

    def _load(self) -> _PiperModel:
        config_path = self._config_path()
        data = self._read_config()
        with self._lock:
            if self._loaded is not None:
                return self._loaded
            model_path = self._model_path()
            speakers = int(data.get("num_speakers", 1))
            if self.speaker is not None and self.speaker >= speakers:
                raise VoiceError(
                    f"voices.piper.speaker is {self.speaker} but the Piper voice {model_path.name} "
                    f"has {speakers} speaker(s), numbered from 0."
                )
            if (
                data.get("phoneme_type") == "pinyin"
                and not (model_path.parent / "g2pW" / "g2pw.onnx").is_file()
            ):
                # Piper would fetch this from the internet on first use; a store's broadcast
                # room must not depend on that, so it has to be installed with the voice.
                raise VoiceError(
                    f"The Chinese Piper voice {model_path.name} needs the g2pW resources in "
                    f"{model_path.parent / 'g2pW'} (g2pw.onnx and its files): copy them there "
                    f"with the voice; they are never downloaded."
                )
            try:
                from piper import PiperVoice as PiperModel
            except ImportError as exc:
                raise VoiceError(
                    f"The piper-tts package is not installed ({exc}): install it to use Piper."
                ) from exc
            try:
                self._loaded = PiperModel.load(
                    model_path, config_path=config_path, download_dir=model_path.parent
                )
            except Exception as exc:  # onnxruntime raises its own, undocumented, exception types
                raise VoiceError(
                    f"The Piper voice model {model_path} could not be loaded (setting "
                    f"voices.piper.model; is it a complete .onnx file matching its config?): "
                    f"{exc}"
                ) from exc
            return self._loaded

    def _synthesise(self, model: _PiperModel, span: Span) -> npt.NDArray[np.float32]:
        import numpy as np
        from piper import SynthesisConfig

        # normalize_audio off: Piper would scale each sentence to full scale on its own;
        # render normalises the whole speech once instead.
        options = SynthesisConfig(
            speaker_id=self.speaker, length_scale=self.length_scale, normalize_audio=False
        )
        try:
            chunks = [chunk.audio_float_array for chunk in model.synthesize(span.text, options)]
        except Exception as exc:  # phonemizer or onnxruntime failure on this text
            raise VoiceError(f"Piper failed to speak {span.text!r}: {exc}") from exc
        if not chunks:  # punctuation alone, say: nothing to pronounce
            return np.zeros(0, np.float32)
        return np.concatenate(chunks).astype(np.float32)


def _phrases(speech: Speech) -> list[Span | Pause]:
    """``speech`` with runs of adjacent spans joined (emphasis cannot be heard in Piper, and
    one phrase synthesised whole sounds better than its pieces) and spans with no words left
    out."""
    out: list[Span | Pause] = []
    for part in speech:
        if isinstance(part, Span) and out and isinstance(out[-1], Span):
            out[-1] = Span(out[-1].text + part.text)
        else:
            out.append(Span(part.text) if isinstance(part, Span) else part)
    return [part for part in out if isinstance(part, Pause) or part.text.strip()]


def _language_of(config: dict[str, Any]) -> str | None:
    """Which of ``LANGUAGES`` a model config says its voice speaks: ``language.code`` (as
    ``en_US``) in current voices, the espeak voice (as ``en-us``) in older ones."""
    language = config.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str):
        espeak = config.get("espeak")
        code = espeak.get("voice") if isinstance(espeak, dict) else None
    if not isinstance(code, str):
        return None
    family, _, region = code.replace("-", "_").partition("_")
    family, region = family.lower(), region.upper()
    if family == "en":
        return "en"
    # Mandarin as written in the mainland; a Taiwanese or Cantonese voice is another language.
    if family in ("zh", "cmn") and region in ("", "CN"):
        return "zh-CN"
    return None

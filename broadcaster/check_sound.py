"""Is the broadcast room really heard? Play a tone through the configured VLC output and, where
PulseAudio carries it, record the sink's monitor to hear that it arrived.

PulseAudio without a sound card falls back to a sink named ``auto_null`` (module-always-sink):
VLC then "plays" without error and nobody hears anything. That is the silent fallback this
check exists to catch; VLC's ``null`` output (tests) is reported as a warning.
"""

from __future__ import annotations

import queue
import shutil
import signal
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from broadcaster.audio.output import OutputEvent, OutputEventKind
from broadcaster.clock import SystemClock
from broadcaster.settings import Settings
from scripts_library.tones import make_chime

FALLBACK_SINK = "auto_null"
HEARD_DBFS = -50.0  # the chime peaks near -3 dBFS: anything below this is silence
PLAY_TIMEOUT_S = 10.0


def pulse_default_sink() -> str | None:
    """The PulseAudio server's default sink, or None when no server answers."""
    if shutil.which("pactl") is None:
        return None
    try:
        reply = subprocess.run(["pactl", "get-default-sink"], capture_output=True, text=True,
                               timeout=5, check=True)  # fmt: skip
    except (subprocess.SubprocessError, OSError):
        return None
    return reply.stdout.strip() or None


def play_tone(settings: Settings, tone: Path) -> str | None:
    """Play ``tone`` to its end through the configured output; a problem's text, or None."""
    from broadcaster.daemon import build_output

    events: queue.SimpleQueue[OutputEvent] = queue.SimpleQueue()
    output = build_output(settings, SystemClock())
    output.start(events.put)
    try:
        output.play("voice", tone, token=1)
        deadline = time.monotonic() + PLAY_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.2)
            except queue.Empty:
                continue
            if event.kind is OutputEventKind.FAILED:
                return event.detail or "VLC failed to play the test tone"
            if event.kind is OutputEventKind.ENDED:
                return output.fault()
        return output.fault() or "the test tone did not finish playing in time"
    finally:
        output.close()


def level_dbfs(path: Path) -> float:
    """The RMS level of a 16-bit WAV recording, in dBFS (-120 for digital silence)."""
    with wave.open(str(path), "rb") as recording:
        frames = recording.readframes(recording.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(samples**2)))
    return max(-120.0, 20 * np.log10(rms)) if rms > 0 else -120.0


def heard_on(settings: Settings, sink: str) -> tuple[str | None, float]:
    """Play the tone while recording ``sink``'s monitor: (a problem or None, level in dBFS)."""
    with tempfile.TemporaryDirectory(prefix="broadcaster-check-") as folder:
        tone, recorded = make_chime(Path(folder) / "tone.wav"), Path(folder) / "heard.wav"
        recorder = subprocess.Popen(
            ["parecord", f"--device={sink}.monitor", "--file-format=wav", "--format=s16le",
             "--channels=1", str(recorded)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            time.sleep(0.3)  # the recorder's stream connects
            problem = play_tone(settings, tone)
            time.sleep(0.3)
        finally:
            recorder.send_signal(signal.SIGINT)  # parecord finishes the WAV header on SIGINT
            try:
                recorder.wait(timeout=5)
            except subprocess.TimeoutExpired:
                recorder.kill()
                recorder.wait(timeout=5)
        try:
            return (problem, level_dbfs(recorded))
        except (OSError, EOFError, wave.Error):
            return (problem or f"could not record the monitor of the sink {sink}", -120.0)

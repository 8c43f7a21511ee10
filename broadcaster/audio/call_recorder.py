"""The recording of a live call (GB 50116 §4.8.10: microphone broadcasts are recorded): the
microphone's source into ``<recordings>/<time>-<id>.wav`` by ``parecord`` (mono, 48 kHz,
16 bit; about 5.8 MB a minute). ``broadcaster.audio.live_mic`` starts it once the air is live
and finishes it when the call ends."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import wave
from collections.abc import Mapping
from pathlib import Path

MARK = "broadcaster-live-mic"  # application.name of our streams, and how leftovers are found
RATE = 48000
RECORDER_STOP_S = 3.0
RECORDING_FAILED = (
    "The recording of this call is incomplete or missing (the recorder failed). / "
    "本次话筒广播的录音不完整或缺失（录音程序出错）。"
)


class CallRecorder:
    def __init__(self, file: Path, env: Mapping[str, str] | None) -> None:
        self.file, self._env = file, env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, source: str) -> None:
        command = ["parecord", f"--device={source}", "--file-format=wav", "--format=s16le",
                   f"--rate={RATE}", "--channels=1", f"--client-name={MARK}", str(self.file)]  # fmt: skip
        try:
            self.process = subprocess.Popen(command, env=self._env, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        except OSError:
            self.process = None  # no recording: finish() says so; the call itself goes on

    def finish(self) -> tuple[Path | None, float, str | None]:
        """Stop the recorder; (the file, its seconds, a problem if the recorder failed). A
        recorder that ran to the end keeps its file even if the call was too short for a
        sample to arrive."""
        running = self.process is not None and self.process.poll() is None
        code = self._stop()
        file: Path | None = self.file
        seconds = _wav_seconds(self.file)
        if running and code in (0, -signal.SIGINT):
            return file, seconds, None
        if seconds <= 0:
            self.file.unlink(missing_ok=True)
            file = None
        return file, seconds, RECORDING_FAILED

    def discard(self) -> None:
        """A call that never went live: the recorder stopped, its file deleted."""
        self._stop()
        self.file.unlink(missing_ok=True)

    def _stop(self) -> int | None:
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # parecord completes the WAV header
            try:
                process.wait(RECORDER_STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(RECORDER_STOP_S)
        return process.returncode


def _wav_seconds(path: Path) -> float:
    """Seconds of audio in a WAV file, 0 if there is none or it cannot be read."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0
    if frames <= 0:  # a header never completed: count the data that is there
        with contextlib.suppress(OSError):
            return max(0, path.stat().st_size - 44) / 2 / RATE
        return 0.0
    return frames / rate

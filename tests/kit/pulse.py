"""A private, headless PulseAudio server for tests: a null sink to play into and its monitor to
record from, so a test can hear what the daemon (or VLC, or paplay) really put out.

The server runs with its own HOME, XDG_RUNTIME_DIR, state, cookie and socket in a temporary
directory, with D-Bus and realtime scheduling off, so it never touches a user's session or
another test's server. It works as root (PulseAudio only warns about it) and without a sound card.

    with PulseServer() as pulse:
        with pulse.record(tmp_path / "out.wav"):
            subprocess.run(["paplay", str(tone)], env=pulse.child_env(), check=True)
        samples, rate = load_wav(tmp_path / "out.wav")
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

_SOCKET_PATH_MAX = 100  # sockaddr_un allows 108 bytes
_CLIENT_CONF = "autospawn = no\n"


class PulseError(RuntimeError):
    """The test server or one of its clients failed; the message carries the server's log."""


@dataclass
class Recording:
    """A recording in progress: ``started`` is ``time.monotonic()`` when the recorder's stream
    was connected, i.e. roughly when the file's first sample was captured."""

    path: Path
    started: float


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _clean_up(pids: list[int], directory: str) -> None:
    """Last resort (the server was dropped or the interpreter exits without ``stop()``): kill
    what it started and remove its directory."""
    for pid in pids:
        _kill_group(pid)
    shutil.rmtree(directory, ignore_errors=True)


class PulseServer:
    """A PulseAudio server with one null sink, ``sink`` (its default sink and, through
    ``env``, every client's), running until ``stop()`` or the end of the ``with`` block."""

    def __init__(
        self,
        sink: str = "broadcaster_test",
        *,
        rate: int = 44100,
        channels: int = 2,
        startup_timeout_s: float = 10.0,
        resample_method: str | None = None,
        shm: bool = True,
        realtime: bool = False,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", sink):
            raise ValueError(f"sink name {sink!r}: use letters, digits, '_', '.', '-'")
        self.sink = sink
        self.rate = rate
        self.channels = channels
        self.startup_timeout_s = startup_timeout_s
        self.resample_method = resample_method  # None: PulseAudio's default (speex-float-1)
        # False: clients' audio through the socket, not shared memory (PulseAudio 16 aborted
        # on "memblock.c: Assertion 'pa_hashmap_remove(import->blocks…' failed" under a
        # long run of many clients coming and going: bench/zones.py)
        self.shm = shm
        # True: realtime scheduling for the server's threads, as the installed
        # broadcaster-pulse.service runs it (``--realtime``; needs root or an RTPRIO limit).
        self.realtime = realtime
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._recorders: set[subprocess.Popen[bytes]] = set()
        self._keepalives: list[subprocess.Popen[bytes]] = []
        self._groups: list[int] = []  # process groups this server started, for the finalizer
        self._finalizer: weakref.finalize[[list[int], str], PulseServer] | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> Self:
        if self._process is not None:
            raise PulseError("the server is already running")
        for tool in ("pulseaudio", "pactl", "parecord"):
            if shutil.which(tool) is None:
                raise PulseError(f"{tool} is not installed (Debian: pulseaudio pulseaudio-utils)")
        self._dir = Path(tempfile.mkdtemp(prefix="pulse-test-"))
        if len(str(self.socket)) > _SOCKET_PATH_MAX:
            self._dir = Path(tempfile.mkdtemp(prefix="pulse-test-", dir="/tmp"))
        for sub in ("home", "runtime", "state", "config"):
            (self._dir / sub).mkdir(mode=0o700)
        (self._dir / "client.conf").write_text(_CLIENT_CONF)
        self._finalizer = weakref.finalize(self, _clean_up, self._groups, str(self._dir))
        try:
            self._spawn()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self) -> None:
        command = [
            "pulseaudio",
            "-n",  # no default.pa: only the modules below
            "--daemonize=no",
            "--system=false",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--disallow-module-loading=false",
            "--use-pid-file=no",
            f"--realtime={str(self.realtime).lower()}",
            f"--high-priority={str(self.realtime).lower()}",
            f"--log-target=file:{self.log_path}",
            "--log-level=info",
            f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
            f"--load=module-null-sink sink_name={self.sink} rate={self.rate} "
            f"channels={self.channels} sink_properties=device.description=broadcaster-test",
        ]
        if self.resample_method:
            command.insert(1, f"--resample-method={self.resample_method}")
        if not self.shm:
            command.insert(1, "--disable-shm=yes")
        with (self.directory / "stderr.txt").open("ab") as stderr:
            self._process = subprocess.Popen(
                command,
                env=self._server_env(),
                cwd=self.directory,
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # its own process group: stop() kills all of it
            )
        self._groups.append(self._process.pid)
        self._wait_ready()
        self._keep_clock_running()

    def crash(self) -> None:
        """Kill the server (SIGKILL, like a crash), its recorders and keep-alive, but keep its
        directory, so ``revive()`` brings a new server up at the same socket."""
        self._stop_clients()
        process, self._process = self._process, None
        if process is not None:
            _kill_group(process.pid)
            process.wait(timeout=5)
            self._groups.remove(process.pid)
        self.socket.unlink(missing_ok=True)

    def _stop_clients(self) -> None:
        """Kill the recorders and the keep-alive recorders of the monitors."""
        for recorder in list(self._recorders):
            self._stop_recorder(recorder, graceful=False)
        keepalives, self._keepalives = self._keepalives, []
        for keepalive in keepalives:
            if keepalive.poll() is None:
                keepalive.kill()
                keepalive.wait(timeout=5)

    def revive(self) -> None:
        """Start a new server at the socket of the one ``crash()`` killed."""
        if self._process is not None:
            raise PulseError("the server is already running")
        self._spawn()

    def stop(self) -> None:
        """Stop recorders and the server (its whole process group) and remove its directory.
        Safe to call twice."""
        self._stop_clients()
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _kill_group(process.pid)
                process.wait(timeout=5)
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- what clients need ------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        if self._dir is None:
            raise PulseError("the server is not running")
        return self._dir

    @property
    def socket(self) -> Path:
        return self.directory / "native"

    @property
    def log_path(self) -> Path:
        return self.directory / "pulse.log"

    @property
    def monitor(self) -> str:
        """The source that carries everything played into the sink."""
        return f"{self.sink}.monitor"

    @property
    def env(self) -> dict[str, str]:
        """The variables a client process (the daemon, VLC, paplay) needs to play into the
        test sink: merge them into its environment, or use ``child_env()``."""
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_SINK": self.sink,
            "PULSE_SOURCE": self.monitor,
            "PULSE_CLIENTCONFIG": str(self.directory / "client.conf"),  # never autospawn
            "PULSE_COOKIE": str(
                self.directory / "config" / "pulse" / "cookie"
            ),  # not the real HOME
        }

    def child_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with ``env`` on top."""
        return {**(os.environ if base is None else base), **self.env}

    def pactl(self, *args: str, timeout_s: float = 5.0) -> str:
        """Run ``pactl`` against this server and return its output; PulseError if it fails."""
        result = subprocess.run(
            ["pactl", *args],
            env=self.child_env(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if result.returncode != 0:
            raise PulseError(f"pactl {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def sink_inputs(self) -> list[str]:
        """One line per stream now playing into the server (``pactl list short sink-inputs``)."""
        return [line for line in self.pactl("list", "short", "sink-inputs").splitlines() if line]

    def add_sink(self, name: str, *, rate: int | None = None, keep_clock: bool = False,
                 channels: int | None = None, channel_map: str | None = None) -> str:  # fmt: skip
        """Another null sink on this server (a zone, a player's amplifier, a multi-channel
        card with ``channels`` and ``channel_map``); returns its name. ``keep_clock``: its
        monitor is a faithful timeline from now on, as the first sink's
        (``_keep_clock_running``), for a test that times what arrives there."""
        self.pactl("load-module", "module-null-sink", f"sink_name={name}",
                   f"rate={rate or self.rate}", f"channels={channels or self.channels}",
                   *([f"channel_map={channel_map}"] if channel_map else []))  # fmt: skip
        if keep_clock:
            self._keep_clock_running(name)
        return name

    def play(self, path: Path, *, timeout_s: float = 60.0, sink: str | None = None) -> None:
        """Play a file into the sink (or ``sink``) with ``paplay`` and wait until it has been
        played."""
        result = subprocess.run(
            ["paplay", f"--device={sink or self.sink}", str(path)],
            env=self.child_env(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if result.returncode != 0:
            raise PulseError(f"paplay {path} failed: {result.stderr.strip()}")

    @contextlib.contextmanager
    def record(
        self,
        path: Path,
        *,
        rate: int = 44100,
        channels: int = 1,
        tail_s: float = 0.1,
        source: str | None = None,
        channel_map: str | None = None,
    ) -> Iterator[Recording]:
        """Record the sink's monitor (or ``source``, e.g. another sink's ``NAME.monitor``) into
        the WAV file ``path`` (16-bit) while the block runs; ``channel_map`` (the source's own,
        e.g. a multi-channel card's) keeps each channel where it is instead of remixing.

        Entering returns once the recorder is connected, so sound played inside the block is
        captured from its start. On exit it records ``tail_s`` more seconds, then stops the
        recorder with SIGINT so it completes the WAV header; PulseError if the file is bad.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        errors = path.with_name(path.name + ".stderr")
        with errors.open("wb") as stderr:
            recorder = subprocess.Popen(
                [
                    "parecord",
                    f"--device={source or self.monitor}",
                    "--file-format=wav",
                    "--format=s16le",
                    f"--rate={rate}",
                    f"--channels={channels}",
                    *([f"--channel-map={channel_map}"] if channel_map else []),
                    "--latency-msec=20",
                    "--process-time-msec=10",
                    str(path),
                ],
                env=self.child_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        self._recorders.add(recorder)
        self._groups.append(recorder.pid)
        try:
            self._wait_connected(recorder, "parecord", errors)
            recording = Recording(path, time.monotonic())
            try:
                yield recording
            finally:
                time.sleep(tail_s)
                self._stop_recorder(recorder, graceful=True)
            if recorder.returncode not in (0, -signal.SIGINT):
                raise PulseError(
                    f"parecord exited with {recorder.returncode}: {errors.read_text().strip()}"
                )
            if not path.is_file() or path.stat().st_size <= 44:
                raise PulseError(f"parecord left no audio in {path}")
        finally:
            self._stop_recorder(recorder, graceful=False)
            errors.unlink(missing_ok=True)

    # -- internals --------------------------------------------------------------------------

    def _server_env(self) -> dict[str, str]:
        d = self.directory
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PULSE_", "XDG_", "DBUS_"))
            and key not in ("DISPLAY", "WAYLAND_DISPLAY")  # no X11 D-Bus autolaunch
        }
        env.update(
            HOME=str(d / "home"),
            XDG_RUNTIME_DIR=str(d / "runtime"),
            XDG_CONFIG_HOME=str(d / "config"),
            PULSE_RUNTIME_PATH=str(d / "runtime"),
            PULSE_STATE_PATH=str(d / "state"),
            DBUS_SESSION_BUS_ADDRESS=f"unix:path={d / 'no-dbus'}",  # fails fast, no autolaunch
            DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={d / 'no-dbus'}",
        )
        return env

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout_s
        last_error = ""
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PulseError(
                    f"pulseaudio exited with {self._process.returncode} at start-up\n{self._log()}"
                )
            if self.socket.exists():
                try:
                    self.pactl("info", timeout_s=2)
                except (PulseError, subprocess.TimeoutExpired) as exc:
                    last_error = str(exc)
                else:
                    sinks = self.pactl("list", "short", "sinks").split()
                    if self.sink not in sinks:
                        raise PulseError(f"the null sink {self.sink} did not load\n{self._log()}")
                    return
            time.sleep(0.05)
        raise PulseError(
            f"pulseaudio did not answer within {self.startup_timeout_s:g} s ({last_error})\n"
            f"{self._log()}"
        )

    def _keep_clock_running(self, sink: str | None = None) -> None:
        """Make the monitor of ``sink`` (default: the first) a faithful, gap-free timeline from
        now on.

        An idle null sink renders (and feeds its monitor) up to 2 s ahead of real time, and
        does so from the moment it is loaded: a recorder that connects gets nothing until that
        time has passed, and a stream that starts rewinds the sink while the monitor's copy of
        the silence has already gone out, so recordings come out truncated or stretched. A
        silent low-latency recorder of the monitor (not a sink input, so it adds nothing to the
        mix) keeps the sink's latency at ~10 ms, and suspending/resuming the sink resets the
        2 s it rendered ahead at load time.
        """
        assert self._process is not None
        sink = sink or self.sink
        keepalive = subprocess.Popen(
            [
                "pacat",
                "--record",
                "--raw",
                f"--device={sink}.monitor",
                "--latency-msec=10",
                "--client-name=broadcaster-test-clock",
                "/dev/null",
            ],
            env=self.child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._keepalives.append(keepalive)
        self._groups.append(keepalive.pid)
        self._wait_connected(keepalive, "pacat", None)
        self.pactl("suspend-sink", sink, "1")
        self.pactl("suspend-sink", sink, "0")

    def _wait_connected(
        self, client: subprocess.Popen[bytes], name: str, errors: Path | None
    ) -> None:
        """Wait until ``client`` has a stream recording from the server."""
        marker = f'application.process.id = "{client.pid}"'
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if client.poll() is not None:
                detail = errors.read_text().strip() if errors is not None else ""
                raise PulseError(f"{name} exited with {client.returncode}: {detail}\n{self._log()}")
            if marker in self.pactl("list", "source-outputs"):
                return
            time.sleep(0.02)
        raise PulseError(f"{name} did not connect within 5 s\n{self._log()}")

    def _stop_recorder(self, recorder: subprocess.Popen[bytes], *, graceful: bool) -> None:
        if recorder.poll() is None:
            if graceful:
                recorder.send_signal(signal.SIGINT)
                try:
                    recorder.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    recorder.kill()
                    recorder.wait(timeout=5)
            else:
                recorder.kill()
                recorder.wait(timeout=5)
        self._recorders.discard(recorder)
        if recorder.pid in self._groups:
            self._groups.remove(recorder.pid)

    def _log(self, lines: int = 40) -> str:
        text = ""
        for name in ("stderr.txt", "pulse.log"):
            with contextlib.suppress(OSError):
                text += (self.directory / name).read_text(errors="replace")
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- pulseaudio log (last {lines} lines) ---\n{tail}"

"""A small client of the PulseAudio server through ``pactl`` (pulseaudio-utils), as the rest of
the audio layer talks to it: each command its own process, so a command can be started for
several devices at once (``spawn``) and its answer collected after (``finish``)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence

TIMEOUT_S = 3.0


class NoSoundServer(RuntimeError):
    """No PulseAudio server answers (not running, gone, or ``pactl`` missing), or, with
    ``hung``, one took the connection and gave no answer in time (what it holds is unknown)."""

    def __init__(self, why: str, *, hung: bool = False) -> None:
        super().__init__(why)
        self.hung = hung


class PactlFailed(RuntimeError):
    """The server answered, and said no (no such module, device or entity)."""


class Pactl:
    """``pactl`` with ``env`` (its PULSE_SERVER; None: this process's environment), each
    command given ``timeout_s`` to answer."""

    def __init__(self, env: Mapping[str, str] | None = None, timeout_s: float = TIMEOUT_S) -> None:
        self.env = dict(os.environ if env is None else env)
        self.timeout_s = timeout_s

    def run(self, *args: str) -> str:
        """The command's output; NoSoundServer or PactlFailed."""
        return self.finish(self.spawn(*args), args)

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        try:
            return subprocess.Popen(["pactl", *args], env=self.env, text=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)  # fmt: skip
        except OSError as exc:
            raise NoSoundServer(str(exc)) from None

    def finish(self, process: subprocess.Popen[str], args: Sequence[str] = ()) -> str:
        try:
            out, err = process.communicate(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise NoSoundServer(f"no answer within {self.timeout_s:g} s", hung=True) from None
        if process.returncode != 0:
            if "Connection failure" in err or "Connection refused" in err:
                raise NoSoundServer(err.strip())
            raise PactlFailed(f"pactl {' '.join(args)}: {err.strip()}")
        return out

    def names(self, kind: str) -> list[str]:
        """The names of the server's ``sinks`` or ``sources``."""
        rows = self.run("list", "short", kind).splitlines()
        return [row.split("\t")[1] for row in rows if row.count("\t") >= 1]

    def modules(self) -> dict[str, tuple[str, str]]:
        """Loaded modules: id → (name, arguments)."""
        found = {}
        for row in self.run("list", "short", "modules").splitlines():
            parts = [*row.split("\t"), "", ""]
            if parts[0].isdigit():
                found[parts[0]] = (parts[1], parts[2])
        return found

"""Rendering in a worker process, so the daemon never holds the audio maths.

Synthesis and loudness normalisation need numpy, scipy, pyloudnorm and pydub (about 90 MB) and
a few hundred MB while a long bilingual notice is processed. ``WorkerRenderer`` keeps that in
one child process (``python -m scripts_library.render_worker``): the daemon stays small, and if
rendering ever crashes or runs out of memory it is the worker that dies, not the broadcast. The
worker is started, and its imports warmed, in the background as soon as the renderer is made,
so the first notice does not wait for it.

The protocol is one JSON line each way on the worker's stdin and stdout; a request names the
cache folder to render into, so renderers with the same voices may share one worker
(``RenderWorkers``: the test suite's in-process daemons do). The worker exits when its stdin
closes, which the kernel does when the daemon exits for any reason, SIGKILL included. Cache hits
never reach the worker: the key is computed and the cache read here, from headers.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from scripts_library.markup import MarkupError
from scripts_library.render import (
    DiskFull,
    NothingToSay,
    Rendered,
    Renderer,
    RenderError,
    RenderSettings,
)
from scripts_library.voices import get_voice

RENDER_TIMEOUT_S = 120.0
START_TIMEOUT_S = 60.0
VoiceSpecs = Mapping[str, tuple[str, Mapping[str, Any]]]
"""Per language, the voice's name in ``VOICES`` and its settings."""


class RenderWorker:
    """One worker process with one set of voices and render settings, rendering into whichever
    cache folder a request names. Safe to call from several threads: renders take turns. A
    ``WorkerRenderer`` makes its own, or is given one that ``RenderWorkers`` shares."""

    def __init__(self, specs: VoiceSpecs, settings: RenderSettings) -> None:
        self.specs = {lang: (name, dict(options)) for lang, (name, options) in specs.items()}
        self.settings = settings
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._starting = False  # the worker is loading (the lock is held, no render under way)

    @property
    def pid(self) -> int | None:
        """The worker process's id while it runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def warm(self) -> Future[bool]:
        """Start the worker in the background (if it is not running); the future says when it
        has loaded what it needs."""
        future: Future[bool] = Future()

        def start() -> None:
            try:
                with self._lock:
                    self._running()
                future.set_result(True)
            except Exception as exc:
                future.set_exception(exc)

        threading.Thread(target=start, name="render-worker-start", daemon=True).start()
        return future

    def ask(self, cache_dir: Path, parts: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """The worker's reply to rendering ``parts`` into ``cache_dir`` (one fresh worker, once,
        if it does not answer)."""
        request = json.dumps({"cache_dir": str(cache_dir), "parts": [list(p) for p in parts]},
                             ensure_ascii=False)  # fmt: skip
        with self._lock:
            try:
                return self._ask(request)
            except _WorkerGone:
                self._stop()  # one fresh worker, once
            try:
                return self._ask(request)
            except _WorkerGone as gone:
                self._stop()
                raise RenderError(
                    f"The voice worker failed: {gone}; see the daemon log.",
                    f"语音合成进程出错：{gone}，请查看日志。",
                ) from None

    def close(self) -> None:
        """Stop the worker (after the render in hand, if any). A worker still starting is
        stopped at once: the start holds the lock until it is ready, and need not finish."""
        proc = self._proc
        if proc is not None and not self._lock.acquire(blocking=False):
            if self._starting:  # not a render in hand: the worker is still loading
                proc.terminate()  # its start sees the end and gives up; the lock comes free
            self._lock.acquire()
        elif proc is None:
            self._lock.acquire()
        try:
            self._stop()
        finally:
            self._lock.release()

    # -- the lock is held -----------------------------------------------------------------
    def _running(self) -> subprocess.Popen[str]:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            return proc
        config = {"specs": self.specs, "settings": asdict(self.settings)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "scripts_library.render_worker", json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        )  # fmt: skip
        self._proc = proc
        self._lines = queue.SimpleQueue()
        assert proc.stdout is not None
        threading.Thread(target=_pump, args=(proc.stdout, self._lines), daemon=True,
                         name="render-worker-reader").start()  # fmt: skip
        self._starting = True
        try:
            ready = self._next_line(START_TIMEOUT_S, lambda line: line == "ready")
        finally:
            self._starting = False
        if ready is None:
            self._stop()
            raise _WorkerGone("it did not start")
        return proc

    def _next_line(self, timeout: float, wanted: Callable[[str], bool]) -> str | None:
        """The worker's next line that ``wanted`` accepts (anything else a library printed is
        skipped); None if it stopped or said nothing in time."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            if wanted(line):
                return line
        return None

    def _ask(self, request: str) -> dict[str, Any]:
        proc = self._running()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(request + "\n")
            proc.stdin.flush()
        except OSError as exc:
            raise _WorkerGone(f"it stopped ({exc})") from None
        line = self._next_line(RENDER_TIMEOUT_S, lambda text: text.startswith("{"))
        if line is None:
            raise _WorkerGone(f"no answer within {RENDER_TIMEOUT_S:.0f} s, or it stopped")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the worker's cue to exit
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class RenderWorkers:
    """Workers shared by the renderers a process makes one after another (the test suite's
    in-process daemons): one per set of voices and settings, started on first use, kept until
    ``close``, so each renderer does not start a process that loads numpy and scipy again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: dict[str, RenderWorker] = {}

    def get(self, specs: VoiceSpecs, settings: RenderSettings) -> RenderWorker:
        key = json.dumps([{k: [n, dict(o)] for k, (n, o) in specs.items()}, asdict(settings)],
                         sort_keys=True)  # fmt: skip
        with self._lock:
            if key not in self._workers:
                self._workers[key] = RenderWorker(specs, settings)
            return self._workers[key]

    def close(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
        for worker in workers:
            worker.close()


class WorkerRenderer:
    """A ``Renderer`` whose synthesis runs in a worker process; same ``render`` contract. Safe
    to call from several threads: renders take turns. ``worker``: a shared one (its owner
    closes it), else the renderer starts its own and ``close`` stops it."""

    def __init__(
        self,
        cache_dir: Path,
        specs: VoiceSpecs,
        settings: RenderSettings | None = None,
        *,
        warm: bool = True,
        worker: RenderWorker | None = None,
    ) -> None:
        specs = {lang: (name, dict(options)) for lang, (name, options) in specs.items()}
        voices = {lang: get_voice(name, **options) for lang, (name, options) in specs.items()}
        self.local = Renderer(cache_dir, voices, settings or RenderSettings())  # lookups only
        if worker is not None and (worker.specs, worker.settings) != (specs, self.local.settings):
            raise ValueError("the shared render worker has other voices or settings")
        self._owns_worker = worker is None
        self.worker = worker or RenderWorker(specs, self.local.settings)
        if warm:  # a daemon wants the first notice fast; a one-off command may need no worker
            self.warm()

    def warm(self) -> Future[bool]:
        """Start the worker in the background (if it is not running); the future says when it
        has loaded what it needs."""
        return self.worker.warm()

    def render(
        self, parts: Sequence[tuple[str, str]], *, progress: Callable[[str], None] | None = None
    ) -> Rendered:
        """As ``Renderer.render``. Bad markup and unknown languages are refused here at once."""
        hit = self.local.lookup(parts)
        if hit is not None:
            return hit
        if progress is not None:
            progress("rendering in the voice worker…")
        reply = self.worker.ask(self.local.cache_dir, parts)
        if "ok" in reply:
            done = reply["ok"]
            return Rendered(Path(done["path"]), done["duration_ms"], done["lufs"],
                            done["cached"], done["key"])  # fmt: skip
        kind = str(reply.get("error"))
        if kind == "markup":
            raise MarkupError(reply["message"], reply["message_zh"])
        if kind == "nothing":
            raise NothingToSay(reply["message"], reply["message_zh"])
        if kind == "disk_full":
            raise DiskFull(reply["message"], reply["message_zh"])
        raise RenderError(reply["message"], reply["message_zh"])

    def pronounced(self, text: str, language: str) -> str:
        """As ``Renderer.pronounced``, here in the daemon (a short espeak-ng run, no model)."""
        return self.local.pronounced(text, language)

    def close(self) -> None:
        """Stop the worker, if it is this renderer's own (see ``RenderWorker.close``)."""
        if self._owns_worker:
            self.worker.close()


class _WorkerGone(Exception):
    """The worker did not answer: it died, hung or never started."""


def _pump(stream: IO[str], lines: queue.SimpleQueue[str | None]) -> None:
    """The worker's stdout, line by line, until it ends (then None)."""
    with stream:
        for line in stream:
            lines.put(line.rstrip("\n"))
    lines.put(None)


# -- the worker process ------------------------------------------------------------------------
def main(argv: Sequence[str]) -> None:
    """Serve render requests from stdin until it closes."""
    config = json.loads(argv[0])
    voices = {lang: get_voice(name, **options) for lang, (name, options) in config["specs"].items()}
    settings = RenderSettings(**config["settings"])
    import numpy  # noqa: F401  (warm: the first notice must not pay for the imports)
    import pydub  # noqa: F401
    import pyloudnorm  # noqa: F401
    import scipy.signal  # noqa: F401

    print("ready", flush=True)
    for line in sys.stdin:
        reply: dict[str, Any]
        try:
            request = json.loads(line)
            parts = [(language, text) for language, text in request["parts"]]
            done = Renderer(Path(request["cache_dir"]), voices, settings).render(parts)
            reply = {"ok": {**asdict(done), "path": str(done.path)}}
        except MarkupError as exc:
            reply = {"error": "markup", "message": exc.message, "message_zh": exc.message_zh}
        except NothingToSay as exc:  # the text's fault: the daemon refuses the text, not the voice
            reply = {"error": "nothing", "message": exc.message, "message_zh": exc.message_zh}
        except DiskFull as exc:  # no room to save: the worker stays, and renders once freed
            reply = {"error": "disk_full", "message": exc.message, "message_zh": exc.message_zh}
        except RenderError as exc:
            reply = {"error": "render", "message": exc.message, "message_zh": exc.message_zh}
        except Exception as exc:  # anything else is still an answer: the daemon must not hang
            reply = {"error": "render", "message": f"{type(exc).__name__}: {exc}",
                     "message_zh": f"语音合成出错：{exc}"}  # fmt: skip
        print(json.dumps(reply, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BrokenPipeError:  # the daemon went away (stopped or killed): so does its worker
        sys.exit(0)

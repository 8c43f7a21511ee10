"""Rendering in a worker process, so the daemon never holds the audio maths.

Synthesis and loudness normalisation need numpy, scipy, pyloudnorm and pydub (about 90 MB) and
a few hundred MB while a long bilingual notice is processed. ``WorkerRenderer`` keeps that in
one child process: the daemon stays small, and if rendering ever crashes or runs out of memory
it is the worker that dies, not the broadcast. The worker is started (and its imports warmed)
in the background as soon as the renderer is made, so the first notice does not wait for it.

Cache hits never reach the worker: the key is computed and the cache read here, from headers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from scripts_library.render import Rendered, Renderer, RenderError, RenderSettings
from scripts_library.voices import get_voice

RENDER_TIMEOUT_S = 120.0
PARENT_CHECK_S = 1.0
VoiceSpecs = Mapping[str, tuple[str, Mapping[str, Any]]]
"""Per language, the voice's name in ``VOICES`` and its settings."""

_renderer: Renderer | None = None  # in the worker process


def _start_worker(cache_dir: Path, specs: VoiceSpecs, settings: RenderSettings) -> None:
    global _renderer
    _die_with(os.getppid())
    voices = {language: get_voice(name, **options) for language, (name, options) in specs.items()}
    _renderer = Renderer(cache_dir, voices, settings)
    import numpy  # noqa: F401  (warm: the first notice must not pay for the imports)
    import pydub  # noqa: F401
    import pyloudnorm  # noqa: F401
    import scipy.signal  # noqa: F401


def _die_with(parent: int) -> None:
    """Exit when the daemon that started this worker is gone. A daemon killed outright (power
    cut, OOM killer, SIGKILL) never tells its worker to stop, and an orphaned worker would hold
    its memory for ever; the pipe it waits on does not always say so."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _render(parts: Sequence[tuple[str, str]]) -> Rendered:
    assert _renderer is not None
    return _renderer.render(parts)


def _ready() -> bool:
    return True


class WorkerRenderer:
    """A ``Renderer`` whose synthesis runs in one worker process; same ``render`` contract."""

    def __init__(
        self,
        cache_dir: Path,
        specs: VoiceSpecs,
        settings: RenderSettings | None = None,
        *,
        warm: bool = True,
    ) -> None:
        self._specs = {lang: (name, dict(options)) for lang, (name, options) in specs.items()}
        voices = {lang: get_voice(name, **options) for lang, (name, options) in self._specs.items()}
        self.local = Renderer(cache_dir, voices, settings or RenderSettings())  # lookups only
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        if warm:  # a daemon wants the first notice fast; a one-off command may need no worker
            self.warm()

    def warm(self) -> Future[bool]:
        """Start the worker (if it is not running) and let it import what it needs."""
        return self._executor().submit(_ready)

    def render(
        self, parts: Sequence[tuple[str, str]], *, progress: Callable[[str], None] | None = None
    ) -> Rendered:
        """As ``Renderer.render``. Bad markup and unknown languages are refused here at once."""
        hit = self.local.lookup(parts)
        if hit is not None:
            return hit
        if progress is not None:
            progress("rendering in the voice worker…")
        for attempt in (1, 2):
            try:
                return self._executor().submit(_render, list(parts)).result(RENDER_TIMEOUT_S)
            except BrokenProcessPool:
                self._discard()  # it died (killed, out of memory): one fresh worker, once
                if attempt == 2:
                    raise RenderError(
                        "The voice worker stopped while rendering; see the daemon log.",
                        "语音合成进程意外退出，请查看日志。",
                    ) from None
            except TimeoutError:
                self._discard()
                raise RenderError(
                    f"Rendering took longer than {RENDER_TIMEOUT_S:.0f} s.",
                    f"语音合成超过 {RENDER_TIMEOUT_S:.0f} 秒，已放弃。",
                ) from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stop the worker (after the render in hand, if any)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                local = self.local
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(local.cache_dir, self._specs, local.settings),
                )  # fmt: skip
            return self._pool

    def _discard(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

"""The render worker process: same results as rendering in-process, errors that cross the
process boundary intact, and a worker that never outlives its daemon."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from scripts_library.markup import MarkupError
from scripts_library.render import RenderError, RenderSettings
from scripts_library.render_worker import RenderWorkers, WorkerRenderer

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")
ESPEAK = {"zh-CN": ("espeak", {}), "en": ("espeak", {})}
ROOT = Path(__file__).resolve().parents[2]


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.1)
    return False


def worker_pids(parent: int) -> list[int]:
    return [p.pid for p in psutil.Process(parent).children()
            if "scripts_library.render_worker" in " ".join(p.cmdline())]  # fmt: skip


@pytest.mark.audio
def test_the_worker_renders_and_the_cache_is_answered_without_it(tmp_path: Path) -> None:
    renderer = WorkerRenderer(tmp_path, ESPEAK)
    try:
        first = renderer.render([("zh-CN", "各位顾客，/ 欢迎光临。"), ("en", "Welcome.")])
        assert not first.cached and first.duration_ms > 1000 and first.path.is_file()
        worker = renderer.worker.pid  # (this process may hold others: the API tests' shared one)
        assert worker in worker_pids(os.getpid())
        again = renderer.render([("zh-CN", "各位顾客，/ 欢迎光临。"), ("en", "Welcome.")])
        assert again.cached and again.path == first.path
        with pytest.raises(MarkupError):  # refused here, before the worker is asked
            renderer.render([("en", "*unclosed")])
    finally:
        renderer.close()
    assert gone(worker, 5), "close() must stop the worker"


@pytest.mark.audio
def test_a_failing_voice_comes_back_as_a_render_error(tmp_path: Path) -> None:
    broken = {"zh-CN": ("espeak", {"binary": "espeak-ng-missing"}), "en": ESPEAK["en"]}
    renderer = WorkerRenderer(tmp_path, broken, warm=False)
    try:
        with pytest.raises(RenderError) as caught:
            renderer.render([("zh-CN", "欢迎光临。")])
        assert caught.value.message and caught.value.message_zh  # both languages survived
        assert not list(tmp_path.rglob("*.wav"))
    finally:
        renderer.close()


@pytest.mark.audio
def test_renderers_sharing_a_worker_render_into_their_own_caches(tmp_path: Path) -> None:
    workers = RenderWorkers()
    try:
        first = WorkerRenderer(tmp_path / "a", ESPEAK, worker=workers.get(ESPEAK, RenderSettings()))
        done = first.render([("en", "Welcome.")])
        worker = first.worker.pid
        assert worker in worker_pids(os.getpid())
        first.close()  # a shared worker is its owner's to stop
        assert not gone(worker, 0.5) and done.path.is_relative_to(tmp_path / "a")
        second = WorkerRenderer(tmp_path / "b", ESPEAK,
                                worker=workers.get(ESPEAK, RenderSettings()))  # fmt: skip
        again = second.render([("en", "Welcome.")])
        assert not again.cached and again.path.is_relative_to(tmp_path / "b")  # its own cache
        assert second.worker.pid == worker, "the same worker rendered for both"
        assert worker in worker_pids(os.getpid())
        with pytest.raises(ValueError):  # a worker speaks only with the voices it was made for
            WorkerRenderer(tmp_path / "c", ESPEAK, RenderSettings(target_lufs=-20),
                           worker=workers.get(ESPEAK, RenderSettings()))  # fmt: skip
    finally:
        workers.close()
    assert gone(worker, 5), "closing the workers stops the shared one"


CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from scripts_library.render_worker import WorkerRenderer
renderer = WorkerRenderer(Path(sys.argv[2]), {"zh-CN": ("espeak", {}), "en": ("espeak", {})})
renderer.warm().result(60)
print("ready", flush=True)
time.sleep(600)
"""


def test_a_worker_exits_when_its_daemon_is_killed(tmp_path: Path) -> None:
    daemon = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT), str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert daemon.stdout is not None and daemon.stdout.readline().strip() == "ready"
        [worker] = worker_pids(daemon.pid)
        daemon.send_signal(signal.SIGKILL)  # nothing is closed, as in a power cut
        daemon.wait(10)
        assert gone(worker, 5), "an orphaned render worker outlived its daemon"
    finally:
        if daemon.poll() is None:
            daemon.kill()

"""A full disk while speech is rendered: a clear ``DiskFull`` in both languages, nothing half
written left where a later render could take it for a cached notice, the worker still there,
and the same notice rendered as soon as space is freed, without a restart.

The disk is a small tmpfs mounted for the test (root only), filled to the last byte."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from scripts_library.render import DiskFull, Renderer
from scripts_library.render_worker import WorkerRenderer
from scripts_library.voices import EspeakVoice

pytestmark = [
    pytest.mark.audio,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing"),
]
TEXT = "Would the owner of the blue bicycle by the north entrance please come to the desk."
ZH = "请注意，一位五岁的小朋友正在一楼服务台等候家长。"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, unmounted after the test."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and the dev machine run tests as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        if subprocess.run(["umount", str(disk)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path, *, leave: int = 0) -> Path:
    """Fill ``disk`` to the last byte, then free ``leave`` bytes again; returns the filler."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, filler.stat().st_size - leave)
    return filler


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "filler")


def assert_whole(path: Path, at_least_ms: int) -> None:
    with wave.open(str(path), "rb") as w:
        assert w.getnframes() * 1000 / w.getframerate() >= at_least_ms


def assert_says_disk_full(error: DiskFull, folder: Path) -> None:
    assert "disk is full" in error.message and str(folder) in error.message
    assert "磁盘已满" in error.message_zh and str(folder) in error.message_zh
    assert "Free some space" in error.message and "清理" in error.message_zh


@pytest.mark.parametrize("left", [0, 16 * 1024], ids=["no-room", "room-for-the-loudness-only"])
def test_a_full_cache_disk_is_a_clear_error_and_renders_once_space_is_freed(
    small_disk: Path, left: int
) -> None:
    cache = small_disk / "speech"
    renderer = Renderer(cache, {"en": EspeakVoice(), "zh-CN": EspeakVoice()})
    filler = fill(small_disk, leave=left)

    with pytest.raises(DiskFull) as caught:
        renderer.render([("zh-CN", ZH), ("en", TEXT)])
    assert_says_disk_full(caught.value, cache)
    assert files_in(small_disk) == [], "nothing half written (nor its loudness alone) is left"
    assert renderer.lookup([("zh-CN", ZH), ("en", TEXT)]) is None

    filler.unlink()
    done = renderer.render([("zh-CN", ZH), ("en", TEXT)])
    assert not done.cached and done.path.parent.parent == cache
    assert_whole(done.path, 6000)
    again = renderer.render([("zh-CN", ZH), ("en", TEXT)])
    assert again.cached and again.path == done.path


def test_a_voice_cut_short_by_a_full_temporary_disk_is_not_taken_for_the_notice(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # espeak-ng writes into the temporary folder, and when the disk fills it exits 0 with its
    # file cut short: that must not be normalised and cached as if it were the whole notice.
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))
    cache = tmp_path / "speech"
    renderer = Renderer(cache, {"en": EspeakVoice(), "zh-CN": EspeakVoice()})
    filler = fill(small_disk, leave=64 * 1024)  # about 1.5 s of the voice's audio

    with pytest.raises(DiskFull) as caught:
        renderer.render([("en", TEXT)])
    assert_says_disk_full(caught.value, small_disk)
    assert not cache.exists() or files_in(cache) == []
    assert files_in(small_disk) == [], "the voice's temporary files are cleaned up"

    filler.unlink()
    done = renderer.render([("en", TEXT)])
    assert not done.cached
    assert_whole(done.path, 4000)  # the whole sentence, not the 1.5 s that fitted


def test_the_worker_says_the_disk_is_full_survives_and_renders_once_space_is_freed(
    small_disk: Path,
) -> None:
    cache = small_disk / "speech"
    renderer = WorkerRenderer(cache, {"zh-CN": ("espeak", {}), "en": ("espeak", {})})
    try:
        renderer.warm().result(60)
        worker = renderer.worker.pid  # (this process may hold others: the API tests' shared one)
        assert worker in [p.pid for p in psutil.Process().children()
                          if "scripts_library.render_worker" in " ".join(p.cmdline())]  # fmt: skip
        filler = fill(small_disk)

        with pytest.raises(DiskFull) as caught:  # the kind crosses the process boundary
            renderer.render([("en", TEXT)])
        assert_says_disk_full(caught.value, cache)
        assert files_in(small_disk) == []
        assert psutil.pid_exists(worker) and psutil.Process(worker).status() not in (
            psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)  # fmt: skip

        filler.unlink()
        done = renderer.render([("en", TEXT)])
        assert not done.cached
        assert_whole(done.path, 4000)
        assert renderer.render([("en", TEXT)]).cached
        assert renderer.worker.pid == worker, "no restart needed"
    finally:
        renderer.close()

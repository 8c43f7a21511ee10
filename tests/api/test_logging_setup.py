"""What the daemon's log shows: scheduler jobs at DEBUG, ALSA's own lines quiet unless
--verbose, and syslog priorities journald understands when it runs under systemd."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CHILD = """
import ctypes, ctypes.util, logging, sys
from apscheduler.schedulers.background import BackgroundScheduler
from api.logging_setup import configure_logging
configure_logging(verbose=sys.argv[1] == "verbose")
log = logging.getLogger("broadcaster.test")
log.info("an ordinary line")
log.warning("the sound is gone")
log.debug("a detail")
scheduler = BackgroundScheduler()
scheduler.start()
scheduler.add_job(print, "date", run_date="2099-01-01 00:00:00", id="cue-1")
scheduler.shutdown()
alsa = ctypes.CDLL(ctypes.util.find_library("asound"))
pcm = ctypes.c_void_p()
alsa.snd_pcm_open(ctypes.byref(pcm), b"no_such_device_here", 0, 0)
"""


def run(tmp_path: Path, mode: str, *, journal: bool) -> list[str]:
    out = tmp_path / f"{mode}-{journal}.log"
    with out.open("wb") as stderr:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        if journal:  # what systemd sets: the device and inode of the stream it gave us
            found = os.fstat(stderr.fileno())
            env["JOURNAL_STREAM"] = f"{found.st_dev}:{found.st_ino}"
        subprocess.run([sys.executable, "-c", CHILD, mode], stderr=stderr, env=env, cwd=ROOT,
                       timeout=60, check=True)  # fmt: skip
    return out.read_text(errors="replace").splitlines()


@pytest.mark.skipif(ctypes.util.find_library("asound") is None, reason="no libasound")
def test_a_plain_start_shows_neither_job_lines_nor_alsa_noise(tmp_path):
    lines = run(tmp_path, "plain", journal=False)
    text = "\n".join(lines)
    assert "INFO broadcaster.test: an ordinary line" in text
    assert "WARNING broadcaster.test: the sound is gone" in text
    assert "a detail" not in text
    assert "Added job" not in text and "ALSA lib" not in text
    assert not any(line.startswith("<") for line in lines)


@pytest.mark.skipif(ctypes.util.find_library("asound") is None, reason="no libasound")
def test_verbose_shows_jobs_at_debug_and_alsa_messages(tmp_path):
    text = "\n".join(run(tmp_path, "verbose", journal=False))
    assert "DEBUG apscheduler.scheduler: Added job" in text
    assert "INFO apscheduler" not in text
    assert "a detail" in text and "no_such_device_here" in text


def test_under_journald_each_line_carries_its_priority(tmp_path):
    lines = run(tmp_path, "plain", journal=True)
    assert "<6>INFO broadcaster.test: an ordinary line" in lines
    assert "<4>WARNING broadcaster.test: the sound is gone" in lines
    assert all(line.startswith("<") for line in lines), lines

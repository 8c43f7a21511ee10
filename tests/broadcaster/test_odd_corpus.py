"""A public corpus of odd audio files (mutagen's test data: damaged, empty, silent, every tag
flavour) scans without an exception, and the bed plays the playable ones (issue 14).

The corpus is not in the repository: set ``BROADCASTER_ODD_CORPUS`` to its folder (default
/work/corpora/mutagen/tests/data); without it the test is skipped and says so."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from broadcaster.audio.output import MediaError, MediaInfo
from broadcaster.audio.vlc_output import VlcOutput
from broadcaster.clock import SystemClock
from broadcaster.db import make_engine
from broadcaster.library.models import LibraryTrack, ScanJob
from broadcaster.library.music import MusicLibrary
from broadcaster.library.scan import measure_pending, scan_tags
from broadcaster.settings import AudioSettings
from broadcaster.station import build_station
from playlists.names import text_path

CORPUS = Path(os.environ.get("BROADCASTER_ODD_CORPUS", "/work/corpora/mutagen/tests/data"))
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

pytestmark = [
    pytest.mark.vlc,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no odd-file corpus at {CORPUS} "
                       "(set BROADCASTER_ODD_CORPUS to mutagen's tests/data)"),
]  # fmt: skip


def test_the_whole_corpus_scans_and_the_bed_plays_the_playable_ones(tmp_path, capsys):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    job = ScanJob(requested_by="test", requested_at=NOW)
    scan_tags(engine, [CORPUS], job, now=lambda: NOW, report=lambda job: None, music_dir=CORPUS)
    measure_pending(engine, job, now=lambda: NOW, report=lambda job: None, workers=2)
    with Session(engine) as session:
        rows = session.exec(select(LibraryTrack)).all()
    playable = [text_path(r.path) for r in rows if r.playable]
    reasons = Counter((r.problem or "playable").split(" / ")[0] for r in rows)
    with capsys.disabled():
        print(f"\ncorpus {CORPUS}: {job.files} audio files, {job.scanned} scanned, "
              f"{len(playable)} playable; {dict(reasons)}")  # fmt: skip
    assert job.scanned == job.files == len(rows) and playable

    output = VlcOutput(SystemClock(), output="null")
    library = MusicLibrary(engine, music_dir=CORPUS, target_lufs=-23, unmeasured_gain_db=0)
    station = build_station(clock=SystemClock(), output=output, engine=engine, desk=False,
                            music=library.everything(), audio=AudioSettings(crossfade_ms=0))  # fmt: skip
    core, playlog = station.core, station.playlog
    for path in playable:  # the bed's own check passes for each
        answer: Future[MediaInfo | MediaError] = Future()
        output.preflight(path, answer.set_result)
    stop = threading.Event()
    thread = threading.Thread(target=core.run_forever, args=(stop,), daemon=True)
    core.start()
    thread.start()
    try:
        deadline = time.monotonic() + 40
        heard: set[str] = set()
        while time.monotonic() < deadline and len(heard) < min(len(playable), 4):
            time.sleep(0.2)
            heard = {r.media_path or "" for r in playlog.query(kinds=["music"]) if r.started_at}
    finally:
        stop.set()
        thread.join(5)
        core.shutdown()
        output.close()
    assert len(heard) >= min(len(playable), 4)
    assert heard <= {str(p) for p in playable}  # nothing with a problem went on air

"""`broadcaster backup` beside a real daemon that keeps writing play-log rows (announcements
queued and cancelled over HTTP, the music bed): the restored database holds every row that
existed when the backup started; `restore` refuses while the daemon runs."""

from __future__ import annotations

import threading

import httpx

from tests.kit.backup_rows import backup_now, missing_rows, play_log_rows, restore
from tests.kit.daemon_process import DaemonProcess, free_port
from tests.kit.media import make_tone
from tests.kit.waiting import wait_for


def test_a_backup_taken_under_load_restores_every_row_that_existed_when_it_started(tmp_path):
    data = tmp_path / "data"
    for n in range(2):
        make_tone(data / "music" / f"t{n}.wav", 2, 440 + 110 * n)  # short: a bed row every 2 s
    make_tone(data / "ann.wav", 1, 660)
    stop = threading.Event()
    written: list[int] = []

    with DaemonProcess(data, audio__output="null", audio__crossfade_ms="0") as daemon:

        def writer() -> None:
            with httpx.Client(base_url=daemon.url, headers=daemon.headers, timeout=10) as http:
                while not stop.is_set():
                    made = http.post("/api/v1/announcements",
                                     json={"file": "ann.wav", "title": f"load {len(written)}"})  # fmt: skip
                    if made.status_code == 202:
                        http.delete(f"/api/v1/queue/{made.json()['id']}")
                        written.append(made.json()["id"])

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            wait_for("20 announcements", lambda: len(written) >= 20, 30)
            taken = backup_now(daemon.env, data, tmp_path / "under-load.tar.gz")
            during = len(written)
            refused = restore(taken.archive, data, daemon.port)
            wait_for("10 more", lambda: len(written) >= during + 10, 30)  # still writing
        finally:
            stop.set()
            thread.join(15)
    assert refused.returncode == 1 and "stop it first" in refused.stderr, refused.stderr
    assert len(taken.before) >= 20
    rows_at_the_end = play_log_rows(data / "broadcaster.db")
    assert len(rows_at_the_end) > len(taken.before)  # the daemon wrote on through the backup

    elsewhere = tmp_path / "restored"
    done = restore(taken.archive, elsewhere, free_port())
    assert done.returncode == 0, done.stderr
    assert missing_rows(taken.before, elsewhere / "broadcaster.db") == []

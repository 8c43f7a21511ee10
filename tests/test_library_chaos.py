"""The bed never goes silent on a changing library (issue 14, deliver 4): a real daemon plays
into a recorded PulseAudio sink while the files of the playing source are deleted, emptied,
truncated, replaced by text, renamed to GBK names, added and restored at random, with a rescan
and a playlist edit; first an in-order list, then a shuffled folder (``tests/kit/chaos.py``;
``bench/library_chaos.py`` runs it for longer)."""

from __future__ import annotations

import pytest

from tests.kit import chaos

pytestmark = [pytest.mark.e2e, pytest.mark.vlc]


def test_the_bed_plays_on_while_its_files_change(tmp_path):
    report = chaos.run(tmp_path, phase_s=32, tracks=8, track_s=6.0, step_s=2.5, seed=14)
    print("\n".join(report.lines()))
    assert report.longest_silence_s <= 2.0, report.lines()
    assert report.repeats == 0, report.lines()
    assert report.order_backward_jumps == 0, report.order_played
    assert len(report.order_played) >= 4 and report.played >= 8, report.lines()
    assert max(report.failed_rows.values(), default=0) <= 3, report.failed_rows
    assert not any("no playable music" in f for f in report.faults), report.faults

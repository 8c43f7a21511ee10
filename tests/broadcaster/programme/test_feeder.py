"""Restart catch-up: what the feeder does with cues whose time has come while it was away."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from broadcaster.programme.feeder import CueFeeder
from broadcaster.programme.spec import Content, ContentKind, Cue, Timeline
from playlists.sources import folder_playlist
from tests.kit.factories import SPEECH, T0, make_rig


def cue(key: str, seconds: float, grace: int) -> Cue:
    content = Content(ContentKind.SPEECH, SPEECH.path.name, key)
    return Cue(key, 1, key, T0 + timedelta(seconds=seconds), content, 0, grace, cut=True)


def test_catch_up_plays_what_is_within_grace_logs_missed_and_never_replays(tmp_path):
    rig = make_rig(tmp_path)
    rig.playlog.record(layer="voice", kind="announcement", title="played", requested_by="p",
                       requested_at=T0 - timedelta(seconds=30), cue_key="played")  # fmt: skip
    feeder = CueFeeder(core=rig.core, playlog=rig.playlog, clock=rig.clock,
                       data_dir=SPEECH.path.parent, playlists=lambda name: folder_playlist(tmp_path / name), zone=UTC,
                       scripts=None)  # fmt: skip
    timeline = Timeline(date(2026, 11, 23), "weekday", T0 - timedelta(hours=2), None, cues=(
        cue("played", -20, 600), cue("late-but-ok", -20, 60), cue("too-late", -90, 60),
        cue("ahead", 60, 60), cue("yesterday", -3600, 60),
    ))  # fmt: skip
    ahead = feeder.catch_up([timeline], rig.clock.now(), since=T0 - timedelta(seconds=100))
    assert [c.key for c in ahead] == ["ahead"]
    rig.run(30)
    rows = {r.cue_key: r for r in rig.log() if r.cue_key}
    assert rows["late-but-ok"].outcome == "completed" and rows["late-but-ok"].started_at
    assert rows["too-late"].outcome == "missed" and "90 s late" in rows["too-late"].detail
    assert sum(1 for r in rig.log() if r.cue_key == "played") == 1
    assert set(rows) == {"played", "late-but-ok", "too-late"}  # "yesterday" is before `since`

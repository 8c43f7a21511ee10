"""A whole DOMAIN.md trading day through the real core, arbiter and feeder on a virtual clock."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from broadcaster.programme.default import (
    DEMO_ANNOUNCEMENTS,
    DEMO_PLAYLISTS,
    DEMO_SONGS,
    default_programme,
    song_ref,
    speech_ref,
)
from broadcaster.programme.simulate import InjectionError, parse_injection, simulate_day
from tests.kit.media import make_quiet_wav

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """Demo-shaped content with real durations, made quickly (silence for music and speech)."""
    data = tmp_path_factory.mktemp("data")
    for playlist in DEMO_PLAYLISTS:
        for index in range(2):
            make_quiet_wav(data / "music" / playlist / f"0{index}-{playlist}.wav", 150)
    for stem in DEMO_ANNOUNCEMENTS:
        make_quiet_wav(data / speech_ref(stem), 12)
    for stem in DEMO_SONGS:
        make_quiet_wav(data / song_ref(stem), 140)
    for name in ("lost_child_zh", "evacuation_zh"):
        make_quiet_wav(data / "announcements" / f"{name}.wav", 10)
    make_quiet_wav(data / "tones" / "chime.wav", 2)
    make_quiet_wav(data / "tones" / "alert.wav", 3)
    return data


def simulate(content: Path, *injections: str):
    return simulate_day(
        default_programme(), MONDAY, SHANGHAI, data_dir=content, music_dir=content / "music",
        chime=content / "tones" / "chime.wav", alert=content / "tones" / "alert.wav",
        injections=tuple(parse_injection(text) for text in injections),
    )  # fmt: skip


def local(when: datetime | None) -> time | None:
    return when.astimezone(SHANGHAI).time() if when else None


def test_the_domain_day_plays_every_cue_once_at_its_planned_time(content):
    result = simulate(content)
    cued = [r for r in result.rows if r.cue_key]
    keys = Counter(r.cue_key for r in cued)
    assert keys and max(keys.values()) == 1, "a cue played twice"
    assert set(keys) == {cue.key for cue in result.timeline.cues}  # every cue has its row
    assert all(r.outcome == "completed" for r in cued)
    by_rule = {cue.key: cue for cue in result.timeline.cues}
    for row in cued:
        cue = by_rule[row.cue_key]
        assert row.planned_at == cue.planned_at and row.started_at is not None
        lateness = (row.started_at - cue.planned_at).total_seconds()
        if cue.cut:
            assert lateness == 0, f"{cue.rule_name} started {lateness} s late"
        else:  # waits for the end of the music track, within its grace
            assert 0 <= lateness <= cue.grace_s, f"{cue.rule_name} {lateness} s late"
    assert result.wall_seconds < 10


def test_the_manuals_relative_rules_land_on_the_weekday_times(content):
    rows = [r for r in simulate(content).rows if r.cue_key]
    started = {(r.title, local(r.started_at)) for r in rows}
    for title, at in [
        ("Staff songs", time(7, 50)), ("Welcome music", time(7, 55)),
        ("Word to staff", time(7, 55)), ("Welcome", time(8, 0)),
        ("Pre-closing notice", time(21, 40)), ("Closing reminder", time(21, 45)),
        ("Farewell music", time(21, 55)), ("Farewell song", time(22, 0)),
        ("Closing speech", time(22, 0)),
    ]:  # fmt: skip
        assert (title, at) in started, f"{title} not at {at}"


def test_the_music_follows_the_dayparts(content):
    rows = [r for r in simulate(content).rows if r.kind == "music" and not r.cue_key]
    for at, playlist in [(time(8, 30), "piano"), (time(13, 0), "pop"), (time(14, 0), "foreign"),
                         (time(16, 0), "upbeat"), (time(19, 0), "light")]:  # fmt: skip
        playing = [r for r in rows if local(r.started_at) and local(r.started_at) <= at
                   and (local(r.ended_at) or time.max) > at]  # fmt: skip
        assert playing and f"/{playlist}/" in (playing[-1].media_path or ""), at


def test_rehearsed_interrupts_take_the_air_and_the_day_goes_on(content):
    result = simulate(content, "10:15 page", "14:00 emergency 90")
    page = next(r for r in result.rows if r.kind == "page")
    assert page.outcome == "completed"
    assert time(10, 15) < local(page.started_at) <= time(10, 15, 0, 200_000)  # after the duck
    fire = next(r for r in result.rows if r.kind == "emergency")
    assert local(fire.started_at) == time(14, 0) and local(fire.ended_at) == time(14, 1, 30)
    stopped = [r for r in result.rows if r.kind == "music" and r.outcome == "preempted"]
    assert any(local(r.ended_at) == time(14, 0) for r in stopped)  # the bed stopped, not ducked
    on_air = [r for r in result.rows if r.started_at and r.kind == "announcement"]
    assert not any(fire.started_at < r.started_at < fire.ended_at for r in on_air)


@pytest.mark.parametrize("text", ["10:15 parade", "25:00 page", "page", "10:15"])
def test_a_malformed_injection_is_refused(text):
    with pytest.raises(InjectionError):
        parse_injection(text)


def test_an_injection_naming_a_missing_file_is_refused_before_anything_runs(content):
    with pytest.raises(InjectionError, match="no file"):
        simulate(content, "10:15 page announcements/nope.wav")

"""A whole trading day of the default programme through the real core, arbiter and feeder on a virtual clock,
saying the approved starter scripts through the real script book and renderer (a fake voice)."""

from __future__ import annotations

import wave
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from broadcaster.actors import SYSTEM, Actor, Role
from broadcaster.db import make_engine
from broadcaster.programme.default import (
    DEMO_PLAYLISTS,
    DEMO_SONGS,
    WEEKDAY,
    default_programme,
    song_ref,
)
from broadcaster.programme.simulate import (
    DEFAULT_FILES,
    DayResult,
    InjectionError,
    parse_injection,
    simulate_day,
)
from broadcaster.programme.spec import Content, ContentKind, Programme, Rule, RuleKind
from broadcaster.scripts import crud
from broadcaster.scripts.book import ScriptBook
from broadcaster.scripts.models import ScriptCreate
from scripts_library.markup import Speech, plain
from scripts_library.render import Renderer
from scripts_library.spec import Category, Language
from scripts_library.starter import STARTER_SCRIPTS
from tests.kit.media import make_quiet_wav

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)
INSTALLED = datetime(2026, 11, 1, tzinfo=UTC)


class FakeVoice:
    """Speaks any text as quiet noise (about -20 dBFS), 0.1 s a character up to 15 s: real
    files of real lengths that the renderer can trim and normalise, made in no time."""

    name = "fake"
    rate = 16000

    def languages(self) -> tuple[str, ...]:
        return ("zh-CN", "en")

    def identity(self) -> str:
        return "fake"

    def render(self, speech: Speech, language: str, dest: Path) -> Path:
        text = plain(speech)
        seconds = min(0.1 * max(len(text), 1), 15.0)
        rng = np.random.default_rng(len(text))
        noise = np.clip(rng.normal(0.0, 0.1, round(seconds * self.rate)), -1.0, 1.0)
        with wave.open(str(dest), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            out.writeframes((noise * 32767).astype("<i2").tobytes())
        return dest


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """Demo-shaped content with real durations, made quickly (silence for music and speech)."""
    data = tmp_path_factory.mktemp("data")
    for playlist in DEMO_PLAYLISTS:
        for index in range(2):
            make_quiet_wav(data / "music" / playlist / f"0{index}-{playlist}.wav", 150)
    for stem in DEMO_SONGS:
        make_quiet_wav(data / song_ref(stem), 140)
    for name in DEFAULT_FILES.values():  # the rehearsal notices --inject plays
        make_quiet_wav(data / name, 10)
    make_quiet_wav(data / "tones" / "chime.wav", 2)
    make_quiet_wav(data / "tones" / "alert.wav", 3)
    return data


@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> Renderer:
    voice = FakeVoice()
    return Renderer(tmp_path_factory.mktemp("speech"), voices={"zh-CN": voice, "en": voice})


def starter_library(folder: Path) -> Engine:
    """A script library with the starter scripts installed, approved, as ``broadcaster demo``
    leaves it."""
    engine = make_engine(f"sqlite:///{folder}/lib.db")
    with Session(engine) as session:
        crud.install_starter(session, scripts=STARTER_SCRIPTS, by=SYSTEM, now=INSTALLED)
    return engine


@pytest.fixture(scope="module")
def scripts(tmp_path_factory, renderer: Renderer, content: Path) -> Iterator[ScriptBook]:
    """The starter library with its speech cache warmed, as ``broadcaster demo`` leaves it."""
    engine = starter_library(tmp_path_factory.mktemp("library"))
    with Session(engine) as session:
        on_air = crud.approved_versions(session)
    assert {script.code for script, _ in on_air} == {s.code for s in STARTER_SCRIPTS}
    for _, version in on_air:
        renderer.render([(version.language.value, version.text)])
    yield ScriptBook(engine=engine, renderer=renderer, data_dir=content)
    engine.dispose()


def simulate(
    content: Path,
    scripts: ScriptBook | None,
    *injections: str,
    programme: Programme | None = None,
) -> DayResult:
    return simulate_day(
        programme or default_programme(), MONDAY, SHANGHAI, data_dir=content,
        music_dir=content / "music", chime=content / "tones" / "chime.wav",
        alert=content / "tones" / "alert.wav", scripts=scripts,
        injections=tuple(parse_injection(text) for text in injections),
    )  # fmt: skip


def seconds(wav: Path) -> float:
    with wave.open(str(wav)) as reader:
        return reader.getnframes() / reader.getframerate()


def local(when: datetime | None) -> time | None:
    return when.astimezone(SHANGHAI).time() if when else None


def test_the_domain_day_plays_every_cue_once_at_its_planned_time(content, scripts):
    result = simulate(content, scripts)
    cued = [r for r in result.rows if r.cue_key]
    keys = Counter(r.cue_key for r in cued)
    assert keys and max(keys.values()) == 1, "a cue played twice"
    assert set(keys) == {cue.key for cue in result.timeline.cues}  # every cue has its row
    assert all(r.outcome == "completed" for r in cued), {r.detail for r in cued}
    by_rule = {cue.key: cue for cue in result.timeline.cues}
    for row in cued:
        cue = by_rule[row.cue_key]
        assert row.planned_at == cue.planned_at and row.started_at is not None
        lateness = (row.started_at - cue.planned_at).total_seconds()
        if cue.cut:
            assert lateness == 0, f"{cue.rule_name} started {lateness} s late"
        else:  # waits for the end of the music track, within its grace
            assert 0 <= lateness <= cue.grace_s, f"{cue.rule_name} {lateness} s late"
        if cue.content.kind is ContentKind.SCRIPT:  # the approved words, rendered
            late = f"; late {lateness:.0f} s" if lateness > 2 else ""  # the log says how late
            assert row.detail == f"script {cue.content.ref} v1{late}"
            assert row.media_path and row.media_path.endswith(".wav")
            assert row.ended_at is not None
            said = (row.ended_at - row.started_at).total_seconds()
            assert said == pytest.approx(seconds(Path(row.media_path)), abs=0.01)
            assert 1 < said < 16, f"{cue.rule_name} said for {said} s"  # the fake voice's length
    assert any(cue.content.kind is ContentKind.SCRIPT for cue in result.timeline.cues)
    assert result.wall_seconds < 10


def test_the_manuals_relative_rules_land_on_the_weekday_times(content, scripts):
    rows = [r for r in simulate(content, scripts).rows if r.cue_key]
    started = {(r.title, local(r.started_at)) for r in rows}
    for title, at in [
        ("员工励志歌曲 Staff songs", time(7, 50)), ("迎宾曲 Welcome music", time(7, 55)),
        ("致员工词 Word to staff", time(7, 55)), ("开市迎宾词 Opening welcome", time(8, 0)),
        ("闭店前预告 Pre-closing notice", time(21, 40)), ("闭店提醒 Closing reminder", time(21, 45)),
        ("送宾曲 Farewell music", time(21, 55)), ("送别歌曲 Farewell song", time(22, 0)),
        ("闭店词 Closing speech", time(22, 0)),
    ]:  # fmt: skip
        assert (title, at) in started, f"{title} not at {at}"


def test_the_music_follows_the_dayparts(content, scripts):
    rows = [r for r in simulate(content, scripts).rows if r.kind == "music" and not r.cue_key]
    for at, playlist in [(time(8, 30), "piano"), (time(13, 0), "pop"), (time(14, 0), "foreign"),
                         (time(16, 0), "upbeat"), (time(19, 0), "light")]:  # fmt: skip
        playing = [r for r in rows if local(r.started_at) and local(r.started_at) <= at
                   and (local(r.ended_at) or time.max) > at]  # fmt: skip
        assert playing and f"/{playlist}/" in (playing[-1].media_path or ""), at


def test_rehearsed_interrupts_take_the_air_and_the_day_goes_on(content, scripts):
    result = simulate(content, scripts, "10:15 page", "14:00 emergency 90")
    page = next(r for r in result.rows if r.kind == "page")
    assert page.outcome == "completed"
    assert DEFAULT_FILES["page"] in (page.media_path or "")
    assert time(10, 15) < local(page.started_at) <= time(10, 15, 0, 200_000)  # after the duck
    fire = next(r for r in result.rows if r.kind == "emergency")
    assert local(fire.started_at) == time(14, 0) and local(fire.ended_at) == time(14, 1, 30)
    assert DEFAULT_FILES["emergency"] in (fire.media_path or "")
    stopped = [r for r in result.rows if r.kind == "music" and r.outcome == "preempted"]
    assert any(local(r.ended_at) == time(14, 0) for r in stopped)  # the bed stopped, not ducked
    on_air = [r for r in result.rows if r.started_at and r.kind == "announcement"]
    assert any(r.cue_key for r in on_air)  # the scripts were said around it
    assert not any(fire.started_at < r.started_at < fire.ended_at for r in on_air)


def test_a_rehearsed_announcement_plays_its_default_file(content, scripts):
    result = simulate(content, scripts, "12:40 announcement")
    (row,) = [r for r in result.rows if r.kind == "announcement" and not r.cue_key]
    assert row.outcome == "completed" and DEFAULT_FILES["announcement"] in (row.media_path or "")
    assert time(12, 40) <= local(row.started_at) <= time(12, 40, 1)


def test_a_script_not_approved_yet_is_skipped_and_the_approved_one_still_plays(
    tmp_path, content, renderer
):
    engine = starter_library(tmp_path)
    try:
        with Session(engine) as session:
            crud.create_script(
                session,
                data=ScriptCreate(code="autumn_sale", title="秋季特卖",
                                  category=Category.PROMOTION, language=Language.ZH_CN,
                                  text="亲爱的顾客朋友们，/ 秋季特卖 *今天开始*！"),
                by=Actor("Li", Role.ANNOUNCER), now=INSTALLED, data_dir=content,
            )  # fmt: skip
        book = ScriptBook(engine=engine, renderer=renderer, data_dir=content)
        rules = (
            Rule(1, "Autumn sale", RuleKind.FIXED, at=time(9),
                 content=Content(ContentKind.SCRIPT, "autumn_sale", "Autumn sale")),
            Rule(2, "Floor guide", RuleKind.FIXED, at=time(9, 30),
                 content=Content(ContentKind.SCRIPT, "floor_guide", "Floor guide")),
        )  # fmt: skip
        programme = Programme({WEEKDAY.name: WEEKDAY}, dict.fromkeys(range(7), WEEKDAY.name), {},
                              rules)  # fmt: skip
        result = simulate(content, book, programme=programme)
    finally:
        engine.dispose()

    rows = {r.cue_key: r for r in result.rows if r.cue_key}
    assert len(rows) == len(result.timeline.cues) == 2
    draft = rows[result.timeline.cues[0].key]
    assert (draft.title, draft.outcome, draft.started_at) == ("Autumn sale", "skipped", None)
    assert "autumn_sale" in draft.detail and "not been approved" in draft.detail
    approved = rows[result.timeline.cues[1].key]
    assert approved.outcome == "completed"
    assert approved.detail.split("; late ")[0] == "script floor_guide v1"  # waited for the song


def test_without_a_script_library_the_script_cues_are_skipped_and_the_songs_play(content):
    result = simulate(content, None)
    rows = {r.cue_key: r for r in result.rows if r.cue_key}
    assert len(rows) == len([r for r in result.rows if r.cue_key])  # each cue once
    assert set(rows) == {cue.key for cue in result.timeline.cues}
    for cue in result.timeline.cues:
        row = rows[cue.key]
        if cue.content.kind is ContentKind.SCRIPT:
            assert (row.outcome, row.started_at) == ("skipped", None), cue.rule_name
            assert "no script library" in row.detail
        else:
            assert row.outcome == "completed", cue.rule_name
    assert any(cue.content.kind is ContentKind.SCRIPT for cue in result.timeline.cues)
    assert not any(r.kind == "announcement" and r.started_at for r in result.rows)


@pytest.mark.parametrize("text", ["10:15 parade", "25:00 page", "page", "10:15"])
def test_a_malformed_injection_is_refused(text):
    with pytest.raises(InjectionError):
        parse_injection(text)


def test_an_injection_naming_a_missing_file_is_refused_before_anything_runs(content):
    with pytest.raises(InjectionError, match="no file"):
        simulate(content, None, "10:15 page announcements/nope.wav")

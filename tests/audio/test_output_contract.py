"""One contract suite for every AudioOutput.

Each test runs against FakeOutput (virtual clock: the harness advances time in 10 ms steps and
pumps) and against VlcOutput (null audio output, real time: the harness polls every 10 ms up to
a deadline). Timing tolerances are what the real output needs; the fake meets them exactly.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from broadcaster.audio import vlc_setup
from broadcaster.audio.fake_output import FakeOutput
from broadcaster.audio.output import (
    MAX_GAIN_DB,
    SILENT_DB,
    AudioOutput,
    FadeShape,
    MediaError,
    MediaInfo,
    OutputEvent,
    OutputEventKind,
    db_to_vlc_volume,
    fade_db,
)
from broadcaster.audio.vlc_output import AudioSetupError, VlcOutput
from broadcaster.clock import Clock, FakeClock, SystemClock
from tests.kit.media import make_corrupt, make_empty, make_text, make_tone

STARTED, ENDED, FAILED, FADED = (
    OutputEventKind.STARTED,
    OutputEventKind.ENDED,
    OutputEventKind.FAILED,
    OutputEventKind.FADED,
)
BAD = ["missing", "empty", "corrupt", "text", "directory"]


@dataclass(frozen=True)
class Media:
    dir: Path

    def __getitem__(self, name: str) -> Path:
        return self.dir / name


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    root = tmp_path_factory.mktemp("media")
    make_tone(root / "short.wav", 0.5)
    make_tone(root / "tone1.wav", 1.0, 660)
    for ext in ("wav", "mp3", "ogg"):
        make_tone(root / f"tone2.{ext}", 2.0)
        make_tone(root / f"tone3.{ext}", 3.0, 330)
    make_empty(root / "empty.mp3")
    make_corrupt(root / "corrupt.mp3")
    make_text(root / "text.mp3")
    (root / "directory.mp3").mkdir()
    return Media(root)


def bad_path(media: Media, kind: str) -> Path:
    return media["missing.mp3" if kind == "missing" else f"{kind}.mp3"]


class Harness:
    """Drives one output; ``step`` lets 10 ms pass (virtually or for real)."""

    def __init__(self, output: AudioOutput, clock: Clock) -> None:
        self.output, self.clock = output, clock
        self.events: list[OutputEvent] = []
        self.on_event: Callable[[OutputEvent], None] | None = None
        output.start(self._sink)

    def _sink(self, event: OutputEvent) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def step(self) -> None:
        raise NotImplementedError

    def now(self) -> datetime:
        return self.clock.now()

    def wait_for(self, done: Callable[[], object], seconds: float) -> bool:
        deadline = self.now() + timedelta(seconds=seconds)
        while not done():
            if self.now() >= deadline:
                return False
            self.step()
        return True

    def let_pass(self, seconds: float) -> None:
        self.wait_for(lambda: False, seconds)

    def event(self, kind: OutputEventKind, token: int) -> OutputEvent | None:
        return next((e for e in list(self.events) if e.kind == kind and e.token == token), None)

    def kinds(self, token: int) -> list[OutputEventKind]:
        return [e.kind for e in list(self.events) if e.token == token]

    def preflight(self, path: Path) -> tuple[MediaInfo | MediaError | None, float]:
        results: list[MediaInfo | MediaError] = []
        began = self.now()
        self.output.preflight(path, results.append)
        self.wait_for(lambda: results, 3.0)
        return (results[0] if results else None), (self.now() - began).total_seconds()


class FakeHarness(Harness):
    def __init__(self) -> None:
        self.fake_clock = FakeClock()
        self.fake = FakeOutput(self.fake_clock)
        super().__init__(self.fake, self.fake_clock)

    def step(self) -> None:
        self.fake_clock.advance(0.01)
        self.fake.pump()


class VlcHarness(Harness):
    def __init__(self, output: str = "null") -> None:
        clock = SystemClock()
        self.vlc = VlcOutput(clock, output=output)
        super().__init__(self.vlc, clock)

    def step(self) -> None:
        time.sleep(0.01)


@pytest.fixture(params=["fake", pytest.param("vlc", marks=pytest.mark.vlc)])
def h(request: pytest.FixtureRequest) -> Iterator[Harness]:
    harness: Harness = FakeHarness() if request.param == "fake" else VlcHarness()
    yield harness
    harness.output.close()


def seconds(a: OutputEvent | None, b: OutputEvent | None) -> float:
    assert a is not None and b is not None
    return (b.at - a.at).total_seconds()


def seconds_since(began: datetime, event: OutputEvent | None) -> float:
    assert event is not None
    return (event.at - began).total_seconds()


# -- the contract -----------------------------------------------------------------------------
def test_play_reports_started_then_ended_after_the_real_duration(h: Harness, media: Media) -> None:
    called = h.now()
    h.output.play("bed_a", media["tone1.wav"], token=7)
    assert h.wait_for(lambda: h.event(STARTED, 7), 1.0)
    started = h.event(STARTED, 7)
    assert started is not None and (started.at - called).total_seconds() < 0.5
    state = h.output.layer_state("bed_a")
    assert (state.token, state.path, state.playing) == (7, media["tone1.wav"], True)
    h.let_pass(0.5)
    assert 300 <= h.output.layer_state("bed_a").position_ms <= 800
    assert h.wait_for(lambda: h.event(ENDED, 7), 2.0)
    assert h.kinds(7) == [STARTED, ENDED]
    assert seconds(started, h.event(ENDED, 7)) == pytest.approx(1.0, abs=0.25)
    state = h.output.layer_state("bed_a")
    assert (state.token, state.playing) == (None, False)


def test_stop_means_no_end_for_that_token(h: Harness, media: Media) -> None:
    h.output.play("bed_a", media["tone1.wav"], token=1)
    assert h.wait_for(lambda: h.event(STARTED, 1), 1.0)
    h.output.stop("bed_a")
    assert h.output.layer_state("bed_a").token is None
    assert not h.output.layer_state("bed_a").playing
    h.let_pass(1.5)
    assert h.kinds(1) == [STARTED]


def test_an_armed_file_plays_like_any_other_on_any_layer_and_again(
    h: Harness, media: Media
) -> None:
    h.output.arm(media["tone1.wav"])
    h.output.play("bed_a", media["tone3.wav"], token=1)
    h.let_pass(0.3)  # armed meanwhile (VLC: after the batch of commands)
    for token, layer in ((2, "voice"), (3, "bed_b")):
        h.output.play(layer, media["tone1.wav"], token=token)
        assert h.wait_for(lambda t=token: h.event(ENDED, t), 2.5)
        assert h.kinds(token) == [STARTED, ENDED]
        assert seconds(h.event(STARTED, token), h.event(ENDED, token)) == pytest.approx(
            1.0, abs=0.25
        )
    h.output.play("voice", media["tone1.wav"], token=4, start_ms=500)  # not from its start
    assert h.wait_for(lambda: h.event(ENDED, 4), 2.0)
    assert seconds(h.event(STARTED, 4), h.event(ENDED, 4)) == pytest.approx(0.5, abs=0.25)
    assert h.kinds(1) == [STARTED]  # the bed played on
    h.output.arm(None)
    h.output.play("voice", media["tone1.wav"], token=5)
    assert h.wait_for(lambda: h.event(ENDED, 5), 2.0)


@pytest.mark.vlc
def test_an_armed_file_changed_on_disk_plays_as_it_is_now(media: Media, tmp_path: Path) -> None:
    h = VlcHarness()
    try:
        alert = make_tone(tmp_path / "alert.wav", 1.0, 660)
        h.output.arm(alert)
        h.let_pass(0.3)
        make_tone(tmp_path / "longer.wav", 2.0, 660).replace(alert)
        h.output.play("voice", alert, token=1)
        assert h.wait_for(lambda: h.event(ENDED, 1), 3.5)
        assert seconds(h.event(STARTED, 1), h.event(ENDED, 1)) == pytest.approx(2.0, abs=0.25)
        h.output.play("voice", alert, token=2)  # armed again, as it is now
        assert h.wait_for(lambda: h.event(ENDED, 2), 3.5)
        assert seconds(h.event(STARTED, 2), h.event(ENDED, 2)) == pytest.approx(2.0, abs=0.25)
    finally:
        h.output.close()


@pytest.mark.parametrize("kind", BAD)
def test_play_of_a_bad_file_fails_without_starting(h: Harness, media: Media, kind: str) -> None:
    h.output.play("voice", bad_path(media, kind), token=4)
    assert h.wait_for(lambda: h.event(FAILED, 4), 2.0)
    assert h.kinds(4) == [FAILED]
    event = h.event(FAILED, 4)
    assert event is not None and event.detail
    assert not h.output.layer_state("voice").playing
    h.output.play("voice", media["short.wav"], token=5)  # the layer still works afterwards
    assert h.wait_for(lambda: h.event(ENDED, 5), 2.0)


@pytest.mark.parametrize("kind", BAD)
def test_preflight_of_a_bad_file_gives_media_error_quickly(
    h: Harness, media: Media, kind: str
) -> None:
    result, took = h.preflight(bad_path(media, kind))
    assert isinstance(result, MediaError) and str(result)
    assert took < 2.0


@pytest.mark.parametrize("ext", ["wav", "mp3", "ogg"])
def test_preflight_of_a_good_tone_gives_its_duration(h: Harness, media: Media, ext: str) -> None:
    result, _ = h.preflight(media[f"tone2.{ext}"])
    assert isinstance(result, MediaInfo)
    assert result.path == media[f"tone2.{ext}"]
    assert result.duration_ms == pytest.approx(2000, rel=0.05)


def test_set_volume_fades_and_reports_faded(h: Harness, media: Media) -> None:
    h.output.set_volume("voice", -10.0)  # nothing plays there: stored, no event
    h.output.play("bed_a", media["tone2.wav"], token=3, volume_db=-6.0)
    assert h.wait_for(lambda: h.event(STARTED, 3), 1.0)
    assert h.output.layer_state("bed_a").volume_db == -6.0
    began = h.now()
    h.output.set_volume("bed_a", -20.0, fade_ms=600)
    assert h.output.layer_state("bed_a").volume_db == -20.0  # the target, at once
    assert h.wait_for(lambda: h.event(FADED, 3), 1.5)
    faded = h.event(FADED, 3)
    assert faded is not None
    assert (faded.at - began).total_seconds() == pytest.approx(0.6, abs=0.15)
    h.output.set_volume("bed_a", -3.0, fade_ms=0)
    assert h.wait_for(lambda: h.kinds(3).count(FADED) == 2, 0.3)
    assert h.output.layer_state("bed_a").volume_db == -3.0
    assert h.output.layer_state("voice").volume_db == -10.0
    assert all(e.layer == "bed_a" for e in h.events)


def test_a_volume_above_the_file_level_is_kept_up_to_the_max_gain(h: Harness, media: Media) -> None:
    h.output.play("bed_a", media["tone2.wav"], token=3, volume_db=6.0)
    assert h.wait_for(lambda: h.event(STARTED, 3), 1.0)
    assert h.output.layer_state("bed_a").volume_db == 6.0
    h.output.set_volume("bed_a", MAX_GAIN_DB, fade_ms=200)
    assert h.wait_for(lambda: h.event(FADED, 3), 1.0)
    assert h.output.layer_state("bed_a").volume_db == MAX_GAIN_DB
    h.output.set_volume("bed_a", 30.0)  # louder than allowed: clamped
    assert h.wait_for(lambda: h.kinds(3).count(FADED) == 2, 0.3)
    assert h.output.layer_state("bed_a").volume_db == MAX_GAIN_DB
    h.output.play("voice", media["short.wav"], token=4, volume_db=20.0)
    assert h.output.layer_state("voice").volume_db == MAX_GAIN_DB


def test_a_power_fade_reaches_its_target_and_reports_faded(h: Harness, media: Media) -> None:
    h.output.play("bed_b", media["tone2.wav"], token=5, volume_db=SILENT_DB)
    assert h.wait_for(lambda: h.event(STARTED, 5), 1.0)
    began = h.now()
    h.output.set_volume("bed_b", 3.0, fade_ms=600, shape=FadeShape.POWER)
    assert h.output.layer_state("bed_b").volume_db == 3.0  # the target, at once
    assert h.wait_for(lambda: h.event(FADED, 5), 1.5)
    assert seconds_since(began, h.event(FADED, 5)) == pytest.approx(0.6, abs=0.15)
    h.output.set_volume("bed_b", SILENT_DB, fade_ms=300, shape=FadeShape.POWER)
    assert h.wait_for(lambda: h.kinds(5).count(FADED) == 2, 1.0)
    assert h.output.layer_state("bed_b").volume_db == SILENT_DB
    assert h.kinds(5) == [STARTED, FADED, FADED]


@pytest.mark.parametrize("ext", ["wav", "mp3", "ogg"])
def test_start_ms_is_honoured(h: Harness, media: Media, ext: str) -> None:
    h.output.play("bed_a", media[f"tone3.{ext}"], token=9, start_ms=2000)
    assert h.wait_for(lambda: h.event(STARTED, 9), 1.0)
    assert 2000 <= h.output.layer_state("bed_a").position_ms < 2300
    assert h.wait_for(lambda: h.event(ENDED, 9), 2.5)
    assert h.kinds(9) == [STARTED, ENDED]
    assert seconds(h.event(STARTED, 9), h.event(ENDED, 9)) == pytest.approx(1.0, abs=0.3)


def test_two_layers_play_independently(h: Harness, media: Media) -> None:
    h.output.play("bed_a", media["tone2.wav"], token=1, volume_db=-12.0)
    h.output.play("voice", media["tone1.wav"], token=2)
    assert h.wait_for(lambda: h.event(STARTED, 1) and h.event(STARTED, 2), 1.0)
    h.output.set_volume("voice", -30.0, fade_ms=0)
    assert h.wait_for(lambda: h.event(ENDED, 2), 2.0)
    bed = h.output.layer_state("bed_a")
    assert (bed.token, bed.playing, bed.volume_db) == (1, True, -12.0)
    assert h.output.layer_state("voice").token is None
    assert h.wait_for(lambda: h.event(ENDED, 1), 2.0)
    assert seconds(h.event(STARTED, 2), h.event(ENDED, 2)) == pytest.approx(1.0, abs=0.25)
    assert seconds(h.event(STARTED, 1), h.event(ENDED, 1)) == pytest.approx(2.0, abs=0.25)
    assert h.kinds(1) == [STARTED, ENDED] and h.kinds(2) == [STARTED, FADED, ENDED]


def test_replay_from_the_event_sink_works(h: Harness, media: Media) -> None:
    def replay(event: OutputEvent) -> None:  # runs on the output's own thread
        if event.kind == ENDED and event.token < 3:
            h.output.play("bed_a", media["short.wav"], token=event.token + 1)

    h.on_event = replay
    h.output.play("bed_a", media["short.wav"], token=1)
    assert h.wait_for(lambda: h.event(ENDED, 3), 4.0)
    assert [h.kinds(t) for t in (1, 2, 3)] == [[STARTED, ENDED]] * 3


def test_close_twice_is_harmless(h: Harness, media: Media) -> None:
    h.output.play("bed_a", media["tone2.wav"], token=1)
    h.wait_for(lambda: h.event(STARTED, 1), 1.0)
    h.output.close()
    h.output.close()
    assert ENDED not in h.kinds(1)


# -- VlcOutput only ---------------------------------------------------------------------------
@pytest.mark.vlc
def test_an_option_vlc_rejects_raises_audio_setup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vlc_setup, "HEADLESS_ARGS", (*vlc_setup.HEADLESS_ARGS, "--no-such-opt"))
    with pytest.raises(AudioSetupError, match="apt-get install") as raised:
        VlcOutput(SystemClock(), output="null")
    assert "VLC 无法启动" in str(raised.value)
    with pytest.raises(ValueError, match="output must be one of"):
        VlcOutput(SystemClock(), output="speakers")


@pytest.mark.vlc
def test_null_output_plays_in_real_time_without_a_fault(media: Media) -> None:
    h = VlcHarness()
    try:
        h.output.play("bed_a", media["tone2.wav"], token=1)
        assert h.wait_for(lambda: h.event(ENDED, 1), 3.0)
        assert h.output.fault() is None
        diagnostics = h.vlc.diagnostics()
        assert diagnostics["aout"] == "adummy"
        assert diagnostics["stats"]["bed_a"]["played_abuffers"] > 0
    finally:
        h.output.close()
    assert not [t for t in threading.enumerate() if t.name == "vlc-output"]


@pytest.mark.vlc
def test_no_reachable_sound_server_raises_a_fault(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, media: Media
) -> None:
    cards = Path("/proc/asound/cards")
    if cards.exists() and "no soundcards" not in cards.read_text():
        pytest.skip("this machine has an ALSA card, so VLC's fallback would really play")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/no-such-socket")
    h = VlcHarness(output="pulse")
    try:
        h.output.play("bed_a", media["tone3.wav"], token=1)
        assert h.wait_for(lambda: h.event(STARTED, 1), 1.0)
        assert h.output.fault() is None  # nothing is known yet
        assert h.wait_for(h.output.fault, 2.5)
        fault = h.output.fault() or ""
        assert "No sound is reaching the speakers" in fault and "扬声器没有声音" in fault
        assert h.vlc.diagnostics()["stats"]["bed_a"]["played_abuffers"] == 0
    finally:
        h.output.close()


# -- fade curves and the VLC volume mapping (pure) ---------------------------------------------
@pytest.mark.parametrize(("start", "target"), [(SILENT_DB, 0.0), (0.0, SILENT_DB)])
def test_a_power_fade_is_at_minus_3_db_halfway_to_or_from_silence(
    start: float, target: float
) -> None:
    assert fade_db(start, target, 0.5, FadeShape.POWER) == pytest.approx(-3.01, abs=0.01)
    assert fade_db(start, target, 0.0, FadeShape.POWER) == start
    assert fade_db(start, target, 1.0, FadeShape.POWER) == target


def test_two_power_fades_over_the_same_time_keep_the_summed_power() -> None:
    for level in (0.0, 6.0, -10.0):
        for frac in (0.1, 0.25, 0.5, 0.8, 0.95):
            fading_in = fade_db(SILENT_DB, level, frac, FadeShape.POWER)
            fading_out = fade_db(level, SILENT_DB, frac, FadeShape.POWER)
            total = 10 ** (fading_in / 10) + 10 ** (fading_out / 10)
            assert 10 * math.log10(total) == pytest.approx(level, abs=1e-6)
    # between two levels the power (not the dB) moves linearly: halfway is their mean power
    assert fade_db(-6.0, 6.0, 0.5, FadeShape.POWER) == pytest.approx(
        10 * math.log10((10**-0.6 + 10**0.6) / 2), abs=1e-9
    )


def test_a_db_fade_is_still_even_in_db() -> None:
    assert fade_db(SILENT_DB, 0.0, 0.5) == pytest.approx(SILENT_DB / 2)
    assert fade_db(-20.0, -6.0, 0.25, FadeShape.DB) == pytest.approx(-16.5)
    assert fade_db(-20.0, -6.0, 1.7) == -6.0 and fade_db(-20.0, -6.0, -1.0) == -20.0


def test_the_fake_follows_the_fade_shape_over_time(media: Media) -> None:
    clock = FakeClock()
    fake = FakeOutput(clock)
    fake.start(lambda _event: None)
    fake.play("bed_a", media["tone2.wav"], token=1, volume_db=0.0)
    fake.play("bed_b", media["tone2.wav"], token=2, volume_db=SILENT_DB)
    fake.set_volume("bed_a", SILENT_DB, fade_ms=1000, shape=FadeShape.POWER)
    fake.set_volume("bed_b", 0.0, fade_ms=1000, shape=FadeShape.POWER)
    clock.advance(0.5)
    assert fake.volume_at("bed_a") == pytest.approx(-3.01, abs=0.01)
    assert fake.volume_at("bed_b") == pytest.approx(-3.01, abs=0.01)
    fake.set_volume("bed_a", -40.0, fade_ms=1000)  # from where the power fade had got to
    clock.advance(0.5)
    assert fake.volume_at("bed_a") == pytest.approx((-3.0103 - 40.0) / 2, abs=0.01)
    clock.advance(0.5)
    assert (fake.volume_at("bed_a"), fake.volume_at("bed_b")) == (-40.0, 0.0)


def test_the_fake_can_fail_an_item_mid_play(media: Media) -> None:
    clock = FakeClock()
    fake = FakeOutput(clock)
    events: list[OutputEvent] = []
    fake.start(events.append)
    fake.play("bed_a", media["tone2.wav"], token=1)
    clock.advance(0.5)
    fake.fail("bed_a", "decoder error")
    fake.fail("bed_b", "nothing plays there")  # no item: no event
    assert [(e.kind, e.token, e.detail) for e in events] == [
        (STARTED, 1, ""),
        (FAILED, 1, "decoder error"),
    ]
    assert fake.layer_state("bed_a").token is None and fake.history[-1].stopped_at == clock.now()
    clock.advance(2.0)
    fake.pump()
    assert len(events) == 2  # no ENDED for the failed item


@pytest.mark.parametrize(
    ("volume_db", "vlc_volume"),
    [(SILENT_DB, 0), (-120.0, 0), (-60.0, 10), (-12.0, 63), (0.0, 100), (6.0, 126),
     (MAX_GAIN_DB, 158), (40.0, 158)],
)  # fmt: skip
def test_db_maps_to_vlcs_cubic_volume_with_gain_above_100(
    volume_db: float, vlc_volume: int
) -> None:
    assert db_to_vlc_volume(volume_db) == vlc_volume

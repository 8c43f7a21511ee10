"""Emergency profiles: the timing of the standards as data, a message refused (saying by how
much) when it cannot fit, and the core playing the passes the profile asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from broadcaster.emergency import (
    DEFAULT_PROFILE,
    Fit,
    Misfit,
    ProfileName,
    Tone,
    make_profile,
    segments_for,
)
from broadcaster.requests import Kind, Segment
from broadcaster.settings import SettingsError, load_settings
from tests.kit.factories import ALERT, MESSAGE, make_rig, request

GB = make_profile(ProfileName.GB50116)
EN54 = make_profile(ProfileName.EN54)


def test_gb50116_is_the_default_alarm_tone_alternating_with_voice():
    assert DEFAULT_PROFILE == GB == load_settings().emergency.build()
    assert 8 <= GB.alert_s <= 20 and GB.alternate and GB.tone is Tone.TWO_TONE
    fit = GB.fit(24.6)  # the starter evacuation notice: said once, 24.6 s of voice
    assert isinstance(fit, Fit) and (fit.times, fit.voice_s) == (1, 24.6)
    short = GB.fit(4.0)  # a short message is said again until the voice fills 10 s
    assert isinstance(short, Fit) and (short.times, short.voice_s) == (3, 12.0)
    assert short.interval_s == pytest.approx(12.0 + GB.gap_s + GB.alert_s)


def test_a_message_longer_than_the_voice_window_is_refused_by_how_much():
    misfit = GB.fit(33.4)
    assert isinstance(misfit, Misfit)
    assert "3.4 s too long" in misfit.message and "30 s" in misfit.message
    assert "超出 3.4 秒" in misfit.message_zh and "GB 50116" in misfit.message_zh


def test_en54_repeats_the_message_within_30_s_and_refuses_one_that_cannot():
    assert (EN54.alternate, EN54.max_interval_s, EN54.max_silence_s) == (False, 30.0, 10.0)
    assert 3 <= EN54.alert_s <= 10 and EN54.tone is Tone.SLOW_WHOOP
    fit = EN54.fit(27.5)
    assert isinstance(fit, Fit) and fit.interval_s == pytest.approx(29.5)  # message + gap
    misfit = EN54.fit(29.0)
    assert isinstance(misfit, Misfit)
    assert "every 31.0 s" in misfit.message and "1.0 s too long" in misfit.message
    assert "超出 1.0 秒" in misfit.message_zh
    alternating = make_profile(ProfileName.CUSTOM, alert_s=4, alternate=True, gap_s=2)
    misfit = alternating.fit(25.0)  # 4 + 25 + 2 = 31 s between message starts
    assert isinstance(misfit, Misfit) and "+ 4.0 s alert" in misfit.message


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ({"alert_s": 5}, "GB 50116 asks for 8–20 s"),
        ({"profile": "en54", "alert_s": 12}, "3–10 s"),
        ({"profile": "en54", "max_interval_s": 45}, "at most 30 s"),
        ({"profile": "custom", "gap_s": 8, "max_silence_s": 5}, "longer than max_silence_s"),
        ({"message_min_s": 4}, "at least 10 s of voice"),
    ],
)
def test_a_profile_outside_its_standard_stops_start_up_naming_it(section, words):
    with pytest.raises(SettingsError) as caught:
        load_settings(emergency=section)
    assert words in str(caught.value) and "emergency" in str(caught.value)


def test_the_old_gap_setting_says_where_it_went():
    with pytest.raises(SettingsError, match=r"emergency.*gap_s"):
        load_settings(audio={"emergency_gap_ms": 500})


def test_segments_for_repeats_a_short_message_or_says_why_not():
    alert = Segment(Path("/a.wav"), 10_000)
    said = Segment(Path("/m.wav"), 4_000)
    assert segments_for(GB, alert, said) == (alert, said, said, said)
    assert segments_for(GB, alert, None) == (alert,)
    assert isinstance(segments_for(GB, alert, Segment(Path("/l.wav"), 31_000)), Misfit)


def test_without_alternation_the_alert_is_heard_only_before_the_first_message(tmp_path):
    rig = make_rig(tmp_path, emergency=EN54)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="fire", segments=(ALERT, MESSAGE)))
    played: list[Path] = []
    for _ in range(400):  # 40 s in 100 ms steps
        rig.run(0.1)
        now = rig.output.playing("voice")
        if now is not None and (not played or played[-1] != now):
            played.append(now)
        elif now is None and played and played[-1] is not None:
            played.append(Path("-"))
    heard = [p for p in played if p != Path("-")]
    assert heard[:4] == [ALERT.path, MESSAGE.path, MESSAGE.path, MESSAGE.path], heard
    assert heard.count(ALERT.path) == 1


def test_with_alternation_every_pass_starts_with_the_alert_after_the_gap(tmp_path):
    profile = make_profile(ProfileName.CUSTOM, gap_s=1.5, alternate=True)
    rig = make_rig(tmp_path, emergency=profile)
    rig.core.start_emergency(request(Kind.EMERGENCY, title="fire", segments=(ALERT, MESSAGE)))
    rig.run(0)
    rig.run(ALERT.duration_ms / 1000 + MESSAGE.duration_ms / 1000 + 0.1)
    assert rig.output.playing("voice") is None  # the gap
    rig.run(1.5)
    assert rig.output.playing("voice") == ALERT.path


def test_the_log_names_a_repeated_message_once_with_how_often():
    from broadcaster.voice import media_of

    alert, said = Segment(Path("/t/alert.wav"), 10_000), Segment(Path("/t/fire.wav"), 300)
    segments = segments_for(GB, alert, said)
    assert isinstance(segments, tuple) and len(segments) == 35  # 34 × 0.3 s fills 10 s
    fire = request(Kind.EMERGENCY, segments=segments)
    assert media_of(fire) == "/t/alert.wav + /t/fire.wav ×34"
    long = request(Kind.EMERGENCY, segments=tuple(Segment(Path(f"/t/{n:04}.wav" * 20), 1)
                                                 for n in range(20)))  # fmt: skip
    assert len(media_of(long)) == 1000 and media_of(long).endswith("…")

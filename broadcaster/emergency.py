"""Emergency profiles: how an emergency broadcast is timed, as data (pure, no I/O).

An emergency plays passes of ``[alert tone][message × n][gap]`` until it is cleared. A profile
says how long the alert is and its shape, how long the voice part must be (a message shorter
than the window's minimum is said again until it fills it), whether the alert comes before
every message (alternation) or only before the first, the silence after each message, and the
limits a standard sets on the result:

- **GB 50116-2013** §4.8.9 (the default in a zh-CN store): an alarm tone of 8–20 s alternating
  with 10–30 s of voice.
- **ISO 7240-16 / EN 54-16**: an alert signal of 3–10 s before the first message, messages
  repeated at intervals of at most 30 s, no silence longer than 10 s while the alarm holds.
- **custom**: every parameter from the settings.

``EmergencyProfile.fit`` answers, for a message of a given length, how often it is said per
pass and the interval between message starts, or refuses it saying by how much (both
languages). The API refuses such a message when an emergency script is approved and when an
emergency is started with it; ``broadcaster check`` runs the same test on the configured content.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from broadcaster.requests import Segment
from scripts_library.spec import AlertTone

Tone = AlertTone  # the alert's sound, generated to the profile's length


class ProfileName(StrEnum):
    GB50116 = "gb50116"
    EN54 = "en54"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Standard:
    """What a standard allows: a named profile's settings must stay inside it."""

    title: str
    title_zh: str
    alert_s: tuple[float, float]
    message_min_s: float
    message_max_s: float | None
    max_interval_s: float | None  # between the starts of consecutive messages
    max_silence_s: float | None


STANDARDS: dict[ProfileName, Standard] = {
    ProfileName.GB50116: Standard("GB 50116", "GB 50116", (8.0, 20.0), 10.0, 30.0, None, None),
    ProfileName.EN54: Standard("ISO 7240-16 / EN 54-16", "ISO 7240-16 / EN 54-16", (3.0, 10.0),
                               0.0, None, 30.0, 10.0),
}  # fmt: skip


@dataclass(frozen=True)
class Fit:
    """How a message of ``message_s`` plays under a profile."""

    message_s: float
    times: int  # said this many times in a row per pass
    voice_s: float  # the voice part of a pass
    interval_s: float  # from the start of one pass's message to the next one's


@dataclass(frozen=True)
class Misfit:
    """Why a message cannot be used; each message says by how much."""

    message: str
    message_zh: str


@dataclass(frozen=True)
class EmergencyProfile:
    name: ProfileName
    title: str
    title_zh: str
    alert_s: float
    tone: Tone
    message_min_s: float  # the voice window: a shorter message is said again to fill it
    message_max_s: float | None
    alternate: bool  # the alert before every message; False: only before the first
    gap_s: float  # silence after each pass
    max_interval_s: float | None
    max_silence_s: float | None

    @property
    def gap_ms(self) -> int:
        return round(self.gap_s * 1000)

    def times_for(self, message_s: float) -> int:
        """How often a message is said in a row to fill the voice window."""
        if message_s <= 0 or message_s >= self.message_min_s:
            return 1
        return math.ceil(self.message_min_s / message_s - 1e-9)

    def fit(self, message_s: float, *, alert_s: float | None = None) -> Fit | Misfit:
        """Whether a message of ``message_s`` seconds fits, with an alert of ``alert_s``
        (default: the profile's own length)."""
        alert = self.alert_s if alert_s is None else alert_s
        times = self.times_for(message_s)
        voice = message_s * times
        interval = voice + self.gap_s + (alert if self.alternate else 0.0)
        if self.message_max_s is not None and voice > self.message_max_s + 0.05:
            over = voice - self.message_max_s
            return Misfit(
                f"The message lasts {message_s:.1f} s; {self.title} allows at most "
                f"{self.message_max_s:g} s of voice: {over:.1f} s too long. Shorten it.",
                f"该通知时长 {message_s:.1f} 秒；{self.title_zh} 规定语音最长 "
                f"{self.message_max_s:g} 秒：超出 {over:.1f} 秒，请缩短。",
            )
        if self.max_interval_s is not None and interval > self.max_interval_s + 0.05:
            over = interval - self.max_interval_s
            parts = f"{voice:.1f} s of voice + {self.gap_s:g} s gap" + (
                f" + {alert:.1f} s alert" if self.alternate else ""
            )
            parts_zh = f"语音 {voice:.1f} 秒 + 间隔 {self.gap_s:g} 秒" + (
                f" + 警报 {alert:.1f} 秒" if self.alternate else ""
            )
            return Misfit(
                f"The message lasts {message_s:.1f} s, so it would repeat every {interval:.1f} s "
                f"({parts}); {self.title} allows at most {self.max_interval_s:g} s between "
                f"messages: {over:.1f} s too long. Shorten it by at least {over:.1f} s.",
                f"该通知时长 {message_s:.1f} 秒，每 {interval:.1f} 秒才重复一次（{parts_zh}）；"
                f"{self.title_zh} 规定两次通知之间最多 {self.max_interval_s:g} 秒："
                f"超出 {over:.1f} 秒，请至少缩短 {over:.1f} 秒。",
            )
        return Fit(message_s, times, voice, interval)

    def alert_misfit(self, alert_s: float) -> Misfit | None:
        """A configured alert file whose length the standard does not allow."""
        standard = STANDARDS.get(self.name)
        if standard is None:
            return None
        low, high = standard.alert_s
        if low - 0.05 <= alert_s <= high + 0.05:
            return None
        return Misfit(
            f"The alert tone lasts {alert_s:.1f} s; {self.title} asks for {low:g}–{high:g} s.",
            f"警报音时长 {alert_s:.1f} 秒；{self.title_zh} 要求 {low:g}–{high:g} 秒。",
        )


def make_profile(
    name: ProfileName,
    *,
    alert_s: float | None = None,
    tone: Tone | None = None,
    message_min_s: float | None = None,
    message_max_s: float | None = None,
    alternate: bool | None = None,
    gap_s: float | None = None,
    max_interval_s: float | None = None,
    max_silence_s: float | None = None,
) -> EmergencyProfile:
    """A profile: a standard's defaults with the given values, checked against the standard
    (ValueError naming the value and the limit), or a custom one from the values alone."""
    defaults = _DEFAULTS[name]
    profile = EmergencyProfile(
        name=name, title=defaults.title, title_zh=defaults.title_zh,
        alert_s=defaults.alert_s if alert_s is None else alert_s,
        tone=tone or defaults.tone,
        message_min_s=defaults.message_min_s if message_min_s is None else message_min_s,
        message_max_s=message_max_s if message_max_s is not None else defaults.message_max_s,
        alternate=defaults.alternate if alternate is None else alternate,
        gap_s=defaults.gap_s if gap_s is None else gap_s,
        max_interval_s=max_interval_s if max_interval_s is not None else defaults.max_interval_s,
        max_silence_s=max_silence_s if max_silence_s is not None else defaults.max_silence_s,
    )  # fmt: skip
    for problem in _outside(profile):
        raise ValueError(problem)
    return profile


def _outside(p: EmergencyProfile) -> list[str]:
    problems = []
    if p.message_max_s is not None and p.message_max_s < p.message_min_s:
        problems.append(f"message_max_s ({p.message_max_s:g}) is below message_min_s "
                        f"({p.message_min_s:g}) / 语音最长时间小于最短时间")  # fmt: skip
    if p.max_silence_s is not None and p.gap_s > p.max_silence_s:
        problems.append(f"gap_s ({p.gap_s:g}) is longer than max_silence_s ({p.max_silence_s:g})"
                        f" / 间隔超过最长静音")  # fmt: skip
    standard = STANDARDS.get(p.name)
    if standard is None:
        return problems
    low, high = standard.alert_s
    if not low <= p.alert_s <= high:
        problems.append(f"alert_s = {p.alert_s:g}: {standard.title} asks for {low:g}–{high:g} s "
                        f"/ {standard.title_zh} 要求警报 {low:g}–{high:g} 秒")  # fmt: skip
    if p.message_min_s < standard.message_min_s:
        problems.append(f"message_min_s = {p.message_min_s:g}: {standard.title} asks for at least "
                        f"{standard.message_min_s:g} s of voice / 语音至少 "
                        f"{standard.message_min_s:g} 秒")  # fmt: skip
    for name, mine, limit in (("message_max_s", p.message_max_s, standard.message_max_s),
                              ("max_interval_s", p.max_interval_s, standard.max_interval_s),
                              ("max_silence_s", p.max_silence_s, standard.max_silence_s)):  # fmt: skip
        if limit is not None and (mine is None or mine > limit):
            problems.append(f"{name} = {mine}: {standard.title} allows at most {limit:g} s "
                            f"/ {standard.title_zh} 最多 {limit:g} 秒")  # fmt: skip
    return problems


def segments_for(
    profile: EmergencyProfile, alert: Segment, message: Segment | None
) -> tuple[Segment, ...] | Misfit:
    """What one pass plays: the alert, then the message as often as the voice window asks
    (the core plays the passes: broadcaster.core), or why the message does not fit."""
    if message is None:
        return (alert,)
    fit = profile.fit(message.duration_ms / 1000, alert_s=alert.duration_ms / 1000)
    if isinstance(fit, Misfit):
        return fit
    return (alert, *[message] * fit.times)


_DEFAULTS: dict[ProfileName, EmergencyProfile] = {
    ProfileName.GB50116: EmergencyProfile(
        ProfileName.GB50116, "GB 50116", "GB 50116", alert_s=10.0, tone=Tone.TWO_TONE,
        message_min_s=10.0, message_max_s=30.0, alternate=True, gap_s=2.0,
        max_interval_s=None, max_silence_s=None,
    ),
    ProfileName.EN54: EmergencyProfile(
        ProfileName.EN54, "ISO 7240-16 / EN 54-16", "ISO 7240-16 / EN 54-16", alert_s=5.0,
        tone=Tone.SLOW_WHOOP, message_min_s=0.0, message_max_s=None, alternate=False, gap_s=2.0,
        max_interval_s=30.0, max_silence_s=10.0,
    ),
    ProfileName.CUSTOM: EmergencyProfile(
        ProfileName.CUSTOM, "the custom emergency profile", "自定义紧急广播规则", alert_s=5.0,
        tone=Tone.TWO_TONE, message_min_s=0.0, message_max_s=None, alternate=True, gap_s=2.0,
        max_interval_s=30.0, max_silence_s=10.0,
    ),
}  # fmt: skip
DEFAULT_PROFILE = _DEFAULTS[ProfileName.GB50116]

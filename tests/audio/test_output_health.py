"""The output-health policy as a table: what a person sees, when the output is reopened and
what is logged, for a first failure, a fault that lasts (the back-off grows to its cap), a
recovery, faults that come and go and a sound server that restarts; then the details. Pure: no libvlc, no PulseAudio, no threads; times are
the monotonic seconds the VLC output would pass. The output checks every 50 ms; the table checks
every 1/16 s, which binary floats hold exactly, so each time below is exact."""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable
from dataclasses import dataclass
from logging import ERROR, WARNING
from pathlib import Path

import pytest

import broadcaster.audio
from broadcaster.audio.output_health import (
    DEVICE_FAULT,
    REOPEN_AFTER_S,
    SERVER_FAULT,
    SILENT_FAULT,
    STREAM_FAULT,
    LogLine,
    OutputHealth,
    Verdict,
)
from broadcaster.audio.pulse_probe import Heard

WHERE = "aout=pulse, device=default"
SILENT = SILENT_FAULT.format(where=WHERE)
CHECK_EVERY_S = 1 / 16


def silent(health: OutputHealth, now: float = 0.0) -> None:
    health.sound(decoded=40, played=0)  # decoded, none played: the device did not open


def sound(health: OutputHealth, now: float = 0.0) -> None:
    health.sound(decoded=40, played=40)


@dataclass
class Run:
    """Checks every ``CHECK_EVERY_S`` like the engine, collecting the verdicts that said or
    did something."""

    health: OutputHealth
    now: float = 0.0

    def until(self, end: float) -> list[tuple[float, Verdict]]:
        said = []
        while self.now < end - 1e-9:
            self.now += CHECK_EVERY_S
            verdict = self.health.check(self.now)
            if verdict.changed or verdict.reopen or verdict.log:
                said.append((self.now, verdict))
        return said


def reopen_times(said: list[tuple[float, Verdict]]) -> list[float]:
    return [at for at, verdict in said if verdict.reopen]


def messages(said: list[tuple[float, Verdict]]) -> list[tuple[int, str]]:
    return [(line.level, line.message) for _, verdict in said for line in verdict.log]


# -- the table --------------------------------------------------------------------------------
Observation = Callable[[OutputHealth, float], None]


def server(heard: Heard) -> Observation:
    """The sound server's answer while an item has played since 0 s."""
    return lambda health, now: health.heard(heard, now=now, playing_since=0.0)


S = f"audio output: {SILENT}"
REOPEN = "audio output: reopening (try {}, {}); next try in {} s"
BACK = "audio output: sound is back after {} s ({} reopen(s))"

CASES = {  # observations at times, checked until; reopen times, faults told, lines logged
    "first failure": (
        [(0, silent)], 2.5,
        [2], [SILENT], [(ERROR, S), (WARNING, REOPEN.format(1, "silent", 4))],
    ),
    "back-off grows and is capped": (
        [(0, silent)], 100,
        [2, 6, 14, 30, 60, 90], [SILENT],
        [(ERROR, S), *[(WARNING, REOPEN.format(n, "silent", wait))
                       for n, wait in enumerate([4, 8, 16, 30, 30, 30], 1)]],
    ),
    "recovery": (
        [(0, silent), (7, sound)], 60,
        [2, 6], [SILENT, None],
        [(ERROR, S), (WARNING, REOPEN.format(1, "silent", 4)),
         (WARNING, REOPEN.format(2, "silent", 8)), (WARNING, BACK.format("7.0", 2))],
    ),
    "a fault that passes before the first reopen": (
        [(0, silent), (1.5, sound)], 60,
        [], [SILENT, None], [(ERROR, S), (WARNING, BACK.format("1.5", 0))],
    ),
    "flapping": (
        [(0, silent), (1, sound), (2, silent), (3, sound), (4, silent)], 7,
        [6], [SILENT, None, SILENT, None, SILENT],
        [(ERROR, S), (WARNING, BACK.format("1.0", 0)), (ERROR, S),
         (WARNING, BACK.format("1.0", 0)), (ERROR, S), (WARNING, REOPEN.format(1, "silent", 4))],
    ),
    "the server restarts": (
        [(0, server(Heard.STREAM)), (5, server(Heard.NO_SERVER)), (12, server(Heard.NO_STREAM)),
         (13, server(Heard.STREAM))], 60,
        [7, 11, 12], [SERVER_FAULT, STREAM_FAULT, None],
        [(ERROR, f"audio output: {SERVER_FAULT}"), (WARNING, REOPEN.format(1, "server", 4)),
         (WARNING, REOPEN.format(2, "server", 8)), (WARNING, REOPEN.format(3, "stream", 16)),
         (WARNING, BACK.format("8.0", 3))],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_the_table(case: str) -> None:
    """Each case is checked every 1/16 s from 0 s; an observation falls just before the check
    at its time."""
    observations, until, reopens, told, logged = CASES[case]
    health, pending = OutputHealth(where=WHERE), list(observations)
    said = []
    for step in range(int(until / CHECK_EVERY_S) + 1):
        now = step * CHECK_EVERY_S
        while pending and pending[0][0] <= now:
            pending.pop(0)[1](health, now)
        said.append((now, health.check(now)))
    assert reopen_times(said) == reopens
    assert [verdict.fault for _, verdict in said if verdict.changed] == told
    assert messages(said) == logged


# -- the details: a first failure ---------------------------------------------------------------
def test_a_first_failure_is_shown_and_logged_at_once_and_reopened_after_2_s() -> None:
    health = OutputHealth(where=WHERE)
    assert health.check(9.5) == Verdict(None, changed=False, reopen=False, reopen_at=None)
    silent(health)
    first = health.check(10.0)
    assert first == Verdict(SILENT, changed=True, reopen=False, reopen_at=10.0 + REOPEN_AFTER_S,
                            log=(LogLine(logging.ERROR, f"audio output: {SILENT}"),))  # fmt: skip
    said = Run(health, now=10.0).until(12.5)
    assert reopen_times(said) == [12.0]
    assert not any(verdict.changed for _, verdict in said)  # the same fault: told once


@pytest.mark.parametrize(
    ("observe", "fault"),
    [
        (silent, SILENT),
        (lambda h: h.devices(["alsa_output.pci", "null"]),
         DEVICE_FAULT.format(device="hall", found=["alsa_output.pci", "null"])),
        (lambda h: (h.heard(Heard.STREAM, now=0.0, playing_since=None),
                    h.heard(Heard.NO_SERVER, now=0.0, playing_since=None)), SERVER_FAULT),
        (lambda h: (h.heard(Heard.STREAM, now=0.0, playing_since=None),
                    h.heard(Heard.NO_STREAM, now=3.0, playing_since=1.0)), STREAM_FAULT),
    ],
    ids=["silent", "device", "server", "stream"],
)  # fmt: skip
def test_each_fault_shows_its_text_in_english_then_chinese(observe, fault: str) -> None:
    health = OutputHealth(where=WHERE, device="hall")
    observe(health)
    assert health.fault() == fault
    english, chinese = fault.split(" / ", 1)
    assert english.isascii() and not chinese.isascii()


# -- a fault that lasts -------------------------------------------------------------------------
def test_a_server_that_answers_again_is_reconnected_at_once_not_after_the_wait() -> None:
    health = OutputHealth(where=WHERE)
    health.heard(Heard.STREAM, now=0.0, playing_since=0.0)
    health.heard(Heard.NO_SERVER, now=10.0, playing_since=0.0)
    assert health.check(10.0).fault == SERVER_FAULT
    run = Run(health, now=10.0)
    said = run.until(23.5)  # reopened at 12 and 16; the next try is due at 24
    assert reopen_times(said) == [12, 16]
    # it answers, without our stream (it restarted) while an item has played for long
    health.heard(Heard.NO_STREAM, now=23.5, playing_since=0.0)
    assert health.fault() == STREAM_FAULT
    said = run.until(23.5 + CHECK_EVERY_S)
    assert reopen_times(said) == [23.5 + CHECK_EVERY_S]
    assert said[0][1].changed and said[0][1].fault == STREAM_FAULT
    assert messages(said) == [
        (logging.WARNING, "audio output: reopening (try 3, stream); next try in 16 s")
    ]


# -- recovery -----------------------------------------------------------------------------------
def test_sound_played_again_ends_the_fault_and_logs_how_long_it_lasted() -> None:
    health = OutputHealth(where=WHERE)
    silent(health)
    health.check(0.0)
    run = Run(health)
    assert reopen_times(run.until(7.0)) == [2, 6]
    sound(health)
    said = run.until(7.5)
    assert said == [
        (7.0625, Verdict(None, changed=True, reopen=False, reopen_at=None, log=(
            LogLine(logging.WARNING, "audio output: sound is back after 7.1 s (2 reopen(s))"),
        ))),
    ]  # fmt: skip
    assert run.until(60.0) == []  # nothing more is said or done


def test_the_server_heard_playing_our_stream_again_ends_its_fault() -> None:
    health = OutputHealth(where=WHERE)
    health.heard(Heard.STREAM, now=0.0, playing_since=0.0)
    health.heard(Heard.NO_STREAM, now=5.0, playing_since=0.0)
    assert health.fault() == STREAM_FAULT
    health.heard(Heard.STREAM, now=7.0, playing_since=6.5)
    assert health.fault() is None


def test_sound_played_ends_a_missing_sink_fault() -> None:
    health = OutputHealth(where=WHERE, device="hall")
    health.devices(["null"])
    assert health.fault() is not None
    sound(health)
    assert health.fault() is None


# -- faults that come and go --------------------------------------------------------------------
def test_a_fault_back_after_recovery_is_a_new_outage_with_the_back_off_from_the_start() -> None:
    health = OutputHealth(where=WHERE)
    silent(health)
    health.check(0.0)
    run = Run(health)
    assert reopen_times(run.until(15.0)) == [2, 6, 14]  # the next wait would be 16 s
    sound(health)
    run.until(15.0625)
    silent(health)
    said = run.until(17.5)
    assert [(at, v.fault) for at, v in said if v.changed] == [(15.125, SILENT)]
    assert messages(said) == [
        (logging.ERROR, f"audio output: {SILENT}"),
        (logging.WARNING, "audio output: reopening (try 1, silent); next try in 4 s"),
    ]
    assert reopen_times(said) == [17.125]


def test_a_fault_set_and_cleared_between_two_checks_is_not_told() -> None:
    health = OutputHealth(where=WHERE)
    silent(health)
    sound(health)
    assert Run(health).until(10.0) == []


def test_the_server_counts_only_once_it_was_heard_playing_our_stream() -> None:
    health = OutputHealth(where=WHERE)
    health.heard(Heard.NO_SERVER, now=1.0, playing_since=0.0)  # pactl cannot reach it: not ours
    health.heard(Heard.NO_STREAM, now=5.0, playing_since=0.0)  # VLC plays elsewhere
    assert health.fault() is None
    health.heard(Heard.STREAM, now=6.0, playing_since=0.0)
    health.heard(Heard.NO_SERVER, now=8.0, playing_since=0.0)
    assert health.fault() == SERVER_FAULT


def test_an_output_set_to_pulseaudio_counts_the_server_from_the_start() -> None:
    """The server died (or never ran) before the probe first found our stream: under load the
    probe's first answers can come seconds after the music started."""
    health = OutputHealth(where=WHERE, pulse=True)
    health.heard(Heard.NO_STREAM, now=2.0, playing_since=None)  # asked before VLC connected
    assert health.fault() is None
    health.heard(Heard.NO_SERVER, now=4.0, playing_since=1.0)
    assert health.fault() == SERVER_FAULT
    assert health.check(4.0).changed
    health.heard(Heard.STREAM, now=9.0, playing_since=8.0)
    assert health.fault() is None


@pytest.mark.parametrize(
    ("playing_since", "lost"), [(None, False), (9.0, False), (8.5, False), (8.4, True)]
)
def test_a_lost_stream_counts_once_an_item_has_played_for_1_5_s(
    playing_since: float | None, lost: bool
) -> None:
    health = OutputHealth(where=WHERE)
    health.heard(Heard.STREAM, now=0.0, playing_since=None)
    health.heard(Heard.NO_STREAM, now=10.0, playing_since=playing_since)
    assert (health.fault() == STREAM_FAULT) is lost


def test_nothing_decoded_says_nothing_either_way() -> None:
    health = OutputHealth(where=WHERE)
    health.sound(decoded=0, played=0)
    assert health.fault() is None
    silent(health)
    health.sound(decoded=0, played=0)
    assert health.fault() == SILENT


def test_no_sink_asked_for_is_never_missing() -> None:
    health = OutputHealth(where=WHERE)
    health.devices([])
    assert health.fault() is None


def test_two_faults_show_together_in_the_order_they_arose() -> None:
    health = OutputHealth(where=WHERE, device="hall")
    health.heard(Heard.STREAM, now=0.0, playing_since=None)
    health.heard(Heard.NO_SERVER, now=1.0, playing_since=None)
    health.devices(["null"])
    device = DEVICE_FAULT.format(device="hall", found=["null"])
    assert health.fault() == f"{SERVER_FAULT} | {device}"
    said = Run(health, now=1.0).until(3.1)
    assert messages(said)[0] == (logging.ERROR, f"audio output: {device} | {SERVER_FAULT}")
    assert messages(said)[1][1].startswith("audio output: reopening (try 1, device, server)")


# -- the shape of the audio package -------------------------------------------------------------
def imported(path: Path) -> set[str]:
    """The modules and the names ``path`` imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(alias.name for alias in node.names)}
    return names


def test_only_the_vlc_output_and_its_own_modules_use_vlc() -> None:
    package = Path(broadcaster.audio.__file__).parent
    users = {p.stem for p in package.glob("*.py") if "vlc" in imported(p)}
    assert users and all(name.startswith("vlc_") for name in users), users
    health = imported(package / "output_health.py")
    assert not {name for name in health if "vlc" in name or name in ("threading", "subprocess")}

"""The VLC outputs' engine thread (``broadcaster.audio.vlc_engine``) on plain jobs, no libvlc:
an armed start waits for its batch and for ``START_GAP_S`` after the last silencing, so every
zone's beds are paused before any zone's alert starts, and the alerts start back to back."""

from __future__ import annotations

import threading
import time

import pytest

from broadcaster.audio import vlc_engine
from broadcaster.audio.vlc_engine import VlcEngine


class Member:
    def __init__(self, log: list[tuple[str, float]]) -> None:
        self.log = log

    def after_batch(self, now: float) -> None:
        self.log.append(("after", time.monotonic()))


def joined(log: list[tuple[str, float]], first=lambda: None) -> tuple[VlcEngine, Member]:
    engine, member = VlcEngine("test-engine"), Member(log)
    engine.join(member, first)
    return engine, member


def run_on(engine: VlcEngine, job) -> None:
    done = threading.Event()

    def wrapped() -> None:
        job()
        done.set()

    engine.put(wrapped)
    assert done.wait(5)


def mark(log: list[tuple[str, float]], name: str):
    return lambda: log.append((name, time.monotonic()))


def names(log: list[tuple[str, float]]) -> list[str]:
    return [name for name, _ in log if name != "after"]


def at(log: list[tuple[str, float]], name: str) -> float:
    return next(t for n, t in log if n == name)


def wait_for(log: list[tuple[str, float]], name: str) -> None:
    deadline = time.monotonic() + 5
    while name not in names(log):
        assert time.monotonic() < deadline, f"{name} never ran: {names(log)}"
        time.sleep(0.005)


def test_an_armed_start_waits_the_gap_after_a_silencing_and_for_the_rest_of_its_batch():
    log: list[tuple[str, float]] = []
    engine, member = joined(log)

    def step() -> None:  # one zone's part of an emergency: its bed silenced, its alert armed
        engine.hushed()
        log.append(("hushed", time.monotonic()))
        engine.start_after_hush(mark(log, "alert"))
        engine.put(mark(log, "next command"))  # already waiting: the same batch

    run_on(engine, step)
    wait_for(log, "alert")
    assert names(log) == ["hushed", "next command", "alert"]
    assert at(log, "alert") - at(log, "hushed") >= vlc_engine.START_GAP_S
    # The members' step comes after the starts of the batch.
    assert any(n == "after" and t >= at(log, "alert") for n, t in log)
    engine.leave(member, lambda: None)


def test_commands_arriving_in_the_gap_run_first_and_every_start_goes_back_to_back(monkeypatch):
    monkeypatch.setattr(vlc_engine, "START_GAP_S", 0.3)  # room for the test thread to come in
    log: list[tuple[str, float]] = []
    engine, member = joined(log)

    def zone(name: str):
        def part() -> None:
            engine.hushed()
            log.append((f"{name} bed paused", time.monotonic()))
            engine.start_after_hush(mark(log, f"{name} alert"))

        return part

    run_on(engine, zone("1F"))
    run_on(engine, zone("2F"))  # inside 1F's gap: its silencing moves the gap
    wait_for(log, "2F alert")
    assert names(log) == ["1F bed paused", "2F bed paused", "1F alert", "2F alert"]
    assert at(log, "1F alert") - at(log, "2F bed paused") >= 0.3
    assert not any(n == "after" and at(log, "1F bed paused") < t < at(log, "1F alert")
                   for n, t in log)  # fmt: skip
    engine.leave(member, lambda: None)


def test_with_nothing_silenced_an_armed_start_does_not_wait_the_gap(monkeypatch):
    monkeypatch.setattr(vlc_engine, "START_GAP_S", 2.0)  # a wait nobody could miss
    log: list[tuple[str, float]] = []
    engine, member = joined(log)

    def step() -> None:
        log.append(("step", time.monotonic()))
        engine.start_after_hush(mark(log, "alert"))

    run_on(engine, step)
    wait_for(log, "alert")
    assert at(log, "alert") - at(log, "step") < 1.0
    engine.leave(member, lambda: None)


@pytest.mark.parametrize("hush_first", [True, False])
def test_a_failing_start_does_not_stop_the_others_or_the_engine(hush_first):
    log: list[tuple[str, float]] = []
    engine, member = joined(log)

    def boom() -> None:
        raise RuntimeError("a sink went away")

    def step() -> None:
        if hush_first:
            engine.hushed()
        engine.start_after_hush(boom)
        engine.start_after_hush(mark(log, "2F alert"))

    run_on(engine, step)
    wait_for(log, "2F alert")
    run_on(engine, mark(log, "later command"))
    assert names(log) == ["2F alert", "later command"]
    engine.leave(member, lambda: None)

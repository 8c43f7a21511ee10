"""Composition: from a style and its track's seeded generator, a song as timed note events —
key, tempo fitted to whole phrases, two chord progressions, an A-A'-B-A' melody with proper
cadences, and each bar's accompaniment, bass line and drum pattern.

No sound is made here: events name the instruments of their parts, which ``mix`` renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .styles import _Part, _Style

# The rhythm of a phrase's last bar (a cadence), in every style: (start, length) in beats.
_CADENCES = (((0, 1), (1, 1), (2, 2)), ((0, 2), (2, 2)), ((0, 1.5), (1.5, 0.5), (2, 2)))

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_PROGRESSIONS = (
    (0, 4, 5, 3),  # I V vi IV
    (5, 3, 0, 4),  # vi IV I V
    (0, 5, 3, 4),  # I vi IV V
    (3, 4, 2, 5),  # IV V iii vi
    (1, 4, 0, 5),  # ii V I vi
    (0, 2, 3, 4),  # I iii IV V
    (3, 0, 4, 5),  # IV I V vi
)
_KEYS = (55, 57, 58, 60, 62, 63, 65)  # tonic of the chord register: G3 .. F4
_DRUM_PART = _Part("drums", 1.0, 0.0, 0.15)


@dataclass(frozen=True)
class _Event:
    beat: float  # from the start of the song
    beats: float
    part: _Part
    pitches: tuple[int, ...]  # MIDI notes, a chord if several; empty for drums
    velocity: float
    drum: str = ""


@dataclass
class _Song:
    spb: float  # seconds per beat
    events: list[_Event] = field(default_factory=list)


def _midi(tonic: int, degree: int) -> int:
    octave, step = divmod(degree, 7)
    return tonic + 12 * octave + _MAJOR[step]


def _chord_degrees(root: int, sevenths: bool) -> list[int]:
    return [root, root + 2, root + 4] + ([root + 6] if sevenths else [])


def _voicing(tonic: int, root: int, sevenths: bool) -> tuple[int, ...]:
    """The chord's notes folded into the octave from a fourth under the tonic: close voicings
    that move little from chord to chord."""
    low = tonic - 5
    notes = []
    for degree in _chord_degrees(root, sevenths):
        note = _midi(tonic, degree)
        while note < low:
            note += 12
        while note >= low + 12:
            note -= 12
        notes.append(note)
    return tuple(sorted(notes))


def _phrase(
    rng: np.random.Generator, style: _Style, prog: tuple[int, ...], start: int, close: bool
) -> list[tuple[float, float, int, float]]:
    """Four bars of melody over ``prog``, as (beat, beats, scale degree, velocity): chord tones
    on strong beats, steps in between, and a cadence on the tonic (``close``) or a chord tone."""
    notes: list[tuple[float, float, int, float]] = []
    prev = start
    for bar, root in enumerate(prog):
        last_bar = bar == len(prog) - 1
        bank = _CADENCES if last_bar else style.rhythms
        pattern = bank[int(rng.integers(len(bank)))]
        tones = {d % 7 for d in _chord_degrees(root, False)}
        for j, (beat, beats) in enumerate(pattern):
            strong = beat in (0, 2) or beats >= 2
            if last_bar and j == len(pattern) - 1:
                wanted = {0} if close and 0 in tones else {root % 7}
                degree = _nearest(prev, wanted)
            elif strong:
                degree = _nearest(prev + int(rng.choice([-2, -1, 0, 1, 2])), tones)
            else:
                degree = prev + int(rng.choice([-2, -1, -1, 1, 1, 2, 0]))
                if beats >= 1 and degree % 7 in (3, 6):  # no long fa or ti
                    degree += 1 if degree % 7 == 6 else -1
            degree = min(9, max(-2, degree))
            velocity = (0.9 if strong else 0.75) + float(rng.uniform(-0.05, 0.05))
            notes.append((bar * 4 + beat, beats, degree, velocity))
            prev = degree
    return notes


def _nearest(target: int, steps: set[int]) -> int:
    candidates = [d for d in range(-3, 11) if d % 7 in steps]
    return min(candidates, key=lambda d: (abs(d - target), d))


def _compose(style: _Style, rng: np.random.Generator, seconds: float) -> _Song:
    tail = min(2.5, seconds * 0.15)
    bpm = float(rng.uniform(*style.bpm))
    bars_f = (seconds - tail) * bpm / 240
    phrases = round((bars_f - 1) / 4)
    if phrases >= 2:  # fit whole phrases plus the final bar by nudging the tempo
        bars = 4 * phrases + 1
        bpm = bars * 240 / (seconds - tail)
    else:
        bars = max(1, int(bars_f))
    song = _Song(spb=60 / bpm)
    tonic = int(rng.choice(_KEYS))
    order = rng.permutation(len(_PROGRESSIONS))
    prog_a, prog_b = _PROGRESSIONS[order[0]], _PROGRESSIONS[order[1]]
    melody_a = _phrase(rng, style, prog_a, int(rng.choice([0, 2, 4])), close=False)
    melody_a2 = [n for n in melody_a if n[0] < 12]
    melody_a2 += [
        n for n in _phrase(rng, style, prog_a, melody_a2[-1][2], close=True) if n[0] >= 12
    ]
    melody_b = _phrase(rng, style, prog_b, int(rng.choice([4, 5, 7])), close=False)

    blocks: list[tuple[str, tuple[int, ...], list[tuple[float, float, int, float]]]] = []
    if bars >= 13:
        blocks.append(("intro", prog_a, []))
    cycle = [
        ("main", prog_a, melody_a),
        ("main", prog_a, melody_a2),
        ("main", prog_b, melody_b),
        ("main", prog_a, melody_a2),
        ("break", prog_b, []),
    ]
    for i in range(bars):  # more than enough; only the first bars - 1 are played
        blocks.append(cycle[i % len(cycle)])
    last = (bars - 1) // 4 - 1
    if (bars - 1) % 4 == 0 and last >= 1:  # the last phrase before the end is the closing one
        blocks[last] = ("main", prog_a, melody_a2)
    # The body is the blocks cut to bars - 1, then one bar on the tonic to end.
    for bar in range(bars - 1):
        kind, prog, melody = blocks[bar // 4]
        _bar(song, style, tonic, bar, prog[bar % 4], kind, rng)
        for beat, beats, degree, velocity in melody:
            if int(beat // 4) == bar % 4:
                start = bar * 4 + beat % 4
                pitch = _midi(tonic + 12, degree)
                song.events.append(_Event(start, beats, style.lead, (pitch,), velocity))
    _bar(song, style, tonic, bars - 1, 0, "end", rng)
    song.events.append(_Event((bars - 1) * 4, 4, style.lead, (tonic + 12,), 0.8))
    return song


def _bar(
    song: _Song, style: _Style, tonic: int, bar: int, root: int, kind: str, rng: np.random.Generator
) -> None:
    """The accompaniment, bass and drums of one bar."""
    at = bar * 4.0
    events = song.events
    chord = _voicing(tonic, root, style.sevenths)
    bass_note = _midi(tonic - 12, root % 7)
    if bass_note >= tonic - 5:
        bass_note -= 12
    comp, pattern = style.comp, style.comp_pattern
    if kind == "end":
        events.append(_Event(at, 4, comp, chord, 0.6))
        if style.bass is not None:
            events.append(_Event(at, 4, style.bass, (bass_note,), 0.7))
        if style.drums is not None:
            events.append(_Event(at, 1, _DRUM_PART, (), 0.8, drum="kick"))
        return
    if pattern == "arpeggio":
        tones = (bass_note + 12, *chord, chord[0] + 12)
        for i, k in enumerate((0, 1, 2, 3, 4, 3, 2, 1)):
            events.append(_Event(at + i / 2, 1, comp, (tones[k],), 0.5 + 0.1 * (i % 4 == 0)))
        if style.bass is not None:
            events.append(_Event(at, 4, style.bass, (bass_note,), 0.7))
    elif pattern == "pad":
        events.append(_Event(at, 4, comp, chord, 0.7))
        if style.sparkle is not None and kind != "intro":
            for beat in (0.0, 1.5, 3.0) if bar % 2 else (0.0, 2.0):
                note = int(rng.choice(chord)) + 24
                events.append(_Event(at + beat, 1, style.sparkle, (note,), 0.5))
        if style.bass is not None and kind != "intro":
            events.append(_Event(at, 4, style.bass, (bass_note,), 0.6))
    elif pattern == "pop":
        for beat, beats in ((0, 1.5), (1.5, 1), (2.5, 1.5)):
            events.append(_Event(at + beat, beats, comp, chord, 0.6))
        if style.bass is not None and kind != "intro":
            steps = ((0, 1.5, 0), (1.5, 0.5, 0), (2, 1, 7), (3, 0.5, 12), (3.5, 0.5, 0))
            for beat, beats, offset in steps:
                events.append(_Event(at + beat, beats, style.bass, (bass_note + offset,), 0.8))
    elif pattern == "offbeat":
        for beat in (0.5, 1.5, 2.5, 3.5):
            events.append(_Event(at + beat, 0.5, comp, chord, 0.6))
        if style.bass is not None and kind != "intro":
            for i in range(8):
                note = bass_note + 12 * (i % 2)
                events.append(_Event(at + i / 2, 0.5, style.bass, (note,), 0.9 - 0.15 * (i % 2)))
    elif pattern == "bossa":
        first = bar % 2 == 0
        hits = (
            ((0, 1), (1.5, 1), (3, 0.5), (3.5, 0.5))
            if first
            else ((0.5, 1), (1.5, 1), (2.5, 1), (3.5, 0.5))
        )
        for beat, beats in hits:
            events.append(_Event(at + beat, beats, comp, chord, 0.55))
        if style.bass is not None and kind != "intro":
            for beat, beats, offset in ((0, 1.5, 0), (1.5, 0.5, 7), (2, 1.5, 7), (3.5, 0.5, 0)):
                events.append(_Event(at + beat, beats, style.bass, (bass_note + offset,), 0.75))
    if style.drums is not None and kind != "break":
        _drums(events, style.drums, at, bar, full=kind != "intro")


def _drums(events: list[_Event], kit: str, at: float, bar: int, *, full: bool) -> None:
    hits: list[tuple[str, float, float]] = []
    if kit == "pop":
        hits += [("hat", b / 2, 0.5 if b % 2 == 0 else 0.3) for b in range(8)]
        if full:
            hits += [("kick", 0, 1.0), ("kick", 2, 0.9), ("kick", 2.5, 0.6)]
            hits += [("snare", 1, 0.8), ("snare", 3, 0.85)]
    elif kit == "four":
        hits += [("hat", b / 2 + 0.25, 0.25) for b in range(8)]
        hits += [("open_hat", b + 0.5, 0.45) for b in range(4)]
        if full:
            hits += [("kick", b, 1.0) for b in range(4)]
            hits += [("clap", 1, 0.75), ("clap", 3, 0.75)]
    elif kit == "bossa":
        hits += [("shaker", b / 2, 0.45 if b % 2 else 0.3) for b in range(8)]
        if full:
            clave = (0, 1.5, 3) if bar % 2 == 0 else (1, 2.5)
            hits += [("rim", b, 0.6) for b in clave]
            hits += [("kick", 0, 0.6), ("kick", 1.5, 0.35), ("kick", 2, 0.55), ("kick", 3.5, 0.35)]
    for name, beat, velocity in hits:
        events.append(_Event(at + beat, 0.5, _DRUM_PART, (), velocity, drum=name))

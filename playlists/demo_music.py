"""Demo background music, synthesised at first run so a fresh install has something pleasant to
play and nothing copyrighted (or large) needs committing.

Five playlists, each a style: ``piano`` (solo piano, arpeggiated), ``light`` (soft pads, flute
and bells), ``pop`` (electric piano, bass and drums), ``upbeat`` (a faster dance beat with synth
bass) and ``foreign`` (a bossa nova: nylon guitar, vibraphone, upright bass, rim and shaker).
Each track is composed from its own seed (playlist, index) — key, tempo, chord progressions and
an A-A'-B-A' melody with proper cadences — so every run makes the same music. Tracks are about
-18 LUFS with peaks under -2 dBFS before encoding, tagged, and encoded by ffmpeg (Ogg Vorbis
or MP3: both formats are exercised).

The synthesis is numpy only: each distinct note is rendered once (additive/FM synthesis with
attack and decay envelopes) and mixed in wherever it recurs; the room is a noise-burst reverb
convolved at a quarter of the sample rate.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

RATE = 44100
TARGET_LUFS = -18.0
PEAK_CEILING_DBFS = -2.0  # before encoding; lossy codecs add a few tenths of a dB of overshoot

Float = npt.NDArray[np.float32]
Progress = Callable[[int, int, str], None]


class DemoMusicError(RuntimeError):
    """The demo music could not be made (ffmpeg missing or failing)."""


# -- styles ---------------------------------------------------------------------------------

# Melody rhythms: per bar, (start, length) in beats.
_SLOW = (
    ((0, 2), (2, 2)),
    ((0, 1.5), (1.5, 0.5), (2, 2)),
    ((0, 1), (1, 1), (2, 2)),
    ((0, 3), (3, 1)),
    ((0, 1), (1, 1), (2, 1), (3, 1)),
)
_MEDIUM = (
    ((0, 1), (1, 1), (2, 1), (3, 1)),
    ((0, 1.5), (1.5, 1.5), (3, 1)),
    ((0, 0.5), (0.5, 0.5), (1, 1), (2, 2)),
    ((0, 1), (1, 0.5), (1.5, 1.5), (3, 1)),
    ((0.5, 1), (1.5, 0.5), (2, 2)),
)
_FAST = (
    ((0, 0.5), (0.5, 0.5), (1, 0.5), (1.5, 0.5), (2, 1), (3, 1)),
    ((0, 1), (1.5, 0.5), (2, 0.5), (2.5, 1.5)),
    ((0, 0.75), (0.75, 0.75), (1.5, 0.5), (2, 2)),
    ((0, 0.5), (0.5, 1), (1.5, 0.5), (2, 1), (3, 0.5), (3.5, 0.5)),
)
_CADENCES = (((0, 1), (1, 1), (2, 2)), ((0, 2), (2, 2)), ((0, 1.5), (1.5, 0.5), (2, 2)))


@dataclass(frozen=True)
class _Part:
    instrument: str
    gain: float
    pan: float  # -1 left .. +1 right
    send: float  # to the reverb


@dataclass(frozen=True)
class _Style:
    bpm: tuple[int, int]
    codec: str  # "ogg" or "mp3"
    artist: str
    genre: str
    titles: tuple[str, ...]
    lead: _Part
    comp: _Part
    comp_pattern: str
    bass: _Part | None
    drums: str | None
    rhythms: tuple[tuple[tuple[float, float], ...], ...]
    sevenths: bool
    reverb_s: float
    reverb_gain: float
    humanize_s: float
    sparkle: _Part | None = None


STYLES: dict[str, _Style] = {
    "piano": _Style(
        bpm=(66, 78),
        codec="ogg",
        artist="演示钢琴 Demo Piano",
        genre="Piano",
        titles=(
            "晨光 Morning Light",
            "静水 Still Water",
            "月下漫步 Moonlit Walk",
            "窗边的雨 Rain by the Window",
            "时光 Time Passing",
            "归途 Way Home",
        ),
        lead=_Part("piano", 0.9, 0.15, 0.5),
        comp=_Part("piano", 0.5, -0.2, 0.5),
        comp_pattern="arpeggio",
        bass=_Part("piano", 0.55, -0.3, 0.5),
        drums=None,
        rhythms=_SLOW,
        sevenths=False,
        reverb_s=2.2,
        reverb_gain=0.45,
        humanize_s=0.008,
    ),
    "light": _Style(
        bpm=(70, 84),
        codec="ogg",
        artist="轻音乐演示 Demo Lounge",
        genre="Easy Listening",
        titles=(
            "微风 Gentle Breeze",
            "云端 Above the Clouds",
            "午后阳光 Afternoon Sun",
            "花园小径 Garden Path",
            "轻语 Whispers",
            "星河 River of Stars",
        ),
        lead=_Part("flute", 0.6, 0.15, 0.6),
        comp=_Part("pad", 0.3, -0.1, 0.7),
        comp_pattern="pad",
        bass=_Part("bass", 0.45, 0.0, 0.1),
        drums=None,
        rhythms=_SLOW,
        sevenths=True,
        reverb_s=2.6,
        reverb_gain=0.5,
        humanize_s=0.006,
        sparkle=_Part("bell", 0.22, 0.45, 0.8),
    ),
    "pop": _Style(
        bpm=(92, 106),
        codec="mp3",
        artist="演示乐队 Demo Band",
        genre="Pop",
        titles=(
            "城市之光 City Lights",
            "周末 Weekend",
            "心情晴朗 Sunny Mood",
            "街角咖啡 Corner Café",
            "一起走 Walk Together",
            "好日子 Good Days",
        ),
        lead=_Part("lead", 0.45, 0.1, 0.35),
        comp=_Part("epiano", 0.4, -0.3, 0.3),
        comp_pattern="pop",
        bass=_Part("bass", 0.65, 0.0, 0.0),
        drums="pop",
        rhythms=_MEDIUM,
        sevenths=False,
        reverb_s=1.4,
        reverb_gain=0.35,
        humanize_s=0.003,
    ),
    "upbeat": _Style(
        bpm=(118, 128),
        codec="mp3",
        artist="节拍演示 Demo Beats",
        genre="Dance",
        titles=(
            "出发 Let's Go",
            "快乐购物 Happy Shopping",
            "节奏 Rhythm Rush",
            "跳跃 Jump Up",
            "闪耀 Shine On",
            "派对时光 Party Time",
        ),
        lead=_Part("synth_lead", 0.35, 0.15, 0.3),
        comp=_Part("stab", 0.3, -0.3, 0.3),
        comp_pattern="offbeat",
        bass=_Part("synth_bass", 0.5, 0.0, 0.0),
        drums="four",
        rhythms=_FAST,
        sevenths=False,
        reverb_s=1.0,
        reverb_gain=0.3,
        humanize_s=0.0,
    ),
    "foreign": _Style(
        bpm=(100, 112),
        codec="ogg",
        artist="环球演示 Demo World",
        genre="Bossa Nova",
        titles=(
            "海边小镇 Seaside Town",
            "里约之夜 Rio Nights",
            "巴黎街头 Paris Streets",
            "地中海 Mediterranean",
            "远方 Far Away",
            "旅人 The Traveller",
        ),
        lead=_Part("vibes", 0.6, 0.2, 0.45),
        comp=_Part("guitar", 0.5, -0.3, 0.35),
        comp_pattern="bossa",
        bass=_Part("upright", 0.7, 0.0, 0.1),
        drums="bossa",
        rhythms=_MEDIUM,
        sevenths=True,
        reverb_s=1.6,
        reverb_gain=0.35,
        humanize_s=0.006,
    ),
}
PLAYLISTS: tuple[str, ...] = tuple(STYLES)
ALBUM = "商场广播演示 Mall Broadcaster Demo"


def track_title(playlist: str, index: int) -> str:
    """The title of track ``index`` (from 0) of a playlist, e.g. "晨光 Morning Light"."""
    titles = STYLES[playlist].titles
    title = titles[index % len(titles)]
    return title if index < len(titles) else f"{title} {index // len(titles) + 1}"


def track_filename(playlist: str, index: int) -> str:
    """``NN-slug.ext``: the English part of the title in ASCII, e.g. ``01-morning-light.ogg``."""
    title = unicodedata.normalize("NFKD", track_title(playlist, index)).replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", title.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"{index + 1:02d}-{slug or 'track'}.{STYLES[playlist].codec}"


# -- the public entry point -----------------------------------------------------------------


def synthesize_demo_music(
    dest: Path,
    *,
    seconds_per_track: float = 150,
    tracks_per_playlist: int = 3,
    progress: Progress | None = None,
) -> dict[str, list[Path]]:
    """Write the demo playlists into ``dest/<playlist>/NN-title.(ogg|mp3)`` and return the files
    of each playlist, in order.

    A file that already exists and is not empty is kept as it is, so a second run only makes
    what is missing (an interrupted encode leaves no file under the final name). Tracks are
    made in parallel, one per CPU; ``progress(done, total, "playlist/file")`` is called from
    this thread after each file, made or kept.
    """
    if seconds_per_track <= 0 or tracks_per_playlist < 0:
        raise ValueError("seconds_per_track must be > 0 and tracks_per_playlist >= 0")
    dest = Path(dest)
    result = {
        playlist: [
            dest / playlist / track_filename(playlist, i) for i in range(tracks_per_playlist)
        ]
        for playlist in PLAYLISTS
    }
    jobs = [
        (playlist, index, path)
        for playlist, paths in result.items()
        for index, path in enumerate(paths)
    ]
    total, done = len(jobs), 0

    def report(path: Path) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, f"{path.parent.name}/{path.name}")

    missing = []
    for job in jobs:
        path = job[2]
        if path.is_file() and path.stat().st_size > 0:
            report(path)
        else:
            missing.append(job)
    if not missing:
        return result
    if shutil.which("ffmpeg") is None:
        raise DemoMusicError("ffmpeg is not installed: cannot encode the demo music")
    workers = max(1, min(len(missing), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-music") as pool:
        futures: list[tuple[Path, Future[None]]] = [
            (path, pool.submit(_make_track, playlist, index, path, seconds_per_track))
            for playlist, index, path in missing
        ]
        try:
            for path, future in futures:
                future.result()
                report(path)
        except BaseException:
            for _, future in futures:
                future.cancel()
            raise
    return result


def _make_track(playlist: str, index: int, path: Path, seconds: float) -> None:
    audio = render_track(playlist, index, seconds)
    style = STYLES[playlist]
    tags = {
        "title": track_title(playlist, index),
        "artist": style.artist,
        "album": ALBUM,
        "genre": style.genre,
        "track": str(index + 1),
        "comment": "Synthesised demo music, free to use",
    }
    _encode(audio, path, style.codec, tags)


def render_track(playlist: str, index: int, seconds: float) -> Float:
    """Synthesise one track: float32 stereo, shape (2, samples), loudness-normalised."""
    style = STYLES[playlist]
    rng = np.random.default_rng(zlib.crc32(f"{playlist}/{index}".encode()))
    song = _compose(style, rng, seconds)
    mix = _Mixer(round(seconds * RATE), style, rng)
    for event in song.events:
        mix.add(event, song.spb)
    audio = mix.finish()
    return _master(audio, seconds)


# -- composition ----------------------------------------------------------------------------

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


# -- instruments ----------------------------------------------------------------------------

_TWO_PI = 2 * np.pi


def _hz(midi: int) -> float:
    return float(440.0 * 2 ** ((midi - 69) / 12))


def _time(seconds: float) -> npt.NDArray[np.float64]:
    return np.arange(max(1, round(seconds * RATE))) / RATE


def _attack(t: npt.NDArray[np.float64], seconds: float) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = 1 - np.exp(-t / seconds)
    return result


def _release(t: npt.NDArray[np.float64], off: float, seconds: float) -> npt.NDArray[np.float64]:
    """1 until ``off``, then a raised-cosine fall to 0 over ``seconds``."""
    x = np.clip((t - off) / seconds, 0.0, 1.0)
    result: npt.NDArray[np.float64] = 0.5 * (1 + np.cos(np.pi * x))
    return result


def _partials(
    f: float,
    t: npt.NDArray[np.float64],
    amps: tuple[float, ...],
    taus: tuple[float, ...] | None = None,
    ratios: tuple[float, ...] | None = None,
) -> npt.NDArray[np.float64]:
    out = np.zeros_like(t)
    for k, amp in enumerate(amps):
        ratio = ratios[k] if ratios is not None else k + 1
        if f * ratio >= 0.45 * RATE or amp == 0:
            continue
        wave = np.sin(_TWO_PI * f * ratio * t)
        if taus is not None:
            wave *= np.exp(-t / taus[k])
        out += amp * wave
    return out


def _piano(f: float, on: float) -> npt.NDArray[np.float64]:
    tau = float(np.clip(2.0 * (262 / f) ** 0.7, 0.35, 4.0))
    off = min(on, 4 * tau)
    t = _time(off + 0.25)
    n = np.arange(1, 9)
    ratios = tuple(float(r) for r in n * np.sqrt(1 + 0.0003 * n**2))  # stiff strings: stretched
    amps = (1.0, 0.5, 0.28, 0.2, 0.1, 0.07, 0.05, 0.03)
    taus = tuple(tau / (1 + 0.5 * k) for k in range(8))
    body = _partials(f, t, amps, taus, ratios) * (0.55 + 0.45 * np.exp(-t / 0.15))
    return body * _attack(t, 0.002) * _release(t, off, 0.25)


def _epiano(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.3)
    index = 1.2 * np.exp(-t / 0.3) + 0.15
    phase = _TWO_PI * f * t
    tone = np.sin(phase + index * np.sin(phase))
    if 7 * f < 0.45 * RATE:
        tone += 0.08 * np.sin(7 * phase) * np.exp(-t / 0.04)  # the tine's ping
    env = np.exp(-t / 1.6) * (0.7 + 0.3 * np.exp(-t / 0.2))
    return tone * env * _attack(t, 0.003) * _release(t, on, 0.3)


def _pad(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 1.0)
    amps = (1.0, 0.45, 0.22, 0.12, 0.06)
    tone = _partials(f * 1.003, t, amps) + _partials(f / 1.003, t, amps)  # detuned: a chorus
    rise = np.clip(t / min(0.6, on / 2), 0.0, 1.0)
    return tone * 0.5 * (1 - np.cos(np.pi * rise)) / 2 * _release(t, on, 1.0)


def _flute(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.15)
    vibrato = 1 + 0.004 * np.sin(_TWO_PI * 5.2 * t) * np.clip((t - 0.2) / 0.3, 0.0, 1.0)
    phase = _TWO_PI * f * np.cumsum(vibrato) / RATE
    tone = np.sin(phase) + 0.22 * np.sin(2 * phase) + 0.06 * np.sin(3 * phase)
    env = 0.85 + 0.15 * np.exp(-t / 0.5)
    return tone * env * _attack(t, 0.05) * _release(t, on, 0.15)


def _lead(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.12)
    vibrato = 1 + 0.005 * np.sin(_TWO_PI * 5.5 * t) * np.clip((t - 0.25) / 0.3, 0.0, 1.0)
    phase = _TWO_PI * f * np.cumsum(vibrato) / RATE
    tone = np.sin(phase) + 0.15 * np.sin(2 * phase) + 0.22 * np.sin(3 * phase)
    tone += 0.08 * np.sin(5 * phase) + 0.03 * np.sin(7 * phase)
    env = 0.75 + 0.25 * np.exp(-t / 0.3)
    return tone * env * _attack(t, 0.012) * _release(t, on, 0.12)


def _synth(f: float, on: float, brightness: float, decay: float) -> npt.NDArray[np.float64]:
    """A saw-like tone whose upper harmonics die away (a closing filter)."""
    t = _time(on + 0.08)
    out = np.zeros_like(t)
    for k in range(1, 11):
        if k * f >= 0.45 * RATE:
            break
        fade = 0.2 + 0.8 * np.exp(-t * (k - 1) * brightness)
        out += (1 / k**1.2) * np.sin(_TWO_PI * k * f * t) * fade
    env = np.exp(-t / decay) if decay else 1.0
    return out * env * _attack(t, 0.004) * _release(t, on, 0.08)


def _guitar(f: float, on: float) -> npt.NDArray[np.float64]:
    tau = float(np.clip(1.4 * (196 / f) ** 0.5, 0.4, 2.5))
    off = min(on, 3 * tau)
    t = _time(off + 0.1)
    # plucked at 18 % of the string: that harmonic series
    amps = tuple(abs(float(np.sin(np.pi * k * 0.18))) / k**1.6 for k in range(1, 13))
    taus = tuple(tau / (1 + 0.35 * k) for k in range(12))
    return _partials(f, t, amps, taus) * _attack(t, 0.002) * _release(t, off, 0.1)


def _vibes(f: float, on: float) -> npt.NDArray[np.float64]:
    off = min(on + 0.4, 4.0)
    t = _time(off + 0.2)
    tone = np.sin(_TWO_PI * f * t) * np.exp(-t / 1.8)
    if 4 * f < 0.45 * RATE:
        tone += 0.25 * np.sin(_TWO_PI * 4 * f * t) * np.exp(-t / 0.3)
    tremolo = 1 - 0.12 * (1 + np.sin(_TWO_PI * 5.5 * t))
    return tone * tremolo * _attack(t, 0.002) * _release(t, off, 0.2)


def _bell(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(2.5)
    tone = _partials(f, t, (1.0, 0.3, 0.1), (1.0, 0.3, 0.1), (1.0, 2.76, 5.4))
    return tone * _attack(t, 0.001) * _release(t, 2.2, 0.3)


def _bass(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.08)
    tone = _partials(f, t, (1.0, 0.3, 0.1))
    return tone * (0.7 + 0.3 * np.exp(-t / 0.2)) * _attack(t, 0.005) * _release(t, on, 0.08)


def _upright(f: float, on: float) -> npt.NDArray[np.float64]:
    t = _time(on + 0.1)
    tone = _partials(f, t, (1.0, 0.45, 0.15, 0.06), (1.2, 0.6, 0.3, 0.15))
    return tone * _attack(t, 0.004) * _release(t, on, 0.1)


_INSTRUMENTS: dict[str, Callable[[float, float], npt.NDArray[np.float64]]] = {
    "piano": _piano,
    "epiano": _epiano,
    "pad": _pad,
    "flute": _flute,
    "lead": _lead,
    "synth_lead": lambda f, on: _synth(f, on, 3.0, 0.0),
    "stab": lambda f, on: _synth(f, on, 12.0, 0.25),
    "synth_bass": lambda f, on: _synth(f, on, 6.0, 0.0),
    "guitar": _guitar,
    "vibes": _vibes,
    "bell": _bell,
    "bass": _bass,
    "upright": _upright,
}


def _drum_kit(seed: int) -> dict[str, npt.NDArray[np.float64]]:
    rng = np.random.default_rng(seed)

    def noise(seconds: float) -> npt.NDArray[np.float64]:
        return rng.uniform(-1, 1, round(seconds * RATE))

    def highpass(x: npt.NDArray[np.float64], times: int) -> npt.NDArray[np.float64]:
        for _ in range(times):
            x = np.diff(x, prepend=0.0)
        return x / np.max(np.abs(x))

    def smooth(x: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
        return np.convolve(x, np.ones(width) / width, mode="same")

    t = _time(0.4)
    sweep = _TWO_PI * np.cumsum(45 + 90 * np.exp(-t / 0.035)) / RATE
    kick = np.sin(sweep) * np.exp(-t / 0.16) + 0.3 * noise(0.4) * np.exp(-t / 0.003)
    t = _time(0.25)
    snare = 0.55 * highpass(smooth(noise(0.25), 2), 1) * np.exp(-t / 0.07)
    snare += (0.5 * np.sin(_TWO_PI * 185 * t) + 0.2 * np.sin(_TWO_PI * 330 * t)) * np.exp(-t / 0.05)
    clap_env = sum(np.exp(-np.maximum(t - d, 0) / 0.012) * (t >= d) for d in (0.0, 0.011, 0.022))
    clap = smooth(highpass(noise(0.25), 1), 3) * (0.6 * clap_env + 0.4 * np.exp(-t / 0.12))
    t = _time(0.08)
    hat = highpass(noise(0.08), 2) * np.exp(-t / 0.015)
    t = _time(0.35)
    open_hat = highpass(noise(0.35), 2) * np.exp(-t / 0.09)
    t = _time(0.12)
    shaker = highpass(noise(0.12), 2) * (t / 0.02) * np.exp(1 - t / 0.02) * 0.6
    t = _time(0.06)
    rim = (np.sin(_TWO_PI * 1700 * t) + 0.6 * np.sin(_TWO_PI * 820 * t)) * np.exp(-t / 0.012)
    kit = {
        "kick": (kick, 0.9),
        "snare": (snare, 0.6),
        "clap": (clap, 0.45),
        "hat": (hat, 0.18),
        "open_hat": (open_hat, 0.15),
        "shaker": (shaker, 0.16),
        "rim": (rim, 0.35),
    }
    return {name: wave / np.max(np.abs(wave)) * gain for name, (wave, gain) in kit.items()}


_DRUM_PAN = {"hat": 0.3, "open_hat": 0.3, "shaker": -0.35, "rim": 0.2}


# -- mixing ---------------------------------------------------------------------------------


def _pan(pan: float) -> tuple[float, float]:
    angle = (pan + 1) * np.pi / 4  # constant power
    return float(np.cos(angle)), float(np.sin(angle))


class _Mixer:
    """Places notes, each rendered once per (instrument, pitches, length), into a stereo dry
    bus and a mono reverb send; ``finish`` adds the reverb."""

    def __init__(self, samples: int, style: _Style, rng: np.random.Generator) -> None:
        self.samples = samples
        self.style = style
        self.rng = rng
        self.dry = np.zeros((2, samples), np.float32)
        self.send = np.zeros(samples, np.float32)
        self.notes: dict[tuple[str, tuple[int, ...], int], Float] = {}
        self.drums = {k: v.astype(np.float32) for k, v in _drum_kit(7).items()}

    def _note(
        self, instrument: str, pitches: tuple[int, ...], sixteenths: int, spb: float
    ) -> Float:
        key = (instrument, pitches, sixteenths)
        wave = self.notes.get(key)
        if wave is None:
            on = sixteenths * spb / 4
            parts = [_INSTRUMENTS[instrument](_hz(p), on) for p in pitches]
            total = np.zeros(max(len(p) for p in parts))
            for part in parts:
                total[: len(part)] += part
            wave = total.astype(np.float32)
            self.notes[key] = wave
        return wave

    def add(self, event: _Event, spb: float) -> None:
        if event.drum:
            wave = self.drums[event.drum]
            left, right = _pan(_DRUM_PAN.get(event.drum, 0.0))
        else:
            wave = self._note(event.part.instrument, event.pitches, round(event.beats * 4), spb)
            left, right = _pan(event.part.pan)
        jitter = self.style.humanize_s * float(self.rng.uniform(-1, 1))
        velocity = event.velocity * (1 + 0.08 * float(self.rng.uniform(-1, 1)))
        start = max(0, round((event.beat * spb + jitter) * RATE))
        end = min(self.samples, start + len(wave))
        if end <= start:
            return
        chunk = wave[: end - start] * np.float32(velocity * event.part.gain)
        self.dry[0, start:end] += chunk * np.float32(left)
        self.dry[1, start:end] += chunk * np.float32(right)
        if event.part.send:
            self.send[start:end] += chunk * np.float32(event.part.send)

    def finish(self) -> Float:
        wet = _reverb(self.send, self.style.reverb_s, self.rng)
        wet *= np.float32(self.style.reverb_gain)
        self.dry += wet
        return self.dry


def _reverb(send: Float, seconds: float, rng: np.random.Generator) -> Float:
    """A stereo room: the send convolved with decaying noise (independent per side), computed at
    a quarter of the sample rate — reverb tails are dark anyway — and interpolated back."""
    factor = 4
    n = len(send)
    low_rate = RATE / factor
    padded = np.zeros(-(-n // factor) * factor, np.float32)
    padded[:n] = send
    low = padded.reshape(-1, factor).mean(axis=1, dtype=np.float64)
    del padded
    t = np.arange(round(seconds * low_rate)) / low_rate
    size = 1 << int(np.ceil(np.log2(len(low) + len(t))))
    spectrum = np.fft.rfft(low, size)
    out = np.empty((2, len(low) * factor), np.float32)
    pre_delay = round(0.02 * low_rate)
    steps = np.arange(factor, dtype=np.float32) / factor
    for side in range(2):
        ir = np.zeros(len(t) + pre_delay)
        ir[pre_delay:] = np.convolve(rng.standard_normal(len(t)), [0.5, 0.5], "same")
        ir[pre_delay:] *= np.exp(-6.9 * t / seconds)
        ir /= np.sqrt(np.sum(ir**2))
        wet = np.fft.irfft(spectrum * np.fft.rfft(ir, size), size)[: len(low) + 1]
        wet = wet.astype(np.float32)
        # linear interpolation back to the full rate: factor samples between each pair
        upsampled = out[side].reshape(-1, factor)
        upsampled[:] = wet[:-1, None] * (1 - steps) + wet[1:, None] * steps
    return out[:, :n]


# -- mastering and encoding -----------------------------------------------------------------


def _master(audio: Float, seconds: float) -> Float:
    fade_in = min(audio.shape[1], round(0.05 * RATE))
    audio[:, :fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
    fade_out = min(audio.shape[1], round(min(3.0, seconds * 0.2) * RATE))  # a raised cosine
    ramp = 0.5 * (1 + np.cos(np.linspace(0, np.pi, fade_out)))
    audio[:, audio.shape[1] - fade_out :] *= ramp.astype(np.float32)
    loudness = integrated_loudness(audio)
    if np.isfinite(loudness):
        audio *= np.float32(10 ** ((TARGET_LUFS - loudness) / 20))
    return _limit(audio, 10 ** (PEAK_CEILING_DBFS / 20))


def integrated_loudness(audio: npt.NDArray[Any], rate: int = RATE) -> float:
    """Integrated loudness in LUFS after ITU-R BS.1770 (K-weighting applied in the frequency
    domain per 100 ms, 400 ms blocks with 75 % overlap, absolute and relative gates).
    ``audio`` is (channels, samples). ``-inf`` for silence."""
    hop = rate // 10
    blocks = audio.shape[1] // hop
    if blocks < 4:
        return float("-inf")
    weight = _k_weighting(np.asarray(np.fft.rfftfreq(hop, 1 / rate), np.float64))
    weight[1:] *= 2  # one-sided
    power = np.zeros(blocks)  # mean square per 100 ms, summed over channels
    for channel in audio:
        for first in range(0, blocks, 600):  # a minute at a time: bounded memory
            last = min(blocks, first + 600)
            frames = np.asarray(channel[first * hop : last * hop], np.float64).reshape(-1, hop)
            power[first:last] += (np.abs(np.fft.rfft(frames, axis=1)) ** 2 @ weight) / hop**2
    gating = np.convolve(power, np.ones(4) / 4, "valid")  # 400 ms blocks every 100 ms
    loud = -0.691 + 10 * np.log10(np.maximum(gating, 1e-20))
    kept = gating[loud > -70]
    if not len(kept):
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10
    kept = kept[-0.691 + 10 * np.log10(kept) > relative]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def _k_weighting(freqs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """|H(f)|² of BS.1770's K filter (high shelf + high pass), its 48 kHz design."""
    z = np.exp(-1j * 2 * np.pi * freqs / 48000)
    shelf = (1.53512485958697 - 2.69169618940638 * z + 1.19839281085285 * z**2) / (
        1 - 1.69065929318241 * z + 0.73248077421585 * z**2
    )
    highpass = (1 - 2 * z + z**2) / (1 - 1.99004745483398 * z + 0.99007225036621 * z**2)
    result: npt.NDArray[np.float64] = np.abs(shelf * highpass) ** 2
    return result


def _limit(audio: Float, ceiling: float) -> Float:
    """A look-ahead peak limiter: per 10 ms block the gain that keeps it under ``ceiling``,
    spread to the neighbouring blocks and interpolated, so peaks are turned down smoothly
    (usually nowhere: the mix rarely needs it)."""
    block = RATE // 100
    n = audio.shape[1]
    blocks = -(-n // block)
    peaks = np.zeros(blocks * block, np.float32)
    peaks[:n] = np.abs(audio[0])
    np.maximum(peaks[:n], np.abs(audio[1]), out=peaks[:n])
    block_peak = peaks.reshape(blocks, block).max(axis=1)
    gain = np.minimum(1.0, ceiling / np.maximum(block_peak, 1e-9))
    if gain.min() < 1.0:
        padded = np.pad(gain, 2, constant_values=1.0)
        eroded = np.min(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)
        smooth = np.convolve(np.pad(eroded, 1, mode="edge"), np.ones(3) / 3, "valid")
        centres = (np.arange(blocks) + 0.5) * block
        audio *= np.interp(np.arange(n), centres, smooth).astype(np.float32)
    peak = max(float(np.max(audio)), -float(np.min(audio)))
    if peak > ceiling:  # cannot happen but for rounding; never let a clip out
        audio *= np.float32(ceiling / peak)
    return audio


def _encode(audio: Float, path: Path, codec: str, tags: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    command += ["-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0"]
    if codec == "ogg":
        command += ["-c:a", "libvorbis", "-q:a", "5", "-f", "ogg"]
    else:
        command += ["-c:a", "libmp3lame", "-q:a", "2", "-id3v2_version", "3", "-f", "mp3"]
    for key, value in tags.items():
        command += ["-metadata", f"{key}={value}"]
    command.append(str(partial))
    interleaved = np.ascontiguousarray(audio.T, dtype="<f4")
    del audio
    try:
        result = subprocess.run(
            command, input=interleaved.data.cast("B"), capture_output=True, check=False
        )
        if result.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            detail = result.stderr.decode("utf-8", "replace").strip()
            raise DemoMusicError(f"ffmpeg could not encode {path.name}: {detail}")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)

"""The five demo styles and the names they give: playlists, track titles and file names.

A style is a playlist's whole character: tempo range, codec, artist and genre tags, titles; the
instrument, level, pan and reverb send of each part (lead, accompaniment, bass, sparkle); the
accompaniment pattern and drum pattern; the melody rhythms; triads or seventh chords; the room;
and how loosely it is played.

Adding or retuning a style happens here; a new accompaniment or drum pattern also needs its
code in ``compose`` (``_bar``, ``_drums``), a new instrument its voice in ``instruments``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Melody rhythms a style picks from: per bar, (start, length) in beats. (The last bar of a
# phrase takes a cadence rhythm instead, whatever the style: compose._CADENCES.)
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

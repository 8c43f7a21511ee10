"""A music library for tests: many real, playable, distinctly tagged files, made fast.

``make_library`` builds ``count`` files in six formats (MP3, M4A/AAC, FLAC, Ogg Vorbis, Opus,
WAV, in rotation) in a few sub-folders, some with Chinese file names and Chinese tags, at
different loudness levels. ``plan_library`` says beforehand what each file will hold, so a test
can compare what it reads back. ``make_gbk_m3u`` writes the kind of playlist a Chinese Windows
player saves.

Speed: encoding is the slow part, so ffmpeg runs once per loudness level (one process encodes
all six formats, the levels in parallel) and every track is a copy of its (format, level) base
file, retagged with mutagen. Distinct tags make every file's bytes distinct. 2,000 files take a
few seconds.

What the tags look like:

- MP3: ID3v2.4 UTF-8 frames; every 10th MP3 instead carries legacy GBK bytes in Latin-1 (encoding
  0) ID3v2.3 frames, as old Chinese Windows tools wrote them (``read_track`` repairs them).
- M4A: MP4 atoms; FLAC, Ogg Vorbis, Opus: Vorbis comments.
- WAV: a RIFF LIST/INFO chunk (INAM, IART, IPRD) in UTF-8, or in GBK for every other Chinese
  one; every 4th WAV has an ID3 chunk instead.
"""

from __future__ import annotations

import os
import random
import struct
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from mutagen.flac import FLAC
from mutagen.id3 import ID3, TALB, TIT2, TPE1
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

FORMATS = ("mp3", "m4a", "flac", "ogg", "opus", "wav")
"""The formats, in the order files rotate through them."""
LEVELS_LUFS = (-30.0, -23.0, -16.0, -8.0)
"""Integrated loudness of the tracks, roughly (within about 1 LU)."""
FOLDERS = ("流行", "Jazz", "轻音乐/钢琴", "Ambient")

_CODECS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "0"],
    "m4a": ["-c:a", "aac", "-b:a", "128k"],
    "flac": ["-c:a", "flac"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "3"],
    "opus": ["-c:a", "libopus", "-b:a", "96k"],
    "wav": ["-c:a", "pcm_s16le", "-fflags", "+bitexact"],
}
_CHORD_ROOTS_HZ = (220.0, 196.0, 246.94, 261.63)  # one chord per level: A, G, B, C major
_LUFS_AT_0_DB = -8.3  # measured: the chord plus pink noise below, before any gain

_WORDS_ZH = ("春天", "晴天", "稻香", "夜曲", "月光", "海风", "花开", "雨后", "星空", "秋叶")
_WORDS_EN = ("Morning", "Blue", "Harbour", "Velvet", "Sunday", "Amber", "River", "Quiet", "Neon")
_ARTISTS_ZH = ("周杰伦", "王菲", "邓丽君", "陈奕迅", "蔡琴")
_ARTISTS_EN = ("Nora Lane", "The Quiet Hours", "Café Trio", "Sigur Rós", "Mötley Strings")
_ALBUMS_ZH = ("叶惠美", "七里香", "浮躁", "轻音乐精选")
_ALBUMS_EN = ("Lobby Hours", "Late Shift", "Open All Day", "Mall Lights")


@dataclass(frozen=True)
class LibraryTrack:
    """What one file of a made library holds; ``relative`` is its path under the library."""

    relative: PurePosixPath
    format: str
    title: str
    artist: str
    album: str
    level_lufs: float
    tagging: str
    """How the tags are written: ``id3`` (UTF-8 frames), ``id3-gbk`` (GBK bytes in Latin-1
    frames), ``mp4``, ``vorbis``, ``info-utf8`` or ``info-gbk`` (RIFF LIST/INFO) or
    ``wav-id3``. Read through ``read_track`` they all give ``title``, ``artist``, ``album``."""


def plan_library(count: int, *, seed: int = 0) -> list[LibraryTrack]:
    """What ``make_library(dest, count, seed=seed)`` makes, file by file, without making it."""
    rng = random.Random(seed)
    plan = []
    for i in range(count):
        fmt = FORMATS[i % len(FORMATS)]
        turn = i // len(FORMATS)  # how many files of this format came before
        legacy = fmt == "mp3" and turn % 10 == 0
        chinese = legacy or rng.random() < 0.4
        words, artists, albums = (
            (_WORDS_ZH, _ARTISTS_ZH, _ALBUMS_ZH)
            if chinese
            else (_WORDS_EN, _ARTISTS_EN, _ALBUMS_EN)
        )
        joiner = "" if chinese else " "
        title = f"{joiner.join(rng.sample(words, 2))} {i + 1:04d}"
        artist = rng.choice(artists)
        album = rng.choice(albums)
        folder = FOLDERS[rng.randrange(len(FOLDERS))]
        level = LEVELS_LUFS[(turn + seed) % len(LEVELS_LUFS)]
        tagging = {"mp3": "id3", "m4a": "mp4", "wav": "info-utf8"}.get(fmt, "vorbis")
        if legacy:
            tagging = "id3-gbk"
        elif fmt == "wav" and turn % 4 == 3:
            tagging = "wav-id3"
        elif fmt == "wav" and chinese and turn % 2:
            tagging = "info-gbk"
        plan.append(
            LibraryTrack(
                relative=PurePosixPath(folder, f"{i + 1:04d} {title.split()[0]}.{fmt}"),
                format=fmt,
                title=title,
                artist=artist,
                album=album,
                level_lufs=level,
                tagging=tagging,
            )
        )
    return plan


def make_library(
    dest: Path,
    count: int,
    *,
    seconds: float = 4.0,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Make ``count`` real, playable, tagged music files under ``dest`` (as ``plan_library``
    describes them) and return their paths in that order. ``progress(done, count)`` is called
    after each file.

    1. Encode one base file per (format, loudness level) with ffmpeg: a major chord with a slow
       tremolo over quiet pink noise, ``seconds`` long, in a scratch folder under ``dest``.
    2. For each planned track, copy its base file and write its tags with mutagen (WAV: build
       the file from the base's fmt and data chunks plus a LIST/INFO chunk).
    """
    plan = plan_library(count, seed=seed)
    scratch = dest / ".bases"
    scratch.mkdir(parents=True, exist_ok=True)
    levels = sorted({track.level_lufs for track in plan})
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        made = list(pool.map(lambda level: _encode_bases(scratch, level, seconds), levels))
    bases = {key: value for bases in made for key, value in bases.items()}
    wav_parts = {level: _wav_parts(bases["wav", level]) for level in levels}

    paths = []
    for done, track in enumerate(plan, start=1):
        path = dest.joinpath(*track.relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        if track.format == "wav":
            _write_wav(path, track, wav_parts[track.level_lufs])
        else:
            path.write_bytes(bases[track.format, track.level_lufs])
            _tag(path, track)
        paths.append(path)
        if progress is not None:
            progress(done, count)
    for base in scratch.iterdir():
        base.unlink()
    scratch.rmdir()
    return paths


def make_gbk_m3u(path: Path, entries: list[str]) -> Path:
    """An M3U playlist as a Chinese Windows player saves it: GBK bytes, CRLF line ends, an
    ``#EXTM3U`` header, then each entry on its own line as given (a Windows path such as
    ``D:\\音乐\\轻音乐\\01 春天.mp3``, or an ``#EXTINF:`` line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\r\n".join(["#EXTM3U", *entries, ""]).encode("gbk"))
    return path


def windows_path(relative: PurePosixPath, root: str = "D:\\音乐") -> str:
    """A library file's path as a Windows machine that held the library at ``root`` wrote it."""
    return str(PureWindowsPath(root, *relative.parts))


def _encode_bases(scratch: Path, level: float, seconds: float) -> dict[tuple[str, float], bytes]:
    """One file per format at ``level`` LUFS, from one ffmpeg process; their bytes by
    (format, level)."""
    root = _CHORD_ROOTS_HZ[LEVELS_LUFS.index(level) % len(_CHORD_ROOTS_HZ)]
    partials = zip((0.35, 0.25, 0.2, 0.15), (1.0, 1.25992, 1.49831, 2.0), strict=True)
    chord = "+".join(f"{amp}*sin(2*PI*{root * ratio:.3f}*t)" for amp, ratio in partials)
    wave = f"({chord})*(0.85+0.15*sin(2*PI*1.5*t))"
    fade = min(0.05, seconds / 4)
    graph = (
        f"aevalsrc={wave}|{wave}:s=48000:d={seconds}[chord];"
        f"anoisesrc=d={seconds}:c=pink:a=0.05:r=48000:seed={int(-level)},"
        "aformat=channel_layouts=stereo[noise];"
        f"[chord][noise]amix=inputs=2:normalize=0,volume={level - _LUFS_AT_0_DB:.2f}dB,"
        f"afade=t=in:d={fade},afade=t=out:st={seconds - fade}:d={fade},"
        f"asplit={len(FORMATS)}" + "".join(f"[{fmt}]" for fmt in FORMATS)
    )
    outputs = {fmt: scratch / f"{-level:g}.{fmt}" for fmt in FORMATS}
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-filter_complex", graph]
    for fmt, out in outputs.items():
        command += ["-map", f"[{fmt}]", "-map_metadata", "-1", *_CODECS[fmt], str(out)]
    subprocess.run(command, check=True)
    return {(fmt, level): out.read_bytes() for fmt, out in outputs.items()}


def _tag(path: Path, track: LibraryTrack) -> None:
    if track.format == "mp3":
        tags = ID3()
        if (
            track.tagging == "id3-gbk"
        ):  # GBK bytes in frames that say Latin-1, in ID3v2.3 as tools did
            for frame, text in ((TIT2, track.title), (TPE1, track.artist), (TALB, track.album)):
                tags.add(frame(encoding=0, text=text.encode("gbk").decode("latin-1")))
            tags.save(path, v2_version=3)
        else:
            for frame, text in ((TIT2, track.title), (TPE1, track.artist), (TALB, track.album)):
                tags.add(frame(encoding=3, text=text))
            tags.save(path)
        return
    if track.format == "m4a":
        mp4 = MP4(path)
        mp4["©nam"], mp4["©ART"], mp4["©alb"] = [track.title], [track.artist], [track.album]
        mp4.save()
        return
    vorbis = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[track.format](path)
    vorbis["title"], vorbis["artist"], vorbis["album"] = track.title, track.artist, track.album
    vorbis.save()


def _wav_parts(base: bytes) -> tuple[bytes, bytes]:
    """The fmt and data chunks (header included) of a WAV file ffmpeg wrote."""
    found: dict[bytes, bytes] = {}
    pos = 12
    while pos + 8 <= len(base):
        chunk_id, size = struct.unpack_from("<4sI", base, pos)
        found[chunk_id] = base[pos : pos + 8 + size + (size & 1)]
        pos += 8 + size + (size & 1)
    return found[b"fmt "], found[b"data"]


def _write_wav(path: Path, track: LibraryTrack, parts: tuple[bytes, bytes]) -> None:
    fmt, data = parts
    encoding = "gbk" if track.tagging == "info-gbk" else "utf-8"
    id3 = track.tagging == "wav-id3"
    info = b""
    if not id3:
        fields = b"".join(
            _chunk(key, text.encode(encoding) + b"\0")
            for key, text in (
                (b"INAM", track.title),
                (b"IART", track.artist),
                (b"IPRD", track.album),
            )
        )
        info = _chunk(b"LIST", b"INFO" + fields)
    body = b"WAVE" + fmt + info + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    if id3:
        wave = WAVE(path)
        wave.add_tags()
        assert wave.tags is not None
        for frame, text in ((TIT2, track.title), (TPE1, track.artist), (TALB, track.album)):
            wave.tags.add(frame(encoding=3, text=text))
        wave.save()


def _chunk(chunk_id: bytes, body: bytes) -> bytes:
    return chunk_id + struct.pack("<I", len(body)) + body + b"\0" * (len(body) % 2)

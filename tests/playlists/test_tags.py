"""Reading what a music file is, from real files made by ffmpeg."""

from __future__ import annotations

import random
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3, TALB, TIT2, TPE1
from mutagen.wave import WAVE

from playlists.tags import TagError, read_track, repair_gbk

TITLE = "晴天 Sunny"
ARTIST = "周杰伦 Jay"
SECONDS = 1.5
FORMATS = {  # suffix: (ffmpeg codec arguments, reported format)
    ".mp3": (["-c:a", "libmp3lame"], "mp3"),
    ".m4a": (["-c:a", "aac"], "m4a"),
    ".flac": (["-c:a", "flac"], "flac"),
    ".ogg": (["-c:a", "libvorbis"], "ogg"),
    ".opus": (["-c:a", "libopus"], "opus"),
    ".wav": (["-c:a", "pcm_s16le"], "wav"),
}


def make_tone(path: Path, *extra: str, seconds: float = SECONDS) -> Path:
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i"),
            f"sine=frequency=440:duration={seconds}:sample_rate=48000",
            *extra,
            str(path),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("music")
    for suffix, (codec, _) in FORMATS.items():
        make_tone(
            folder / f"tagged{suffix}",
            *codec,
            "-metadata",
            f"title={TITLE}",
            "-metadata",
            f"artist={ARTIST}",
        )
    # No tags at all: no ID3v2 header, nothing carried over from the source.
    make_tone(folder / "bare.mp3", "-map_metadata", "-1", "-id3v2_version", "0")
    return folder


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_each_format_reads_title_artist_and_duration(music: Path, suffix: str) -> None:
    info = read_track(music / f"tagged{suffix}")

    assert (info.title, info.artist, info.format) == (TITLE, ARTIST, FORMATS[suffix][1])
    assert abs(info.duration_ms - SECONDS * 1000) <= 100
    assert info.album is None


@pytest.mark.audio
def test_untagged_file_with_chinese_name_is_titled_by_its_stem(music: Path, tmp_path: Path) -> None:
    path = tmp_path / "周杰伦 - 稻香.flac"
    make_tone(path, "-map_metadata", "-1")

    info = read_track(path)

    assert (info.title, info.artist, info.path) == ("周杰伦 - 稻香", None, path)


def gbk_as_latin1(text: str) -> str:
    return text.encode("gbk").decode("latin-1")


def test_gbk_bytes_in_latin1_id3v2_frames_read_as_chinese(music: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.mp3"
    path.write_bytes((music / "bare.mp3").read_bytes())
    tags = ID3()
    tags.add(TIT2(encoding=0, text=gbk_as_latin1("晴天")))
    tags.add(TPE1(encoding=0, text=gbk_as_latin1("周杰伦")))
    tags.save(path)
    assert ID3(path)["TPE1"].text == ["ÖÜ½ÜÂ×"]  # what mutagen alone would show

    info = read_track(path)

    assert (info.title, info.artist) == ("晴天", "周杰伦")


def test_gbk_bytes_in_id3v1_read_as_chinese(music: Path, tmp_path: Path) -> None:
    path = tmp_path / "older.mp3"

    def field(text: str, size: int) -> bytes:
        return text.encode("gbk").ljust(size, b"\0")

    v1 = b"TAG" + field("七里香", 30) + field("周杰伦", 30) + field("七里香", 30)
    v1 += b"2004" + field("", 30) + bytes([255])
    path.write_bytes((music / "bare.mp3").read_bytes() + v1)

    info = read_track(path)

    assert (info.title, info.artist, info.album) == ("七里香", "周杰伦", "七里香")


@pytest.mark.parametrize("name", ["Beyoncé", "Sigur Rós", "Mötley Crüe", "Zoë", "AC/DC"])
def test_western_names_in_latin1_frames_stay_as_they_are(
    music: Path, tmp_path: Path, name: str
) -> None:
    path = tmp_path / "western.mp3"
    path.write_bytes((music / "bare.mp3").read_bytes())
    tags = ID3()
    tags.add(TPE1(encoding=0, text=name))
    tags.save(path)

    assert read_track(path).artist == name


def test_unicode_frames_are_not_repaired(music: Path, tmp_path: Path) -> None:
    # Someone really titled a track with these characters, in a UTF-8 frame: keep them.
    path = tmp_path / "utf8.mp3"
    path.write_bytes((music / "bare.mp3").read_bytes())
    tags = ID3()
    tags.add(TIT2(encoding=3, text="ÖÜ½ÜÂ×"))
    tags.save(path)

    assert read_track(path).title == "ÖÜ½ÜÂ×"


def test_repair_keeps_text_that_is_not_gbk_mojibake() -> None:
    assert repair_gbk(gbk_as_latin1("周杰伦")) == "周杰伦"
    assert repair_gbk(gbk_as_latin1("周杰伦Jay Chou 2004")) == "周杰伦Jay Chou 2004"
    assert repair_gbk("Plain ASCII") == "Plain ASCII"
    assert repair_gbk("已经是中文") == "已经是中文"
    assert repair_gbk("Café del Mar") == "Café del Mar"


@pytest.mark.parametrize(
    "content", [b"", random.Random(7).randbytes(64 * 1024)], ids=["empty", "random"]
)
def test_corrupt_or_empty_file_raises_tag_error_in_both_languages(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(content)

    with pytest.raises(TagError) as caught:
        read_track(path)

    assert "broken.mp3" in caught.value.message
    assert "broken.mp3" in caught.value.message_zh
    assert caught.value.message != caught.value.message_zh


def test_missing_file_raises_tag_error(tmp_path: Path) -> None:
    with pytest.raises(TagError):
        read_track(tmp_path / "gone.mp3")


# WAV: the RIFF INFO list, read in-process.

RATE = 8000


def chunk(chunk_id: bytes, body: bytes, size: int | None = None) -> bytes:
    """A RIFF chunk: id, little-endian size (``size`` overrides the true one), body, pad byte."""
    return (
        chunk_id
        + struct.pack("<I", len(body) if size is None else size)
        + body
        + b"\0" * (len(body) % 2)
    )


def info_list(**fields: bytes) -> bytes:
    """A LIST/INFO chunk from INAM=..., IART=..., IPRD=... byte strings (NUL-terminated, as
    Windows tools write them)."""
    return chunk(
        b"LIST", b"INFO" + b"".join(chunk(k.encode(), v + b"\0") for k, v in fields.items())
    )


def riff_wave(*chunks: bytes, seconds: float = 1.0, riff_size: int | None = None) -> bytes:
    """A mono 16-bit PCM WAV at 8 kHz: fmt, the given chunks, then ``seconds`` of a square wave."""
    fmt = chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, RATE, RATE * 2, 2, 16))
    frames = round(seconds * RATE)
    samples = b"".join(struct.pack("<h", 8000 if (i // 20) % 2 else -8000) for i in range(frames))
    body = b"WAVE" + fmt + b"".join(chunks) + chunk(b"data", samples)
    return b"RIFF" + struct.pack("<I", len(body) if riff_size is None else riff_size) + body


@pytest.fixture
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a child process was started: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_wav_riff_info_in_utf8_reads_title_artist_album(tmp_path: Path, no_processes: None) -> None:
    path = tmp_path / "info.wav"
    path.write_bytes(
        riff_wave(
            info_list(INAM="晴天 Sunny".encode(), IART="周杰伦".encode(), IPRD="叶惠美".encode()),
            seconds=1.5,
        )
    )

    info = read_track(path)

    assert (info.title, info.artist, info.album) == ("晴天 Sunny", "周杰伦", "叶惠美")
    assert (info.duration_ms, info.format) == (1500, "wav")


def test_wav_riff_info_in_gbk_reads_as_chinese(tmp_path: Path, no_processes: None) -> None:
    path = tmp_path / "gbk.wav"
    path.write_bytes(
        riff_wave(info_list(INAM="七里香".encode("gbk"), IART="周杰伦".encode("gbk"), IPRD=b"2004"))
    )

    info = read_track(path)

    assert (info.title, info.artist, info.album) == ("七里香", "周杰伦", "2004")


def test_wav_riff_info_in_latin1_keeps_western_names(tmp_path: Path, no_processes: None) -> None:
    path = tmp_path / "latin1.wav"
    path.write_bytes(
        riff_wave(
            info_list(INAM="Café del Mar".encode("latin-1"), IART="Mötley Crüe".encode("latin-1"))
        )
    )

    info = read_track(path)

    assert (info.title, info.artist) == ("Café del Mar", "Mötley Crüe")


def test_wav_id3_chunk_wins_and_riff_info_fills_what_it_lacks(
    tmp_path: Path, no_processes: None
) -> None:
    path = tmp_path / "both.wav"
    path.write_bytes(
        riff_wave(info_list(INAM=b"Info title", IART=b"Info artist", IPRD=b"Info album"))
    )
    wave = WAVE(path)
    wave.add_tags()
    assert wave.tags is not None
    wave.tags.add(TIT2(encoding=3, text="ID3 title"))
    wave.tags.add(TALB(encoding=3, text="ID3 album"))
    wave.save()

    info = read_track(path)

    assert (info.title, info.artist, info.album) == ("ID3 title", "Info artist", "ID3 album")


def test_wav_files_are_read_without_starting_a_process(music: Path, no_processes: None) -> None:
    tagged = read_track(music / "tagged.wav")  # ffmpeg wrote these tags as a RIFF INFO list

    assert (tagged.title, tagged.artist) == (TITLE, ARTIST)
    assert abs(tagged.duration_ms - SECONDS * 1000) <= 100


def test_untagged_wav_is_titled_by_its_stem_without_a_process(
    tmp_path: Path, no_processes: None
) -> None:
    path = tmp_path / "周杰伦 - 稻香.wav"
    path.write_bytes(riff_wave(seconds=2.0))

    info = read_track(path)

    assert (info.title, info.artist, info.album, info.duration_ms) == (
        "周杰伦 - 稻香",
        None,
        None,
        2000,
    )


@pytest.mark.audio
def test_wav_written_to_a_pipe_reports_its_real_length(tmp_path: Path) -> None:
    # Written to a pipe, ffmpeg cannot go back to fill in the sizes: RIFF and data say 0xFFFFFFFF.
    path = tmp_path / "piped.wav"
    raw = subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i"),
            "sine=frequency=440:duration=2:sample_rate=8000",
            *("-c:a", "pcm_s16le", "-f", "wav", "pipe:1"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    path.write_bytes(raw)

    assert read_track(path).duration_ms == 2000


def test_wav_cut_short_reports_the_length_it_holds(tmp_path: Path, no_processes: None) -> None:
    path = tmp_path / "cut.wav"
    path.write_bytes(riff_wave(info_list(INAM=b"Cut"), seconds=2.0)[: -RATE * 2])  # lose 1 s

    info = read_track(path)

    assert (info.title, info.duration_ms) == ("Cut", 1000)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "content",
    [
        # A chunk claiming 4 GiB before the data chunk: the walk jumps past the end and stops.
        riff_wave(chunk(b"junk", b"x" * 10, size=0xFFFFFFF0)),
        # A LIST/INFO whose subchunk claims far more than the list holds.
        riff_wave(chunk(b"LIST", b"INFO" + b"INAM" + struct.pack("<I", 0x7FFFFFFF) + b"Hi\0\0")),
        # A zero-sized LIST and zero-sized INFO subchunks.
        riff_wave(chunk(b"LIST", b""), chunk(b"LIST", b"INFO" + chunk(b"INAM", b"") * 50)),
        # A chunk id of binary garbage (a damaged file).
        riff_wave(b"\x00\x01\x02\x03" + struct.pack("<I", 4) + b"abcd"),
        # Forty thousand empty chunks: more than the walk visits.
        riff_wave(chunk(b"pad ", b"") * 40_000),
        # The RIFF size says 0.
        riff_wave(info_list(INAM=b"Zero"), riff_size=0),
        # Only the headers.
        riff_wave(info_list(INAM=b"Head"))[:60],
    ],
    ids=[
        "huge-chunk",
        "huge-subchunk",
        "empty-lists",
        "garbage-id",
        "many-chunks",
        "riff-0",
        "headers-only",
    ],
)
def test_malformed_wav_raises_tag_error_or_reads_without_hanging(
    tmp_path: Path, no_processes: None, content: bytes
) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)

    try:
        info = read_track(path)
    except TagError as error:
        assert "bad.wav" in error.message
    else:
        assert info.format == "wav"
        assert 0 < info.duration_ms <= 1000


@pytest.mark.timeout(60)
def test_wav_cut_or_damaged_anywhere_gives_a_track_or_tag_error(
    tmp_path: Path, no_processes: None
) -> None:
    good = riff_wave(info_list(INAM="晴天".encode("gbk"), IART=b"Jay"), seconds=0.05)
    rng = random.Random(11)
    variants = [good[:n] for n in range(1, 140)]
    for _ in range(300):
        damaged = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(0, 140)] = rng.randrange(256)
        variants.append(bytes(damaged))
    path = tmp_path / "fuzz.wav"
    for content in variants:
        path.write_bytes(content)
        try:
            info = read_track(path)
        except TagError:
            continue
        assert info.duration_ms >= 0

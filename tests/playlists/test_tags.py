"""Reading what a music file is, from real files made by ffmpeg."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3, TIT2, TPE1

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

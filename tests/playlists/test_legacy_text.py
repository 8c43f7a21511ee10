"""Legacy 8-bit text (tags, playlists, file names) is decoded as what it is: Big5 and Shift-JIS
are not "repaired" into wrong GBK Chinese, Latin-1 stays Latin-1 (issue 14, item 7)."""

from __future__ import annotations

import pytest
from mutagen.id3 import ID3, TIT2, TPE1

from playlists.legacy_text import detect, repair
from playlists.tags import read_track
from tests.kit.media import make_tone

CASES = [
    ("晴天", "big5"), ("周杰倫", "big5"), ("鄧麗君 - 甜蜜蜜", "big5"), ("周杰伦", "gbk"),
    ("月亮代表我的心", "gbk"), ("告白气球", "gbk"), ("さくら", "shift_jis"),
    ("夜に駆ける", "shift_jis"), ("千本桜", "shift_jis"), ("Mötley Crüe", "latin-1"),
    ("Café del Mar", "latin-1"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "encoding"), CASES)
def test_each_legacy_encoding_is_told_by_what_it_decodes_to(text, encoding):
    raw = text.encode(encoding)
    found = detect(raw)
    assert found is not None and found[0] == text
    assert repair(raw.decode("latin-1")) == text


def test_bytes_that_decode_to_nothing_clean_are_left_alone():
    for raw in (b"\xfe\xfe", b"\xa1\x41\xff"):  # no CJK reading of them is clean
        assert repair(raw.decode("latin-1")) == raw.decode("latin-1")


@pytest.mark.audio
def test_big5_tags_from_a_taiwanese_tool_read_as_big5_not_as_wrong_gbk(tmp_path):
    path = make_tone(tmp_path / "song.mp3", 1.0)
    tags = ID3()
    tags.add(TIT2(encoding=0, text="晴天".encode("big5").decode("latin-1")))
    tags.add(TPE1(encoding=0, text="周杰倫".encode("big5").decode("latin-1")))
    tags.save(path)
    info = read_track(path)
    assert (info.title, info.artist) == ("晴天", "周杰倫")

"""Whatever a playlist file holds, importing it ends in a result or a PlaylistError, and every
entry it returns is an existing file inside the music folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from playlists.imports import Imported, PlaylistError, export_m3u8, read_playlist

NAMES = ["a.mp3", "B.MP3", "sub/c.ogg", "../outside.mp3", "link.mp3", "周杰伦/晴天.mp3"]

# Lines that look like the real thing, mixed with arbitrary text (control characters included).
line = st.one_of(
    st.sampled_from(
        [
            *NAMES,
            "#EXTM3U",
            "#EXTINF:12,t",
            "#EXTINF:nan,",
            "[playlist]",
            "File1=a.mp3",
            "file2=../../etc/passwd",
            "Title1=x",
            "Length1=-1",
            "D:\\sub\\c.ogg",
            "\\\\srv\\s\\a.mp3",
            "file:///etc/passwd",
            "file:%2e%2e/outside.mp3",
            "http://x/y",
            '"a.mp3"',
            "..",
            "/",
        ]
    ),
    st.text(max_size=40),
)
separator = st.sampled_from(["\n", "\r\n", "\r"])
encoding = st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"])
suffix = st.sampled_from([".m3u", ".M3U8", ".pls", ".txt"])


def _music(root: Path) -> Path:
    music = root / "music"
    for name in NAMES:
        target = music / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x")
    (music / "link.mp3").unlink()
    (music / "link.mp3").symlink_to(root / "outside.mp3")
    return music.resolve()


def _check(result: Imported, music: Path) -> None:
    for entry in result.entries:
        assert entry.path.is_file()
        assert entry.path.resolve().is_relative_to(music)
        assert entry.path == entry.path.resolve()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(line, max_size=12),
    sep=separator,
    enc=encoding,
    ext=suffix,
)
def test_any_text_imports_or_raises_a_playlist_error(lines, sep, enc, ext):
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        music = _music(root)
        data = sep.join(lines).encode(enc, errors="replace")
        playlist = music / f"list{ext}"
        playlist.write_bytes(data)
        try:
            result = read_playlist(playlist, music_dirs=[music], drive_roots={"d:": music})
        except PlaylistError as error:
            assert error.message and error.message_zh
            event("PlaylistError")
            return
        event(f"imported, {'some' if result.entries else 'no'} entries")
        _check(result, music)
        # whatever was imported exports and re-imports to the same files
        again = music / "again.m3u8"
        again.write_text(export_m3u8(result.entries, relative_to=music), encoding="utf-8")
        if result.entries:
            assert [e.path for e in read_playlist(again, music_dirs=[music]).entries] == [
                e.path for e in result.entries
            ]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), ext=suffix)
def test_any_bytes_import_or_raise_a_playlist_error(data, ext):
    with tempfile.TemporaryDirectory() as temp:
        music = _music(Path(temp))
        playlist = music / f"list{ext}"
        playlist.write_bytes(data)
        try:
            result = read_playlist(playlist, music_dirs=[music])
        except PlaylistError:
            return
        _check(result, music)


def test_the_outside_file_really_exists_so_the_property_means_something():
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        music = _music(root)
        (root / "outside.mp3").write_bytes(b"x")
        (music / "l.m3u").write_text("../outside.mp3\nlink.mp3\na.mp3\n")
        result = read_playlist(music / "l.m3u", music_dirs=[music])
        assert [e.path.name for e in result.entries] == ["a.mp3"]
        assert len(result.unresolved) == 2
        assert os.path.exists(root / "outside.mp3")

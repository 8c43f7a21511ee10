"""Importing playlists from other tools (M3U, M3U8, PLS) and exporting M3U8."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from playlists.imports import (
    MAX_BYTES,
    Entry,
    Imported,
    PlaylistError,
    decode,
    export_m3u8,
    read_playlist,
)


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "music"
    folder.mkdir()
    return folder.resolve()


def track(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"ID3 placeholder")
    return path.resolve()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def paths(imported: Imported) -> list[Path]:
    return [e.path for e in imported.entries]


def reasons(imported: Imported) -> dict[str, str]:
    return {u.text: u.reason for u in imported.unresolved}


# ----------------------------------------------------------------------------------- M3U


def test_relative_and_absolute_entries_resolve_with_titles_and_durations(music):
    a = track(music / "pop" / "a.mp3")
    b = track(music / "b.ogg")
    playlist = write(
        music / "pop" / "mix.m3u",
        f"#EXTM3U\n#EXTINF:215,Artist - Song A\na.mp3\n\n# a comment\n{b}\n".encode(),
    )
    imported = read_playlist(playlist, music_dirs=[music])
    assert imported.entries == (
        Entry(a, "Artist - Song A", 215.0, 3),
        Entry(b, None, None, 6),
    )
    assert imported.unresolved == ()
    assert imported.encoding == "utf-8"


def test_extinf_applies_only_to_the_next_entry_and_minus_one_is_unknown(music):
    a, b = track(music / "a.mp3"), track(music / "b.mp3")
    text = "#EXTINF:-1,Only a title\na.mp3\nb.mp3\n#EXTINF:12.5,\n"
    imported = read_playlist(write(music / "l.m3u", text.encode()), music_dirs=[music])
    assert imported.entries == (Entry(a, "Only a title", None, 2), Entry(b, None, None, 3))


def test_windows_drive_path_in_gbk_with_crlf_maps_through_a_drive_root(music, tmp_path):
    song = track(music / "周杰伦" / "晴天.mp3")
    text = "#EXTM3U\r\n#EXTINF:269,周杰伦 - 晴天\r\nD:\\Music\\周杰伦\\晴天.mp3\r\n"
    playlist = write(tmp_path / "lists" / "华语.m3u", text.encode("gbk"))
    imported = read_playlist(playlist, music_dirs=[music], drive_roots={"d:": music.parent})
    assert imported.encoding == "gb18030"
    assert imported.entries == (Entry(song, "周杰伦 - 晴天", 269.0, 3),)


def test_a_utf8_bom_and_lone_cr_line_ends_are_handled(music, tmp_path):
    song = track(music / "周杰伦" / "晴天.mp3")
    text = "#EXTM3U\rD:/Music/周杰伦/晴天.mp3\r"
    playlist = write(tmp_path / "bom.m3u", b"\xef\xbb\xbf" + text.encode())
    imported = read_playlist(playlist, music_dirs=[music], drive_roots={"D:": music.parent})
    assert imported.encoding == "utf-8-sig"
    assert paths(imported) == [song]


def test_utf16_with_bom_is_read(music):
    song = track(music / "晴天.mp3")
    playlist = write(music / "w.m3u", "\ufeff晴天.mp3\r\n".encode("utf-16-le"))
    imported = read_playlist(playlist, music_dirs=[music])
    assert (imported.encoding, paths(imported)) == ("utf-16-le", [song])


def test_an_m3u8_written_in_gbk_is_still_read(music):
    song = track(music / "晴天.mp3")
    imported = read_playlist(
        write(music / "x.m3u8", "晴天.mp3\n".encode("gbk")), music_dirs=[music]
    )
    assert (imported.encoding, paths(imported)) == ("gb18030", [song])


def test_names_are_matched_ignoring_case_like_windows(music):
    song = track(music / "Jay Chou" / "Sunny Day.MP3")
    playlist = write(music / "l.M3U", b"JAY CHOU\\sunny day.mp3\n")
    assert paths(read_playlist(playlist, music_dirs=[music])) == [song]


def test_quoted_entries_and_file_urls_are_decoded(music):
    song = track(music / "with space" / "晴天.mp3")
    url = song.as_uri()
    text = f'"with space/晴天.mp3"\n{url}\nfile:///D:/Music/with%20space/%E6%99%B4%E5%A4%A9.mp3\n'
    imported = read_playlist(
        write(music / "l.m3u", text.encode()), music_dirs=[music], drive_roots={"D": music}
    )
    # drive D: is the music folder itself here, so D:/Music/... does not exist there
    assert paths(imported) == [song, song]
    assert [u.line for u in imported.unresolved] == [3]


def test_bad_entries_are_reported_and_the_rest_still_imported(music, tmp_path):
    good = track(music / "good.mp3")
    outside = track(tmp_path / "elsewhere" / "secret.mp3")
    (music / "link.mp3").symlink_to(outside)
    lines = [
        "missing.mp3",
        "good.mp3",
        "http://radio.example.com/stream",
        "E:\\Music\\x.mp3",
        "\\\\server\\share\\x.mp3",
        "../elsewhere/secret.mp3",
        "../../../../../../etc/passwd",
        "link.mp3",
        "file://otherpc/share/x.mp3",
    ]
    imported = read_playlist(
        write(music / "l.m3u", "\r\n".join(lines).encode()),
        music_dirs=[music],
        drive_roots={"D:": music},
    )
    assert paths(imported) == [good]
    found = reasons(imported)
    assert found["missing.mp3"].startswith("file not found")
    assert found["http://radio.example.com/stream"].startswith("streams are not supported")
    assert "library.drive_roots" in found["E:\\Music\\x.mp3"]
    assert found["\\\\server\\share\\x.mp3"].startswith("network share paths")
    assert found["../elsewhere/secret.mp3"].startswith("outside the music folders")
    assert found["../../../../../../etc/passwd"].startswith("outside the music folders")
    assert found["link.mp3"].startswith("outside the music folders")
    assert "another computer" in found["file://otherpc/share/x.mp3"]
    assert [u.line for u in imported.unresolved] == [1, 3, 4, 5, 6, 7, 8, 9]
    assert all(u.reason_zh and u.reason_zh != u.reason for u in imported.unresolved)


def test_a_symlink_inside_the_music_folders_is_followed(music):
    real = track(music / "albums" / "a.mp3")
    (music / "fav.mp3").symlink_to(real)
    assert paths(read_playlist(write(music / "l.m3u", b"fav.mp3\n"), music_dirs=[music])) == [real]


def test_a_pls_saved_as_m3u_is_read_as_pls(music):
    song = track(music / "a.mp3")
    playlist = write(music / "l.m3u", b"[playlist]\nFile1=a.mp3\n")
    assert paths(read_playlist(playlist, music_dirs=[music])) == [song]


# ----------------------------------------------------------------------------------- PLS


def test_pls_with_titles_lengths_mixed_case_keys_and_numbers_out_of_order(music):
    a, b, c = (track(music / n) for n in ("a.mp3", "b.mp3", "c.mp3"))
    text = (
        "; exported by an old player\r\n[Playlist]\r\nnumberofentries=3\r\n"
        "FILE2=b.mp3\r\ntitle2=Second\r\nLength2=-1\r\n"
        "file1=a.mp3\r\nTitle1=First\r\nLENGTH1=180\r\n"
        "File10=c.mp3\r\nVersion=2\r\n"
    )
    imported = read_playlist(write(music / "l.PLS", text.encode()), music_dirs=[music])
    assert imported.entries == (
        Entry(a, "First", 180.0, 7),
        Entry(b, "Second", None, 4),
        Entry(c, None, None, 10),
    )


def test_pls_missing_files_and_duplicates_are_reported(music):
    a = track(music / "a.mp3")
    text = "[playlist]\nFile1=a.mp3\nFile1=other.mp3\nFile2=gone.mp3\n"
    imported = read_playlist(write(music / "l.pls", text.encode()), music_dirs=[music])
    assert paths(imported) == [a]
    assert [(u.line, u.reason.split(":")[0]) for u in imported.unresolved] == [
        (3, "File1 is listed twice; the first one is used"),
        (4, "file not found"),
    ]


def test_pls_without_a_playlist_section_is_refused(music):
    with pytest.raises(PlaylistError, match="section is missing") as caught:
        read_playlist(write(music / "l.pls", b"File1=a.mp3\n"), music_dirs=[music])
    assert "[playlist]" in caught.value.message_zh


# --------------------------------------------------------------------------- whole-file errors


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.m3u", b"", "is empty"),
        ("blank.m3u8", b"\r\n  \n", "is empty"),
        ("comments.m3u", b"#EXTM3U\n# nothing\n", "lists no tracks"),
        ("image.m3u", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not text"),
        ("controls.m3u8", b"a.mp3\x01\x02\x03\n", "not text"),
        ("program.pls", b"\x7fELF\x02\x01\x01\x03", "not text"),
        ("garbage.m3u", b"\x81\xff\x81\xff", "not text in UTF-8, GBK"),
        ("big.m3u", b"a.mp3\n" * (6 * 2**20 // 6), "larger than 5 MB"),
        ("notes.txt", b"a.mp3\n", "not a playlist file"),
    ],
)
def test_unreadable_files_raise_a_clear_error_in_english_and_chinese(music, name, data, words):
    playlist = write(music / name, data)
    with pytest.raises(PlaylistError) as caught:
        read_playlist(playlist, music_dirs=[music])
    assert words in caught.value.message
    assert name in caught.value.message and name in caught.value.message_zh
    assert caught.value.message_zh != caught.value.message
    assert str(caught.value) == caught.value.message


def test_a_missing_playlist_file_is_a_playlist_error(music):
    with pytest.raises(PlaylistError, match="could not read"):
        read_playlist(music / "nope.m3u", music_dirs=[music])


def test_the_size_limit_is_five_megabytes():
    assert MAX_BYTES == 5 * 1024 * 1024


def test_decode_detects_each_encoding():
    assert decode("晴天".encode()) == ("晴天", "utf-8")
    assert decode("晴天".encode("gbk")) == ("晴天", "gb18030")
    assert decode(b"\xef\xbb\xbfabc") == ("abc", "utf-8-sig")
    assert decode(b"\xfe\xff" + "晴".encode("utf-16-be")) == ("晴", "utf-16-be")
    with pytest.raises(PlaylistError):
        decode(b"a\x00b")
    with pytest.raises(PlaylistError):
        decode(b"\xff\xfe\x00")  # odd length after a UTF-16 BOM


def test_a_bad_drive_roots_key_is_a_settings_error(music):
    with pytest.raises(ValueError, match="drive_roots"):
        read_playlist(
            write(music / "l.m3u", b"a.mp3\n"), music_dirs=[music], drive_roots={"DD": music}
        )


# ---------------------------------------------------------------------------------- export


def test_export_writes_extinf_and_relative_posix_paths(music):
    a = track(music / "周杰伦" / "晴天.mp3")
    b = track(music / "b.mp3")
    text = export_m3u8(
        [Entry(a, "周杰伦 - 晴天", 269.0, 1), Entry(b, "No length", None, 2), b, Path("/x/c.mp3")],
        relative_to=music,
    )
    assert text == (
        "#EXTM3U\n#EXTINF:269,周杰伦 - 晴天\n周杰伦/晴天.mp3\n"
        "#EXTINF:-1,No length\nb.mp3\nb.mp3\n/x/c.mp3\n"
    )


@pytest.mark.parametrize("relative", [True, False])
def test_export_then_import_gives_the_same_files(music, tmp_path, relative):
    songs = [
        track(music / "周杰伦" / "晴天.mp3"),
        track(music / "#hash start.mp3"),
        track(music / " padded .mp3"),
        track(music / "a\\b.mp3"),
        track(music / "C:odd.mp3"),
    ]
    original = [Entry(s, f"title {i}", 60.5 * i if i else None, 0) for i, s in enumerate(songs)]
    folder = music if relative else tmp_path / "exports"
    text = export_m3u8(original, relative_to=music if relative else None)
    playlist = write(folder / "out.m3u8", text.encode("utf-8"))
    imported = read_playlist(playlist, music_dirs=[music])
    assert imported.unresolved == ()
    assert [(e.path, e.title, e.duration_s) for e in imported.entries] == [
        (e.path, e.title, e.duration_s) for e in original
    ]
    assert ("\n周杰伦/晴天.mp3\n" in text) is relative


def test_a_name_with_a_newline_survives_export_as_a_file_url(music):
    odd = track(music / "two\nlines.mp3")
    text = export_m3u8([odd], relative_to=music)
    assert text.count("\n") == 2
    imported = read_playlist(write(music / "o.m3u8", text.encode()), music_dirs=[music])
    assert paths(imported) == [odd]


def test_a_title_with_a_newline_cannot_add_a_line(music):
    song = track(music / "a.mp3")
    evil = "Nice song\n/etc/passwd\r\n#EXTINF:1,x\u2028more\x00"
    text = export_m3u8([Entry(song, evil, 3.0, 1)])
    assert text.splitlines() == [
        "#EXTM3U",
        "#EXTINF:3,Nice song /etc/passwd #EXTINF:1,x more",
        str(song),
    ]
    imported = read_playlist(write(music / "o.m3u8", text.encode()), music_dirs=[music])
    assert paths(imported) == [song]


def test_export_of_nothing_is_just_the_header():
    assert export_m3u8([]) == "#EXTM3U\n"


def test_paths_are_posix_even_for_odd_files(music):
    song = track(music / "sub" / "a.mp3")
    assert export_m3u8([song], relative_to=music / "sub") == "#EXTM3U\na.mp3\n"
    assert os.sep == "/" or "\\" not in export_m3u8([song])

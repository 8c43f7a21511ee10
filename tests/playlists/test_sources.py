"""Bed sources: lists and folders, cycled; a folder is re-read once per round."""

from __future__ import annotations

from pathlib import Path

from playlists.sources import FolderPlaylist, TrackList
from tests.kit.media import make_empty


def test_a_list_cycles_in_order_and_keeps_entries_it_cannot_check():
    source = TrackList([Path("/a.mp3"), Path("/missing.ogg")])
    assert [source.next_track() for _ in range(4)] == [Path("/a.mp3"), Path("/missing.ogg")] * 2


def test_files_added_to_a_folder_join_at_the_next_round(tmp_path):
    make_empty(tmp_path / "1.mp3")
    make_empty(tmp_path / "2.ogg")
    make_empty(tmp_path / "notes.txt")
    source = FolderPlaylist(tmp_path)
    assert source.next_track() == tmp_path / "1.mp3"
    make_empty(tmp_path / "0.wav")
    assert source.next_track() == tmp_path / "2.ogg"  # this round goes on as it began
    assert [source.next_track() for _ in range(3)] == [
        tmp_path / n for n in ("0.wav", "1.mp3", "2.ogg")
    ]


def test_an_empty_or_missing_folder_gives_nothing(tmp_path):
    assert FolderPlaylist(tmp_path / "nope").next_track() is None
    assert FolderPlaylist(tmp_path / "nope").key == FolderPlaylist(tmp_path / "nope").key

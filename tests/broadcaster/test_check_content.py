"""`broadcaster check` says what a new broadcast room still lacks: an admin, music, the
programme's songs, and which HTTPS certificate the desk's PC must trust."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from broadcaster import check_content
from broadcaster.accounts import crud
from broadcaster.accounts.models import UserCreate
from broadcaster.actors import Role
from broadcaster.check import Status, all_checks
from broadcaster.db import make_engine
from broadcaster.demo import install_content
from broadcaster.settings import load_settings
from tests.kit.media import make_tone


def only(findings):
    (found,) = list(findings)
    return found


def test_a_new_room_lacks_an_admin_music_and_songs_until_they_are_there(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    assert {name for name, _ in all_checks()} >= {"admin", "music", "programme", "https"}
    assert list(check_content.check_admin(settings)) == []  # no database: its own check says so
    make_engine(settings.db_url).dispose()
    admin = only(check_content.check_admin(settings))
    assert admin.status is Status.FAIL and "user add" in admin.fix
    assert admin.found_zh.startswith("还没有管理员")
    music = only(check_content.check_music(settings))
    assert music.status is Status.FAIL and str(settings.music_path) in music.fix
    assert only(check_content.check_programme(settings)).status is Status.WARN

    install_content(settings, progress=lambda _line: None)
    programme = only(check_content.check_programme(settings))
    assert programme.status is Status.WARN and "songs/welcome_music.wav" in programme.found
    engine = make_engine(settings.db_url)
    with Session(engine) as session:
        crud.create_user(session, data=UserCreate(name="店长", role=Role.ADMIN,
                                                  password="correct horse battery"),
                         by="tests", now=datetime.now(UTC))  # fmt: skip
    engine.dispose()
    make_tone(settings.music_path / "轻音乐" / "a.wav", 2, 440)
    for stem in ("staff_songs", "welcome_music", "farewell_music", "farewell_song"):
        make_tone(tmp_path / "songs" / f"{stem}.wav", 1, 330)
    assert only(check_content.check_admin(settings)).status is Status.OK
    assert only(check_content.check_music(settings)).found == "1 music files"
    assert only(check_content.check_programme(settings)).status is Status.OK


def test_https_says_which_certificate_to_trust(tmp_path):
    loopback = load_settings(data_dir=tmp_path)
    assert list(check_content.check_https(loopback)) == []
    network = load_settings(data_dir=tmp_path, http={"host": "0.0.0.0"})
    assert only(check_content.check_https(network)).status is Status.WARN  # made at first start
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "ca.crt").write_text("x")
    assert "ca.crt" in only(check_content.check_https(network)).found
    plain = load_settings(data_dir=tmp_path, http={"host": "0.0.0.0", "insecure_http": True})
    assert only(check_content.check_https(plain)).status is Status.WARN
    own = load_settings(data_dir=tmp_path, http={"host": "0.0.0.0", "tls_cert": "/nope.pem",
                                                  "tls_key": "/nope.key"})  # fmt: skip
    assert only(check_content.check_https(own)).status is Status.FAIL

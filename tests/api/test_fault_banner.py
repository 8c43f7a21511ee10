"""The announcer's fault banner speaks the page's language: a Chinese page does not lead with
the English half of a daemon message."""

from __future__ import annotations

from fastapi.testclient import TestClient

from broadcaster.actors import Role
from broadcaster.audio.output_health import SERVER_FAULT
from broadcaster.log_words import in_language
from tests.kit.accounts import NAMES, PASSWORD


def test_a_bilingual_message_is_split_by_language_and_other_text_left_alone():
    zh, en = in_language(SERVER_FAULT, "zh"), in_language(SERVER_FAULT, "en")
    assert zh.startswith("声音服务（PulseAudio）没有响应") and "does not answer" not in zh
    assert en.startswith("The sound server (PulseAudio) does not answer") and "声音" not in en
    assert in_language("a/b / c", "zh") == "a/b / c"  # no Chinese half: as it is
    assert in_language("播放 / 暂停", "en") == "播放 / 暂停"  # Chinese on both sides
    assert in_language(None, "zh") == ""


def test_the_announcers_banner_shows_the_fault_in_chinese_or_english(daemon, client):
    daemon.output.fault_text = SERVER_FAULT
    with TestClient(client.app) as browser:
        browser.post("/login", data={"name": NAMES[Role.ANNOUNCER], "password": PASSWORD})
        chinese = browser.get("/announcer/now").text
        english = browser.get("/announcer/now?lang=en").text
    assert "故障：声音服务（PulseAudio）没有响应" in chinese
    assert "does not answer" not in chinese
    assert "Fault: The sound server (PulseAudio) does not answer" in english
    assert "声音服务" not in english

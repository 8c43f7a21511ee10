"""A play-log row's detail in the reader's language: each part the daemon writes, in Chinese on
a Chinese page (the log keeps the English it wrote), and parts no phrase knows as written."""

from __future__ import annotations

import pytest

from broadcaster.log_words import detail_in

CASES = [
    ("resumed at 12 s; gain -3.5 dB", "从第 12 秒接着播；增益 -3.5 dB"),
    ("stopped for an emergency at 42 s", "因紧急广播停止（第 42 秒）"),
    ("cut for 开业欢迎 at 3 s", "为“开业欢迎”切走（第 3 秒）"),
    ("interrupted by emergency #12; will play again", "被 紧急广播 #12 打断；稍后重播"),
    ("cancelled by Li Na; faded out", "由 Li Na 取消；已淡出"),
    ("page #3 play 2/5; replayed after an interruption", "寻人寻物广播 #3 第 2/5 遍；中断后重播"),
    ("cleared by 王主管 after 3 pass(es)", "由 王主管 解除（已播 3 遍）"),
    ("microphone cut by its other zones", "话筒被 其他分区 切断"),
    ("skipped before play: file not found: /m/a.mp3", "播放前检查未通过，已跳过：找不到文件：/m/a.mp3"),
    ("late 58 s", "迟播 58 秒"),
    ("not on air at the time (75 s late)", "当时未能播出（迟 75 秒）"),
    # Written with their Chinese already: that half, whole (a "; " inside brackets is no break).
    ("its zones are not configured: B1 (not played; 分区未配置：B1，未播出)", "分区未配置：B1，未播出"),
    ("zones no longer configured, left out: B1 (分区已不存在，未播：B1)", "分区已不存在，未播：B1"),
    ("no music: the playlist has no audio files / 没有音乐：播放列表中没有音频文件",
     "没有音乐：播放列表中没有音频文件"),
    # Not known: as written, never dropped.
    ("recorded to recordings/live/7.wav; something new", "录音：recordings/live/7.wav；something new"),
    ("<b>x</b> at 5 s", "<b>x</b>（第 5 秒）"),  # escaping is the page's (autoescape)
]  # fmt: skip


@pytest.mark.parametrize(("written", "chinese"), CASES)
def test_each_part_of_a_detail_reads_in_chinese(written: str, chinese: str) -> None:
    assert detail_in(written, "zh") == chinese


@pytest.mark.parametrize(("written", "chinese"), CASES)
def test_an_english_reader_sees_what_the_daemon_wrote(written: str, chinese: str) -> None:
    english = written.split(" / ")[0]
    assert detail_in(written, "en") == english


def test_nothing_is_nothing() -> None:
    assert detail_in(None, "zh") == detail_in("", "en") == ""

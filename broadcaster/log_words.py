"""The daemon's words in the reader's language.

1. ``in_language``: a message written "English … / 中文…" (faults, refusals) in one language.
2. ``detail_in``: a play-log row's detail as a page or an export shows it. The log keeps what
   the daemon wrote (English, the record, and what filters and other programs read); a Chinese
   reader sees each part of it ("interrupted by emergency #12; will play again") translated by
   the phrases below. A part no phrase knows (a file's name, a player's own error) is shown as
   it was written, never dropped.
"""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["zh", "en"]
_HAN = re.compile(r"[\u3400-\u9fff]")


def in_language(text: str | None, lang: Lang) -> str:
    """One language of a daemon message written "English … / 中文…" (faults, refusals), so a
    Chinese page does not lead with English: the part after the last " / " that starts a
    Chinese sentence for ``zh``, what comes before it for ``en``; other text as it is."""
    if not text:
        return ""
    head, sep, tail = text.rpartition(" / ")
    if not sep or not _HAN.search(tail[:4]) or _HAN.search(head[:4]):
        return text
    return tail.strip() if lang == "zh" else head.strip()


# Who did it, as a detail names them: the daemon's own actors, and a call by its kind ("emergency
# #12"; ``Request.kind``). People are named as their accounts are.
_WHO = {
    "the microphone": "话筒", "its other zones": "其他分区", "system": "系统",
    "emergency": "紧急广播", "page": "寻人寻物广播", "announcement": "广播", "music": "音乐",
}  # fmt: skip

# (English part, Chinese). Groups named ``x`` are parts themselves (translated in turn); ``who``
# goes through ``_WHO``; the rest is copied (numbers, names, paths).
_PHRASES: list[tuple[str, str]] = [
    (r"resumed at (?P<s>\d+) s", "从第 {s} 秒接着播"),
    (r"(?P<x>.+) at (?P<s>\d+) s", "{x}（第 {s} 秒）"),
    (r"daemon stopped", "系统停止"),
    (r"daemon stopped while the fault was on", "故障期间系统停止"),
    (r"stopped for an emergency", "因紧急广播停止"),
    (r"cut for a playlist change", "播放列表切换，切走"),
    (r"cut for (?P<t>.+)", "为“{t}”切走"),
    (r"crossfaded into the next track", "淡入下一首"),
    (r"ended after (?P<ms>\d+) ms of (?P<of>\d+)", "播放 {ms} 毫秒后结束（应为 {of} 毫秒）"),
    (r"the player reported an error", "播放器报错"),
    (r"gain (?P<g>[+-]?[\d.]+) dB", "增益 {g} dB"),
    (r"sound back", "声音已恢复"),
    (r"cancelled by (?P<who>.+)", "由 {who} 取消"),
    (r"faded out", "已淡出"),
    (r"interrupted by (?P<who>.+)", "被 {who} 打断"),
    (r"will play again", "稍后重播"),
    (r"not repeated", "不再重播"),
    (r"replaced by (?P<who>.+)", "被 {who} 替换"),
    (r"cleared by (?P<who>.+) after (?P<n>\d+) pass\(es\)", "由 {who} 解除（已播 {n} 遍）"),
    (r"not started before it expired", "到期前未能播出"),
    (r"microphone cut by (?P<who>.+)", "话筒被 {who} 切断"),
    (r"talk released by (?P<who>.+)", "{who} 结束讲话"),
    (r"recorded to (?P<p>.+)", "录音：{p}"),
    (r"back after an interruption", "中断后继续"),
    (r"replayed after an interruption", "中断后重播"),
    (r"page #(?P<id>\d+) play (?P<k>\d+)/(?P<n>\d+)", "寻人寻物广播 #{id} 第 {k}/{n} 遍"),
    (r"late (?P<s>\d+) s", "迟播 {s} 秒"),
    (r"not on air at the time \((?P<s>\d+) s late\)", "当时未能播出（迟 {s} 秒）"),
    (r"file outside the data dir: (?P<p>.+)", "文件不在数据目录内：{p}"),
    (r"not playable: (?P<x>.+)", "无法播放：{x}"),
    (r"skipped before play: (?P<x>.+)", "播放前检查未通过，已跳过：{x}"),
    (r"could not be spoken: (?P<e>.+)", "无法朗读：{e}"),
    (r"no script library in this run", "本次运行没有稿件库"),
    (r"file not found: (?P<p>.+)", "找不到文件：{p}"),
    (r"file is empty: (?P<p>.+)", "文件为空：{p}"),
    (r"VLC refused to play (?P<p>.+)", "VLC 拒绝播放 {p}"),
    (r"VLC could not open or decode (?P<p>.+)", "VLC 无法打开或解码 {p}"),
    (r"no audio track: (?P<p>.+)", "没有音轨：{p}"),
    (r"VLC never reported the end", "VLC 未报告播放结束"),
    (r"(?P<p>.+) stopped after (?P<ms>\d+) ms", "{p} 播放 {ms} 毫秒后中断"),
    # Written with their Chinese already: "… (中文…)".
    (r"[^()]+ \(not played; (?P<zh>[^()]*[\u3400-\u9fff][^()]*)\)", "{zh}"),
    (r"[^()]+ \((?P<zh>[^()]*[\u3400-\u9fff][^()]*)\)", "{zh}"),
]
_COMPILED = [(re.compile(english), chinese) for english, chinese in _PHRASES]


def detail_in(text: str | None, lang: Lang) -> str:
    """A play-log detail in ``lang`` (see the module's docstring)."""
    if not text:
        return ""
    if lang == "en" or in_language(text, "zh") != text:  # English, or written in both
        return in_language(text, lang)
    return "；".join(_part(part) for part in _parts(text))


def _parts(text: str) -> list[str]:
    """``text`` split at "; " outside brackets ("… (not played; 未播出)" is one part)."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith("; ", at):
            parts.append(text[start:at])
            start = at + 2
    return [*parts, text[start:]]


def _part(text: str) -> str:
    for english, chinese in _COMPILED:
        found = english.fullmatch(text)
        if found is None:
            continue
        values = {}
        for name, value in found.groupdict().items():
            if name == "x":
                value = _part(value)
            elif name == "who":
                value = _who(value)
            values[name] = value
        return chinese.format(**values)
    return in_language(text, "zh")


def _who(text: str) -> str:
    kind, sep, number = text.partition(" #")
    if sep and kind in _WHO:
        return f"{_WHO[kind]} #{number}"
    return _WHO.get(text, text)

"""The script markup: how an announcer marks pauses (断句) and stressed phrases (重点字句).

Three marks, chosen to be typed on any keyboard and read at a glance on paper:

====================  ===========================================================
``/``                 a short pause (a breath between phrases), ``SHORT_PAUSE_MS``
``//``                a long pause (between sentences or ideas), ``LONG_PAUSE_MS``
a blank line          a paragraph break, ``PARAGRAPH_PAUSE_MS``
``*words*``           said with emphasis
``\\/`` ``\\*`` ``\\\\``  a literal slash, asterisk or backslash (``24\\/7``)
====================  ===========================================================

Example: ``亲爱的顾客朋友们，/ 本商场将于 *二十分钟后* 结束营业。// 感谢您的光临。``

``parse`` turns a text into a ``Speech`` (spans of text and pauses) or raises ``MarkupError``
saying where the mark is wrong, in English and Chinese. Voices take a ``Speech``; ``to_ssml``
gives the SSML that espeak-ng reads; ``plain`` the words alone. ``escape`` makes any value safe
to put into a script (a template field): marks become literal, control characters go.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

SHORT_PAUSE_MS = 300
LONG_PAUSE_MS = 700
PARAGRAPH_PAUSE_MS = 1000


class MarkupError(ValueError):
    """A script's marks are not well formed. ``message``/``message_zh`` say where."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message, self.message_zh = message, message_zh


@dataclass(frozen=True)
class Span:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Pause:
    ms: int


Part = Span | Pause
Speech = tuple[Part, ...]

_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SPACE = re.compile(r"\s+")


def parse(text: str) -> Speech:
    """The speech a marked-up text stands for. Whitespace runs count as one space; pauses next
    to each other add up; a text with no words raises MarkupError."""
    parts: list[Part] = []
    buffer: list[str] = []
    emphasis_from: int | None = None

    def flush() -> None:
        words = _SPACE.sub(" ", "".join(buffer))
        buffer.clear()
        if words.strip():
            parts.append(Span(words, emphasis_from is not None))
        elif words and parts and isinstance(parts[-1], Span):
            parts.append(Span(" ", emphasis_from is not None))

    def pause(ms: int) -> None:
        flush()
        if parts and isinstance(parts[-1], Pause):
            parts[-1] = Pause(parts[-1].ms + ms)
        else:
            parts.append(Pause(ms))

    text = text.replace("\r\n", "\n")
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 < len(text) and text[i + 1] in "\\/*":
                buffer.append(text[i + 1])
                i += 2
                continue
            raise MarkupError(
                f"A backslash at character {i + 1} must be followed by /, * or \\.",
                f"第 {i + 1} 个字符处的反斜杠后面只能是 /、* 或 \\。",
            )
        if char == "/":
            double = text.startswith("//", i)
            pause(LONG_PAUSE_MS if double else SHORT_PAUSE_MS)
            i += 2 if double else 1
            continue
        if char == "*":
            flush()
            emphasis_from = i if emphasis_from is None else None
            i += 1
            continue
        if char == "\n" and (match := _PARAGRAPH.match(text, i)):
            pause(PARAGRAPH_PAUSE_MS)
            i = match.end()
            continue
        buffer.append(char)
        i += 1
    if emphasis_from is not None:
        raise MarkupError(
            f"The emphasis opened by * at character {emphasis_from + 1} is not closed.",
            f"第 {emphasis_from + 1} 个字符处的 * 开始了重读，但没有结束的 *。",
        )
    flush()
    speech = _trim(parts)
    if not any(isinstance(part, Span) and part.text.strip() for part in speech):
        raise MarkupError("There is nothing to say: the text has no words.", "稿件没有内容。")
    return speech


def _trim(parts: list[Part]) -> Speech:
    # Pauses and spaces at either end say nothing; the renderer trims silence anyway.
    while parts and (isinstance(parts[0], Pause) or not parts[0].text.strip()):
        parts.pop(0)
    while parts and (isinstance(parts[-1], Pause) or not parts[-1].text.strip()):
        parts.pop()
    if parts and isinstance(parts[0], Span):
        parts[0] = Span(parts[0].text.lstrip(), parts[0].emphasis)
    if parts and isinstance(parts[-1], Span):
        parts[-1] = Span(parts[-1].text.rstrip(), parts[-1].emphasis)
    return tuple(parts)


def plain(speech: Speech) -> str:
    """The words alone, pauses as spaces: for titles, logs and search."""
    out = "".join(part.text if isinstance(part, Span) else " " for part in speech)
    return _SPACE.sub(" ", out).strip()


def to_ssml(speech: Speech) -> str:
    """SSML for espeak-ng: breaks for pauses, ``<emphasis>`` for stressed words; every text
    escaped, so a ``<`` in a script is read (or skipped), never taken for a tag."""
    out = ["<speak>"]
    for part in speech:
        if isinstance(part, Pause):
            out.append(f'<break time="{part.ms}ms"/>')
        elif part.emphasis:
            out.append(f"<emphasis>{xml_escape(part.text)}</emphasis>")
        else:
            out.append(xml_escape(part.text))
    out.append("</speak>")
    return "".join(out)


INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
"""Unicode categories that show nothing: controls, format marks (the right-to-left override,
zero-width characters), surrogates, private use, unassigned."""


def hidden(value: str) -> list[str]:
    """The invisible characters in ``value`` other than whitespace, as ``U+202E`` codes. A
    person's text holding one (a right-to-left override, a zero-width space, a control) is
    refused everywhere — names, titles, form fields — never silently changed: one rule."""
    return [f"U+{ord(c):04X}" for c in value
            if not c.isspace() and unicodedata.category(c) in INVISIBLE]  # fmt: skip


def visible(value: str) -> str:
    """The human text of ``value``: any whitespace made one space, invisible characters
    (``INVISIBLE``) removed, ends stripped. Marks are kept; ``escape`` neutralises them."""
    kept = []
    for char in value:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) not in INVISIBLE:
            kept.append(char)
    return _SPACE.sub(" ", "".join(kept)).strip()


def escape(value: str) -> str:
    """``value`` made safe to put into a marked-up script: ``visible`` text with ``\\ / *``
    escaped, so a value can never add a pause or an emphasis."""
    return re.sub(r"([\\/*])", r"\\\1", visible(value))


def check(text: str) -> None:
    """Raise MarkupError if ``text`` is not well-formed markup (same rules as ``parse``)."""
    parse(text)

"""Text in the 8-bit encodings old Windows PCs wrote (GBK, Big5, Shift-JIS, Latin-1): which one
a run of bytes is, decided by what it decodes to rather than guessed.

Short texts (a tag, a file name) defeat statistical detectors: ``晴天`` in Big5 is also valid
GBK (``锤ぱ``). ``detect`` instead decodes the bytes strictly in each candidate and scores the
result by how much of it is the *common* repertoire of that encoding, which is where real text
lives and where mojibake does not:

1. GB18030 (GBK): GB2312 level-1 hanzi (lead bytes B0–D7) and its punctuation rows (A1–A3);
   level-2 hanzi (D8–F7) count as less common.
2. Big5: the frequent hanzi (lead bytes A4–C6) and symbols (A1–A3); the less frequent hanzi
   (C9–F9) count less.
3. Shift-JIS: punctuation, kana (81–83) and JIS level-1 kanji (88–98); level 2 (99–9F, E0–EA)
   counts less.
4. Windows-1252 (Latin-1): letters with accents and the usual symbols.

Each non-ASCII character scores 1 (common), ``RARE`` (the rest of the repertoire) or 0; the
mean is the text's score. The best wins, ties in the order above (a mainland mall's PCs wrote
GBK). ``detect`` answers None below ``floor``; ``clean`` says every character was at least rare.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

LATIN_SYMBOLS = set("©®°±²³µ·¹º»«¼½¾¿¡§¶ª€–—‘’“”•…")


RARE = 0.6
Rank = Callable[[str], float]


def _double(encoding: str, common: tuple[int, ...], rare: tuple[int, ...]) -> Rank:
    """Ranks by the lead byte: ``common`` and ``rare`` are inclusive (low, high) pairs."""

    def within(byte: int, spans: tuple[int, ...]) -> bool:
        return any(spans[i] <= byte <= spans[i + 1] for i in range(0, len(spans), 2))

    def rank(char: str) -> float:
        try:
            raw = char.encode(encoding)
        except UnicodeEncodeError:
            return 0.0
        if len(raw) != 2:
            return 0.0
        return 1.0 if within(raw[0], common) else RARE if within(raw[0], rare) else 0.0

    return rank


def _latin(char: str) -> float:
    letter = 0xC0 <= ord(char) <= 0xFF and unicodedata.category(char).startswith("L")
    return 1.0 if letter or char in LATIN_SYMBOLS else 0.0


CANDIDATES: tuple[tuple[str, Rank], ...] = (
    ("gb18030", _double("gb2312", (0xA1, 0xA3, 0xB0, 0xD7), (0xD8, 0xF7))),
    ("big5", _double("big5", (0xA1, 0xA3, 0xA4, 0xC6), (0xC9, 0xF9))),
    ("shift_jis", _double("shift_jis", (0x81, 0x83, 0x88, 0x98), (0x99, 0x9F, 0xE0, 0xEA))),
    ("cp1252", _latin),
)


def score(text: str, rank: Rank) -> tuple[float, bool]:
    """The mean rank of the non-ASCII characters, and whether none ranked 0."""
    ranks = [rank(c) for c in text if ord(c) >= 0x80]
    if not ranks:
        return 1.0, True
    return sum(ranks) / len(ranks), min(ranks) > 0


def detect(raw: bytes, *, floor: float = 0.0) -> tuple[str, str, float, bool] | None:
    """``(text, encoding, score, clean)`` for the best strict decoding of ``raw``, or None when
    no candidate decodes it or the best scores below ``floor``."""
    best: tuple[str, str, float, bool] | None = None
    for encoding, rank in CANDIDATES:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text):
            continue
        value, clean = score(text, rank)
        if best is None or value > best[2]:
            best = (text, encoding, value, clean)
    return best if best is not None and best[2] >= floor else None


def repair(text: str) -> str:
    """Tag text a tool stored as 8-bit bytes read as Latin-1 (mojibake such as ``ÖÜ½ÜÂ×``):
    the CJK text it was meant to be, only when the bytes decode cleanly (every character in
    its encoding's common repertoire); otherwise ``text`` unchanged."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text
    if raw.isascii():
        return text
    found = detect(raw)
    if found is None or not found[3] or found[1] == "cp1252":
        return text
    return found[0]

"""File names as Linux stores them: any bytes but ``/`` and NUL, not always UTF-8.

A zip made on Chinese Windows unpacks to GBK names; Python shows their undecodable bytes as
lone surrogates (``surrogateescape``), which neither SQLite nor JSON nor a web page accepts.
Three forms, one for each job:

- ``path_text``: the name stored in the database and the play log. Valid UTF-8 and lossless:
  a name that is valid UTF-8 (and holds no ``\\x``) is kept as it is; otherwise each byte that is
  not UTF-8 is written ``\\xHH`` and each backslash ``\\x5c``. ``text_path`` turns it back into
  the very bytes on disk. The two forms never collide: only the second holds ``\\x``.
- ``display_name``: what a person reads: the bytes decoded as the legacy encoding they most
  likely are (``playlists.legacy_text``: GBK, Big5, Shift-JIS, Latin-1), never an exception.
- ``readable``: any text (a message that quotes a path) made safe to store and show.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playlists.legacy_text import detect

_ESCAPE = re.compile(r"\\x([0-9a-f]{2})")
# A word holding undecodable bytes; the whole word is decoded, since GBK bytes can happen to
# form a valid UTF-8 character between them (D2 B5 is "ҵ").
_LEGACY_WORD = re.compile("[^\\s/\"'“”‘’：:()（）]*[\udc80-\udcff][^\\s/\"'“”‘’：:()（）]*")


def is_utf8(name: str | Path) -> bool:
    """Whether ``name`` (a str from the file system) is valid UTF-8 on disk."""
    try:
        str(name).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def path_text(path: str | Path) -> str:
    """The lossless, storable text of ``path`` (see the module docstring)."""
    text = str(path)
    if is_utf8(text) and "\\x" not in text:
        return text
    out = []
    for char in text.replace("\\", "\\x5c"):
        code = ord(char)
        out.append(f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else char)
    return "".join(out)


def text_path(text: str) -> Path:
    """The path ``path_text`` stored as ``text``, with its exact bytes."""
    if "\\x" not in text:
        return Path(text)
    raw = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(text):
        raw += text[pos : match.start()].encode("utf-8")
        raw.append(int(match[1], 16))
        pos = match.end()
    raw += text[pos:].encode("utf-8")
    return Path(os.fsdecode(bytes(raw)))


def display_name(name: str | Path) -> str:
    """``name`` as a person should read it: valid UTF-8 as it is; legacy bytes decoded as the
    encoding they most likely are; what still cannot be read as U+FFFD."""
    text = str(name)
    if is_utf8(text):
        return text
    raw = os.fsencode(text)
    found = detect(raw)
    if found is not None and found[3]:
        return found[0]
    return raw.decode("utf-8", "replace")


def readable(text: str) -> str:
    """``text`` with every word holding undecodable bytes shown as ``display_name`` shows it."""
    if is_utf8(text):
        return text
    return _LEGACY_WORD.sub(lambda m: display_name(m[0]), text)

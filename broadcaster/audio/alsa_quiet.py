"""ALSA's own error lines ("ALSA lib pcm.c:… Unknown PCM default"), which libasound prints
straight to standard error each time VLC tries a device that is not there (every reopen of the
output with no sound server): routed into our log at DEBUG instead of flooding the terminal and
the journal. The fault itself is reported by the output, in words a person can act on."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger("alsa")
# void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)
_installed: list[object] = []  # keeps the callback alive as long as libasound may call it


def _to_log(file: bytes, line: int, function: bytes, err: int, fmt: bytes) -> None:
    log.debug("%s:%d %s: %s (error %d)", (file or b"").decode(errors="replace"), line,
              (function or b"").decode(errors="replace"), (fmt or b"").decode(errors="replace"),
              err)  # fmt: skip


def quiet_alsa() -> bool:
    """Install the handler; False when libasound is not on this machine (nothing to quiet)."""
    if _installed:
        return True
    name = ctypes.util.find_library("asound")
    if name is None:
        return False
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return False
    handler = _HANDLER(_to_log)
    library.snd_lib_error_set_handler(handler)
    _installed.append(handler)
    return True

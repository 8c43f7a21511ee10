"""The one way a file is checked before it goes on air.

Every path to the speakers checks its file through the real output first (VLC opens and parses
it: a missing, damaged or non-audio file is refused before it is due, never heard as a gap): the
bed's next track and programme songs, a programme cue's recording, an upload or a file named in
an API request, the chime at start-up. They all come here.

1. ``future`` answers any thread, for the API, the scheduler thread and start-up, which wait on
   it with a timeout of their own. A file it checked and that has not changed since (same size
   and modification time) is not checked again: the chime and the alert tone cost nothing on
   the way to air. A file that cannot be stat'ed (gone, or a name only a fake output knows)
   always goes to the output.
2. ``check`` answers on the core thread (through the loop's ``post``), for the bed: always
   through the output, whose thread opens the file, so the core thread does no disk I/O.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from broadcaster.audio.output import AudioOutput, MediaError, MediaInfo

Answer = Callable[[MediaInfo | MediaError], None]
CACHE_SIZE = 4096  # a large music library's worth of checked files
_Key = tuple[Path, int, int]


class Prechecker:
    def __init__(self, output: AudioOutput, post: Callable[[Callable[[], None]], None]) -> None:
        self._output, self._post = output, post
        self._checked: OrderedDict[_Key, MediaInfo] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, path: Path, then: Answer) -> None:
        """Check ``path``; ``then`` gets the answer on the core thread. Straight to the output,
        whose own thread opens the file: the core thread never touches the disk (not even a
        ``stat`` for the cache, which a dead network share could hold up)."""
        self._output.preflight(path, lambda result: self._post(lambda: then(result)))

    def future(self, path: Path) -> Future[MediaInfo]:
        """Check ``path`` from any thread; the future fails with ``MediaError``."""
        future: Future[MediaInfo] = Future()

        def answer(result: MediaInfo | MediaError) -> None:
            if isinstance(result, MediaError):
                future.set_exception(result)
            else:
                future.set_result(result)

        self._ask(path, answer)
        return future

    def _ask(self, path: Path, answer: Answer) -> None:
        key = _key_of(path)
        if key is not None:
            with self._lock:
                known = self._checked.get(key)
                if known is not None:
                    self._checked.move_to_end(key)
            if known is not None:
                answer(known)
                return

        def done(result: MediaInfo | MediaError) -> None:
            if key is not None and isinstance(result, MediaInfo):
                with self._lock:
                    self._checked[key] = result
                    while len(self._checked) > CACHE_SIZE:
                        self._checked.popitem(last=False)
            answer(result)

        self._output.preflight(path, done)


def _key_of(path: Path) -> _Key | None:
    try:
        stat = path.stat()
    except (OSError, ValueError):
        return None
    return (path, stat.st_size, stat.st_mtime_ns)

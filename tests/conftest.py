"""The suite's plugins and hooks.

1. Markers by what a test starts, found from what its module and fixtures use, so ``make
   check`` can leave out every test that needs real audio, a browser, a daemon process or a
   real install (the Makefile's ``CHECK_MARKERS``, with ``audio``: item 3) without each test
   saying so.
2. Parallel runs (pytest-xdist, ``--dist loadfile``: a module's tests stay on one worker, so its
   module-scoped daemon starts once): the modules that wait on real time (audio playing,
   daemons starting) go first, so the long ones do not start last and leave the other workers
   idle at the end (the Makefile passes ``--no-loadscope-reorder``: xdist would otherwise send
   the modules with the most tests first); the browser's go last (see below). ``--dist
   loadgroup`` would keep the browser's modules on one worker, but pytest 9.2 ignores its
   groups (pytest-xdist #1386). Tests marked ``serial`` run after the parallel part, alone.
3. Real audio: a test that makes or measures sound with a real tool (ffmpeg, espeak-ng, sox,
   the voice worker; ffprobe reading a header does not count) is marked ``audio`` by hand
   (what it runs depends on what it asks the daemon), and ``make check`` leaves it out. There
   (``BROADCASTER_CHECK_LANE=1``) a test that runs one without the mark (itself or through its
   function's fixtures) fails and says so: the inner loop stays without real audio.
4. One migrated template database per test process: a fresh SQLite file that ``make_engine``
   would migrate is a copy of it instead (the migrations themselves are tested in
   ``tests/broadcaster/test_migrations.py``, which migrates for real)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from broadcaster import migrations
from scripts_library.render_worker import WorkerRenderer
from tests.kit import real_audio

pytest_plugins = ["tests.kit.fixtures"]

STARTS = {  # marker: names in a test's module, or fixtures it uses, that start that thing
    "daemon": {"DaemonProcess", "daemon_process"},
    "pulse": {"PulseServer", "pulse_server"},
    "browser": {"browser", "BROWSER_TESTS", "sync_playwright"},
    "vlc": {"VlcOutput", "build_output", "vlc_output"},
    "install": {"SYSTEM_PYTHON"},  # the real install: pip builds the application, speech renders
}
REAL_TIME = ("e2e", "daemon", "pulse", "browser", "vlc", "install")
AUDIO_TOOLS = {"ffmpeg", "espeak-ng", "sox", "nice"}  # nice: the library scan's ffmpeg
MIGRATES_FOR_REAL = {"tests.broadcaster.test_migrations"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(item, "module", None)
        names = set(vars(module)) if module is not None else set()
        names |= set(getattr(item, "fixturenames", ()))
        for marker, uses in STARTS.items():
            if names & uses:
                item.add_marker(marker)
    waits = {_file(item) for item in items if any(map(item.get_closest_marker, REAL_TIME))}
    # The modules that wait first, the rest after, the browser's last: Playwright's sync API
    # keeps an event loop running in the main thread until the session ends, and asyncio.run()
    # fails in any test after it in that process. Stable: a module's tests keep their order.
    items.sort(key=lambda item: (item.get_closest_marker("browser") is not None,
                                 _file(item) not in waits))  # fmt: skip


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def _audio_tool(event: str, args: tuple[Any, ...]) -> None:
    if event != "subprocess.Popen":
        return
    argv = args[1] if isinstance(args[1], (list, tuple)) else [args[1]]
    words = [str(word) for word in argv]
    if words and (os.path.basename(words[0]) in AUDIO_TOOLS
                  or "scripts_library.render_worker" in words):  # fmt: skip
        real_audio.note(" ".join(words[:3]))


CHECK_LANE = os.environ.get("BROADCASTER_CHECK_LANE") == "1"
if CHECK_LANE:
    sys.addaudithook(_audio_tool)
    _render = WorkerRenderer.render

    def _rendered(self: WorkerRenderer, *args: Any, **kwargs: Any) -> Any:
        # Every render that gives speech counts, the cache's answers too: which test of a
        # module's daemon finds its words already rendered depends on the order tests run in.
        rendered = _render(self, *args, **kwargs)
        real_audio.note("the voice (a render)")
        return rendered

    WorkerRenderer.render = _rendered  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _real_audio_of_this_test() -> None:
    """From here (after the module's and the session's fixtures: material made once for many
    tests is not the test's), through the test and its teardown."""
    real_audio.used.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    outcome = yield
    report = outcome.get_result()
    if (CHECK_LANE and call.when == "teardown" and real_audio.used and report.passed
            and item.get_closest_marker("audio") is None):  # fmt: skip
        report.outcome = "failed"
        report.longrepr = (f"this test runs {sorted(set(real_audio.used))}: mark it `audio` "
                           "(make check leaves real audio out)")  # fmt: skip


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from broadcaster.db import make_engine

    path = tmp_path_factory.mktemp("template") / "template.db"
    make_engine(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as connection:  # everything in the main file, none in the WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(autouse=True)
def _migrated_from_template(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _template_database: Path
) -> Iterator[None]:
    if request.module.__name__ in MIGRATES_FOR_REAL:
        yield
        return
    upgrade = migrations.upgrade

    def from_template(engine: Engine, revision: str = "head") -> None:
        database = engine.url.database
        if (revision == "head" and engine.url.get_backend_name() == "sqlite" and database
                and database != ":memory:" and not _has_content(Path(database))):  # fmt: skip
            shutil.copyfile(_template_database, database)
            return
        upgrade(engine, revision)

    monkeypatch.setattr(migrations, "upgrade", from_template)
    yield


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0

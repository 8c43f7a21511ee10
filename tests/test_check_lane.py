"""The inner loop keeps real audio out (tests/conftest.py, item 3): under ``make check``'s
``BROADCASTER_CHECK_LANE=1`` a test that runs an audio tool without the ``audio`` mark fails
and names the tool; marked, or outside the lane, it passes. Run in a pytest of its own, with
a copy of the suite's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]
TESTS = """
import subprocess
import pytest

def ffmpeg():
    subprocess.run(["ffmpeg", "-nostdin", "-version"], capture_output=True, check=True)

def test_unmarked():
    ffmpeg()

@pytest.mark.audio
def test_marked():
    ffmpeg()

def test_quiet():
    pass
"""


@pytest.mark.parametrize("lane", ["1", ""])
def test_an_unmarked_test_running_ffmpeg_fails_in_the_check_lane_only(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, lane: str
) -> None:
    pytester.makeconftest((REPO / "tests" / "conftest.py").read_text())
    pytester.makepyfile(test_tools=TESTS)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("BROADCASTER_CHECK_LANE", lane)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore")
    if lane:
        result.assert_outcomes(passed=3, errors=1)
        result.stdout.fnmatch_lines([
            "*ERROR at teardown of test_unmarked*",
            "this test runs ?'ffmpeg -nostdin -version'?: mark it `audio`*",  # (? for [ ])
        ])  # fmt: skip
    else:
        result.assert_outcomes(passed=3)

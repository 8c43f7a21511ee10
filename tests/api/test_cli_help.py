"""The command line explains itself: a version, help on every option, the exit codes."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from api.cli import build_parser
from broadcaster import __version__


def _parsers(parser: argparse.ArgumentParser, name: str = "broadcaster"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def test_every_command_and_option_has_help_text():
    missing = [
        f"{name}: {action.option_strings or action.dest}"
        for name, parser in _parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
        and not action.help
    ]
    assert missing == []
    for name, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helpless = [c.dest for c in action._choices_actions if not c.help]
                assert helpless == [], f"{name}: commands without help {helpless}"


def test_version_and_exit_codes_are_printed():
    run = subprocess.run([sys.executable, "-m", "api.cli", "--version"], capture_output=True,
                         text=True, timeout=60, cwd=Path(__file__).parents[2])  # fmt: skip
    assert run.returncode == 0 and run.stdout.strip() == f"broadcaster {__version__}"
    assert __version__ != "0+unknown"
    helped = build_parser().format_help()
    assert "exit codes" in helped and "3  the audio output" in helped

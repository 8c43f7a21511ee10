"""The command line run in the test's own process: ``api.cli.main(argv)`` with the process's
standard streams, environment and logging set up as ``broadcaster ...`` in a shell would have
them, and put back after. A ``python -m api.cli`` child costs about a second of imports; the
tests of what the commands do use this, and a few keep the real entry point
(tests/api/test_cli_help.py, the ``serve`` refusals in tests/broadcaster/test_settings.py)."""

from __future__ import annotations

import io
import logging
import os
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from api.cli import main
from api.logging_setup import SCHEDULER_LOGGERS
from tests.kit.daemon_process import database_for

TOUCHED_LOGGERS = ("", "alembic", *SCHEDULER_LOGGERS)  # what configure_logging sets


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_cli(data: Path, *args: str, stdin: str = "") -> Ran:
    """``broadcaster ARGS`` with ``BROADCASTER_DATA_DIR=data`` and no other setting from the
    environment; its database made first, migrated, as the first command would leave it."""
    database_for(data).dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADCASTER_")}
    env["BROADCASTER_DATA_DIR"] = str(data)
    env.pop("JOURNAL_STREAM", None)
    loggers = [logging.getLogger(name) for name in TOUCHED_LOGGERS]
    saved = [(lg.handlers[:], lg.level, lg.filters[:]) for lg in loggers]
    out, err = io.StringIO(), io.StringIO()
    try:
        with mock.patch.dict(os.environ, env, clear=True), redirect_stdout(out), \
                redirect_stderr(err), mock.patch("sys.stdin", io.StringIO(stdin)):  # fmt: skip
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, a bad argument
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        for lg, (handlers, level, filters) in zip(loggers, saved, strict=True):
            lg.handlers[:], lg.filters[:] = handlers, filters
            lg.setLevel(level)
    return Ran(code, out.getvalue(), err.getvalue())

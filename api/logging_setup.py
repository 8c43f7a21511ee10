"""How the daemon and the commands log: what a person reads on the terminal, and what journald
files under which priority when the daemon runs as a systemd service.

1. Everything at INFO (DEBUG with ``--verbose``), one line per event.
2. The programme scheduler's job-by-job lines ("Added job …", "Running job …", once per cue, some
   150 at every start) are DEBUG; its once-a-second wake-ups are not shown even with --verbose.
3. ALSA's own error lines are quieted unless ``--verbose`` (broadcaster.audio.alsa_quiet).
4. Under systemd (``JOURNAL_STREAM`` names our standard error) each line starts with its syslog
   priority (``<3>`` error, ``<4>`` warning, ``<6>`` info, ``<7>`` debug), which journald reads
   so ``journalctl -p warning`` finds faults; the journal keeps its own time stamps.
"""

from __future__ import annotations

import logging
import os
import sys

SYSLOG_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6,
                   logging.DEBUG: 7}  # fmt: skip
SCHEDULER_LOGGERS = ("apscheduler.scheduler", "apscheduler.executors.default")


class JobLinesAtDebug(logging.Filter):
    """APScheduler says INFO for every job it adds or runs: those are DEBUG here."""

    def __init__(self, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return self.verbose
        return True


class JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        priority = SYSLOG_PRIORITY.get(record.levelno, 6)
        return "\n".join(f"<{priority}>{line}" for line in super().format(record).splitlines())


def under_journald(stream: object = sys.stderr) -> bool:
    """True when ``stream`` is the journal's own socket (systemd sets JOURNAL_STREAM to its
    device and inode), not when a terminal was merely started from a service."""
    expected = os.environ.get("JOURNAL_STREAM", "")
    device, _, inode = expected.partition(":")
    try:
        found = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
    return bool(expected) and f"{found.st_dev}:{found.st_ino}" == f"{device}:{inode}"


def configure_logging(*, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if under_journald(sys.stderr):
        handler.setFormatter(JournalFormatter("%(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The scheduler looks at the wall clock every second: its DEBUG lines would bury the rest.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.INFO)
    for name in SCHEDULER_LOGGERS:
        logger = logging.getLogger(name)
        logger.filters[:] = [JobLinesAtDebug(verbose)]
    if not verbose:
        from broadcaster.audio.alsa_quiet import quiet_alsa

        quiet_alsa()

"""How long the daemon takes to open its database: a new SQLite file migrated to head, and one
already at head (every start; Alembic is not loaded then).

Usage: .venv/bin/python bench/db_start.py [--tries N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broadcaster.db import make_engine


def timed(url: str) -> float:
    start = time.perf_counter()
    make_engine(url).dispose()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=10)
    tries = parser.parse_args().tries
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        timed(f"sqlite:///{root / 'warm.db'}")  # imports are paid once
        new = [timed(f"sqlite:///{root / f'{n}.db'}") for n in range(tries)]
        current = [timed(f"sqlite:///{root / f'{n}.db'}") for n in range(tries)]
    for name, runs in (
        ("new database, migrated to head", new),
        ("database already at head", current),
    ):
        print(f"{name}: median {statistics.median(runs):.0f} ms, best {min(runs):.0f} ms, "
              f"worst {max(runs):.0f} ms (n = {tries})")  # fmt: skip


if __name__ == "__main__":
    main()

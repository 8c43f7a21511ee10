"""One render worker per test process for the in-process daemons (tests/api/conftest.py):
starting a worker loads numpy and scipy (about 1.6 s of CPU), and the API tests start hundreds
of daemons. Each daemon still renders into its own speech cache; the worker's own tests
(tests/scripts_library/test_render_worker.py) and the daemon processes start their own."""

from __future__ import annotations

import atexit
import functools

from scripts_library.render_worker import RenderWorkers


@functools.cache
def shared_render_workers() -> RenderWorkers:
    workers = RenderWorkers()
    atexit.register(workers.close)
    return workers

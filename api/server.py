"""Serve the HTTP face on top of a started daemon; stop the daemon when the server stops.

Under systemd (``Type=notify``) it says READY once the server listens and keeps the watchdog
fed while the core answers (broadcaster.service). Beyond loopback it speaks HTTPS
(broadcaster.tls), with HSTS; the log-in cookie is then Secure (api.accounts)."""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

from api.app import create_app
from api.events import end_streams
from broadcaster.daemon import Daemon
from broadcaster.service import Notifier, Watchdog
from broadcaster.settings import Settings
from broadcaster.tls import tls_files

log = logging.getLogger(__name__)
READY_TIMEOUT_S = 60.0
HSTS = "max-age=31536000"  # a year; no includeSubDomains: the PC's name is not the store's domain
GRACEFUL_S = 1  # a stop waits this long for answers in flight, then cuts them off


class _Server(uvicorn.Server):
    """Ends the open event streams as the stop begins: every console page holds one all day,
    and uvicorn waits for them (a client that never reads is cut off after ``GRACEFUL_S``)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        end_streams()


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def settle_heap() -> None:
    """Leave what start-up built (modules, the app, the engine, voices: most of the heap) out of
    the garbage collector's full passes from now on.

    A full pass walks every container object the process holds and stops every thread while it
    does (the GIL): with the start-up heap in it, ~100-130 ms every 10-20 s under the soak's
    load (bench/soak.py), which made its slowest answers; without it, ~5-30 ms. Frozen objects
    are still freed when their last reference goes (only a reference cycle among them would
    stay); what the daemon allocates from now on is collected as before."""
    gc.collect()
    gc.freeze()


def add_hsts(app: FastAPI) -> None:
    """Browsers that reached the console over HTTPS keep to it (Strict-Transport-Security)."""

    @app.middleware("http")
    async def hsts(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = HSTS
        return response


def serve(settings: Settings) -> None:
    """Start the daemon, serve until SIGTERM or SIGINT, then stop the daemon in order.

    uvicorn stops on either signal and then raises it again with the handler it found: for
    SIGTERM (systemd's stop) that was the default, which killed the process before the daemon
    could close its play-log rows. Our handler turns it into a normal exit through ``finally``."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    notifier = Notifier()
    notifier.notify("STATUS=starting: audio, database, voices")
    tls = tls_files(settings)  # before the daemon: a missing certificate stops start-up
    daemon = Daemon(settings)
    daemon.start()
    watchdog = Watchdog(notifier, daemon.alive)
    try:
        app = create_app(daemon)
        host, port = settings.http.host, settings.http.port
        scheme = "http"
        ssl: dict[str, Any] = {}
        if tls is not None:
            scheme = "https"
            ssl = {"ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key)}
            add_hsts(app)
        server = _Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                        access_log=False, log_config=None,
                                        timeout_graceful_shutdown=GRACEFUL_S, **ssl))  # fmt: skip

        def tell_ready() -> None:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not server.started and time.monotonic() < deadline and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                notifier.notify("READY=1", f"STATUS=on air; serving {scheme}://{host}:{port}")
                watchdog.start()

        threading.Thread(target=tell_ready, name="ready", daemon=True).start()
        print(f"broadcaster: serving {scheme}://{host}:{port}  (API docs: /docs)", flush=True)
        if tls is not None and tls.ca is not None:
            print(f"broadcaster: HTTPS with a certificate made for this PC; trust {tls.ca} on "
                  "the desk's PC (README: HTTPS)", flush=True)  # fmt: skip
        settle_heap()
        server.run()
    finally:
        notifier.notify("STOPPING=1")
        watchdog.stop()
        daemon.stop()

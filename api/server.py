"""Serve the HTTP face on top of a started daemon; stop the daemon when the server stops."""

from __future__ import annotations

import logging

import uvicorn

from api.app import create_app
from broadcaster.daemon import Daemon
from broadcaster.settings import Settings

log = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    daemon = Daemon(settings)
    daemon.start()
    try:
        app = create_app(daemon)
        host, port = settings.http.host, settings.http.port
        print(f"broadcaster: serving http://{host}:{port}  (API docs: /docs)", flush=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        daemon.stop()

"""Run the real `broadcaster serve` as a child process (real VLC, real database) for end-to-end
tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.engine import Engine

from broadcaster.actors import Role
from broadcaster.db import make_engine
from tests.kit.accounts import as_role, seed_accounts

STORE_ZONE = "Asia/Shanghai"
FAR_ZONE = "Etc/GMT+12"  # 20 hours behind the store: when the store is near midnight, this is not


def zone_clear_of_midnight(span: timedelta) -> str:
    """The store's zone, unless local midnight falls within ``span`` from now: then a zone far
    from it, so fixed times of day in a test or bench stay on one date (a rule at 00:00:05
    planned a minute before midnight would belong to tomorrow's programme)."""
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(STORE_ZONE))
    return STORE_ZONE if (local + span).date() == local.date() else FAR_ZONE


def database_for(data_dir: Path, url: str | None = None) -> Engine:
    """The engine of the database a child process (``serve``, a CLI command) will open in
    ``data_dir``, made here first: in the suite, a new SQLite file is a copy of the migrated
    template (tests/conftest.py), so the child finds it migrated instead of migrating it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(url or f"sqlite:///{(data_dir / 'broadcaster.db').resolve()}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DaemonProcess:
    """``broadcaster serve`` in a child process; the log goes to ``data_dir/daemon.log``.
    With ``https`` the client speaks TLS and trusts only the CA the daemon makes for its PC.

    Requests go through one kept ``httpx.Client`` (``http``), as the console's page keeps its
    connection: a client made per request (``httpx.get``) builds an SSL context each time,
    about 50 ms of CPU, so a test polling every 50 ms spent about half a core on it."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, *, https: bool = False,
                 **settings: str) -> None:  # fmt: skip
        self.data_dir = data_dir
        self.port = free_port()
        self.https = https
        self.url = f"{'https' if https else 'http'}://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            **(env or {}),
            "BROADCASTER_DATA_DIR": str(data_dir),
            "BROADCASTER_HTTP__PORT": str(self.port),
            **{f"BROADCASTER_{k.upper()}": v for k, v in settings.items()},
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.headers = as_role(Role.ADMIN)  # every request, as the tests' admin
        self.log_path = data_dir / "daemon.log"
        self.spawned_at: datetime | None = None
        self._verify: ssl.SSLContext | bool = True
        self._client: httpx.Client | None = None
        self._client_verify: ssl.SSLContext | bool | None = None

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What httpx checks the server's certificate against: the daemon's own CA."""
        ca = self.data_dir / "tls" / "ca.crt"
        if self.https and self._verify is True and ca.is_file():
            self._verify = ssl.create_default_context(cafile=str(ca))
        return self._verify

    @property
    def http(self) -> httpx.Client:
        """The kept client (made again when what it must trust changed: the daemon's CA
        appears at its first start)."""
        verify = self.verify
        if self._client is None or self._client_verify is not verify:
            self.close_client()
            self._client = httpx.Client(headers=self.headers, verify=verify, timeout=10)
            self._client_verify = verify
        return self._client

    def close_client(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client, self._client_verify = None, None

    def start(self, timeout: float = 20.0) -> DaemonProcess:
        # The test accounts (tests.kit.accounts), in the database the daemon will use.
        engine = database_for(self.data_dir, self.env.get("BROADCASTER_DATABASE_URL"))
        seed_accounts(engine)
        engine.dispose()
        log = self.log_path.open("ab")
        self.spawned_at = datetime.now(UTC)  # the process's start (after the tests' seeding)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"], env=self.env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daemon exited: {self.log_path.read_text()[-3000:]}")
            try:
                health = self.http.get(f"{self.url}/api/v1/health", timeout=1)
                # 503: it answers, with a fault (no sound yet, no music): up all the same.
                if health.status_code in (200, 503):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"daemon did not answer: {self.log_path.read_text()[-3000:]}")

    def get(self, path: str, **kwargs: Any) -> Any:
        reply = self.http.get(self.url + path, **kwargs)
        reply.raise_for_status()
        return reply.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        reply = self.http.post(self.url + path, json=body)
        assert reply.status_code == 202, reply.text
        return reply.json()

    def delete(self, path: str) -> httpx.Response:
        return self.http.delete(self.url + path)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        """Any JSON request; a reply that is not a success fails with the daemon's answer."""
        reply = self.http.request(method, self.url + path, json=body)
        assert reply.is_success, f"{method} {path}: {reply.status_code} {reply.text}"
        return reply.json() if reply.content else None

    def open_all_day(self, name: str = "all-day") -> None:
        """A day type trading around the clock (00:00 to 00:00), the default of every weekday."""
        self.send("POST", "/api/v1/programme/day-types",
                  {"name": name, "opening": "00:00", "closing": "00:00"})  # fmt: skip
        for weekday in range(7):
            self.send("PUT", f"/api/v1/programme/weekdays/{weekday}", {"day_type": name})

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: nothing is closed or flushed."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.close_client()  # its connections went with the process

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.close_client()

    def __enter__(self) -> DaemonProcess:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

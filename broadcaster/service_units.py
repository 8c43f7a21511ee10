"""The systemd units and the first settings file of an installed broadcast room (written by
broadcaster.install).

Two services: ``broadcaster-pulse`` is PulseAudio in system mode (no desktop session on the
broadcast-room PC: the sound must not depend on someone being logged in), and ``broadcaster``
the daemon, which talks to it through its socket. ``broadcaster`` is ``Type=notify`` with a
watchdog (broadcaster.service) and ``Restart=always`` without a start limit: it never gives up.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

PULSE_SOCKET = "/run/pulse/native"  # system-mode PulseAudio's socket (Debian: /var/run -> /run)


@dataclass(frozen=True)
class Install:
    prefix: Path = Path("/opt/broadcaster")  # the application: prefix/venv, prefix/README.md
    user: str = "broadcaster"
    data_dir: Path = Path("/var/lib/broadcaster")
    config: Path = Path("/etc/broadcaster/broadcaster.toml")
    watchdog_s: int = 30

    @property
    def executable(self) -> Path:
        return self.prefix / "venv" / "bin" / "broadcaster"


def daemon_unit(install: Install) -> str:
    return f"""\
# broadcaster: the mall broadcast room. Written by `broadcaster install-service`.
[Unit]
Description=Mall broadcast room (broadcaster)
Documentation=file://{install.prefix / "README.md"}
After=network.target sound.target broadcaster-pulse.service
Wants=broadcaster-pulse.service
StartLimitIntervalSec=0

[Service]
Type=notify
NotifyAccess=main
User={install.user}
Group={install.user}
SupplementaryGroups=audio pulse-access
Environment=PULSE_SERVER=unix:{PULSE_SOCKET}
Environment=PYTHONUNBUFFERED=1
ExecStart={install.executable} --config {install.config} serve
Restart=always
RestartSec=1
WatchdogSec={install.watchdog_s}
TimeoutStartSec=120
TimeoutStopSec=20
Nice=-5
NoNewPrivileges=yes
ProtectSystem=full
ReadWritePaths={install.data_dir}

[Install]
WantedBy=multi-user.target
"""


def pulse_unit() -> str:
    pulseaudio = shutil.which("pulseaudio") or "/usr/bin/pulseaudio"
    return f"""\
# PulseAudio in system mode for the broadcast room. Written by `broadcaster install-service`.
[Unit]
Description=PulseAudio system server for the broadcast room
After=sound.target
StartLimitIntervalSec=0

[Service]
ExecStart={pulseaudio} --system --daemonize=no --realtime --disallow-exit --exit-idle-time=-1 --log-target=journal
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
"""


def default_config(install: Install) -> str:
    return f"""\
# broadcaster settings (see README: Configuration). Written by `broadcaster install-service`.
data_dir = "{install.data_dir}"

[http]
host = "0.0.0.0"   # the console on the store's network, over HTTPS: a certificate for this PC is
                   # made at install (data_dir/tls; trust data_dir/tls/ca.crt on the desk's PC)
                   # or set tls_cert and tls_key to one from the store's own CA

[audio]
output = "pulse"   # through broadcaster-pulse; `broadcaster check` shows the sink it reaches
"""

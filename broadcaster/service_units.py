"""The systemd units of an installed broadcast room, and installing them.

Two services: ``broadcaster-pulse`` is PulseAudio in system mode (no desktop session on the
broadcast-room PC: the sound must not depend on someone being logged in), and ``broadcaster``
the daemon, which talks to it through its socket. ``broadcaster`` is ``Type=notify`` with a
watchdog (broadcaster.service) and ``Restart=always`` without a start limit: it never gives up.
"""

from __future__ import annotations

import grp
import pwd
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PULSE_SOCKET = "/run/pulse/native"  # system-mode PulseAudio's socket (Debian: /var/run -> /run)


@dataclass(frozen=True)
class Install:
    executable: Path  # the broadcaster command in the project's virtual environment
    user: str = "broadcaster"
    data_dir: Path = Path("/var/lib/broadcaster")
    config: Path = Path("/etc/broadcaster/broadcaster.toml")
    watchdog_s: int = 30


def daemon_unit(install: Install) -> str:
    return f"""\
# broadcaster: the mall broadcast room. Written by `broadcaster install-service`.
[Unit]
Description=Mall broadcast room (broadcaster)
Documentation=file://{install.executable.parents[2] / "README.md"}
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

[audio]
output = "pulse"   # through broadcaster-pulse; `broadcaster check` shows the sink it reaches
"""


def install_service(install: Install, *, root: Path = Path("/")) -> list[str]:
    """Write the units and (if missing) the settings file under ``root``; on the real root
    also make the service user and data folder and enable both services. Returns what it did,
    one line per step, for the person running it."""
    done: list[str] = []
    units = root / "etc/systemd/system"
    units.mkdir(parents=True, exist_ok=True)
    for name, text in (("broadcaster.service", daemon_unit(install)),
                       ("broadcaster-pulse.service", pulse_unit())):  # fmt: skip
        (units / name).write_text(text, encoding="utf-8")
        done.append(f"wrote {units / name}")
    config = root / install.config.relative_to("/")
    if not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(default_config(install), encoding="utf-8")
        done.append(f"wrote {config}")
    if root != Path("/"):
        return done
    if not _exists(pwd.getpwnam, install.user):
        subprocess.run(["useradd", "--system", "--home-dir", str(install.data_dir),
                        "--shell", "/usr/sbin/nologin", install.user], check=True)  # fmt: skip
        done.append(f"made the system user {install.user}")
    groups = [g for g in ("audio", "pulse-access") if _exists(grp.getgrnam, g)]
    if groups:
        subprocess.run(["usermod", "-a", "-G", ",".join(groups), install.user], check=True)
    install.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.chown(install.data_dir, install.user, install.user)
    done.append(f"data folder {install.data_dir} owned by {install.user}")
    if Path("/run/systemd/system").is_dir():
        subprocess.run(["systemctl", "daemon-reload"], check=True)
        subprocess.run(["systemctl", "enable", "--now", "broadcaster-pulse.service",
                        "broadcaster.service"], check=True)  # fmt: skip
        done.append("enabled and started broadcaster-pulse and broadcaster")
    else:
        done.append("systemd is not running here: start the services after the next boot")
    return done


def _exists(lookup: Callable[[str], object], name: str) -> bool:
    try:
        lookup(name)
    except KeyError:
        return False
    return True


def this_executable() -> Path:
    """The ``broadcaster`` command beside this Python (the project's virtual environment)."""
    return Path(sys.executable).parent / "broadcaster"

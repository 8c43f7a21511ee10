"""Installing a broadcast room: ``broadcaster install-service``, or before any virtual
environment exists ``python3 -m broadcaster.install`` (``make install-service``). Standard
library only, so the system's Python runs it from the checkout.

1. The application: a virtual environment under ``--prefix`` (``/opt/broadcaster/venv``) with
   the project built from the checkout and its runtime dependencies only (no test tools, no
   browser), made by the system's Python, so the service user can read every file of it (a
   checkout or a Python under root's home cannot be read by anyone else: that is checked).
2. The systemd units, and the settings file if there is none (never overwritten).
3. On the real root: the system user and its groups.
4. The data folder, the music folder with a README for the technician, the programme's songs
   folder; unless ``--no-content``, the starter scripts (approved) and the default programme
   (``broadcaster content``, run by the installed application); HTTPS's certificate for this PC.
5. On the real root: the data folder given to the service user, both services enabled.

``--root DIR`` writes everything under DIR instead of ``/`` (packaging, tests) and skips the
system user and systemctl.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from broadcaster.service_units import Install, daemon_unit, default_config, pulse_unit

CHECKOUT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path("/usr/bin/python3")
NOT_BUILT = (".git", ".venv*", "data", "build", "*.egg-info", "__pycache__", ".*_cache",
             "screenshots", "test-artifacts", "tests", "bench")  # fmt: skip

MUSIC_README = """\
背景音乐文件夹
================

请把商场的背景音乐放在这个文件夹里（MP3、AAC/M4A、OGG、Opus、FLAC、WAV 均可）。
每个子文件夹就是一个歌单，文件夹名即歌单名，例如：
    轻音乐/    流行/    钢琴/    外文歌曲/
放好后，广播程序会在一小时内自动扫描（或在“音乐”页面点“重新扫描”，或运行
`broadcaster library scan`）。节目单里按时段使用这些歌单。
文件需要服务用户 broadcaster 可读：复制后运行 `chown -R broadcaster: {folder}`。
运行 `broadcaster check` 可以查看还缺什么。

Background music folder
=======================

Put the store's background music here (MP3, AAC/M4A, OGG, Opus, FLAC or WAV). Each
sub-folder is a playlist named after the folder, e.g. 轻音乐/ 流行/ 钢琴/ 外文歌曲/.
The daemon scans it within the hour (or press "rescan" on the Music page, or run
`broadcaster library scan`); the programme plays these playlists by daypart. The files must be
readable by the service user: after copying, run `chown -R broadcaster: {folder}`.
`broadcaster check` says what is still missing.
"""

SONGS_README = """\
节目单用的歌曲
==============

默认节目单在固定时间播放这几首歌（WAV 格式），请用商场自己的歌曲替换同名文件：
    staff_songs.wav     开门前的员工励志歌曲（07:50）
    welcome_music.wav   迎宾曲（开门前 5 分钟）
    farewell_music.wav  送宾曲（闭店前 5 分钟）
    farewell_song.wav   闭店歌曲（闭店时）
缺少的文件由 `broadcaster check` 列出；节目单可在“节目单”页面修改。

Programme songs
===============

The default programme plays these songs (WAV) at fixed times; put the store's own songs here
under these names: staff_songs.wav (staff, before opening), welcome_music.wav (5 minutes before
opening), farewell_music.wav (5 minutes before closing), farewell_song.wav (at closing).
`broadcaster check` lists the missing ones; the programme can be edited on its page.
"""


def add_install_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", default="broadcaster", help="the service's system user")
    parser.add_argument("--data-dir", type=Path, default=Path("/var/lib/broadcaster"),
                        help="database, recordings, music (default /var/lib/broadcaster)")  # fmt: skip
    parser.add_argument("--prefix", type=Path, default=Path("/opt/broadcaster"),
                        help="where the application is installed (a virtual environment)")  # fmt: skip
    parser.add_argument("--source", type=Path, default=CHECKOUT,
                        help="the project folder to build from (default: this checkout)")  # fmt: skip
    parser.add_argument("--python", type=Path, default=None,
                        help=f"the Python that makes the environment (default {SYSTEM_PYTHON})")  # fmt: skip
    parser.add_argument("--no-content", action="store_true",
                        help="no starter scripts and no default programme")  # fmt: skip
    parser.add_argument("--root", type=Path, default=Path("/"),
                        help="write every file under this folder; no user, no systemctl (tests)")  # fmt: skip


class InstallError(Exception):
    """What stops the install, with what to do."""


def install_service(args: argparse.Namespace, say: Callable[[str], None] = print) -> None:
    root: Path = args.root.resolve()
    real = root == Path("/")
    install = Install(prefix=args.prefix, user=args.user, data_dir=args.data_dir)

    def under(path: Path) -> Path:
        return root / path.relative_to("/")

    # 1. The application.
    python = args.python or (SYSTEM_PYTHON if SYSTEM_PYTHON.exists() else Path(sys.executable))
    venv = under(install.prefix / "venv")
    build_application(args.source, python, venv, say)
    shutil.copyfile(args.source / "README.md", under(install.prefix / "README.md"))
    unreadable = not_world_readable(venv / "bin" / "python")
    if unreadable is not None:
        raise InstallError(
            f"The service user cannot reach {unreadable} (the Python of {venv}): make the "
            f"environment with a system Python, e.g. --python {SYSTEM_PYTHON}.\n"
            f"服务用户无法访问 {unreadable}：请用系统自带的 Python 安装（--python {SYSTEM_PYTHON}）。"
        )
    # 2. Units and settings.
    units = under(Path("/etc/systemd/system"))
    units.mkdir(parents=True, exist_ok=True)
    for name, text in (("broadcaster.service", daemon_unit(install)),
                       ("broadcaster-pulse.service", pulse_unit())):  # fmt: skip
        (units / name).write_text(text, encoding="utf-8")
        say(f"wrote {units / name}")
    config = under(install.config)
    if not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(default_config(install), encoding="utf-8")
        say(f"wrote {config}")
    else:
        say(f"kept {config} (already there)")
    # 3. The system user.
    if real:
        make_user(install.user, install.data_dir, say)
    # 4. Folders and content, where the settings file (perhaps edited) puts them.
    values = tomllib.loads(config.read_text(encoding="utf-8"))
    data_dir = under(Path(values.get("data_dir", install.data_dir)))
    music_dir = under(Path(values["music_dir"])) if "music_dir" in values else data_dir / "music"
    for folder, readme in ((music_dir, MUSIC_README), (data_dir / "songs", SONGS_README)):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "README.txt").write_text(readme.format(folder=folder), encoding="utf-8")
        say(f"{folder} with README.txt")
    command = [str(venv / "bin" / "broadcaster"), "--config", str(config), "content"]
    if args.no_content:
        command.append("--no-scripts")
    env = {**os.environ, "BROADCASTER_DATA_DIR": str(data_dir)}
    if "music_dir" in values:
        env["BROADCASTER_MUSIC_DIR"] = str(music_dir)
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        say(line)
    if result.returncode != 0:
        raise InstallError(f"`broadcaster content` failed:\n{result.stderr[-2000:]}")
    # 5. Ownership and services.
    if not real:
        return
    subprocess.run(["chown", "-R", f"{install.user}:{install.user}", str(data_dir)], check=True)
    say(f"{data_dir} owned by {install.user}")
    if Path("/run/systemd/system").is_dir():
        subprocess.run(["systemctl", "daemon-reload"], check=True)
        subprocess.run(["systemctl", "enable", "--now", "broadcaster-pulse.service",
                        "broadcaster.service"], check=True)  # fmt: skip
        say("enabled and started broadcaster-pulse and broadcaster")
    else:
        say("systemd is not running here: start the services after the next boot")


def build_application(source: Path, python: Path, venv: Path, say: Callable[[str], None]) -> None:
    """A fresh virtual environment with the project and its runtime dependencies, built from
    ``source`` (not an editable install: nothing points back at the checkout)."""
    if not (source / "pyproject.toml").is_file():
        raise InstallError(f"{source} is not the project folder (no pyproject.toml): give "
                           "--source.\n{source} 不是项目文件夹（没有 pyproject.toml），请用 --source 指定。")  # fmt: skip
    say(f"building the application in {venv} from {source} (runtime dependencies only)")
    if not (venv / "bin" / "python").exists():  # an existing one gets the new build (an update)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
    with tempfile.TemporaryDirectory(prefix="broadcaster-build-") as folder:
        # A copy: the build leaves nothing (build/, egg-info, root-owned files) in the checkout.
        copy = Path(folder) / "src"
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns(*NOT_BUILT))
        result = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--no-warn-script-location",
             str(copy)], capture_output=True, text=True,
        )  # fmt: skip
    if result.returncode != 0:
        raise InstallError(f"pip could not install {source}:\n{result.stderr[-3000:]}")
    _open_to_all(venv.parent)


def _open_to_all(top: Path) -> None:
    """Everything under ``top`` readable (and folders enterable) by every user, whatever the
    installing user's umask was."""
    for path in (top, *top.rglob("*")):
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        extra = stat.S_IRGRP | stat.S_IROTH
        if path.is_dir() or mode & stat.S_IXUSR:
            extra |= stat.S_IXGRP | stat.S_IXOTH
        if mode & extra != extra:
            path.chmod(mode | extra)


def not_world_readable(path: Path) -> Path | None:
    """The first folder on the way to ``path`` (links followed) that other users cannot enter,
    or the file itself if they cannot read it; None if a service user can use it."""
    target = path.resolve()
    for folder in reversed(target.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None if target.stat().st_mode & stat.S_IROTH else target


def make_user(user: str, home: Path, say: Callable[[str], None]) -> None:
    if not _exists(pwd.getpwnam, user):
        subprocess.run(["useradd", "--system", "--home-dir", str(home),
                        "--shell", "/usr/sbin/nologin", user], check=True)  # fmt: skip
        say(f"made the system user {user}")
    groups = [g for g in ("audio", "pulse-access") if _exists(grp.getgrnam, g)]
    if groups:
        subprocess.run(["usermod", "-a", "-G", ",".join(groups), user], check=True)


def _exists(lookup: Callable[[str], Any], name: str) -> bool:
    try:
        lookup(name)
    except KeyError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m broadcaster.install",
                                     description="install the broadcast room (as root)")  # fmt: skip
    add_install_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    try:
        install_service(args)
    except InstallError as exc:
        print(exc, file=sys.stderr)
        return 1
    prefix = args.prefix
    print(f"\nNext / 接下来：\n"
          f"  1. an admin account / 添加管理员: sudo -u {args.user} {prefix}/venv/bin/broadcaster "
          f"--config /etc/broadcaster/broadcaster.toml user add 店长 --role admin\n"
          f"  2. music / 背景音乐: see {args.data_dir}/music/README.txt\n"
          f"  3. what is still missing / 还缺什么: sudo -u {args.user} env "
          f"PULSE_SERVER=unix:/run/pulse/native {prefix}/venv/bin/broadcaster "
          f"--config /etc/broadcaster/broadcaster.toml check")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

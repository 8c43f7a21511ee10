"""`broadcaster backup|restore|install-service|content`: looking after the broadcast-room PC."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from broadcaster.settings import Settings

COMMANDS = ("backup", "restore", "install-service", "content")


def add_commands(commands: Any) -> None:
    backup = commands.add_parser(
        "backup", help="back up the database, settings and recordings (while the daemon plays)"
    )
    backup.add_argument("file", nargs="?", type=Path,
                        help="the archive to write, or a folder (default: backup.folder)")  # fmt: skip
    restore = commands.add_parser(
        "restore", help="restore a backup archive (the daemon must be stopped)"
    )
    restore.add_argument("file", type=Path, help="an archive made by `broadcaster backup`")
    from broadcaster.install import add_install_arguments

    add_install_arguments(commands.add_parser(
        "install-service", help="install the application and the systemd services (root)"
    ))  # fmt: skip
    content = commands.add_parser(
        "content", help="the starter scripts and default programme, rendered; HTTPS certificate"
    )
    content.add_argument("--no-scripts", action="store_true",
                         help="no starter scripts and no default programme")  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "install-service":
        from broadcaster.install import run as install

        return install(args)
    if args.command == "content":
        return _content(settings, scripts=not args.no_scripts)
    from broadcaster.backup import BackupError, restore_backup, take_backup

    try:
        if args.command == "backup":
            path, manifest = take_backup(settings, args.file)
            size = path.stat().st_size / 1e6
            print(f"{path}  ({size:.1f} MB; {len(manifest.files)} files; "
                  f"{manifest.play_log_rows} play-log rows)\n"
                  f"已备份到 {path}（{size:.1f} MB，{len(manifest.files)} 个文件，"
                  f"播放记录 {manifest.play_log_rows} 条）")  # fmt: skip
            return 0
        manifest, aside = restore_backup(settings, args.file)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Restored the backup of {manifest.made_at} ({manifest.play_log_rows} play-log rows). "
          f"What it replaced is in {aside}; start the daemon now.\n"
          f"已恢复 {manifest.made_at} 的备份（播放记录 {manifest.play_log_rows} 条）。"
          f"被替换的文件保存在 {aside}；现在可以启动广播程序。")  # fmt: skip
    return 0


def _content(settings: Settings, *, scripts: bool) -> int:
    """What install-service puts in a new broadcast room's data folder (as the application it
    installed, with the settings it wrote)."""
    from broadcaster.db import make_engine
    from broadcaster.demo import install_content, render_approved
    from broadcaster.scripts.book import build_renderer
    from broadcaster.tls import tls_files

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.music_path.mkdir(parents=True, exist_ok=True)
    make_engine(settings.db_url).dispose()  # the database, at the newest schema
    if scripts:
        install_content(settings)
        renderer = build_renderer(settings)
        try:
            render_approved(settings, renderer, print)
        finally:
            renderer.close()
    tls = tls_files(settings)
    if tls is not None and tls.ca is not None:
        print(f"HTTPS: certificate for this PC in {tls.cert.parent}; trust {tls.ca} on the "
              "desk's PC (README: HTTPS)")  # fmt: skip
    return 0

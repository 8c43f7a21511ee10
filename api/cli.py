"""The command line: ``broadcaster serve``, ``demo``, ``plan``, ``simulate`` and ``library``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from api import cli_library, cli_programme
from broadcaster.settings import Settings, SettingsError, load_settings

LOOPBACK = ("127.", "localhost", "::1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="broadcaster", description="Mall broadcast room daemon")
    parser.add_argument("--config", type=Path, help="TOML settings file")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the daemon and its HTTP API")
    demo = commands.add_parser("demo", help="generate demo music and announcements, then serve")
    demo.add_argument("--no-serve", action="store_true", help="only generate the demo content")
    cli_programme.add_commands(commands)
    cli_library.add_commands(commands)
    args = parser.parse_args(argv)

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.config)
        _check_listen_address(settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2

    if args.command in ("plan", "simulate"):
        return cli_programme.run(args, settings)
    if args.command == "library":
        return cli_library.run(args, settings)
    if args.command == "demo":
        from broadcaster.demo import generate_demo

        generate_demo(settings)
        if args.no_serve:
            return 0
    from api.server import serve
    from broadcaster.audio.vlc_output import AudioSetupError

    try:
        serve(settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except AudioSetupError as exc:
        print(exc, file=sys.stderr)
        return 3
    return 0


def _check_listen_address(settings: Settings) -> None:
    # Until accounts exist (a later release), the API has no login: loopback only.
    if not settings.http.host.startswith(LOOPBACK):
        raise SettingsError(
            f"http.host = {settings.http.host!r}: the API has no accounts yet, so it only listens "
            "on this computer (127.0.0.1).\n"
            f"http.host = {settings.http.host!r}：接口尚未启用账号登录，只能监听本机地址 127.0.0.1。"
        )


if __name__ == "__main__":
    sys.exit(main())

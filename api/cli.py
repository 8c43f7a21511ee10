"""The command line: ``broadcaster serve``, ``demo``, ``check``, ``plan``, ``simulate``,
``library``, ``user``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from api import cli_library, cli_ops, cli_programme, cli_users
from broadcaster.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="broadcaster", description="Mall broadcast room daemon")
    parser.add_argument("--config", type=Path, help="TOML settings file")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the daemon and its HTTP API")
    demo = commands.add_parser("demo", help="generate demo music and announcements, then serve")
    demo.add_argument("--no-serve", action="store_true", help="only generate the demo content")
    check = commands.add_parser(
        "check", help="is this machine ready: sound, VLC, voices, database, disk"
    )
    check.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language")
    cli_ops.add_commands(commands)
    cli_programme.add_commands(commands)
    cli_library.add_commands(commands)
    cli_users.add_commands(commands)
    args = parser.parse_args(argv)

    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The programme's scheduler looks at the wall clock every second: its DEBUG lines would
    # bury everything else with --verbose.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.INFO)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2

    if args.command in ("plan", "simulate"):
        return cli_programme.run(args, settings)
    if args.command == "library":
        return cli_library.run(args, settings)
    if args.command == "user":
        return cli_users.run(args, settings)
    if args.command in cli_ops.COMMANDS:
        return cli_ops.run(args, settings)
    if args.command == "check":
        from broadcaster.check import Status, report, run_checks

        findings = run_checks(settings)
        print(report(findings, language=args.lang))
        return 1 if any(f.status is Status.FAIL for f in findings) else 0
    if args.command == "demo":
        from broadcaster.demo import generate_demo

        generate_demo(settings)
        if args.no_serve:
            return 0
    from api.server import serve
    from broadcaster.audio.vlc_output import AudioSetupError

    cli_users.ask_for_admin(settings)
    if settings.http.insecure_http and not settings.http.loopback:
        logging.getLogger(__name__).warning(
            "serving on %s over plain HTTP (http.insecure_http): passwords and session cookies "
            "cross the network in clear", settings.http.host)  # fmt: skip
    try:
        serve(settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except AudioSetupError as exc:
        print(exc, file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

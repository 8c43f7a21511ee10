"""The command line: ``broadcaster serve``, ``demo``, ``check``, ``plan``, ``simulate``,
``library``, ``user``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from api import cli_library, cli_ops, cli_programme, cli_users
from api.logging_setup import configure_logging
from broadcaster import __version__
from broadcaster.settings import SettingsError, load_settings

EXIT_CODES = """exit codes:
  0  done (serve: stopped cleanly)
  1  check found a failure
  2  bad settings, arguments or input (the message names what to fix)
  3  the audio output could not be set up (serve)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadcaster", description="Mall broadcast room daemon 商场广播室控制器",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="TOML settings file (default: built-in settings, then BROADCASTER_* "
                             "environment variables)")  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="debug lines too (scheduler jobs, VLC and ALSA messages)")  # fmt: skip
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    configure_logging(verbose=args.verbose)
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

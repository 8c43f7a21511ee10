"""`broadcaster user add|list|key`: accounts from the command line (the admin's first step).

``user add NAME --role ROLE`` asks for the password twice (or reads one line from standard input
with ``--password-stdin``, for scripts); ``user key NAME --name LABEL [--scope RIGHT …]`` prints
a new API key for an integration once. ``ask_for_admin`` is what ``serve`` runs when there is no
account at all: on a terminal it asks for the first admin, otherwise it says how to make one.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from broadcaster.actors import Right, Role
from broadcaster.settings import Settings

if TYPE_CHECKING:
    from broadcaster.accounts.models import UserCreate

PEOPLE = [r.value for r in Role if r is not Role.SYSTEM]


def add_commands(commands: Any) -> None:
    user = commands.add_parser("user", help="accounts: add, list, make an API key")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a person who logs in")
    add.add_argument("name", help="the log-in name (Chinese is fine)")
    add.add_argument("--role", required=True, choices=PEOPLE, help="what the person may do")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    actions.add_parser("list", help="the accounts and their roles")
    key = actions.add_parser("key", help="a new API key acting as a user (printed once)")
    key.add_argument("name", help="the user the key acts as")
    key.add_argument("--label", required=True, help="what the key is for, e.g. fire-panel")
    key.add_argument("--scope", action="append", choices=[r.value for r in Right],
                     help="limit the key to these rights (repeat); default: the user's rights")  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pydantic import ValidationError
    from sqlmodel import Session, select

    from broadcaster.accounts import crud
    from broadcaster.accounts.models import ApiKeyCreate, User, UserCreate
    from broadcaster.db import make_engine
    from broadcaster.problems import Refused, problems_from_errors

    engine = make_engine(settings.db_url)
    now = datetime.now(UTC)
    try:
        with Session(engine) as session:
            if args.action == "list":
                for row in crud.list_users(session):
                    state = "" if row.active else "  (disabled / 已停用)"
                    print(f"{row.id:>4}  {row.name}  {row.role.value}{state}")
                return 0
            if args.action == "add":
                password = _password(args.password_stdin)
                data = UserCreate(name=args.name, role=Role(args.role), password=password)
                made = crud.create_user(session, data=data, by="command line", now=now)
                print(f"Added {made.name} ({made.role.value}). / 已添加用户 {made.name}。")
                return 0
            user = session.exec(select(User).where(User.name == args.name)).first()
            if user is None or user.id is None:
                print(f"No user named {args.name!r}. / 没有名为 {args.name!r} 的用户。",
                      file=sys.stderr)  # fmt: skip
                return 2
            scopes = None if not args.scope else [Right(s) for s in args.scope]
            created = crud.create_key(session, user_id=user.id, by="command line", now=now,
                                      data=ApiKeyCreate(name=args.label, scopes=scopes))  # fmt: skip
            print(created.key)
            print("Keep this key now: it is not shown again. / 请立即保存此密钥，它不会再次显示。",
                  file=sys.stderr)  # fmt: skip
            return 0
    except ValidationError as error:
        for found in problems_from_errors(error.errors()):
            print(f"{found.field}: {found.message} / {found.message_zh}", file=sys.stderr)
        return 2
    except Refused as refused:
        print(f"{refused.message} / {refused.message_zh}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password / 密码: ")
    if getpass.getpass("Again / 再输入一次: ") != first:
        raise SystemExit("The two passwords differ. / 两次输入的密码不一致。")
    return first


def ask_for_admin(settings: Settings) -> None:
    """No account yet: ask for the first admin on a terminal, or say how to make one."""
    from sqlmodel import Session

    from broadcaster.accounts import crud
    from broadcaster.db import make_engine

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    try:
        with Session(engine) as session:
            if crud.has_users(session):
                return
            if not sys.stdin.isatty():
                print("No accounts yet: nobody can log in. Make the first admin with\n"
                      "  broadcaster user add NAME --role admin\n"
                      "还没有任何账号，无法登录。请用上面的命令创建第一个管理员。", file=sys.stderr)  # fmt: skip
                return
            print("First start: make the admin account. / 首次启动：请创建管理员账号。")
            data = _ask_admin()
            crud.create_user(session, data=data, by="first start", now=datetime.now(UTC))
            print(f"Admin {data.name} created. / 已创建管理员 {data.name}。")
    finally:
        engine.dispose()


def _ask_admin() -> UserCreate:
    """Ask until the name and password are acceptable: a person at the first start is told what
    is wrong and asked again, never shown a traceback (Ctrl-C or Ctrl-D give up)."""
    from pydantic import ValidationError

    from broadcaster.accounts.models import UserCreate
    from broadcaster.problems import problems_from_errors

    name = input("Admin name / 管理员用户名: ").strip() or "admin"
    while True:
        first = getpass.getpass("Password / 密码: ")
        if getpass.getpass("Again / 再输入一次: ") != first:
            print("The two passwords differ; try again. / 两次输入的密码不一致，请重新输入。")
            continue
        try:
            return UserCreate(name=name, role=Role.ADMIN, password=first)
        except ValidationError as error:
            for found in problems_from_errors(error.errors()):
                if found.field == "name":
                    name = input(f"{found.message_zh} {found.message}\n"
                                 "Admin name / 管理员用户名: ").strip() or "admin"  # fmt: skip
                else:
                    print(f"密码：{found.message_zh} / Password: {found.message} "
                          "Try again. / 请重新输入。")  # fmt: skip

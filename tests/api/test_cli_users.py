"""`broadcaster user add|list|key`: the admin's first steps on the command line."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from broadcaster.accounts import crud
from broadcaster.db import make_engine
from tests.kit.cli import Ran, run_cli


def cli(data: Path, *args: str, stdin: str = "") -> Ran:
    return run_cli(data, "user", *args, stdin=stdin)


def test_an_admin_is_added_listed_and_makes_a_scoped_key_for_the_fire_panel(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    added = cli(
        data, "add", "王芳", "--role", "admin", "--password-stdin", stdin="长城长城长城长城\n"
    )
    assert added.returncode == 0 and "王芳" in added.stdout, added.stderr
    panel = cli(data, "add", "fire-panel", "--role", "announcer", "--password-stdin",
                stdin="a long random password\n")  # fmt: skip
    assert panel.returncode == 0, panel.stderr
    listed = cli(data, "list").stdout
    assert "王芳  admin" in listed and "fire-panel  announcer" in listed
    made = cli(data, "key", "fire-panel", "--label", "fire panel", "--scope", "emergency")
    key = made.stdout.strip()
    assert made.returncode == 0 and key.startswith("bk_") and "not shown again" in made.stderr
    engine = make_engine(f"sqlite:///{data / 'broadcaster.db'}")
    with Session(engine) as session:
        assert crud.check_password(session, name="王芳", password="长城长城长城长城") is not None
        actor = crud.key_actor(session, key=key, now=crud.dt.datetime.now(crud.dt.UTC))
    engine.dispose()
    assert actor is not None and {r.value for r in actor.rights} == {"emergency"}


def test_refusals_say_why_in_both_languages_and_add_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    short = cli(data, "add", "li", "--role", "announcer", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr and "字符" in short.stderr
    cli(data, "add", "li", "--role", "announcer", "--password-stdin", stdin="long enough pw\n")
    again = cli(data, "add", "li", "--role", "admin", "--password-stdin", stdin="long enough pw\n")
    assert again.returncode == 2 and "exists" in again.stderr and "已有" in again.stderr
    assert cli(data, "key", "nobody", "--label", "x").returncode == 2
    assert cli(data, "list").stdout.count("\n") == 1

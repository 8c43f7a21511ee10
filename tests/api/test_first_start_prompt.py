"""The first start asks for the admin on a terminal: a bad answer is explained and asked again,
never a traceback (driven through a real pseudo-terminal, as a technician types it)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session

from broadcaster.accounts import crud
from broadcaster.db import make_engine

ROOT = Path(__file__).parents[2]
ASK = "from api.cli_users import ask_for_admin; from broadcaster.settings import load_settings; ask_for_admin(load_settings(None))"


class Terminal:
    """A child process on a pseudo-terminal: read what it shows, type answers."""

    def __init__(self, data: Path) -> None:
        self.master, slave = pty.openpty()
        env = {"PATH": "/usr/bin:/bin", "BROADCASTER_DATA_DIR": str(data), "LANG": "C.UTF-8"}
        self.process = subprocess.Popen(
            [sys.executable, "-c", ASK], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT,
            env=env, close_fds=True,
        )  # fmt: skip
        os.close(slave)
        self.screen = ""
        self.seen = 0  # what earlier expectations matched is not matched again

    def expect(self, text: str, timeout: float = 30.0) -> str:
        """Wait for ``text`` after what the last expectation matched."""
        deadline = time.monotonic() + timeout
        while text not in self.screen[self.seen :]:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} never shown; the terminal showed:\n{self.screen}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                assert chunk, f"{text!r} never shown:\n{self.screen}"
                self.screen += chunk.decode("utf-8", "replace")
        self.seen = self.screen.index(text, self.seen) + len(text)
        return self.screen

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def close(self) -> int:
        try:
            code = self.process.wait(timeout=30)
        finally:
            os.close(self.master)
        return code


def test_a_short_password_at_the_first_start_is_explained_and_asked_again(tmp_path):
    data = tmp_path / "data"
    terminal = Terminal(data)
    terminal.expect("管理员用户名")
    terminal.type("王芳")
    terminal.expect("密码: ")
    terminal.type("short")
    terminal.expect("再输入一次")
    terminal.type("short")
    terminal.expect("至少 8 个字符")
    terminal.expect("密码: ")  # getpass discards what was typed before its prompt
    terminal.type("长城长城长城长城")
    terminal.expect("再输入一次: ")
    terminal.type("不一样的密码不一样")
    terminal.expect("两次输入的密码不一致")
    terminal.expect("密码: ")
    terminal.type("长城长城长城长城")
    terminal.expect("再输入一次: ")
    terminal.type("长城长城长城长城")
    screen = terminal.expect("已创建管理员 王芳")
    assert terminal.close() == 0
    assert "Traceback" not in screen and "ValidationError" not in screen
    engine = make_engine(f"sqlite:///{data / 'broadcaster.db'}")
    with Session(engine) as session:
        assert crud.check_password(session, name="王芳", password="长城长城长城长城") is not None
    engine.dispose()

"""The part of ``broadcaster check`` that says what a new broadcast room still lacks: an admin
who can log in, music in the music folder, a day programme, the programme's songs; and the
HTTPS certificate the desk's PC must trust. Read only: without a database these checks wait for
the database check's own advice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from broadcaster.check import Finding, Status
from broadcaster.programme.spec import Content, Rule
from broadcaster.settings import Settings

AUDIO_SUFFIXES = {".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wav", ".wma"}


def _engine(settings: Settings) -> object | None:
    from sqlalchemy import create_engine, make_url

    from broadcaster.migrations import is_current

    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return None
    engine = create_engine(url)
    try:
        if is_current(engine):
            return engine
    except Exception:  # unreachable: the database check says so
        pass
    engine.dispose()
    return None


def check_admin(settings: Settings) -> Iterator[Finding]:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session, select

    from broadcaster.accounts.models import User
    from broadcaster.actors import Role

    engine = _engine(settings)
    if not isinstance(engine, Engine):
        return
    try:
        with Session(engine) as session:
            admins = session.exec(
                select(User).where(User.role == Role.ADMIN, User.active == True)  # noqa: E712
            ).all()
    finally:
        engine.dispose()
    if not admins:
        yield Finding("admin", Status.FAIL, "no admin account yet: nobody can log in",
                      "还没有管理员账号：无人能登录",
                      "broadcaster user add NAME --role admin (as the service user)",
                      "以服务用户运行 broadcaster user add 姓名 --role admin")  # fmt: skip
    else:
        names = ", ".join(a.name for a in admins)
        yield Finding("admin", Status.OK, f"admin: {names}", f"管理员：{names}")


def check_music(settings: Settings) -> Iterator[Finding]:
    count = 0
    for folder in settings.music_folders:
        if folder.is_dir():
            count += sum(1 for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    where = settings.music_path
    if count == 0:
        yield Finding("music", Status.FAIL, f"no music yet in {where}: the music bed is silent",
                      f"{where} 里还没有背景音乐：背景音乐无声",
                      f"copy the store's music into {where} (one sub-folder per playlist; see "
                      "README.txt there), readable by the service user",
                      f"把商场的音乐复制到 {where}（每个子文件夹一个歌单，见其中的 README.txt），"
                      "并让服务用户可读")  # fmt: skip
    else:
        yield Finding("music", Status.OK, f"{count} music files", f"{count} 个音乐文件")


def check_programme(settings: Settings) -> Iterator[Finding]:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from broadcaster.programme.crud import load_programme
    from broadcaster.programme.spec import ContentKind

    engine = _engine(settings)
    if not isinstance(engine, Engine):
        return
    try:
        with Session(engine) as session:
            programme = load_programme(session)
    finally:
        engine.dispose()
    if not programme.rules:
        yield Finding("programme", Status.WARN, "no day programme: only music and requests",
                      "没有节目单：只播放音乐和临时广播",
                      "broadcaster content (the default programme), or write one on its page",
                      "运行 broadcaster content 安装默认节目单，或在节目单页面编写")  # fmt: skip
        return
    songs = sorted({c.ref for rule in programme.rules for c in _contents(rule)
                    if c.kind is ContentKind.SONG})  # fmt: skip
    missing = [ref for ref in songs if not (settings.data_dir / ref).is_file()]
    if missing:
        listed = ", ".join(missing)
        yield Finding("programme", Status.WARN,
                      f"{len(programme.rules)} rules; songs not found: {listed}",
                      f"{len(programme.rules)} 条规则；找不到歌曲：{listed}",
                      f"put the store's songs at these names in {settings.data_dir} (see "
                      "songs/README.txt)",
                      f"把商场的歌曲以这些文件名放到 {settings.data_dir}（见 songs/README.txt）")  # fmt: skip
    else:
        yield Finding("programme", Status.OK, f"{len(programme.rules)} rules",
                      f"{len(programme.rules)} 条规则")  # fmt: skip


def _contents(rule: Rule) -> list[Content]:
    return [*([rule.content] if rule.content is not None else []), *rule.spots]


def check_https(settings: Settings) -> Iterator[Finding]:
    """Which certificate ``serve`` will use; read only (the daemon makes its own at start)."""
    from broadcaster.tls import TLS_DIR

    http = settings.http
    if not http.uses_tls:
        if not http.loopback:
            yield Finding("https", Status.WARN,
                          f"plain HTTP on {http.host} (http.insecure_http): passwords in clear",
                          f"在 {http.host} 上使用明文 HTTP（http.insecure_http）：密码明文传输",
                          "remove http.insecure_http to serve HTTPS",
                          "删除 http.insecure_http 以启用 HTTPS")  # fmt: skip
        return
    if http.tls_cert is not None and http.tls_key is not None:
        missing = [str(p) for p in (http.tls_cert, http.tls_key) if not p.is_file()]
        if missing:
            yield Finding("https", Status.FAIL, f"not found: {', '.join(missing)}",
                          f"找不到：{'、'.join(missing)}",
                          "fix http.tls_cert / http.tls_key", "请修改 http.tls_cert / http.tls_key")  # fmt: skip
        else:
            yield Finding("https", Status.OK, f"the store's certificate {http.tls_cert}",
                          f"使用商场的证书 {http.tls_cert}")  # fmt: skip
        return
    ca = settings.data_dir / TLS_DIR / "ca.crt"
    if ca.is_file():
        yield Finding("https", Status.OK, f"certificate for this PC; trust {ca} on the desk's PC",
                      f"本机证书；请在服务台电脑上信任 {ca}")  # fmt: skip
    else:
        yield Finding("https", Status.WARN, "no certificate yet: the daemon makes one at start",
                      "尚无证书：广播程序启动时会生成",
                      f"start the daemon once, then trust {ca} on the desk's PC",
                      f"先启动一次广播程序，再在服务台电脑上信任 {ca}")  # fmt: skip

"""``broadcaster check``: is this machine ready to be the broadcast room? Each check says what
it found and, for a problem, what to do about it, in English and Chinese.

Checks: the data folder (exists, writable), free disk, the database (reachable, schema current,
SQLite in WAL mode), VLC (libvlc and the audio output plugin asked for), the sound really heard
(broadcaster.check_sound), each configured voice speaking its language, ffmpeg (loudness), and
the emergency content (alert file, approved emergency notices) against the emergency profile;
then what the room still lacks: an admin, music, the programme's songs, HTTPS's certificate
(broadcaster.check_content).
A failure makes the command exit 1; warnings do not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from broadcaster.settings import Settings

DISK_FAIL_MB = 200  # rendering speech and the database need room to write
DISK_WARN_MB = 1024


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    name: str
    status: Status
    found: str
    found_zh: str
    fix: str = ""
    fix_zh: str = ""


def run_checks(settings: Settings) -> list[Finding]:
    """Every check, in order; one that raises is reported as failed, never crashes the run."""
    findings: list[Finding] = []
    for name, check in all_checks():
        try:
            findings.extend(check(settings))
        except Exception as exc:  # a check's own bug or an unforeseen state: say so
            findings.append(Finding(name, Status.FAIL, f"the check itself failed: {exc!r}",
                                    f"检查本身出错：{exc!r}"))  # fmt: skip
    return findings


def report(findings: list[Finding], *, language: str = "zh") -> str:
    marks = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗"}
    lines = []
    for f in findings:
        found, fix = (f.found_zh, f.fix_zh) if language == "zh" else (f.found, f.fix)
        lines.append(f"{marks[f.status]} {f.name:<10} {found}")
        if fix and f.status is not Status.OK:
            lines.append(f"  {'':<10} → {fix}")
    failed = sum(f.status is Status.FAIL for f in findings)
    warned = sum(f.status is Status.WARN for f in findings)
    if language == "zh":
        lines.append(
            f"结果：{failed} 项失败，{warned} 项警告。" if failed or warned else "结果：全部正常。"
        )
    else:
        lines.append(f"Result: {failed} failed, {warned} warnings." if failed or warned
                     else "Result: all good.")  # fmt: skip
    return "\n".join(lines)


# -- the checks -----------------------------------------------------------------------------


def check_data_dir(settings: Settings) -> Iterator[Finding]:
    folder = settings.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".check-") as probe:
            probe.write(b"ok")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        yield Finding("data", Status.FAIL, f"cannot write in {folder}: {exc.strerror}",
                      f"无法写入 {folder}：{exc.strerror}",
                      f"make it writable by the daemon's user: chown -R <user> {folder}",
                      f"让广播程序的运行用户可以写入：chown -R <用户> {folder}")  # fmt: skip
        return
    yield Finding("data", Status.OK, f"{folder} is writable", f"{folder} 可写")


def check_disk(settings: Settings) -> Iterator[Finding]:
    where = settings.data_dir
    while not where.is_dir() and where != where.parent:  # not made yet: the disk it will be on
        where = where.parent
    free_mb = shutil.disk_usage(where).free / 2**20
    found, found_zh = f"{free_mb:,.0f} MB free", f"剩余 {free_mb:,.0f} MB"
    fix = f"free space on the disk of {settings.data_dir} (old recordings, logs)"
    fix_zh = f"清理 {settings.data_dir} 所在磁盘（旧录音、日志）"
    if free_mb < DISK_FAIL_MB:
        yield Finding("disk", Status.FAIL, found, found_zh, fix, fix_zh)
    elif free_mb < DISK_WARN_MB:
        yield Finding("disk", Status.WARN, found, found_zh, fix, fix_zh)
    else:
        yield Finding("disk", Status.OK, found, found_zh)


def check_database(settings: Settings) -> Iterator[Finding]:
    """Reachable, schema current, SQLite in WAL mode; read only (no migration, no new file)."""
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.exc import SQLAlchemyError

    from broadcaster.migrations import head_revision, is_current

    url = make_url(settings.db_url)
    where = url.render_as_string(hide_password=True)
    start_once = ("start the daemon once: it creates and upgrades the database",
                  "启动一次广播程序：它会创建并升级数据库")  # fmt: skip
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        yield Finding("database", Status.WARN, f"{where} does not exist yet",
                      f"{where} 尚不存在", *start_once)  # fmt: skip
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            wal = None
            if engine.dialect.name == "sqlite":
                wal = str(connection.execute(text("PRAGMA journal_mode")).scalar()).lower()
        current = is_current(engine)
    except SQLAlchemyError as exc:
        yield Finding("database", Status.FAIL, f"cannot open {where}: {exc.__class__.__name__}",
                      f"无法打开数据库 {where}：{exc.__class__.__name__}",
                      "check database_url and that the database server runs",
                      "检查 database_url 设置，以及数据库服务是否在运行")  # fmt: skip
        return
    finally:
        engine.dispose()
    if not current:
        yield Finding("database", Status.WARN, f"{where}: schema older than {head_revision()}",
                      f"{where}：数据表结构不是最新（{head_revision()}）", *start_once)  # fmt: skip
    elif wal is not None and wal != "wal":
        yield Finding("database", Status.WARN, f"{where}: journal mode {wal}, not WAL",
                      f"{where}：日志模式为 {wal}，不是 WAL",
                      "keep the data dir on a local disk (WAL needs one), then restart the daemon",
                      "请把数据目录放在本机磁盘（WAL 需要），然后重启广播程序")  # fmt: skip
    else:
        yield Finding("database", Status.OK, f"{where} ({wal or engine.dialect.name})",
                      f"{where}（{wal or engine.dialect.name}）")  # fmt: skip


def check_vlc(settings: Settings) -> Iterator[Finding]:
    try:
        import vlc
    except (ImportError, OSError) as exc:
        yield Finding("vlc", Status.FAIL, f"libvlc cannot be loaded: {exc}", f"无法加载 libvlc：{exc}",
                      "install VLC: apt-get install libvlc5 vlc-plugin-base",
                      "安装 VLC：apt-get install libvlc5 vlc-plugin-base")  # fmt: skip
        return
    instance = vlc.Instance(["--intf=dummy", "--quiet", "--no-video"])
    if instance is None:
        yield Finding("vlc", Status.FAIL, "libvlc starts no instance (plugins missing?)",
                      "libvlc 无法启动（缺少插件？）", "apt-get install --reinstall vlc-plugin-base",
                      "apt-get install --reinstall vlc-plugin-base")  # fmt: skip
        return
    outputs = _audio_outputs(instance)
    instance.release()
    version = vlc.libvlc_get_version().decode()
    wanted = {"pulse": "pulse", "null": "adummy"}.get(settings.audio.output)
    if wanted and wanted not in outputs:
        yield Finding("vlc", Status.FAIL, f"libvlc {version} has no '{wanted}' audio output",
                      f"libvlc {version} 缺少“{wanted}”音频输出插件",
                      "apt-get install vlc-plugin-base (and pulseaudio for 'pulse')",
                      "apt-get install vlc-plugin-base（pulse 还需要 pulseaudio）")  # fmt: skip
        return
    yield Finding("vlc", Status.OK, f"libvlc {version}; audio outputs: {', '.join(sorted(outputs))}",
                  f"libvlc {version}；音频输出：{'、'.join(sorted(outputs))}")  # fmt: skip


def _audio_outputs(instance: object) -> set[str]:
    import vlc

    names: set[str] = set()
    head = vlc.libvlc_audio_output_list_get(instance)
    node = head
    while node:
        names.add(node.contents.name.decode())
        node = node.contents.next
    if head:
        vlc.libvlc_audio_output_list_release(head)
    return names


def check_sound(settings: Settings) -> Iterator[Finding]:
    from broadcaster import check_sound as sound

    fix_card = ("connect the amplifier's sound card and check `pactl list short sinks` "
                "(set audio.device to its sink)")  # fmt: skip
    fix_card_zh = (
        "连接功放所用的声卡，用 `pactl list short sinks` 查看，并把 audio.device 设为该输出"
    )
    if settings.audio.output == "null":
        yield Finding("sound", Status.WARN, "audio.output = null: nothing is heard (for tests)",
                      "audio.output = null：不会发出任何声音（仅供测试）",
                      "set audio.output = \"default\" or \"pulse\"",
                      "把 audio.output 设为 \"default\" 或 \"pulse\"")  # fmt: skip
        return
    sink = settings.audio.device or sound.pulse_default_sink()
    if sink is None:
        cards = Path("/proc/asound/cards")
        listed = cards.read_text().strip() if cards.exists() else ""
        if settings.audio.output == "pulse" or not listed or "no soundcards" in listed:
            yield Finding("sound", Status.FAIL, "no PulseAudio server and no sound card",
                          "没有 PulseAudio 服务，也没有声卡", fix_card, fix_card_zh)  # fmt: skip
            return
        problem = sound.play_tone(settings, Path(_chime_file()))
        if problem:
            yield Finding("sound", Status.FAIL, f"VLC could not play through ALSA: {problem}",
                          f"VLC 无法通过 ALSA 播放：{problem}", fix_card, fix_card_zh)  # fmt: skip
        else:
            yield Finding("sound", Status.OK, "played a tone through ALSA (not measured)",
                          "已通过 ALSA 播放测试音（未测量）")  # fmt: skip
        return
    if sink == sound.FALLBACK_SINK:
        yield Finding("sound", Status.FAIL,
                      "PulseAudio has no sound card: it plays into its dummy output (auto_null)",
                      "PulseAudio 找不到声卡：声音进了虚拟输出（auto_null），无人能听到",
                      fix_card, fix_card_zh)  # fmt: skip
        return
    problem, level = sound.heard_on(settings, sink)
    if problem or level < sound.HEARD_DBFS:
        why = problem or f"silence on {sink} ({level:.0f} dBFS)"
        yield Finding("sound", Status.FAIL, f"the test tone was not heard: {why}",
                      f"测试音没有被听到：{why}", fix_card, fix_card_zh)  # fmt: skip
    else:
        yield Finding("sound", Status.OK, f"test tone heard on {sink} at {level:.0f} dBFS",
                      f"在 {sink} 上听到测试音（{level:.0f} dBFS）")  # fmt: skip


def _chime_file() -> str:
    from scripts_library.tones import make_chime

    folder = tempfile.mkdtemp(prefix="broadcaster-check-")
    return str(make_chime(Path(folder) / "tone.wav"))


def check_voices(settings: Settings) -> Iterator[Finding]:
    from scripts_library.markup import parse
    from scripts_library.voices import VoiceError, get_voice

    said = {
        "zh-CN": (settings.speech.voice_zh, "欢迎光临"),
        "en": (settings.speech.voice_en, "Welcome"),
    }
    for language, (name, words) in said.items():
        label = f"voice {language}"
        try:
            voice = get_voice(name, **getattr(settings.voices, name).model_dump(exclude_none=True))
            with tempfile.TemporaryDirectory(prefix="broadcaster-check-") as folder:
                out = voice.render(parse(words), language, Path(folder) / "said.wav")
                size = out.stat().st_size
        except (VoiceError, OSError, subprocess.SubprocessError) as exc:
            yield Finding(label, Status.FAIL, f"{name} cannot speak {language}: {exc}",
                          f"{name} 无法说 {language}：{exc}",
                          "apt-get install espeak-ng (or set speech.voice_* / voices.piper.model)",
                          "apt-get install espeak-ng（或设置 speech.voice_* / voices.piper.model）")  # fmt: skip
            continue
        if size <= 44:
            yield Finding(label, Status.FAIL, f"{name} produced no audio for {language}",
                          f"{name} 没有生成 {language} 的语音")  # fmt: skip
        else:
            yield Finding(
                label, Status.OK, f"{name} speaks {language}", f"{name} 可以说 {language}"
            )


def check_emergency(settings: Settings) -> Iterator[Finding]:
    """The configured emergency content against the emergency profile: the alert file (when
    one is configured; the generated tone has the profile's length) and every approved
    emergency notice of the script library, rendered as it would be on air."""
    from broadcaster.emergency import Misfit

    profile = settings.emergency.build()
    alert_s = profile.alert_s
    if settings.audio.alert is not None:
        alert_s = _seconds(settings.audio.alert)
        if (wrong := profile.alert_misfit(alert_s)) is not None:
            yield Finding("emergency", Status.FAIL, f"audio.alert: {wrong.message}",
                          f"audio.alert：{wrong.message_zh}",
                          "unset audio.alert: the tone is then generated to the profile's length",
                          "删除 audio.alert 设置：警报音将按规则长度自动生成")  # fmt: skip
    said: list[str] = []
    for title, seconds in _emergency_notices(settings):
        fit = profile.fit(seconds, alert_s=alert_s)
        if isinstance(fit, Misfit):
            yield Finding("emergency", Status.FAIL, f"“{title}”: {fit.message}",
                          f"“{title}”：{fit.message_zh}",
                          "shorten the notice, then approve it again",
                          "缩短该通知后重新审核")  # fmt: skip
        else:
            said.append(f"{title} {seconds:.1f} s")
    found = f"{profile.title}: alert {alert_s:.1f} s ({profile.tone.value})"
    found_zh = f"{profile.title_zh}：警报 {alert_s:.1f} 秒（{profile.tone.value}）"
    if said:
        found += "; notices that fit: " + ", ".join(said)
        found_zh += "；符合规则的通知：" + "、".join(said)
    yield Finding("emergency", Status.OK, found, found_zh)


def _emergency_notices(settings: Settings) -> Iterator[tuple[str, float]]:
    """(title, seconds) of each approved emergency script, rendered (cached) as on air."""
    import datetime as dt

    from sqlalchemy import create_engine, make_url
    from sqlmodel import Session

    from broadcaster.migrations import is_current
    from broadcaster.scripts import crud
    from broadcaster.scripts.book import ScriptBook, build_renderer
    from scripts_library.spec import Category

    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return  # the database check says so
    engine = create_engine(url)  # read only: neither created nor migrated here
    try:
        if not is_current(engine):
            return
        with Session(engine) as session:
            scripts = crud.list_scripts(session, category=Category.EMERGENCY, approved=True)
        if not scripts:
            return
        renderer = build_renderer(settings, warm=False)
        try:
            book = ScriptBook(engine=engine, renderer=renderer, data_dir=settings.data_dir)
            today = dt.datetime.now(settings.zone).date()
            for script in scripts:
                spoken = book.script(day=today, script_id=script.id)
                seconds = (spoken.duration_ms / 1000 if spoken.duration_ms is not None
                           else _seconds(spoken.path))  # fmt: skip
                yield spoken.title, seconds
        finally:
            renderer.close()
    finally:
        engine.dispose()


def _seconds(path: Path) -> float:
    """How long an audio file lasts (ffprobe reads any format VLC does here)."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(path)], capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return float(result.stdout.strip())


def check_ffmpeg(settings: Settings) -> Iterator[Finding]:
    if shutil.which("ffmpeg") is None:
        yield Finding("ffmpeg", Status.WARN, "ffmpeg is missing: music loudness cannot be measured",
                      "缺少 ffmpeg：无法测量音乐响度", "apt-get install ffmpeg",
                      "apt-get install ffmpeg")  # fmt: skip
    else:
        yield Finding("ffmpeg", Status.OK, "ffmpeg found", "已找到 ffmpeg")


def _content_checks() -> tuple[tuple[str, Callable[[Settings], Iterator[Finding]]], ...]:
    from broadcaster import check_content as c  # it builds on Finding and Status above
    from broadcaster.check_zones import check_zones

    return (("zones", check_zones), ("admin", c.check_admin), ("music", c.check_music),
            ("programme", c.check_programme), ("https", c.check_https))  # fmt: skip


CHECKS: tuple[tuple[str, Callable[[Settings], Iterator[Finding]]], ...] = (
    ("data", check_data_dir), ("disk", check_disk), ("database", check_database),
    ("vlc", check_vlc), ("sound", check_sound), ("voices", check_voices), ("ffmpeg", check_ffmpeg),
    ("emergency", check_emergency),
)  # fmt: skip
"""The machine; then what the broadcast room still lacks (broadcaster.check_content)."""


def all_checks() -> tuple[tuple[str, Callable[[Settings], Iterator[Finding]]], ...]:
    return CHECKS + _content_checks()

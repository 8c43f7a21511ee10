"""Typed settings: defaults, then a TOML file (``--config``), then ``BROADCASTER_*`` variables.

Nested sections use a double underscore in the environment: ``BROADCASTER_AUDIO__DUCK_DB=-18``.
Invalid settings stop start-up with a message that names the setting, in English and Chinese.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from broadcaster.emergency import EmergencyProfile, ProfileName, make_profile
from broadcaster.zones.config import (
    EmergencyPlanConfig,
    ZoneConfig,
    ZoneConfigError,
    ZoneGroupConfig,
    build_zone_map,
)
from broadcaster.zones.model import ZoneMap
from scripts_library.spec import AlertTone

SPEECH_OVER_BED_LU = 10


class SettingsError(Exception):
    """Settings that cannot be used; the message says which and what to do."""


class AudioSettings(BaseModel):
    output: Literal["default", "pulse", "null"] = Field(
        "default", description="default: the system's sound; pulse: a named sink; null: silent"
    )
    device: str | None = Field(None, description="PulseAudio sink name when output = pulse")
    duck_db: float = Field(-15.0, ge=-40.0, le=-6.0, description="music level under speech")
    duck_fade_ms: int = Field(150, ge=0, le=2000)
    restore_fade_ms: int = Field(800, ge=0, le=5000)
    resume_fade_ms: int = Field(1500, ge=0, le=10000, description="music back after emergency")
    file_caching_ms: int = Field(100, ge=0, le=300)
    crossfade_ms: int = Field(
        2000, ge=0, le=10000, description="overlap between music tracks; 0 plays them back to back"
    )
    chime: Path | None = Field(None, description="prompt tone before pages; demo chime if unset")
    alert: Path | None = Field(
        None,
        description="emergency alert tone; if unset, generated as emergency.tone, emergency.alert_s",
    )

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, values: Any) -> Any:
        if isinstance(values, dict) and "emergency_gap_ms" in values:
            raise ValueError(
                "audio.emergency_gap_ms has moved: write [emergency] gap_s (in seconds) / "
                "audio.emergency_gap_ms 已移到 [emergency] gap_s（单位：秒）"
            )
        return values


class EmergencySettings(BaseModel):
    """The emergency's timing (broadcaster.emergency): a standard's profile, optionally with
    values inside what the standard allows, or ``custom`` with every value given here."""

    profile: ProfileName = Field(
        ProfileName.GB50116, description="gb50116 (the default in zh-CN stores) | en54 | custom"
    )
    alert_s: float | None = Field(None, ge=1.0, le=60.0, description="alert tone length")
    tone: AlertTone | None = Field(None, description="slow_whoop | two_tone")
    message_min_s: float | None = Field(
        None, ge=0.0, le=60.0, description="voice per pass; a shorter message is said again"
    )
    message_max_s: float | None = Field(None, ge=1.0, le=300.0, description="longest voice")
    alternate: bool | None = Field(None, description="alert before every message (else first)")
    gap_s: float | None = Field(None, ge=0.0, le=10.0, description="silence after each message")
    max_interval_s: float | None = Field(None, ge=1.0, le=600.0, description="between messages")
    max_silence_s: float | None = Field(None, ge=0.0, le=60.0, description="longest silence")

    @model_validator(mode="after")
    def _within_the_standard(self) -> EmergencySettings:
        self.build()  # ValueError with what the standard allows
        return self

    def build(self) -> EmergencyProfile:
        return make_profile(self.profile, **self.model_dump(exclude={"profile"}))


class EspeakSettings(BaseModel):
    speed_wpm: int = Field(150, ge=80, le=300, description="English words per minute")
    speed_wpm_zh: int = Field(240, ge=80, le=400, description="Mandarin syllables per minute")


class PiperSettings(BaseModel):
    model: Path | None = Field(
        None, description="Piper voice model (.onnx); its .onnx.json beside it"
    )
    length_scale: float | None = Field(None, gt=0.3, le=3.0, description="above 1 is slower")


class VoicesSettings(BaseModel):
    """One section per voice engine (scripts_library.voices.VOICES)."""

    espeak: EspeakSettings = EspeakSettings()
    piper: PiperSettings = PiperSettings()


class SpeechSettings(BaseModel):
    voice_zh: Literal["espeak", "piper"] = Field("espeak", description="voice for zh-CN scripts")
    voice_en: Literal["espeak", "piper"] = Field("espeak", description="voice for English scripts")
    target_lufs: float = Field(-16.0, ge=-30.0, le=-10.0, description="loudness of speech")
    music_lufs: float = Field(
        -20.0, ge=-35.0, le=-10.0, description="loudness the music bed is matched to"
    )


class PageSettings(BaseModel):
    every_min: float = Field(3.0, ge=1.0, le=60.0, description="minutes between repeats")
    times: int = Field(5, ge=1, le=20, description="plays of a page unless resolved first")


class LibrarySettings(BaseModel):
    folders: list[Path] = Field(
        default_factory=list, description="more music folders scanned besides music_dir"
    )
    drive_roots: dict[str, Path] = Field(
        default_factory=dict,
        description='Windows drives in imported playlists, e.g. {"D:" = "/srv/music"}',
    )
    no_repeat_min: float = Field(180.0, ge=0, le=7 * 24 * 60, description="a song rests this long")
    artist_apart_min: float = Field(30.0, ge=0, le=24 * 60, description="one artist's songs apart")
    unmeasured_gain_db: float = Field(
        -6.0, ge=-24.0, le=0.0, description="gain for a track whose loudness is not measured yet"
    )
    loudness_workers: int = Field(
        1, ge=1, le=16, description="ffmpeg processes measuring loudness while on air"
    )
    rescan_min: float = Field(
        60.0, ge=0, le=24 * 60, description="minutes between automatic rescans; 0: only on request"
    )

    @field_validator("drive_roots")
    @classmethod
    def _drive_letters(cls, value: dict[str, Path]) -> dict[str, Path]:
        for key in value:
            if not re.fullmatch(r"\s*[A-Za-z](:[\\/]*)?\s*", key):
                raise ValueError(f'{key!r} is not a drive letter; write it like "D:"')
        return value


class ProgrammeSettings(BaseModel):
    on_time_s: float = Field(
        2.0, ge=0.0, le=600.0,
        description="a cue that starts later than its instant by more than this is logged late",
    )  # fmt: skip


class LiveMicSettings(BaseModel):
    source: str | None = Field(
        None,
        description="the PC's microphone: a PulseAudio source (`pactl list short sources`); "
        "the default source if unset",
    )
    latency_ms: int = Field(20, ge=5, le=200, description="microphone to zone, per loopback")

    @field_validator("source")
    @classmethod
    def _device_name(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and re.search(r"[\s'\"\\]", value):
            raise ValueError(
                f"{value!r} is not a PulseAudio source name; copy one from "
                "`pactl list short sources` (it has no spaces or quotes)"
            )
        return value


class HttpSettings(BaseModel):
    host: str = Field("127.0.0.1", description="0.0.0.0 to serve the pages on the store's network")
    port: int = Field(8000, ge=1, le=65535)
    secure_cookies: bool = Field(
        False, description="log-in cookies only over HTTPS (set it behind an HTTPS proxy)"
    )
    tls: Literal["auto", "always"] = Field(
        "auto", description="auto: HTTPS beyond loopback; always: on loopback too"
    )
    tls_cert: Path | None = Field(None, description="certificate (PEM, with its chain) for HTTPS")
    tls_key: Path | None = Field(None, description="its private key (PEM); both or neither")
    insecure_http: bool = Field(
        False, description="serve plain HTTP beyond loopback (passwords cross the network in clear)"
    )

    @model_validator(mode="after")
    def _cert_with_key(self) -> HttpSettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError(
                "http.tls_cert and http.tls_key go together: set both (or neither, and a "
                "certificate is made for this PC).\n"
                "  http.tls_cert 与 http.tls_key 必须同时设置（或都不设置，由程序为本机生成证书）。"
            )
        if self.insecure_http and self.tls == "always":
            raise ValueError(
                'http.insecure_http = true contradicts http.tls = "always": choose one.\n'
                '  http.insecure_http = true 与 http.tls = "always" 相互矛盾，请只选其一。'
            )
        return self

    @property
    def loopback(self) -> bool:
        """Only this PC can reach the server (127.x, ::1, localhost)."""
        return self.host.startswith("127.") or self.host in ("localhost", "::1")

    @property
    def uses_tls(self) -> bool:
        return self.tls == "always" or not (self.loopback or self.insecure_http)


class SnapcastSettings(BaseModel):
    """Our snapserver for the remote zones (one per zone with ``output = "snapcast"``)."""

    port_base: int = Field(
        1780, ge=1024, le=65000,
        description="the first remote zone's players connect here (control: +1); the next "
        "zone's are +2 and +3, and so on (not 1704: Debian's own snapserver service)",
    )  # fmt: skip
    buffer_ms: int = Field(
        100, ge=40, le=2000, description="end-to-end latency to the players (snapserver buffer)"
    )
    bind: str = Field("0.0.0.0", description="the address the players connect to")


class BackupSettings(BaseModel):
    at: str = Field("03:30", description="the nightly backup's time of day (store's zone)")
    keep_days: int = Field(
        14, ge=0, le=3650, description="nightly backups kept this many days; 0: no nightly backup"
    )
    folder: Path | None = Field(None, description="where backups go; data_dir/backups if unset")

    @field_validator("at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError(f'{value!r} is not a time of day; write it like "03:30"')
        return value.strip()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BROADCASTER_", env_nested_delimiter="__", extra="forbid"
    )

    _config_file: Path | None = PrivateAttr(None)
    _zone_map: ZoneMap = PrivateAttr(default_factory=ZoneMap)

    data_dir: Path = Field(Path("data"), description="generated audio, database, cache")
    database_url: str | None = Field(None, description="SQLite file in data_dir if unset")
    timezone: str = "Asia/Shanghai"
    music_dir: Path | None = Field(None, description="background music; data_dir/music if unset")
    http: HttpSettings = HttpSettings()
    audio: AudioSettings = AudioSettings()
    speech: SpeechSettings = SpeechSettings()
    voices: VoicesSettings = VoicesSettings()
    pages: PageSettings = PageSettings()
    library: LibrarySettings = LibrarySettings()
    backup: BackupSettings = BackupSettings()
    emergency: EmergencySettings = EmergencySettings()
    programme: ProgrammeSettings = ProgrammeSettings()
    zones: list[ZoneConfig] = Field(
        default_factory=list,
        description="sound zones ([[zones]]); none: one zone on the default sink",
    )
    zone_groups: list[ZoneGroupConfig] = Field(default_factory=list, description="floors, areas")
    emergency_plans: list[EmergencyPlanConfig] = Field(
        default_factory=list, description="emergency presets; the whole building is implicit"
    )
    snapcast: SnapcastSettings = SnapcastSettings()
    live_mic: LiveMicSettings = LiveMicSettings()

    @model_validator(mode="after")
    def _zones_fit_together(self) -> Settings:
        try:
            self._zone_map = build_zone_map(self.zones, self.zone_groups, self.emergency_plans)
        except ZoneConfigError as exc:
            raise ValueError(
                "The sound zones cannot be used / 分区配置有误:\n"
                + "\n".join(f"  {problem}" for problem in exc.problems)
            ) from None
        return self

    @model_validator(mode="after")
    def _speech_above_ducked_music(self) -> Settings:
        # Speech must stand at least 10 LU above the music it is said over.
        ducked = self.speech.music_lufs + self.audio.duck_db
        if self.speech.target_lufs - ducked < SPEECH_OVER_BED_LU:
            raise ValueError(
                f"speech.target_lufs ({self.speech.target_lufs:g}) must be at least "
                f"{SPEECH_OVER_BED_LU} LU above the ducked music ({ducked:g} LUFS: "
                "speech.music_lufs + audio.duck_db); raise target_lufs or duck the music more.\n"
                f"  语音响度 speech.target_lufs（{self.speech.target_lufs:g}）必须比压低后的背景音乐"
                f"（{ducked:g} LUFS）高至少 {SPEECH_OVER_BED_LU} LU：请提高 target_lufs 或加大压低幅度。"
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use a name like Asia/Shanghai") from exc
        return value

    @property
    def config_file(self) -> Path | None:
        """The TOML file these settings were read from, if any."""
        return self._config_file

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zone_map(self) -> ZoneMap:
        """The sound zones (not ``zone``, the store's time zone), checked at start-up."""
        return self._zone_map

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'broadcaster.db').resolve()}"

    @property
    def backup_path(self) -> Path:
        return self.backup.folder or self.data_dir / "backups"

    @property
    def live_recordings_path(self) -> Path:
        """Where the live microphone's calls are recorded (GB 50116 §4.8.10)."""
        return self.data_dir / "recordings" / "live"

    @property
    def music_path(self) -> Path:
        return self.music_dir or self.data_dir / "music"

    @property
    def music_folders(self) -> list[Path]:
        """Every folder the library scans: the music dir first, then ``library.folders``."""
        folders = [self.music_path, *self.library.folders]
        return list(dict.fromkeys(folder.resolve() for folder in folders))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment variables win over the TOML file, which is passed as init arguments.
        return env_settings, init_settings


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (if any) and the environment; raise SettingsError for bad values."""
    values: dict[str, Any] = {}
    if config is not None:
        try:
            values = tomllib.loads(config.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(
                f"Config file not found: {config}\n配置文件不存在：{config}"
            ) from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(
                f"Config file {config} is not valid TOML: {exc}\n配置文件 {config} 格式错误：{exc}"
            ) from exc
    values.update(overrides)
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        raise SettingsError(_explain(exc)) from exc
    settings._config_file = config  # what a backup keeps with the database
    return settings


def _explain(exc: ValidationError) -> str:
    lines = ["Invalid settings / 设置无效:"]
    for error in exc.errors():
        if not error["loc"]:  # a rule across settings: its message names them, in both languages
            lines.append("- " + error["msg"].removeprefix("Value error, "))
            continue
        name = ".".join(str(part) for part in error["loc"])
        env = "BROADCASTER_" + "__".join(str(part).upper() for part in error["loc"])
        got = error.get("input")
        lines.append(
            f"- {name} (or {env}): {error['msg']} (got {got!r}).\n"
            f"  设置项 {name} 的值 {got!r} 无效：{error['msg']}。请修改配置文件或环境变量 {env}。"
        )
    return "\n".join(lines)

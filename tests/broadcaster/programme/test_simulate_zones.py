"""`broadcaster plan` and `broadcaster simulate` in a store of zones (issue 16): a promotion
for 1F only is planned for 1F and every row the simulated day logs for it names 1F alone, while
each zone's bed logs its own music."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

from sqlmodel import Session

from api.cli import main
from broadcaster.db import make_engine
from broadcaster.programme.crud import replace_programme
from broadcaster.programme.spec import Content, ContentKind, DayType, Programme, Rule, RuleKind
from broadcaster.settings import load_settings
from tests.kit.daemon_process import free_port
from tests.kit.media import make_quiet_wav

MONDAY = date(2026, 11, 23)
ZONES_TOML = """
[[zone_groups]]
id = "floors"
name_zh = "商场楼层"
name_en = "Shop floors"

[[zones]]
id = "1F"
name_zh = "一楼"
name_en = "Ground floor"
sink = "zone_1f"
groups = ["floors"]

[[zones]]
id = "2F"
name_zh = "二楼"
name_en = "First floor"
sink = "zone_2f"
groups = ["floors"]
"""


def store(tmp_path: Path) -> str:
    data = tmp_path / "data"
    for n in range(2):
        make_quiet_wav(data / "music" / "lounge" / f"{n}.wav", 150)
    make_quiet_wav(data / "announcements" / "cosmetics.wav", 12)
    make_quiet_wav(data / "announcements" / "welcome.wav", 8)
    make_quiet_wav(data / "tones" / "chime.wav", 2)
    make_quiet_wav(data / "tones" / "alert.wav", 3)
    config = tmp_path / "broadcaster.toml"
    config.write_text(f'data_dir = "{data}"\ntimezone = "Asia/Shanghai"\n'
                      f"[http]\nport = {free_port()}\n{ZONES_TOML}")  # fmt: skip
    settings = load_settings(config)
    day = DayType("weekday", time(10), time(12))
    speech = ContentKind.SPEECH
    rules = (
        Rule(1, "化妆品促销", RuleKind.RECURRING, every_s=1800, zones=("1F",), window_start=time(10, 1),
             spots=(Content(speech, "announcements/cosmetics.wav", "Cosmetics"),)),
        Rule(2, "欢迎词", RuleKind.FIXED, at=time(10, 30),
             content=Content(speech, "announcements/welcome.wav", "Welcome")),
    )  # fmt: skip
    engine = make_engine(settings.db_url)
    with Session(engine) as session:
        replace_programme(session, Programme({"weekday": day}, dict.fromkeys(range(7), "weekday"),
                                             {}, rules))  # fmt: skip
    engine.dispose()
    return str(config)


def test_a_1f_promotion_is_simulated_in_1f_only(tmp_path, capsys):
    config = store(tmp_path)

    assert main(["--config", config, "simulate", "--date", MONDAY.isoformat(), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]

    promotion = [r for r in rows if (r["cue_key"] or "").startswith("1:")]
    assert len(promotion) == 4  # 10:01, 10:31, 11:01, 11:31
    assert {(r["zones"], r["outcome"]) for r in promotion} == {("1F", "completed")}
    welcome = [r for r in rows if (r["cue_key"] or "").startswith("2:")]
    assert sorted(r["zones"] for r in welcome) == ["1F", "2F"]  # a rule of every zone
    music = [r for r in rows if r["kind"] == "music"]
    assert {r["zones"] for r in music} == {"1F", "2F"}  # each zone's bed, its own rows


def test_plan_shows_where_each_cue_is_heard(tmp_path, capsys):
    config = store(tmp_path)

    assert main(["--config", config, "plan", "--date", MONDAY.isoformat(), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert {c["rule"]: c["zones"] for c in plan["cues"]} == {"化妆品促销": ["1F"], "欢迎词": []}

    assert main(["--config", config, "plan", "--date", MONDAY.isoformat()]) == 0
    text = capsys.readouterr().out
    assert "Cosmetics  [化妆品促销]  @1F" in text and "Welcome  [欢迎词]  @all" in text

"""The limits and text checks every programme model shares: names trimmed and free of hidden
characters, local times of day without a zone, no unknown fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.main import SQLModelConfig

from broadcaster.problems import problem, refuse_hidden

DAY_TYPE_NAME_MAX = 40
RULE_NAME_MAX = 120
REF_MAX = 1000
TITLE_MAX = 300
NOTE_MAX = 500
MAX_OFFSET_S = 12 * 3600
MIN_EVERY_S = 60
DAY_S = 24 * 3600

FORBID = SQLModelConfig(extra="forbid")


def clean_text(value: Any) -> Any:
    # Names are trimmed; NUL is refused (PostgreSQL cannot store it), and so is any other
    # control or invisible character (the rule of names and titles everywhere: no_invisible).
    # Anything else, HTML and SQL included, is kept as the text it is.
    if isinstance(value, str):
        if "\x00" in value:
            raise problem("Must not contain a NUL character.", "不能包含 NUL 字符。")
        refuse_hidden(value)
        return value.strip()
    return value


def local_time(value: dt.time | None) -> dt.time | None:
    if value is not None and value.tzinfo is not None:
        raise problem(
            "A local time of day without a zone: the store's time zone applies.",
            "请填写不带时区的本地时间，系统按商场所在时区计算。",
        )
    return value

"""The script library's vocabulary: categories, languages and statuses, as plain values."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    OPENING = "opening"
    CLOSING = "closing"
    FLOOR_GUIDE = "floor_guide"
    SERVICES = "services"
    PROMOTION = "promotion"
    REMINDER = "reminder"
    LOST_PERSON = "lost_person"
    LOST_ITEM = "lost_item"
    EMERGENCY = "emergency"
    STAFF = "staff"


CATEGORY_ZH: dict[Category, str] = {
    Category.OPENING: "开市",
    Category.CLOSING: "闭店",
    Category.FLOOR_GUIDE: "楼层导购",
    Category.SERVICES: "服务介绍",
    Category.PROMOTION: "促销",
    Category.REMINDER: "温馨提示",
    Category.LOST_PERSON: "寻人",
    Category.LOST_ITEM: "寻物/招领",
    Category.EMERGENCY: "紧急通知",
    Category.STAFF: "员工",
}


class Language(StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


class Status(StrEnum):
    DRAFT = "draft"  # being written or edited; never on air
    APPROVED = "approved"  # the version on air
    SUPERSEDED = "superseded"  # was approved; a newer version replaced it (kept for the record)


class AlertTone(StrEnum):
    """The emergency alert's sound, generated to any length (scripts_library.tones)."""

    SLOW_WHOOP = "slow_whoop"  # a rising sweep, repeated (the EN 54 / NEN 2575 "slow whoop")
    TWO_TONE = "two_tone"  # a hi-lo alternation of two pitches

"""The starter library: every item of the store day, in Chinese and English, ready for air."""

from __future__ import annotations

import re

import pytest

from scripts_library import markup
from scripts_library.spec import Category, Language
from scripts_library.starter import EN_SUFFIX, STARTER_CODES, STARTER_SCRIPTS, StarterScript

CJK = re.compile(r"[\u4e00-\u9fff]")
BY_CODE = {s.code: s for s in STARTER_SCRIPTS}
IDS = [s.code for s in STARTER_SCRIPTS]


def test_codes_are_unique_and_listed() -> None:
    codes = [s.code for s in STARTER_SCRIPTS]
    assert len(codes) == len(set(codes))
    assert frozenset(codes) == STARTER_CODES
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in codes)


def test_every_item_is_there_in_chinese_and_english() -> None:
    zh = {s.code for s in STARTER_SCRIPTS if s.language is Language.ZH_CN}
    en = {s.code for s in STARTER_SCRIPTS if s.language is Language.EN}
    assert all(code.endswith(EN_SUFFIX) for code in en)
    assert {f"{code}{EN_SUFFIX}" for code in zh} == en
    for code in zh:
        assert BY_CODE[code].category is BY_CODE[f"{code}{EN_SUFFIX}"].category


def test_the_store_day_and_the_desk_and_emergencies_are_covered() -> None:
    expected = {
        "staff_word": Category.STAFF,
        "opening_welcome": Category.OPENING,
        "floor_guide": Category.FLOOR_GUIDE,
        "services": Category.SERVICES,
        "mall_info": Category.REMINDER,
        "products": Category.PROMOTION,
        "pre_closing": Category.REMINDER,
        "closing_reminder": Category.REMINDER,
        "closing_speech": Category.CLOSING,
        "lost_person_example": Category.LOST_PERSON,
        "lost_item_example": Category.LOST_ITEM,
        "found_item_example": Category.LOST_ITEM,
        "fire_evacuation": Category.EMERGENCY,
        "all_clear": Category.EMERGENCY,
        "alarm_test": Category.EMERGENCY,
    }
    for code, category in expected.items():
        assert BY_CODE[code].category is category, code
    promotions = [
        s for s in STARTER_SCRIPTS if s.category is Category.PROMOTION and s.code != "products"
    ]
    assert len([s for s in promotions if s.language is Language.ZH_CN]) >= 3


@pytest.mark.parametrize("script", STARTER_SCRIPTS, ids=IDS)
def test_every_text_is_well_marked_and_of_air_length(script: StarterScript) -> None:
    speech = markup.parse(script.text)
    assert isinstance(script.category, Category)
    assert isinstance(script.language, Language)
    assert 20 <= len(script.text) <= 400
    assert script.title
    assert any(isinstance(p, markup.Pause) and p.ms == markup.LONG_PAUSE_MS for p in speech)
    assert any(isinstance(p, markup.Span) and p.emphasis for p in speech)


@pytest.mark.parametrize("script", STARTER_SCRIPTS, ids=IDS)
def test_chinese_scripts_are_chinese_and_english_ones_plain_ascii(script: StarterScript) -> None:
    if script.language is Language.ZH_CN:
        assert CJK.search(script.text) and CJK.search(script.title)
    else:
        assert script.text.isascii() and script.title.isascii()


def test_facts_match_the_demo_mall() -> None:
    hours_zh, hours_en = BY_CODE["mall_info"].text, BY_CODE["mall_info_en"].text
    assert "上午八点至晚上十点" in hours_zh and "晚上十点半" in hours_zh
    assert "8 a.m. to 10 p.m." in hours_en and "10:30 p.m." in hours_en
    assert "二十分钟" in BY_CODE["pre_closing"].text
    assert "fifteen minutes" in BY_CODE["closing_reminder_en"].text
    assert "一楼服务台" in BY_CODE["services"].text


@pytest.mark.parametrize("code", ["fire_evacuation", "fire_evacuation_en"])
def test_the_evacuation_notice_gives_the_safe_instructions(code: str) -> None:
    words = markup.plain(markup.parse(BY_CODE[code].text))
    if code.endswith(EN_SUFFIX):
        for phrase in ("Stay calm", "follow the instructions", "nearest", "Do not use the lifts"):
            assert phrase in words
    else:
        for phrase in ("保持冷静", "听从工作人员指挥", "最近的安全出口", "请勿乘坐电梯"):
            assert phrase in words

"""The console's words: every key in both languages, none given twice by two pages."""

from __future__ import annotations

import pytest

from api.web import PARTS
from api.web.text import merge
from broadcaster.actors import Right


def test_every_page_word_exists_in_chinese_and_english():
    words = merge(*(part.WORDS for part in PARTS))
    assert words["zh"].keys() == words["en"].keys()
    assert words["zh"]["login"] == "登录"
    assert all(f"right_{right.value}" in words["zh"] for right in Right)  # API keys' scopes


def test_a_word_given_by_two_pages_is_refused():
    with pytest.raises(ValueError, match=r"given twice.*login"):
        merge({"zh": {"login": "登入"}, "en": {"login": "Sign in"}})


def test_a_word_in_one_language_only_is_refused():
    with pytest.raises(ValueError, match=r"one language only.*timeline"):
        merge({"zh": {"timeline": "时间线"}, "en": {}})

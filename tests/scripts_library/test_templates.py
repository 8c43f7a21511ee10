"""Service-desk notices: what the desk types becomes a notice that reads well and cannot change
how it is said."""

from __future__ import annotations

import pytest

from scripts_library import markup
from scripts_library.spec import Category, Language
from scripts_library.templates import (
    TEMPLATES,
    Template,
    TemplateError,
    notice_texts,
    placeholders,
    validate_fields,
)
from scripts_library.voices.espeak import EspeakVoice

ALL = sorted(TEMPLATES)


def _required(template: Template, **extra: str) -> dict[str, str]:
    values = {f.name: f.example_zh for f in template.fields if f.required}
    values.update(extra)
    return values


def _words(text: str) -> str:
    return markup.plain(markup.parse(text))


def _emphasised(text: str) -> list[str]:
    speech = markup.parse(text)
    return [p.text for p in speech if isinstance(p, markup.Span) and p.emphasis]


def _pauses(text: str) -> int:
    return sum(isinstance(p, markup.Pause) for p in markup.parse(text))


def test_the_three_notices_of_the_service_desk_exist() -> None:
    assert TEMPLATES["lost_person"].category is Category.LOST_PERSON
    assert TEMPLATES["lost_item"].category is Category.LOST_ITEM
    assert TEMPLATES["found_item"].category is Category.LOST_ITEM
    assert [f.name for f in TEMPLATES["lost_person"].fields] == [
        "name",
        "age",
        "appearance",
        "clothing",
        "last_seen",
        "meet_at",
    ]


@pytest.mark.parametrize("name", ALL)
def test_wording_names_only_the_templates_fields(name: str) -> None:
    template = TEMPLATES[name]
    fields = {f.name for f in template.fields}
    for wording in (template.wording_zh, template.wording_en):
        used = set().union(*(placeholders(segment) for segment in wording))
        assert used == fields


@pytest.mark.parametrize("name", ALL)
def test_each_notice_renders_in_chinese_english_and_both(name: str) -> None:
    template = TEMPLATES[name]
    zh_values = template.examples(Language.ZH_CN)
    en_values = template.examples(Language.EN)

    [(lang_zh, zh)] = notice_texts(template, zh_values)
    [(lang_en, en)] = notice_texts(template, zh_values, languages=("en",), values_en=en_values)
    both = notice_texts(template, zh_values, languages=("zh-CN", "en"), values_en=en_values)

    assert (lang_zh, lang_en) == ("zh-CN", "en")
    assert both == [("zh-CN", zh), ("en", en)]  # Chinese first, then English
    for text in (zh, en):
        assert _pauses(text) >= 5
        assert _emphasised(text)
    assert "顾客朋友们请注意" in _words(zh) and template.title_zh in _words(zh)
    assert "attention" in _words(en)
    assert _words(en).isascii()
    for spec in template.fields:
        assert spec.example_zh in _words(zh)
        assert spec.example_en in _words(en)
    assert any("服务台" in e for e in _emphasised(zh))  # the place to go is stressed
    assert any("service desk" in e for e in _emphasised(en))


def test_lost_person_repeats_the_name_and_the_meeting_place_with_emphasis() -> None:
    template = TEMPLATES["lost_person"]
    [(_, zh)] = notice_texts(template, template.examples(Language.ZH_CN))
    emphasised = _emphasised(zh)
    assert emphasised.count("乐乐") >= 3
    assert emphasised.count("一楼服务台") >= 2  # said, then said again at the end
    assert _words(zh).endswith("谢谢您的帮助！")


def test_english_uses_the_value_as_entered_when_no_translation_is_given() -> None:
    template = TEMPLATES["lost_person"]
    values = _required(template, clothing="红色外套")
    [(_, en)] = notice_texts(template, values, languages=("en",), values_en={"name": "Lele"})
    assert "Lele" in _words(en)
    assert "一楼服务台" in _words(en)  # meet_at had no English value
    assert "wearing 红色外套" in _words(en)


@pytest.mark.parametrize("name", ALL)
def test_optional_fields_left_empty_drop_their_clause(name: str) -> None:
    template = TEMPLATES[name]
    values = _required(template)
    values.update({f.name: "  " for f in template.fields if not f.required})
    texts = notice_texts(template, values, languages=("zh-CN", "en"))
    for _, text in texts:
        words = _words(text)
        for dangling in ("，，", "，。", "在，", "身穿，", "年龄，", " ,", ",.", " .", "wearing ,"):
            assert dangling not in words
        assert "{" not in words
    zh, en = (_words(text) for _, text in texts)
    assert "身穿" not in zh and "年龄" not in zh
    assert "wearing" not in en and "aged" not in en and "last seen" not in en


def test_lost_person_with_only_the_required_fields_reads_naturally() -> None:
    template = TEMPLATES["lost_person"]
    [(_, zh), (_, en)] = notice_texts(
        template,
        {"name": "乐乐", "meet_at": "一楼服务台"},
        languages=("zh-CN", "en"),
        values_en={"name": "Lele", "meet_at": "the service desk on the first floor"},
    )
    assert "乐乐， 与家人走散了。" in _words(zh)
    assert "We are looking for Lele." in _words(en)


@pytest.mark.parametrize(
    "value",
    [
        "3/F // east*side*",
        "a\\b\\/c*",
        "<script>alert('x')</script>",
        "'; DROP TABLE script;--",
    ],
)
def test_values_cannot_add_pauses_or_emphasis(value: str) -> None:
    template = TEMPLATES["lost_person"]
    baseline = notice_texts(template, _required(template), languages=("zh-CN", "en"))
    texts = notice_texts(
        template,
        _required(template, clothing=value),
        languages=("zh-CN", "en"),
        values_en={"clothing": value},
    )
    cleaned = validate_fields(template, _required(template, clothing=value))["clothing"]
    for (_, before), (_, after) in zip(baseline, texts, strict=True):
        # the clause adds exactly its own separator pause, the value none
        assert _pauses(after) == _pauses(before) + 1
        assert _emphasised(after) == _emphasised(before)
        assert cleaned in _words(after)  # read as typed, marks and all


def test_markup_html_and_sql_are_kept_as_text_by_validation() -> None:
    template = TEMPLATES["found_item"]
    item = "<b>'; DROP TABLE script;-- */ 24/7"
    assert validate_fields(template, _required(template, item=item))["item"] == item


def test_control_and_invisible_characters_are_refused_and_whitespace_made_one_space() -> None:
    # One rule with names and titles everywhere (broadcaster.problems.no_invisible): a hidden
    # character is refused, named by its code, never silently removed.
    template = TEMPLATES["lost_person"]
    with pytest.raises(TemplateError) as caught:
        validate_fields(template, {"name": " 乐\x00乐\x07\u202e\u200b ", "meet_at": "一楼服务台"})
    en, zh = caught.value.problems["name"]
    assert "U+0000, U+0007, U+202E, U+200B" in en and "U+202E" in zh and "不可见字符" in zh
    cleaned = validate_fields(template, {"name": " 乐乐 ", "meet_at": "一楼\n\t服务台"})
    assert cleaned["name"] == "乐乐"
    assert cleaned["meet_at"] == "一楼 服务台"
    assert cleaned["age"] == ""


@pytest.mark.audio
def test_a_value_the_voice_says_nothing_of_is_refused_per_field_and_language() -> None:
    voice = EspeakVoice()
    template = TEMPLATES["lost_person"]
    values = _required(template, name="🧒🎈", clothing="★☆")
    with pytest.raises(TemplateError) as caught:
        notice_texts(template, values, languages=("zh-CN",), pronounce=voice.pronounced)
    problems = caught.value.problems
    assert set(problems) == {"name", "clothing"}
    en, zh = problems["name"]
    assert "Chinese voice cannot say the name “🧒🎈”" in en and "中文语音读不出姓名" in zh
    # English: espeak-ng reads an emoji's name ("child balloon"), but not stars; an English
    # value of its own is reported under its English field.
    with pytest.raises(TemplateError) as caught:
        notice_texts(template, _required(template, name="乐乐"), languages=("zh-CN", "en"),
                     values_en={"name": "★☆"}, pronounce=voice.pronounced)  # fmt: skip
    assert set(caught.value.problems) == {"name_en"}
    assert "English voice" in caught.value.problems["name_en"][0]
    said = notice_texts(template, _required(template, name="乐乐😀"), languages=("zh-CN",),
                        pronounce=voice.pronounced)  # fmt: skip
    assert "乐乐😀" in said[0][1]  # something of it is said: accepted as typed


def test_a_huge_value_is_refused_naming_the_field_in_both_languages() -> None:
    template = TEMPLATES["lost_person"]
    with pytest.raises(TemplateError) as caught:
        notice_texts(template, _required(template, appearance="x" * 10_000))
    en, zh = caught.value.problems["appearance"]
    assert "10000" in en and "100" in en and "appearance" in en
    assert "外貌特征" in zh and "100" in zh
    assert list(caught.value.problems) == ["appearance"]


def test_the_limit_counts_characters_after_cleaning() -> None:
    template = TEMPLATES["lost_person"]
    name = "乐" * 40
    padded = " \n\t" * 50 + name + "   "
    assert validate_fields(template, _required(template, name=padded))["name"] == name
    with pytest.raises(TemplateError) as caught:
        validate_fields(template, _required(template, name=name + "乐"))
    assert set(caught.value.problems) == {"name"}


def test_unknown_missing_wrong_type_and_unreadable_fields_are_each_named() -> None:
    template = TEMPLATES["lost_person"]
    values: dict[str, object] = {"nmae": "乐乐", "age": 5, "clothing": "\x00\u202e"}
    with pytest.raises(TemplateError) as caught:
        validate_fields(template, values)
    problems = caught.value.problems
    assert set(problems) == {"nmae", "name", "meet_at", "age", "clothing"}
    for en, zh in problems.values():
        assert en and zh and en != zh
    assert "nmae" in problems["nmae"][0] and "姓名" in problems["nmae"][1]
    assert "姓名" in problems["name"][1] and "会合地点" in problems["meet_at"][1]
    assert "text" in problems["age"][0]
    assert "invisible" in problems["clothing"][0]
    assert str(caught.value) == caught.value.message


def test_a_required_field_of_only_spaces_is_missing() -> None:
    template = TEMPLATES["found_item"]
    with pytest.raises(TemplateError) as caught:
        validate_fields(template, {"item": "   ", "where_to_claim": "一楼服务台"})
    assert set(caught.value.problems) == {"item"}


def test_english_values_are_validated_the_same_way() -> None:
    template = TEMPLATES["lost_item"]
    with pytest.raises(TemplateError) as caught:
        notice_texts(
            template,
            _required(template),
            languages=("zh-CN", "en"),
            values_en={"item": "x" * 10_000, "colour": "black"},
        )
    assert set(caught.value.problems) == {"item_en", "colour_en"}


def test_languages_must_be_known_and_given_once() -> None:
    template = TEMPLATES["found_item"]
    for languages in ((), ("fr",), ("en", "en")):
        with pytest.raises(TemplateError) as caught:
            notice_texts(template, _required(template), languages=languages)
        assert set(caught.value.problems) == {"languages"}

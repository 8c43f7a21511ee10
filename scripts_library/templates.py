"""Notice templates for the service desk: lost person (寻人), lost item (寻物), found item (招领).

The desk fills in a form; the announcer gets a marked-up script in Chinese, English or both
(Chinese first, then English), worded the way a mall's PA reads such a notice.

A template's wording is a tuple of marked-up format strings (segments). A segment is said only
when every field it names has a value, so an optional field left empty drops its clause instead
of leaving "身穿，" or "wearing ," behind. Required fields appear in segments of their own or in
segments with other required fields only, so the core of the notice is always said.

Field values go through two steps:

1. ``validate_fields`` cleans the human text (strip, whitespace runs made one space) and checks
   it (known field, required present, text, no control or invisible format character such as
   NUL, BEL or a right-to-left override — refused, as in names and titles everywhere — and not
   too long). Too long is an error, never a silent cut. Markup, HTML or SQL in a value is just
   text and is kept here. With a ``pronounce`` (the chosen voice's own text analysis),
   ``notice_texts`` also refuses a value the voice would say nothing of (emoji only, say).
2. ``notice_texts`` puts each value into the wording through ``markup.escape``, so a ``/`` or a
   ``*`` typed at the desk is read as a character and can never add a pause or an emphasis.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from scripts_library import markup
from scripts_library.spec import Category, Language

_SPACE = re.compile(r"\s+")
EN_SUFFIX = "_en"  # problems with an English value are keyed "<field>_en"


@dataclass(frozen=True)
class FieldSpec:
    """One blank on the desk's form. ``max_length`` counts characters after cleaning."""

    name: str
    label_zh: str
    label_en: str
    max_length: int
    required: bool
    example_zh: str
    example_en: str


@dataclass(frozen=True)
class Template:
    """A notice: its fields and its wording, segment by segment (see the module docstring)."""

    name: str
    title_zh: str
    title_en: str
    category: Category
    fields: tuple[FieldSpec, ...]
    wording_zh: tuple[str, ...]
    wording_en: tuple[str, ...]

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def wording(self, language: Language) -> tuple[str, ...]:
        return self.wording_zh if language is Language.ZH_CN else self.wording_en

    def examples(self, language: Language) -> dict[str, str]:
        """Example values, e.g. to show in the form or to preview the notice."""
        zh = language is Language.ZH_CN
        return {f.name: f.example_zh if zh else f.example_en for f in self.fields}


class TemplateError(ValueError):
    """Values a notice cannot be made from. ``problems`` maps a field name (``<field>_en`` for
    its English value) to what is wrong with it, as (English, Chinese)."""

    def __init__(self, problems: Mapping[str, tuple[str, str]]) -> None:
        self.problems: dict[str, tuple[str, str]] = dict(problems)
        self.message = " ".join(en for en, _ in self.problems.values())
        self.message_zh = "".join(zh for _, zh in self.problems.values())
        super().__init__(self.message)


def _field(
    name: str,
    labels: tuple[str, str],
    max_length: int,
    required: bool,
    examples: tuple[str, str],
) -> FieldSpec:
    return FieldSpec(name, labels[0], labels[1], max_length, required, *examples)


_NAME = 40
_AGE = 20
_DESCRIPTION = 100
_PLACE = 60
_ITEM = 60

LOST_PERSON = Template(
    name="lost_person",
    title_zh="寻人启事",
    title_en="Lost person",
    category=Category.LOST_PERSON,
    fields=(
        _field("name", ("姓名", "name"), _NAME, True, ("乐乐", "Lele")),
        _field("age", ("年龄", "age"), _AGE, False, ("五岁左右", "about five")),
        _field(
            "appearance",
            ("外貌特征", "appearance"),
            _DESCRIPTION,
            False,
            ("身高一米左右，短发", "about one metre tall, with short hair"),
        ),
        _field(
            "clothing",
            ("衣着", "clothing"),
            _DESCRIPTION,
            False,
            ("红色外套、蓝色牛仔裤", "a red jacket and blue jeans"),
        ),
        _field(
            "last_seen",
            ("最后出现地点", "where last seen"),
            _PLACE,
            False,
            ("一楼化妆品区", "the cosmetics area on the first floor"),
        ),
        _field(
            "meet_at",
            ("会合地点", "where to meet"),
            _PLACE,
            True,
            ("一楼服务台", "the service desk on the first floor"),
        ),
    ),
    wording_zh=(
        "顾客朋友们请注意，/ 现在播送一则 *寻人启事*。// ",
        "*{name}*，/ ",
        "年龄{age}，/ ",
        "{appearance}，/ ",
        "身穿{clothing}，/ ",
        "在{last_seen}",
        "与家人走散了。// ",
        "请 *{name}* 听到广播后，/ 马上到 *{meet_at}*，/ 您的家人正在那里等候。// ",
        "再播送一遍：/ 请 *{name}* 到 *{meet_at}* 与家人会合。// ",
        "谢谢您的帮助！",
    ),
    wording_en=(
        "May I have your attention, please. // Here is a lost-person announcement. // ",
        "We are looking for *{name}*",
        ", / aged {age}",
        ", / {appearance}",
        ", / wearing {clothing}",
        ", / last seen at {last_seen}",
        ". // ",
        "*{name}*, / please come to *{meet_at}*, / where your family is waiting for you. // ",
        "Once again: / *{name}*, / please come to *{meet_at}*. // ",
        "Thank you for your help.",
    ),
)

LOST_ITEM = Template(
    name="lost_item",
    title_zh="寻物启事",
    title_en="Lost item",
    category=Category.LOST_ITEM,
    fields=(
        _field("item", ("物品", "item"), _ITEM, True, ("一个黑色钱包", "a black wallet")),
        _field(
            "description",
            ("物品特征", "description"),
            _DESCRIPTION,
            False,
            ("内有身份证和银行卡", "with an ID card and bank cards inside"),
        ),
        _field(
            "last_seen",
            ("遗失地点", "where lost"),
            _PLACE,
            False,
            ("三楼运动品牌区", "the sportswear area on the third floor"),
        ),
        _field(
            "return_to",
            ("送还地点", "where to hand it in"),
            _PLACE,
            True,
            ("一楼服务台", "the service desk on the first floor"),
        ),
    ),
    wording_zh=(
        "顾客朋友们请注意，/ 现在播送一则 *寻物启事*。// ",
        "有一位顾客",
        "在{last_seen}",
        "不慎遗失了 *{item}*",
        "，/ {description}",
        "。// ",
        "拾到的顾客朋友，/ 请送到 *{return_to}*，/ 失主正在那里等候。// ",
        "再播送一遍：/ 拾到 *{item}* 的顾客，/ 请送到 *{return_to}*。// ",
        "谢谢您的帮助！",
    ),
    wording_en=(
        "May I have your attention, please. // Here is a lost-property announcement. // ",
        "A customer has lost *{item}*",
        ", / {description}",
        ", / last seen at {last_seen}",
        ". // ",
        "If you have found it, / please take it to *{return_to}*, / "
        "where the owner is waiting. // ",
        "Once again: / if you have found *{item}*, / please take it to *{return_to}*. // ",
        "Thank you for your help.",
    ),
)

FOUND_ITEM = Template(
    name="found_item",
    title_zh="失物招领",
    title_en="Found item",
    category=Category.LOST_ITEM,
    fields=(
        _field("item", ("物品", "item"), _ITEM, True, ("一把蓝色雨伞", "a blue umbrella")),
        _field(
            "where_found",
            ("拾到地点", "where found"),
            _PLACE,
            False,
            ("二楼电梯口", "the lifts on the second floor"),
        ),
        _field(
            "where_to_claim",
            ("认领地点", "where to claim"),
            _PLACE,
            True,
            ("一楼服务台", "the service desk on the first floor"),
        ),
    ),
    wording_zh=(
        "顾客朋友们请注意，/ 现在播送一则 *失物招领*。// ",
        "我们",
        "在{where_found}",
        "拾到了 *{item}*。// ",
        "请失主听到广播后，/ 到 *{where_to_claim}* 认领，/ 认领时请说明物品特征。// ",
        "再播送一遍：/ 遗失 *{item}* 的顾客，/ 请到 *{where_to_claim}* 认领。// ",
        "谢谢！",
    ),
    wording_en=(
        "May I have your attention, please. // Here is a lost-and-found announcement. // ",
        "We have found *{item}*",
        " / at {where_found}",
        ". // ",
        "Would the owner please come to *{where_to_claim}* to collect it, / "
        "and be ready to describe it. // ",
        "Once again: / if you have lost *{item}*, / please collect it at *{where_to_claim}*. // ",
        "Thank you.",
    ),
)

TEMPLATES: dict[str, Template] = {t.name: t for t in (LOST_PERSON, LOST_ITEM, FOUND_ITEM)}


clean = markup.visible
"""The human text of a value: whitespace made one space, invisible characters removed."""


def validate_fields(template: Template, values: Mapping[str, object]) -> dict[str, str]:
    """The cleaned values, every field present ("" for an optional field left empty), or
    TemplateError naming each field that is wrong, in English and Chinese."""
    return _validate(template, values, suffix="", require=True)


def _validate(
    template: Template, values: Mapping[str, object], *, suffix: str, require: bool
) -> dict[str, str]:
    problems: dict[str, tuple[str, str]] = {}
    known = {f.name for f in template.fields}
    for key in values:
        if key not in known:
            problems[f"{key}{suffix}"] = _unknown(template, str(key))
    cleaned: dict[str, str] = {}
    for spec in template.fields:
        raw = values.get(spec.name)
        problem: tuple[str, str] | None = None
        text = ""
        if isinstance(raw, str):
            text = clean(raw)
            if found := markup.hidden(raw):
                problem = _invisible(spec, found)
            elif len(text) > spec.max_length:
                problem = _too_long(spec, len(text))
        elif raw is not None:
            problem = _not_text(spec, raw)
        if problem is None and not text and spec.required and require:
            problem = _missing(spec)
        if problem is not None:
            problems[f"{spec.name}{suffix}"] = problem
        cleaned[spec.name] = text
    if problems:
        raise TemplateError(problems)
    return cleaned


def notice_texts(
    template: Template,
    values: Mapping[str, object],
    *,
    languages: Sequence[str] = (Language.ZH_CN,),
    values_en: Mapping[str, object] | None = None,
    pronounce: Callable[[str, str], str] | None = None,
) -> list[tuple[str, str]]:
    """``[(language, marked-up text), ...]`` in the order of ``languages``; a bilingual notice is
    ``("zh-CN", "en")``. The English wording takes ``values_en[field]`` where given, else the
    value as entered. ``pronounce(text, language)`` is the voice's text analysis (its phonemes,
    '' for nothing to say): a value it reads nothing of is refused, for its field and language.
    Raises TemplateError (``languages`` for a language problem)."""
    problems: dict[str, tuple[str, str]] = {}
    chosen = _languages(languages, problems)
    zh: dict[str, str] = {}
    en_only: dict[str, str] = {}
    try:
        zh = validate_fields(template, values)
    except TemplateError as exc:
        problems.update(exc.problems)
    if values_en is not None:
        try:
            en_only = _validate(template, values_en, suffix=EN_SUFFIX, require=False)
        except TemplateError as exc:
            problems.update(exc.problems)
    if problems:
        raise TemplateError(problems)
    en = {name: en_only.get(name) or value for name, value in zh.items()}
    out = []
    for language in chosen:
        filled = zh if language is Language.ZH_CN else en
        if pronounce is not None:
            for spec in template.fields:
                value = filled[spec.name]
                if value and not pronounce(value, language.value):
                    key = spec.name + (EN_SUFFIX if language is Language.EN
                                       and en_only.get(spec.name) else "")  # fmt: skip
                    problems.setdefault(key, _unpronounceable(spec, value, language))
        out.append((language.value, _render(template.wording(language), filled)))
    if problems:
        raise TemplateError(problems)
    return out


def placeholders(segment: str) -> set[str]:
    """The field names a wording segment uses."""
    return {name for _, name, _, _ in string.Formatter().parse(segment) if name}


def _render(wording: tuple[str, ...], values: Mapping[str, str]) -> str:
    safe = {name: markup.escape(value) for name, value in values.items()}
    said = [seg for seg in wording if all(safe[name] for name in placeholders(seg))]
    text = "".join(seg.format_map(safe) for seg in said).strip()
    markup.check(text)  # a wording mistake should fail here, not on air
    return text


def _languages(languages: Sequence[str], problems: dict[str, tuple[str, str]]) -> list[Language]:
    chosen: list[Language] = []
    allowed = ", ".join(lang.value for lang in Language)
    for code in languages:
        try:
            language = Language(code)
        except ValueError:
            problems["languages"] = (
                f"There is no notice wording in {code!r}; choose from {allowed}.",
                f"没有“{code}”语言的播报稿，可选：{allowed}。",
            )
            continue
        if language in chosen:
            problems["languages"] = (
                f"{language.value} is chosen twice; each language is read once.",
                f"{language.value} 被选了两次，每种语言只播一遍。",
            )
        else:
            chosen.append(language)
    if not languages:
        problems["languages"] = (
            f"Choose at least one language ({allowed}).",
            f"请至少选择一种语言（{allowed}）。",
        )
    return chosen


def _unknown(template: Template, key: str) -> tuple[str, str]:
    names = ", ".join(f.name for f in template.fields)
    labels = "、".join(f.label_zh for f in template.fields)
    return (
        f"The {template.title_en.lower()} notice has no field {key!r} (its fields: {names}).",
        f"“{template.title_zh}”没有“{key}”这一项（可填：{labels}）。",
    )


def _missing(spec: FieldSpec) -> tuple[str, str]:
    return (f"Please fill in the {spec.label_en}.", f"请填写{spec.label_zh}。")


def _not_text(spec: FieldSpec, raw: object) -> tuple[str, str]:
    return (
        f"The {spec.label_en} must be text, not {type(raw).__name__}.",
        f"{spec.label_zh}必须是文字。",
    )


def _invisible(spec: FieldSpec, found: Sequence[str]) -> tuple[str, str]:
    return (
        f"The {spec.label_en} contains control or invisible characters ({', '.join(found)}); "
        "please type it again.",
        f"{spec.label_zh}包含控制字符或不可见字符（{'、'.join(found)}），请重新填写。",
    )


_VOICE_LANGUAGE = {Language.ZH_CN: ("Chinese", "中文"), Language.EN: ("English", "英文")}


def _unpronounceable(spec: FieldSpec, value: str, language: Language) -> tuple[str, str]:
    en, zh = _VOICE_LANGUAGE[language]
    return (
        f"The {en} voice cannot say the {spec.label_en} “{value}”: nothing in it is read "
        "(emoji or symbols only). Please write it in words.",
        f"{zh}语音读不出{spec.label_zh}“{value}”：其中没有可朗读的文字（只有表情或符号），"
        "请用文字填写。",
    )


def _too_long(spec: FieldSpec, length: int) -> tuple[str, str]:
    return (
        f"The {spec.label_en} is {length} characters long; the limit is {spec.max_length}. "
        "Please shorten it.",
        f"{spec.label_zh}有 {length} 个字，最多 {spec.max_length} 个字，请缩短。",
    )

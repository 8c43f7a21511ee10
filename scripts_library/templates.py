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

import string
from collections.abc import Callable, Mapping, Sequence

from scripts_library import markup
from scripts_library.notice_wording import FOUND_ITEM, LOST_ITEM, LOST_PERSON, TEMPLATES
from scripts_library.spec import Language
from scripts_library.template_model import EN_SUFFIX, FieldSpec, Template, TemplateError

__all__ = [
    "EN_SUFFIX", "FOUND_ITEM", "LOST_ITEM", "LOST_PERSON", "TEMPLATES", "FieldSpec", "Template",
    "TemplateError", "clean", "notice_texts", "placeholders", "validate_fields",
]  # fmt: skip
"""The templates and their types are re-exported: callers import the notices from here."""

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

"""What a notice template is: the blanks of the desk's form, the wording segment by segment, and
the error a notice cannot be made from. The templates themselves are ``notice_wording``; filling
them in is ``templates``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scripts_library.spec import Category, Language

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

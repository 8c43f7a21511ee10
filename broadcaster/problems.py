"""What is wrong with a change (to the programme, a script), said per field in English and Chinese.

Validation (the models), the cross-entity checks (the crud modules) and the HTTP face all speak
in ``FieldProblem``s, so a form can show each message next to its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from scripts_library.markup import hidden


@dataclass(frozen=True)
class FieldProblem:
    field: str  # dotted path in the request body: "end", "content.ref", "spots.1.ref"
    message: str
    message_zh: str


class Refused(Exception):
    """A change that was refused; nothing was written."""

    code = "refused"

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


class NotFound(Refused):
    code = "not_found"


class Conflict(Refused):
    """The change clashes with what is stored: a name taken, a day type still in use."""

    def __init__(
        self, code: str, message: str, message_zh: str, problems: Sequence[FieldProblem] = ()
    ) -> None:
        super().__init__(message, message_zh)
        self.code = code
        self.problems = tuple(problems)


class Invalid(Refused):
    code = "invalid"

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "Some fields are not valid; nothing was saved.", "部分内容填写有误，未保存任何更改。"
        )


def no_invisible(value: Any) -> Any:
    """A field validator: trims a text, makes whitespace runs one space, and refuses invisible
    characters (controls, format marks such as the right-to-left override), in both languages:
    in names and titles they only hide things. The same rule as the notice forms'
    (scripts_library.templates)."""
    if isinstance(value, str):
        refuse_hidden(value)
        value = " ".join(value.split())
    return value


def refuse_hidden(value: str) -> None:
    """A validation error naming the control or invisible characters of ``value`` (whitespace
    aside), if it has any: one rule for every name, title and form field."""
    if found := hidden(value):
        raise problem(
            "Must not contain control or invisible characters (found " + ", ".join(found)
            + "); type it again.",
            "不能包含控制字符或不可见字符（发现 " + "、".join(found) + "），请重新输入。",
        )  # fmt: skip


def problem(message: str, message_zh: str) -> PydanticCustomError:
    """A validation error with its Chinese message, for a field validator to raise.

    ``message`` is a pydantic template: it must not contain user input (braces)."""
    return PydanticCustomError("programme", message, {"message_zh": message_zh})


def problems_error(problems: Sequence[FieldProblem]) -> PydanticCustomError:
    """Several problems found by one model validator, each on its own field."""
    return PydanticCustomError(
        "programme_fields", "Some fields are not valid.", {"problems": tuple(problems)}
    )


# Pydantic's own error types, in words a supervisor understands. {name} takes the error's ctx.
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Required.", "必填项。"),
    "string_too_short": ("Must not be empty.", "不能为空。"),
    "string_too_long": ("At most {max_length} characters.", "最多 {max_length} 个字符。"),
    "string_type": ("Must be text.", "必须是文本。"),
    "greater_than_equal": ("Must be at least {ge}.", "不能小于 {ge}。"),
    "less_than_equal": ("Must be at most {le}.", "不能大于 {le}。"),
    "int_parsing": ("Must be a whole number.", "必须是整数。"),
    "int_type": ("Must be a whole number.", "必须是整数。"),
    "int_from_float": ("Must be a whole number.", "必须是整数。"),
    "bool_parsing": ("Must be true or false.", "必须是 true 或 false。"),
    "bool_type": ("Must be true or false.", "必须是 true 或 false。"),
    "time_parsing": (
        "Not a time of day: use HH:MM or HH:MM:SS.",
        "时间格式无效，请用 HH:MM 或 HH:MM:SS。",
    ),
    "time_type": (
        "Not a time of day: use HH:MM or HH:MM:SS.",
        "时间格式无效，请用 HH:MM 或 HH:MM:SS。",
    ),
    "date_parsing": ("Not a date: use YYYY-MM-DD.", "日期格式无效，请用 YYYY-MM-DD。"),
    "date_from_datetime_parsing": (
        "Not a date: use YYYY-MM-DD.",
        "日期格式无效，请用 YYYY-MM-DD。",
    ),
    "date_from_datetime_inexact": (
        "Not a date: use YYYY-MM-DD.",
        "日期格式无效，请用 YYYY-MM-DD。",
    ),
    "date_type": ("Not a date: use YYYY-MM-DD.", "日期格式无效，请用 YYYY-MM-DD。"),
    "enum": ("Must be one of {expected}.", "必须是以下之一：{expected}。"),
    "list_type": ("Must be a list.", "必须是列表。"),
    "model_type": ("Must be an object with fields.", "必须是包含字段的对象。"),
    "model_attributes_type": ("Must be an object with fields.", "必须是包含字段的对象。"),
    "dict_type": ("Must be an object with fields.", "必须是包含字段的对象。"),
    "extra_forbidden": ("Unknown field.", "无法识别的字段。"),
    "json_invalid": ("The request body is not valid JSON.", "请求内容不是有效的 JSON。"),
}
_REQUEST_PARTS = ("body", "query", "path")


def problems_from_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldProblem]:
    """Pydantic's (or FastAPI's) error dicts as per-field problems in both languages."""
    found: list[FieldProblem] = []
    for error in errors:
        ctx = error.get("ctx") or {}
        if error["type"] == "programme_fields":
            found.extend(ctx["problems"])
            continue
        loc = [str(part) for part in error.get("loc", ())]
        if len(loc) > 1 and loc[0] in _REQUEST_PARTS:
            loc = loc[1:]
        if error["type"] == "json_invalid":
            loc = ["body"]
        field = ".".join(loc) or "body"
        if error["type"] == "programme":
            found.append(FieldProblem(field, error["msg"], ctx["message_zh"]))
            continue
        english, chinese = _MESSAGES.get(error["type"], (error["msg"], "格式无效：{msg}"))
        if error["type"] == "string_too_short" and int(ctx.get("min_length", 1)) > 1:
            english, chinese = "At least {min_length} characters.", "至少 {min_length} 个字符。"
        values = {"msg": error["msg"], **{k: str(v) for k, v in ctx.items()}}
        try:
            found.append(FieldProblem(field, english.format(**values), chinese.format(**values)))
        except (KeyError, IndexError):
            found.append(FieldProblem(field, error["msg"], f"格式无效：{error['msg']}"))
    return found


def by_field(problems: Iterable[FieldProblem]) -> dict[str, dict[str, str]]:
    """One entry per field; several problems on one field are joined."""
    fields: dict[str, dict[str, str]] = {}
    for p in problems:
        if p.field in fields:
            fields[p.field]["message"] += " " + p.message
            fields[p.field]["message_zh"] += p.message_zh
        else:
            fields[p.field] = {"message": p.message, "message_zh": p.message_zh}
    return fields


class Forbidden(Refused):
    """The caller's role may not do this (e.g. only a supervisor approves a script)."""

    code = "forbidden"

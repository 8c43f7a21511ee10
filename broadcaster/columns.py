"""Column types shared by every table: instants as aware UTC datetimes, enums as plain text.

SQLite has no time zone type: it stores the wall time and gives back naive datetimes, so an
instant read back must be told it is UTC, and one written in another zone must be moved to UTC
first (else its wall time would be stored as if it were UTC). ``UtcDateTime`` does both for every
dialect (PostgreSQL's ``timestamp with time zone``, as the migrations create it, gets aware UTC
values and gives aware ones back), so no table model or reader repeats the fix.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Interval, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An instant: stored in UTC, always read back aware in UTC. A naive datetime is refused
    (its zone is unknown), in a query as in a row."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        # ``column - timedelta`` or a comparison with one is interval arithmetic, not an instant.
        return Interval() if isinstance(value, dt.timedelta) else self

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"an instant must be a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"a naive datetime has no zone to store in UTC: {value!r}")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return as_utc(value)


def as_utc(value: dt.datetime) -> dt.datetime:
    """An instant read from storage in UTC: a naive one is taken as UTC (as the database keeps
    it), an aware one is moved to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class EnumText(TypeDecorator[StrEnum]):
    """A StrEnum stored as its plain value in a VARCHAR(16): no database enum type to migrate,
    and rows read back hold the enum, not a bare string."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)

"""The accounts' tables: users, their log-in sessions, API keys and the audit trail.

Secrets are never stored: passwords as argon2 hashes, session tokens and API keys as SHA-256
digests (they are long random strings, so a plain digest is enough and fast to look up).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from broadcaster.actors import Right, Role
from broadcaster.columns import EnumText, UtcDateTime
from broadcaster.problems import no_invisible, problem

NAME_MAX = 60
PASSWORD_MIN = 8
PASSWORD_MAX = 200


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, unique=True, index=True)
    role: Role = Field(sa_type=EnumText(Role))
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=120)
    last_login_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginSession(SQLModel, table=True):
    __tablename__ = "login_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    csrf_token: str = Field(max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    expires_at: dt.datetime = Field(sa_type=UtcDateTime)
    client: str = Field(default="", max_length=120)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    prefix: str = Field(max_length=16)  # shown in lists, so a person can tell keys apart
    key_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    scopes: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=120)
    last_used_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True, sa_type=UtcDateTime)
    actor: str = Field(max_length=120)  # "name (role)", or what a failed log-in claimed
    action: str = Field(max_length=200)  # "POST /api/v1/pages", "login", "login refused"
    status: int = 0  # the HTTP status the action ended with
    detail: str = Field(default="", max_length=1000)
    client: str = Field(default="", max_length=120)


def _name(value: Any) -> Any:
    value = no_invisible(value)
    if isinstance(value, str) and any(c in value for c in "/\\<>\"'"):
        raise problem("A user name cannot contain / \\ < > or quotes.",
                      "用户名不能包含 / \\ < > 或引号。")  # fmt: skip
    return value


def _password(value: Any) -> Any:
    if isinstance(value, str) and value.strip() != value:
        raise problem("A password must not start or end with a space.", "密码首尾不能有空格。")
    return value


def _person_role(value: Any) -> Any:
    if value is Role.SYSTEM:
        raise problem("That role is the daemon's own.", "该角色仅供系统内部使用。")
    return value


class UserCreate(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    role: Role
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)

    _clean_name = field_validator("name", mode="before")(_name)
    _clean_password = field_validator("password", mode="before")(_password)
    _person = field_validator("role")(_person_role)


class UserUpdate(SQLModel):
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)

    _clean_password = field_validator("password", mode="before")(_password)
    _person = field_validator("role")(_person_role)


class UserPublic(SQLModel):
    id: int
    name: str
    role: Role
    active: bool
    created_at: dt.datetime
    created_by: str
    last_login_at: dt.datetime | None


class ApiKeyCreate(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    scopes: list[Right] | None = Field(default=None, description="None: all the user's rights")

    _clean_name = field_validator("name", mode="before")(no_invisible)


class ApiKeyPublic(SQLModel):
    id: int
    name: str
    prefix: str
    user_id: int
    scopes: list[str] | None
    created_at: dt.datetime
    created_by: str
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str  # shown once, never stored


class AuditPublic(SQLModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    status: int
    detail: str
    client: str

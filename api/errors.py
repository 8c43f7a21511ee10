"""Errors a person reads: a code, and the message in English and Chinese."""

from __future__ import annotations

from fastapi import HTTPException


class ApiError(HTTPException):
    def __init__(self, status: int, code: str, message: str, message_zh: str) -> None:
        super().__init__(status, {"code": code, "message": message, "message_zh": message_zh})

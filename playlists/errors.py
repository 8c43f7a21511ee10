"""Refusals a person reads: the message in English and in Chinese."""

from __future__ import annotations


class MusicError(ValueError):
    """A music file or playlist that cannot be used; ``message``/``message_zh`` say why."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh

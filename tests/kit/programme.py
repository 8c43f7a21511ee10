"""Programme payloads for the CRUD and API tests: one valid rule of each kind, the media they
name, and the table of invalid inputs with the field and message each must produce."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.kit.media import make_tone

WELCOME = "announcements/welcome.wav"
FAREWELL = "songs/farewell.wav"
PLAYLISTS = ("pop", "light")


def make_programme_media(data: Path, *, real_audio: bool = True) -> None:
    """Speech and song files in ``data``, two playlists (folders) under ``data/music``, and a
    ``secret.wav`` beside ``data`` (outside it) for the path tricks."""

    def make(path: Path, seconds: float) -> None:
        if real_audio:
            make_tone(path, seconds, 330)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"RIFF")

    make(data / WELCOME, 1)
    make(data / FAREWELL, 1)
    for name in PLAYLISTS:
        make(data / "music" / name / f"{name}.wav", 30)
    (data.parent / "secret.wav").write_bytes(b"RIFF")


def speech(ref: str = WELCOME, title: str = "Welcome") -> dict[str, str]:
    return {"kind": "speech", "ref": ref, "title": title}


def rule(kind: str = "fixed", **fields: Any) -> dict[str, Any]:
    """A valid rule of ``kind`` as a request body, with ``fields`` changed (None removes one)."""
    bodies: dict[str, dict[str, Any]] = {
        "fixed": {"name": "Floor guide", "kind": "fixed", "at": "09:00", "content": speech()},
        "offset": {"name": "Closing reminder", "kind": "offset", "anchor": "closing",
                   "offset_s": -900, "content": speech()},
        "recurring": {"name": "Promotions", "kind": "recurring", "every_s": 300, "spread_s": 300,
                      "window_start": "08:05", "window_end": "21:40", "spots": [speech()]},
        "daypart": {"name": "Pop songs", "kind": "daypart", "start": "12:30", "end": "13:30",
                    "playlist": "pop"},
    }  # fmt: skip
    body = {**bodies[kind], **fields}
    return {key: value for key, value in body.items() if value is not None}


# (case id, rule body, field, words the English message contains)
INVALID_RULES: list[tuple[str, dict[str, Any], str, str]] = [
    ("empty name", rule(name=""), "name", "empty"),
    ("blank name", rule(name="   "), "name", "empty"),
    ("long name", rule(name="x" * 121), "name", "At most 120 characters"),
    ("NUL in name", rule(name="a\x00b"), "name", "NUL"),
    ("right-to-left override in name", rule(name="Floor\u202eguide"), "name", "U+202E"),
    ("unknown kind", {**rule(), "kind": "weekly"}, "kind", "one of"),
    ("unknown field", rule(evry_s=300), "evry_s", "Unknown field"),
    ("priority above 100", rule(priority=101), "priority", "at most 100"),
    ("priority below 0", rule(priority=-1), "priority", "at least 0"),
    ("grace above an hour", rule(grace_s=3601), "grace_s", "at most 3600"),
    ("negative grace", rule(grace_s=-1), "grace_s", "at least 0"),
    ("time out of range", rule(at="25:00"), "at", "Not a time of day"),
    ("time with a zone", rule(at="09:00+02:00"), "at", "without a zone"),
    ("fixed without time", rule(at=None), "at", "needs its time"),
    ("fixed without content", rule(content=None), "content", "what to play"),
    ("empty content ref", rule(content=speech(ref="")), "content.ref", "empty"),
    ("bad content kind", rule(content={"kind": "video", "ref": "x"}), "content.kind", "one of"),
    ("offset without anchor", rule("offset", anchor=None), "anchor", "opening or closing"),
    ("offset without content", rule("offset", content=None), "content", "what to play"),
    ("offset past 12 h", rule("offset", offset_s=43201), "offset_s", "outside the day"),
    ("offset before -12 h", rule("offset", offset_s=-43201), "offset_s", "outside the day"),
    ("too frequent", rule("recurring", every_s=59), "every_s", "at least 60 seconds"),
    ("negative spread", rule("recurring", spread_s=-1), "spread_s", "at least 0"),
    ("no spots", rule("recurring", spots=[]), "spots", "at least one spot"),
    ("playlist as spot", rule("recurring", spots=[{"kind": "playlist", "ref": "pop"}]),
     "spots.0.kind", "daypart"),
    ("window backwards", rule("recurring", window_start="20:00", window_end="09:00"),
     "window_end", "end after it starts"),
    ("empty window", rule("recurring", window_start="09:00", window_end="09:00"),
     "window_end", "end after it starts"),
    ("daypart start = end", rule("daypart", end="12:30"), "end", "another time"),
    ("daypart without playlist", rule("daypart", playlist=None), "playlist", "playlist"),
    ("campaign ends before it starts", rule(valid_from="2026-12-01", valid_until="2026-11-30"),
     "valid_until", "before the first day"),
    ("bad date", rule(valid_from="2026-02-30"), "valid_from", "Not a date"),
    ("repeated day type", rule(day_types=["weekday", "weekday"]), "day_types", "each given once"),
    ("empty day type", rule(day_types=[""]), "day_types", "non-empty"),
]  # fmt: skip

INVALID_DAY_TYPES: list[tuple[str, dict[str, Any], str, str]] = [
    ("empty name", {"name": "", "opening": "08:00", "closing": "22:00"}, "name", "empty"),
    ("long name", {"name": "x" * 41, "opening": "08:00", "closing": "22:00"}, "name",
     "At most 40 characters"),
    ("bad opening", {"name": "weekday", "opening": "8 am", "closing": "22:00"}, "opening",
     "Not a time of day"),
    ("missing closing", {"name": "weekday", "opening": "08:00"}, "closing", "Required"),
]  # fmt: skip

# (case id, content ref, words the English message contains)
BAD_REFS: list[tuple[str, str, str]] = [
    ("parent escape", "../../etc/passwd", "outside the data folder"),
    ("escape via a folder", "announcements/../../secret.wav", "outside the data folder"),
    ("absolute outside", "/etc/passwd", "outside the data folder"),
    ("missing file", "announcements/nope.wav", "No such file"),
    ("a folder, not a file", "announcements", "No such file"),
]

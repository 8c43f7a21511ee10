"""The day programme a new installation starts with: a real store's day (播音流程, from a mall's
broadcast manual) plus the manual's rules relative to opening and closing. What is said is the starter script library
(scripts_library/starter.py, referred to by code); the music and songs are the demo content that
``broadcaster demo`` makes; it installs the starter library, approved, too.

Day types: "weekday" 08:00–22:00 (Monday to Friday), "weekend" 08:00–22:30 (Saturday, Sunday).

Decisions, where the manual leaves room:

- What hangs on the opening or the closing is an OFFSET rule, not a fixed time: the store's table
  "follows its opening hours", and the weekend closes at 22:30. So staff songs (−10 min), welcome
  music (−5 min), the word to staff (−5 min) and the welcome speech (+0) follow the opening; the
  pre-closing notice (−20 min), the closing reminder (−15 min), farewell music (−5 min), the
  farewell song and the closing speech (+0) follow the closing. On a weekday they land exactly on
  the table's 07:50, 07:55, 08:00, 21:40, 21:45, 21:55 and 22:00.
- The table's "opening music" at 07:55 and the manual's "welcome music 5 minutes before opening"
  are one slot, so one rule (the offset one, 迎宾曲, ``songs/welcome_music``). The word to staff is
  its own speech rule at the same instant: a song is on the bed and speech goes over the ducked
  bed, so the two do not conflict. Both carry the same priority; plan order puts the music first,
  so the bed changes and the word is then said over it.
- At closing the farewell song and the closing speech share an instant the same way: the farewell
  song comes first in plan order, and the closing speech is said over it.
- The music table becomes dayparts; the first starts at opening and the last ends at closing
  (None), so they follow the day type. Rows with the same style stay separate rules (the
  supervisor edits them one by one). Playlists: piano for the morning, light for "light
  cheerful" / "melodious" / "light music" (electronic keyboard included), pop, foreign, upbeat.
- Promotions every 5–10 minutes (every 5 min plus 0–5 min) rotate four promotion scripts, from 08:05
  (after the welcome speech) to 20 minutes before closing (the closing notices then have the air):
  one rule per day type, since the closing differs.

Priorities: 20 for the opening and closing items, 10 for the day's introductions, 0 for promotions
(lowest, so at a shared instant they queue behind everything else).

Grace (how late a cue may still start) and cut:
- opening and closing items cut in (they belong to a moment), grace 60 s: a minute late, the
  moment has passed;
- the day's introductions speak at their time over the ducked music too (the plan is executed
  strictly), grace 300 s;
- promotions wait for the track end too, grace 240 s: below the shortest gap (300 s), so a late
  promotion never runs into the next one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from broadcaster.programme.spec import (
    Anchor,
    Content,
    ContentKind,
    DayType,
    Programme,
    Rule,
    RuleKind,
)

SONG_DIR = "songs"
DEMO_SUFFIX = ".wav"
DEMO_PLAYLISTS = ("piano", "light", "pop", "upbeat", "foreign")

PROMOTION_SPOTS: tuple[str, ...] = (
    "promo_member_points", "promo_gift_with_purchase", "promo_seasonal_discount",
    "promo_member_points_en",
)  # fmt: skip
"""The promotions rotated every 5–10 minutes: starter scripts (three Chinese, one English)."""
DEMO_SONGS: tuple[str, ...] = ("staff_songs", "welcome_music", "farewell_music", "farewell_song")

WEEKDAY = DayType("weekday", opening=time(8, 0), closing=time(22, 0))
WEEKEND = DayType("weekend", opening=time(8, 0), closing=time(22, 30))

_MOMENT, _INTRO, _PROMO = 20, 10, 0  # priorities
_DAY_TYPE_ZH = {"weekday": "工作日", "weekend": "周末"}
_MINUTE = 60


def song_ref(stem: str) -> str:
    """The data-dir path of a demo song, e.g. ``songs/farewell_song.wav``."""
    return f"{SONG_DIR}/{stem}{DEMO_SUFFIX}"


def _script(code: str, title: str) -> Content:
    return Content(ContentKind.SCRIPT, code, title)


def _song(stem: str, title: str) -> Content:
    return Content(ContentKind.SONG, song_ref(stem), title)


def _offset(name: str, anchor: Anchor, minutes: int, content: Content) -> Rule:
    return Rule(
        0,
        name,
        RuleKind.OFFSET,
        priority=_MOMENT,
        cut=True,
        content=content,
        anchor=anchor,
        offset_s=minutes * _MINUTE,
    )


def _intro(at: time, name: str, code: str) -> Rule:
    return Rule(
        0,
        name,
        RuleKind.FIXED,
        priority=_INTRO,
        grace_s=300,
        cut=True,
        at=at,
        content=_script(code, name),
    )


def _music(start: time | None, end: time | None, playlist: str, name: str) -> Rule:
    return Rule(0, name, RuleKind.DAYPART, start=start, end=end, playlist=playlist)


def _promotions(day_type: DayType, until: time) -> Rule:
    spots = tuple(
        _script(code, f"促销广告 {n} Promotion {n}") for n, code in enumerate(PROMOTION_SPOTS, 1)
    )
    return Rule(
        0,
        f"促销广告（{_DAY_TYPE_ZH[day_type.name]}）Promotions ({day_type.name})",
        RuleKind.RECURRING,
        priority=_PROMO,
        day_types=frozenset({day_type.name}),
        grace_s=240,
        window_start=time(8, 5),
        window_end=until,
        every_s=5 * _MINUTE,
        spread_s=5 * _MINUTE,
        spots=spots,
    )


def _plan() -> list[Rule]:
    """The rules in plan order (a weekday's chronological order)."""
    opening, closing = Anchor.OPENING, Anchor.CLOSING
    return [
        _offset(
            "员工励志歌曲 Staff songs",
            opening,
            -10,
            _song("staff_songs", "员工励志歌曲 Staff songs"),
        ),
        _offset(
            "迎宾曲 Welcome music", opening, -5, _song("welcome_music", "迎宾曲 Welcome music")
        ),
        _offset(
            "致员工词 Word to staff", opening, -5, _script("staff_word", "致员工词 Word to staff")
        ),
        _offset(
            "开市迎宾词 Opening welcome",
            opening,
            0,
            _script("opening_welcome", "开市迎宾词 Opening welcome"),
        ),
        _music(None, time(9, 0), "piano", "晨间钢琴曲 Morning piano"),
        _promotions(WEEKDAY, time(21, 40)),
        _promotions(WEEKEND, time(22, 10)),
        _intro(time(9, 0), "商场及楼层介绍 Mall and floor guide", "floor_guide"),
        _music(time(9, 0), time(10, 0), "light", "轻快音乐 Light cheerful music"),
        _intro(time(10, 0), "商品及特价介绍 Products and special prices", "products"),
        _music(time(10, 0), time(12, 30), "light", "轻柔悠扬音乐 Light melodious music"),
        _intro(time(10, 30), "商场服务介绍 Our services", "services"),
        _intro(time(11, 0), "商场信息 Mall information", "mall_info"),
        _intro(time(11, 30), "商场及楼层介绍 Mall and floor guide", "floor_guide"),
        _music(time(12, 30), time(13, 30), "pop", "流行歌曲 Pop songs"),
        _music(time(13, 30), time(14, 30), "foreign", "外文歌曲 Foreign songs"),
        _music(time(14, 30), time(17, 30), "upbeat", "欢快歌曲 Upbeat songs"),
        _intro(time(15, 30), "商场服务介绍 Our services", "services"),
        _intro(time(16, 30), "商场信息 Mall information", "mall_info"),
        _music(time(17, 30), time(21, 0), "light", "傍晚轻快音乐 Cheerful evening music"),
        _intro(time(18, 30), "商场信息 Mall information", "mall_info"),
        _intro(time(19, 30), "商场及楼层介绍 Mall and floor guide", "floor_guide"),
        _intro(time(20, 0), "商品及特价介绍 Products and special prices", "products"),
        _music(time(21, 0), None, "light", "轻音乐至闭店 Light music until closing"),
        _offset(
            "闭店前预告 Pre-closing notice",
            closing,
            -20,
            _script("pre_closing", "闭店前预告 Pre-closing notice"),
        ),
        _offset(
            "闭店提醒 Closing reminder",
            closing,
            -15,
            _script("closing_reminder", "闭店提醒 Closing reminder"),
        ),
        _offset(
            "送宾曲 Farewell music", closing, -5, _song("farewell_music", "送宾曲 Farewell music")
        ),
        _offset(
            "送别歌曲 Farewell song", closing, 0, _song("farewell_song", "送别歌曲 Farewell song")
        ),
        _offset(
            "闭店词 Closing speech", closing, 0, _script("closing_speech", "闭店词 Closing speech")
        ),
    ]


def default_programme() -> Programme:
    """The manual's store day on the demo content; rule ids 1..N and orders 10, 20, … in plan order."""
    rules = tuple(replace(rule, id=n, order=10 * n) for n, rule in enumerate(_plan(), start=1))
    return Programme(
        day_types={WEEKDAY.name: WEEKDAY, WEEKEND.name: WEEKEND},
        weekday_defaults={d: WEEKDAY.name if d < 5 else WEEKEND.name for d in range(7)},
        calendar={},
        rules=rules,
    )

"""`broadcaster plan` and `broadcaster simulate`: the day programme on the command line."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import Any

from broadcaster.programme.spec import Programme, Timeline
from broadcaster.settings import Settings


def add_commands(commands: Any) -> None:
    for name, help_text in (("plan", "print the timeline of a day"),
                            ("simulate", "rehearse a day on a virtual clock; print the log")):  # fmt: skip
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--date", type=date.fromisoformat, default=None,
                             help="YYYY-MM-DD (default: today in the store's zone)")  # fmt: skip
        command.add_argument("--json", action="store_true", help="machine-readable output")
        command.add_argument("--default", action="store_true",
                             help="use the built-in default programme, not the database")  # fmt: skip
    simulate = commands.choices["simulate"]
    simulate.add_argument("--inject", action="append", default=[], metavar="'HH:MM KIND [ARG]'",
                          help="rehearse an interrupt: '10:15 page', '14:00 emergency 90'")  # fmt: skip


def programme_for(settings: Settings, use_default: bool) -> Programme:
    if use_default:
        from broadcaster.programme.default import default_programme

        return default_programme()
    from sqlmodel import Session

    from broadcaster.db import make_engine
    from broadcaster.programme.crud import load_programme

    engine = make_engine(settings.db_url)
    try:
        with Session(engine) as session:
            return load_programme(session)
    finally:
        engine.dispose()


def run(args: argparse.Namespace, settings: Settings) -> int:
    zone = settings.zone
    day = args.date or datetime.now(zone).date()
    programme = programme_for(settings, args.default)
    if args.command == "plan":
        from broadcaster.programme.planner import plan_day

        timeline = plan_day(programme, day, zone, settings.zone_map)
        print(json.dumps(timeline_json(timeline, settings), ensure_ascii=False, indent=2)
              if args.json else timeline_text(timeline, settings))  # fmt: skip
        return 0
    from broadcaster.daemon import Daemon
    from broadcaster.db import make_engine
    from broadcaster.library.music import build_library
    from broadcaster.programme.simulate import InjectionError, parse_injection, simulate_day
    from broadcaster.scripts.book import ScriptBook, build_renderer

    daemon = Daemon(settings)  # for the tones (made if missing); nothing is started
    daemon.ensure_tones()
    # Scripts are read from the real library (never written) and rendered into the speech cache,
    # as the live daemon would: a simulated day plays the words that would really go out.
    engine = make_engine(settings.db_url)
    renderer = build_renderer(settings, warm=False)  # the worker starts only if a script is new
    scripts = ScriptBook(engine=engine, renderer=renderer, data_dir=settings.data_dir, frozen=True)
    try:
        injections = tuple(parse_injection(text) for text in args.inject)
        result = simulate_day(
            programme, day, zone, data_dir=settings.data_dir, music_dir=settings.music_path,
            chime=daemon.chime, alert=daemon.alert, audio=settings.audio, injections=injections,
            scripts=scripts, library=build_library(settings, engine, seed=0),
            emergency=daemon.emergency, zone_map=settings.zone_map,
        )  # fmt: skip
    except InjectionError as exc:
        print(exc)
        return 2
    finally:
        renderer.close()
        engine.dispose()
    if args.json:
        rows = [row.model_dump(mode="json") for row in result.rows]
        print(json.dumps({"date": day.isoformat(), "rows": rows,
                          "warnings": list(result.timeline.warnings)}, ensure_ascii=False))  # fmt: skip
        return 0
    for row in result.rows:
        print(" ".join([
            _local(row.planned_at, settings), _local(row.started_at, settings),
            _local(row.ended_at, settings), f"{row.kind:<12}", f"{row.outcome or 'on air':<10}",
            row.title, f"({row.detail})" if row.detail else "",
        ]))  # fmt: skip
    print(f"{len(result.rows)} rows; simulated in {result.wall_seconds:.2f} s of wall time")
    return 0


def _local(when: datetime | None, settings: Settings) -> str:
    return when.astimezone(settings.zone).strftime("%H:%M:%S") if when else "--:--:--"


def timeline_text(timeline: Timeline, settings: Settings) -> str:
    head = f"{timeline.day} {timeline.day_type or 'no trading day'}"
    if timeline.opening and timeline.closing:
        head += f" {_local(timeline.opening, settings)}-{_local(timeline.closing, settings)}"
    lines = [f"{head} ({settings.timezone})"]
    zoned = not settings.zone_map.single

    def where(zones: tuple[str, ...]) -> str:  # with zones: where it is heard ("all": every)
        return f"  @{','.join(zones) or 'all'}" if zoned else ""

    for cue in timeline.cues:
        lines.append(f"{_local(cue.planned_at, settings)}  {cue.content.kind.value:<8} "
                     f"{cue.content.title or cue.rule_name}  [{cue.rule_name}]"
                     f"{where(cue.zones)}")  # fmt: skip
    if timeline.dayparts:
        lines.append("music:")
    for part in timeline.dayparts:
        lines.append(
            f"{_local(part.start, settings)}-{_local(part.end, settings)}  {part.playlist}"
            f"{where(part.zones)}"
        )
    lines += [f"conflict: {c.message}" for c in timeline.conflicts]
    lines += [f"warning: {note}" for note in timeline.notes]
    return "\n".join(lines)


def timeline_json(timeline: Timeline, settings: Settings) -> dict[str, Any]:
    def stamp(when: datetime | None) -> dict[str, str] | None:
        if when is None:
            return None
        return {"utc": when.isoformat(), "local": when.astimezone(settings.zone).isoformat()}

    return {
        "date": timeline.day.isoformat(), "day_type": timeline.day_type,
        "opening": stamp(timeline.opening), "closing": stamp(timeline.closing),
        "cues": [{"key": c.key, "rule_id": c.rule_id, "rule": c.rule_name,
                  "planned_at": stamp(c.planned_at), "kind": c.content.kind.value,
                  "ref": c.content.ref, "title": c.content.title, "priority": c.priority,
                  "grace_s": c.grace_s, "cut": c.cut, "zones": list(c.zones)}
                 for c in timeline.cues],
        "dayparts": [{"rule": d.rule_name, "start": stamp(d.start), "end": stamp(d.end),
                      "playlist": d.playlist, "cut": d.cut, "zones": list(d.zones)}
                     for d in timeline.dayparts],
        "conflicts": [{"kind": c.kind.value,
                       "rules": [{"id": r.id, "name": r.name} for r in c.rules],
                       "start": stamp(c.start), "end": stamp(c.end), "cue_keys": list(c.cue_keys),
                       "layer": c.layer or None, "outcome": c.outcome or None,
                       "message": c.message, "message_zh": c.message_zh,
                       "zones": list(c.zones)}
                      for c in timeline.conflicts],
        "warnings": list(timeline.warnings),  # every note, then every conflict, in English
    }  # fmt: skip

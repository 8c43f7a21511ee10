"""The advertisers' proof of play over HTTP: per spot of a campaign (a programme rule) over a
range of the store's days, its totals and each airing; JSON, or CSV a spreadsheet opens."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Query, Request
from fastapi.responses import PlainTextResponse

from api.actor import need
from api.errors import ApiError
from api.web.console import language
from api.zones import ZoneQuery, zone_filter
from broadcaster.actors import Right
from broadcaster.daemon import Daemon
from broadcaster.exports import Lang, local_time, outcome_name, write_csv
from broadcaster.proof import MAX_DAYS, Airing, airings, proof_of_play, spot_rows

AIRING_HEADERS = {
    "zh": ("规则（活动）", "内容", "计划时间", "开始时间", "结束时间", "时长（秒）", "结果", "结果代码",
           "说明", "分区"),
    "en": ("Rule (campaign)", "Spot", "Planned", "Started", "Ended", "Length (s)", "Outcome",
           "Outcome code", "Detail", "Zones"),
}  # fmt: skip


def days_asked(
    today: dt.date, day: dt.date | None, first: dt.date | None, last: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The store's days a report covers: ``day``, or ``from``…``to`` (inclusive), or today."""
    if day is not None and (first is not None or last is not None):
        raise ApiError(422, "invalid_range", "Give either day, or from and to, not both.",
                       "请只填写 day，或只填写 from 和 to。")  # fmt: skip
    if day is not None:
        return day, day
    first = first or last or today
    last = last or first
    if last < first:
        raise ApiError(422, "invalid_range", f"The range ends ({last}) before it starts ({first}).",
                       f"结束日期（{last}）早于开始日期（{first}）。")  # fmt: skip
    if (last - first).days >= MAX_DAYS:
        raise ApiError(422, "invalid_range", f"At most {MAX_DAYS} days in one report.",
                       f"一份报告最多 {MAX_DAYS} 天。")  # fmt: skip
    return first, last


def airings_csv(found: list[Airing], *, zone: ZoneInfo, lang: Lang) -> str:

    def length(a: Airing) -> object:
        if a.started_at and a.ended_at:
            return round((a.ended_at - a.started_at).total_seconds(), 1)
        return ""

    return write_csv(AIRING_HEADERS[lang], (
        (a.rule, a.title, local_time(a.planned_at, zone), local_time(a.started_at, zone),
         local_time(a.ended_at, zone), length(a), outcome_name(a.outcome, lang), a.outcome or "",
         a.detail, a.zones) for a in found
    ))  # fmt: skip


def proof_routes(app: FastAPI, daemon: Daemon) -> None:
    settings = daemon.settings
    First = Annotated[dt.date | None, Query(alias="from", description="first store day")]
    Last = Annotated[dt.date | None, Query(alias="to", description="last store day (inclusive)")]
    Rules = Annotated[list[str] | None, Query(description="campaigns: programme rule names")]

    def today() -> dt.date:
        return daemon.clock.now().astimezone(settings.zone).date()

    @app.get("/api/v1/log/proof-of-play", dependencies=[need(Right.LOG)])
    def proof(
        day: dt.date | None = None,
        first: First = None,
        last: Last = None,
        rule: Rules = None,
        zone: ZoneQuery = None,
    ) -> list[dict[str, Any]]:
        """Per programme spot of ``day`` or of ``from``…``to`` (the store's dates; today by
        default), optionally of some campaigns (``rule``) and as heard in some sound zones
        (``zone``: zone or group ids): planned, played in full, cut short, missed — the
        advertisers' proof of play."""
        first, last = days_asked(today(), day, first, last)
        zones = zone_filter(settings.zone_map, zone)
        return [
            asdict(s)
            for s in proof_of_play(
                spot_rows(daemon.playlog, settings.zone, first, last, rule or [], zones),
                on_time_s=settings.programme.on_time_s,
            )
        ]

    @app.get("/api/v1/log/proof-of-play/airings", dependencies=[need(Right.LOG)],
             response_model=None)  # fmt: skip
    def proof_airings(
        request: Request,
        day: dt.date | None = None,
        first: First = None,
        last: Last = None,
        rule: Rules = None,
        zone: ZoneQuery = None,
        format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    ) -> list[dict[str, Any]] | PlainTextResponse:
        """Each airing of the campaigns' spots over the days (heard in ``zone``, if given):
        planned, started and ended (the store's local time in CSV), outcome, the zones that
        heard it — the evidence an advertiser is given."""
        first, last = days_asked(today(), day, first, last)
        zones = zone_filter(settings.zone_map, zone)
        found = airings(spot_rows(daemon.playlog, settings.zone, first, last, rule or [], zones))
        if format == "csv":
            name = f"proof-of-play-{first}-{last}.csv"
            return PlainTextResponse(
                airings_csv(found, zone=settings.zone, lang=language(request)),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )  # fmt: skip
        return [asdict(a) for a in found]

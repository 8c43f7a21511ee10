"""The supervisor's play log: a day's rows, filtered, with the proof of play per spot."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
import datetime as dt
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.database import Db
from api.web.console import Console, NavEntry, day_param
from api.web.text import LANGUAGES, Words
from broadcaster.actors import Right
from broadcaster.clock import day_bounds
from broadcaster.exports import KIND_NAMES, OUTCOME_NAMES
from broadcaster.playlog import LogKind, Outcome
from broadcaster.programme import crud as programme_crud
from broadcaster.proof import MAX_DAYS, airings, proof_of_play, spot_rows

NAV: tuple[NavEntry, ...] = (("/supervisor/log", "log_page", Right.LOG),)
_PAGE_WORDS: Words = {
    "zh": {"lg_proof_print": "打印广告播出证明", "lg_campaign": "活动（规则）", "lg_from": "从",
           "lg_to": "到", "lg_all_campaigns": "全部活动", "lg_proof_title": "广告播出证明",
           "lg_period": "期间", "lg_made": "生成时间", "lg_airings": "逐次播出记录",
           "lg_length": "时长（秒）", "lg_csv_airings": "导出逐次记录 CSV",
           "lg_sign": "商场广播室（签章）", "lg_zone": "时间为商场当地时间",
           "lg_late": "迟播", "lg_late_by": "迟 %d 秒"},
    "en": {"lg_proof_print": "Print the proof of play", "lg_campaign": "Campaign (rule)",
           "lg_from": "From", "lg_to": "to", "lg_all_campaigns": "all campaigns",
           "lg_proof_title": "Proof of play", "lg_period": "Period", "lg_made": "Made at",
           "lg_airings": "Each airing", "lg_length": "Length (s)",
           "lg_csv_airings": "Export the airings as CSV", "lg_sign": "Broadcast room (stamp)",
           "lg_zone": "times in the store's local time", "lg_late": "late",
           "lg_late_by": "late %d s"},
}  # fmt: skip
WORDS: Words = {
    lang: {
        **{f"kind_{code}": name for code, name in KIND_NAMES[lang].items()},
        **{f"outcome_{code}": name for code, name in OUTCOME_NAMES[lang].items() if code},
        "lg_now": OUTCOME_NAMES[lang][""],
        **_PAGE_WORDS[lang],
    }
    for lang in LANGUAGES
}
KINDS = [k.value for k in LogKind]
OUTCOMES = [o.value for o in Outcome]


def pages(console: Console) -> APIRouter:
    router = APIRouter()
    daemon = console.daemon

    @router.get("/supervisor/log", response_class=HTMLResponse)
    def play_log(request: Request, day: str = "", kind: str = "", outcome: str = "") -> Response:
        """The play log of a day, filtered, with the proof of play per spot; printable."""
        zone = daemon.settings.zone
        today = console.now().astimezone(zone).date()
        try:
            chosen = date.fromisoformat(day) if day else today
        except ValueError:
            chosen = today
        kinds = [kind] if kind in KINDS else []
        outcomes = [outcome] if outcome in OUTCOMES else []
        since, until = day_bounds(chosen, zone)
        rows = daemon.playlog.query(since=since, until=until, kinds=kinds, outcomes=outcomes,
                                    limit=5000)  # fmt: skip
        proof = proof_of_play(
            daemon.playlog.query(since=since, until=until, limit=100_000),
            on_time_s=daemon.settings.programme.on_time_s,
        )
        csv = "/api/v1/log?" + urlencode({"since": since.isoformat(), "until": until.isoformat(),
                                          "format": "csv", "limit": 10000, "order": "asc",
                                          **({"kind": kind} if kinds else {}),
                                          **({"outcome": outcome} if outcomes else {})})  # fmt: skip
        return console.page(request, Right.LOG, "log.html", rows=rows, proof=proof, day=chosen,
                            kind=kind, outcome=outcome, kinds=KINDS, outcomes=OUTCOMES, csv=csv,
                            local=console.local("%H:%M:%S"))  # fmt: skip

    @router.get("/supervisor/log/proof", response_class=HTMLResponse)
    def proof_page(request: Request, db: Db, start: str = "", end: str = "",
                   rule: str = "") -> Response:  # fmt: skip
        """The advertiser's proof of play for a campaign (a programme rule) over a range of the
        store's days: totals per spot and each airing; printable."""
        zone = daemon.settings.zone
        today = console.now().astimezone(zone).date()
        first, last = day_param(start, today), day_param(end, today)
        first, last = min(first, last), max(first, last)
        first = max(first, last - dt.timedelta(days=MAX_DAYS - 1))
        rules = [rule] if rule else []
        rows = spot_rows(daemon.playlog, zone, first, last, rules)
        names = sorted({r.name for r in programme_crud.list_rules(db) if r.kind != "daypart"})
        query = {"from": first.isoformat(), "to": last.isoformat(), "format": "csv",
                 **({"rule": rule} if rule else {})}  # fmt: skip
        return console.page(request, Right.LOG, "proof.html", first=first, last=last, rule=rule,
                            rules=names, proof=proof_of_play(rows, on_time_s=daemon.settings.programme.on_time_s),
                            airings=airings(rows),
                            made=console.now(), local=console.local("%Y-%m-%d %H:%M:%S"),
                            zone=zone.key,
                            csv="/api/v1/log/proof-of-play/airings?" + urlencode(query))  # fmt: skip

    return router

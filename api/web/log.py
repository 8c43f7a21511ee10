"""The supervisor's play log: a day's rows, filtered, with the proof of play per spot."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.console import Console, NavEntry
from api.web.text import Words
from broadcaster.actors import Right
from broadcaster.clock import day_bounds
from broadcaster.playlog import Outcome
from broadcaster.proof import proof_of_play
from broadcaster.requests import Kind

NAV: tuple[NavEntry, ...] = (("/supervisor/log", "log_page", Right.LOG),)
WORDS: Words = {
    "zh": {"kind_music": "背景音乐", "kind_announcement": "播音", "kind_page": "寻人寻物",
           "kind_emergency": "紧急广播", "outcome_completed": "完整播出", "outcome_preempted": "被打断",
           "outcome_failed": "失败", "outcome_expired": "过期未播", "outcome_skipped": "跳过",
           "outcome_cancelled": "已撤销", "outcome_missed": "未播出", "lg_now": "播出中",
           "kind_fault": "音频故障", "outcome_recovered": "已恢复", "lg_late": "迟播",
           "lg_late_by": "迟 %d 秒"},
    "en": {"kind_music": "music", "kind_announcement": "announcement", "kind_page": "page",
           "kind_emergency": "emergency", "outcome_completed": "completed",
           "outcome_preempted": "preempted", "outcome_failed": "failed", "outcome_expired": "expired",
           "outcome_skipped": "skipped", "outcome_cancelled": "cancelled", "outcome_missed": "missed",
           "kind_fault": "audio fault", "outcome_recovered": "recovered",
           "lg_now": "on air", "lg_late": "late", "lg_late_by": "late %d s"},
}  # fmt: skip
KINDS = [k.value for k in Kind] + ["music", "fault"]
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
                                          "format": "csv", "limit": 10000,
                                          **({"kind": kind} if kinds else {}),
                                          **({"outcome": outcome} if outcomes else {})})  # fmt: skip
        return console.page(request, Right.LOG, "log.html", rows=rows, proof=proof, day=chosen,
                            kind=kind, outcome=outcome, kinds=KINDS, outcomes=OUTCOMES, csv=csv,
                            local=console.local("%H:%M:%S"))  # fmt: skip

    return router

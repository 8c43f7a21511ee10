"""Who asks for a change: a name for the record and a role for what they may do.

The broadcast room's three users (announcer, service desk, supervisor), an admin, and the system itself (the demo, the programme). The
one table of rights (``RIGHTS``) says what each role may do; the HTTP face authenticates the
caller (broadcaster.accounts: a log-in session or an API key) and checks the right each route
needs, and the crud modules check again where a rule is theirs (only a supervisor approves).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SERVICE_DESK = "service_desk"
    ANNOUNCER = "announcer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SYSTEM = "system"  # the daemon itself: the demo's starter library, the programme


ROLE_ZH = {Role.SERVICE_DESK: "服务台", Role.ANNOUNCER: "播音员", Role.SUPERVISOR: "客服主管",
           Role.ADMIN: "管理员", Role.SYSTEM: "系统"}  # fmt: skip


class Right(StrEnum):
    """What a person (or an integration's API key) may do; each route needs exactly one."""

    STATUS = "status"  # what is on air, now playing, live events
    PAGES = "pages"  # lost-and-found notices: create, preview, resolve, cancel, history
    ANNOUNCE = "announce"  # queue and cancel announcements, read and play approved scripts
    EMERGENCY = "emergency"  # start and clear an emergency
    HANDOVER = "handover"  # shifts: start one, write its notes, hand over, confirm; its play log
    PROGRAMME = "programme"  # the day programme: rules, dayparts, day types, calendar
    SCRIPTS = "scripts"  # write, archive and approve scripts, upload recordings
    MUSIC = "music"  # the music library: playlists, imports, scans
    LOG = "log"  # the play log and its reports
    USERS = "users"  # accounts, API keys, the audit trail
    SETTINGS = "settings"


_DESK = {Right.STATUS, Right.PAGES}
_ANNOUNCER = _DESK | {Right.ANNOUNCE, Right.EMERGENCY, Right.HANDOVER}
_SUPERVISOR = _ANNOUNCER | {Right.PROGRAMME, Right.SCRIPTS, Right.MUSIC, Right.LOG}
RIGHTS: dict[Role, frozenset[Right]] = {
    Role.SERVICE_DESK: frozenset(_DESK),
    Role.ANNOUNCER: frozenset(_ANNOUNCER),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMIN: frozenset(Right),
    Role.SYSTEM: frozenset(Right),
}
"""The one table of rights: each role has its own and every right of the roles below it."""


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    scopes: frozenset[Right] | None = None  # an API key narrowed to these rights

    def __str__(self) -> str:
        return f"{self.name} ({self.role.value})"

    @property
    def rights(self) -> frozenset[Right]:
        own = RIGHTS[self.role]
        return own if self.scopes is None else own & self.scopes

    def may(self, right: Right) -> bool:
        return right in self.rights

    @property
    def may_approve(self) -> bool:
        """Only a supervisor (or an admin) approves scripts; the system does for the starter
        library."""
        return self.may(Right.SCRIPTS)


SYSTEM = Actor("broadcaster", Role.SYSTEM)

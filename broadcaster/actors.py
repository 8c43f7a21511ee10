"""Who asks for a change: a name for the record and a role for what they may do.

The three users of DOMAIN.md plus the system itself (the demo, the programme). Until the web
console brings accounts and log-in, the HTTP face takes the actor from request headers on the
loopback interface only (see api/actor.py); the rules of who may do what live here and in the
crud modules, so they hold whatever authenticates the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ANNOUNCER = "announcer"
    SERVICE_DESK = "service_desk"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"  # the daemon itself: the demo's starter library, the programme


ROLE_ZH = {Role.ANNOUNCER: "播音员", Role.SERVICE_DESK: "服务台", Role.SUPERVISOR: "客服主管",
           Role.SYSTEM: "系统"}  # fmt: skip


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role

    def __str__(self) -> str:
        return f"{self.name} ({self.role.value})"

    @property
    def may_approve(self) -> bool:
        """Only a supervisor approves scripts (the system does for the starter library)."""
        return self.role in (Role.SUPERVISOR, Role.SYSTEM)

    @property
    def may_manage_music(self) -> bool:
        """Playlists and library scans are the supervisor's (issue 6 adds admins)."""
        return self.role in (Role.SUPERVISOR, Role.SYSTEM)


SYSTEM = Actor("broadcaster", Role.SYSTEM)

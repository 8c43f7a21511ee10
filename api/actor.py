"""Who is asking, until the web console brings accounts: two request headers.

``X-Broadcaster-User`` (a name for the record) and ``X-Broadcaster-Role`` (announcer,
service_desk, supervisor). Without them a caller is an announcer named "api". This identifies,
it does not authenticate: the server listens on the loopback interface only (api.cli refuses
anything else) until log-in arrives with the web console.
"""

# No ``from __future__ import annotations``: FastAPI reads the dependency's annotations.
from typing import Annotated

from fastapi import Depends, Header

from api.errors import ApiError
from broadcaster.actors import Actor, Role

NAME_MAX = 60


def current_actor(
    x_broadcaster_user: Annotated[str | None, Header(max_length=NAME_MAX)] = None,
    x_broadcaster_role: Annotated[str | None, Header(max_length=20)] = None,
) -> Actor:
    try:
        role = Role(x_broadcaster_role or Role.ANNOUNCER.value)
    except ValueError:
        role = None
    if role is None or role is Role.SYSTEM:
        allowed = ", ".join(r.value for r in Role if r is not Role.SYSTEM)
        raise ApiError(403, "unknown_role", f"Unknown role; use one of: {allowed}.",
                       f"未知角色，可用：{allowed}。")  # fmt: skip
    name = (x_broadcaster_user or "api").strip()
    if not name or any(ord(c) < 32 for c in name):
        raise ApiError(422, "bad_user", "The user name is empty or invalid.", "用户名为空或无效。")
    return Actor(name, role)


CurrentActor = Annotated[Actor, Depends(current_actor)]

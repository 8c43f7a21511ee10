"""The admin's page: accounts, API keys and the latest audit entries."""

# No ``from __future__ import annotations``: FastAPI reads the route annotations.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.database import Db
from api.web.console import Console, NavEntry, language
from api.web.text import LANGUAGES, Words
from broadcaster.accounts import crud
from broadcaster.actors import ROLE_ZH, Right, Role

NAV: tuple[NavEntry, ...] = (("/admin", "admin_page", Right.USERS),)
RIGHT_NAMES: Words = {
    "zh": {"status": "查看状态", "pages": "寻人寻物", "announce": "播音", "emergency": "紧急广播",
           "handover": "交接班",
           "programme": "节目单", "scripts": "稿件", "music": "音乐", "log": "播出记录",
           "users": "账号", "settings": "设置"},
    "en": {"status": "status", "pages": "lost and found", "announce": "announce",
           "emergency": "emergency", "handover": "shift handover", "programme": "programme",
           "scripts": "scripts",
           "music": "music", "log": "play log", "users": "accounts", "settings": "settings"},
}  # fmt: skip
"""How the page names each right (a key's scopes)."""
_PAGE_WORDS: Words = {
    "zh": {"ad_all_rights": "该账号的全部权限", "ad_edit": "修改", "ad_edit_user": "修改账号",
           "ad_new_password": "新密码", "ad_keep_password": "留空则不修改",
           "ad_relogin": "修改角色或密码后，该账号需要重新登录。"},
    "en": {"ad_all_rights": "all of the account's rights", "ad_edit": "Edit",
           "ad_edit_user": "Edit account", "ad_new_password": "New password",
           "ad_keep_password": "leave empty to keep it",
           "ad_relogin": "After a change of role or password the account logs in again."},
}  # fmt: skip
WORDS: Words = {
    lang: {**_PAGE_WORDS[lang], **{f"right_{r}": name for r, name in RIGHT_NAMES[lang].items()}}
    for lang in LANGUAGES
}


def pages(console: Console) -> APIRouter:
    router = APIRouter()

    @router.get("/admin", response_class=HTMLResponse)
    def admin(request: Request, db: Db) -> Response:
        """Accounts, API keys and the latest audit entries; changes go through the JSON API."""
        users = crud.list_users(db)
        zh = language(request) == "zh"
        roles = [r for r in Role if r is not Role.SYSTEM]
        role_names = {r.value: ROLE_ZH[r] if zh else r.value.replace("_", " ") for r in roles}
        return console.page(request, Right.USERS, "admin.html", users=users,
                            keys=crud.list_keys(db), names={u.id: u.name for u in users},
                            trail=crud.audit_trail(db, limit=50),
                            local=console.local("%m-%d %H:%M"),
                            roles=[r.value for r in roles], role_names=role_names,
                            rights=[r.value for r in Right])  # fmt: skip

    return router

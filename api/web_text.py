"""The console's words in Simplified Chinese (the default) and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]

TEXT: dict[Language, dict[str, str]] = {
    "zh": {
        "app": "商场广播室", "login": "登录", "name": "用户名", "password": "密码",
        "bad_login": "用户名或密码错误。", "too_many": "登录失败次数过多，请稍后再试。",
        "logout": "退出", "switch": "English", "switch_lang": "en",
        "desk": "服务台 · 寻人寻物", "new_notice": "新建广播", "send": "播出",
        "bilingual": "中英双语", "times": "播放次数", "every": "间隔（分钟）",
        "active": "最近的广播", "history": "今日记录", "found": "已找到", "cancel": "撤销",
        "none": "目前没有寻人寻物广播。", "plays": "已播", "status_active": "广播中",
        "status_resolved": "已找到", "status_cancelled": "已撤销", "status_finished": "已播完",
        "sent": "已提交，即将播出。", "forbidden": "您的角色无权打开此页面。",
        "back": "返回", "required": "必填", "live": "实时", "listen": "试听",
    },
    "en": {
        "app": "Mall broadcast room", "login": "Log in", "name": "Name", "password": "Password",
        "bad_login": "Wrong name or password.", "too_many": "Too many failed log-ins; wait a few minutes.",
        "logout": "Log out", "switch": "中文", "switch_lang": "zh",
        "desk": "Service desk · Lost and found", "new_notice": "New notice", "send": "Broadcast",
        "bilingual": "Chinese and English", "times": "Plays", "every": "Every (minutes)",
        "active": "Recent notices", "history": "Today", "found": "Found", "cancel": "Cancel",
        "none": "No lost-and-found notices right now.", "plays": "played", "status_active": "on air",
        "status_resolved": "found", "status_cancelled": "cancelled", "status_finished": "finished",
        "sent": "Sent: it goes on air in a moment.", "forbidden": "Your role may not open this page.",
        "back": "Back", "required": "required", "live": "live", "listen": "Listen first",
    },
}  # fmt: skip

"""The console's words in Simplified Chinese (the default) and English.

``COMMON`` holds the words of the frame and of the first pages; each page module may bring its
own ``WORDS`` ({"zh": {...}, "en": {...}}), merged with ``merge``, which refuses a key given
twice or missing from one language (so a page never shows a bare key).
"""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
Words = dict[Language, dict[str, str]]
"""A page's words: {"zh": {key: text}, "en": {key: text}}."""

COMMON: Words = {
    "zh": {
        "app": "商场广播室", "login": "登录", "name": "用户名", "password": "密码",
        "bad_login": "用户名或密码错误。", "too_many": "登录失败次数过多，请稍后再试。",
        "logout": "退出", "switch": "English", "switch_lang": "en",
        "desk": "服务台 · 寻人寻物", "new_notice": "新建广播", "send": "播出",
        "bilingual": "中英双语", "times": "播放次数", "every": "间隔（分钟）",
        "active": "最近的广播", "history": "今日记录", "found": "已找到", "cancel": "撤销",
        "found_finish": "找到了，播完这一遍", "on_behalf": "代谁登记（可选，如顾客姓名）",
        "for_whom": "代", "will_read": "将播读：",
        "none": "目前没有寻人寻物广播。", "plays": "已播", "status_active": "广播中",
        "status_resolved": "已找到", "status_cancelled": "已撤销", "status_finished": "已播完",
        "sent": "已提交，即将播出。", "forbidden": "您的角色无权打开此页面。",
        "back": "返回", "required": "必填", "live": "实时", "listen": "试听",
        "announcer": "播音员", "desk_short": "服务台", "log_page": "播出记录", "admin_page": "账号管理",
        "users": "账号", "add_user": "添加账号", "role": "角色", "active_q": "状态", "enabled": "启用",
        "disabled": "已停用", "disable": "停用", "enable": "启用", "last_login": "最近登录",
        "api_keys": "接口密钥", "add_key": "新建密钥", "label": "用途", "for_user": "账号", "scopes": "权限范围",
        "revoke": "撤销", "revoked": "已撤销", "key_once": "请立即复制保存，此密钥不会再次显示：",
        "audit": "操作审计", "when": "时间", "who": "操作人", "what": "操作", "status_code": "结果", "save": "保存",
        "log_title": "播出记录与播出证明", "day": "日期", "kind": "类型", "outcome": "结果", "all": "全部",
        "filter": "筛选", "csv": "导出 CSV", "print": "打印", "proof": "广告播出证明",
        "rule": "规则", "spot": "内容", "planned": "计划", "played": "完整播出", "cut": "被打断",
        "missed_n": "未播出", "planned_at": "计划时间", "started": "开始", "ended": "结束",
        "title": "标题", "by": "请求者", "detail": "说明", "rows": "条记录", "no_rows": "这一天没有记录。", "on_air": "正在播出", "music": "背景音乐", "voice": "语音",
        "ducked": "已压低", "stopped": "已停止", "queue": "待播队列", "queue_empty": "队列为空。",
        "next": "节目单接下来", "scripts": "稿件库", "search": "搜索稿件", "queue_it": "排队播出",
        "emergency": "紧急广播", "emergency_confirm": "确定要开始紧急广播吗？背景音乐将停止，警报和通知会反复播放，直到解除。",
        "emergency_on": "紧急广播进行中", "emergency_clear": "解除紧急广播",
        "fault_on": "故障：",
        "emergency_clear_confirm": "确定解除紧急广播吗？", "queued": "已加入队列。", "nothing": "无",
        "emergency_clear_where": "解除的范围：上方“紧急广播范围”所选（可只解除部分分区）",
        "zones": "各分区", "zones_where": "播出分区", "zones_all": "全部分区",
        "zones_emergency": "紧急广播范围（开始或解除）", "zones_groups": "分组", "zones_each": "分区",
        "zone_emergency": "紧急", "zone_fault": "故障",
    },
    "en": {
        "app": "Mall broadcast room", "login": "Log in", "name": "Name", "password": "Password",
        "bad_login": "Wrong name or password.", "too_many": "Too many failed log-ins; wait a few minutes.",
        "logout": "Log out", "switch": "中文", "switch_lang": "zh",
        "desk": "Service desk · Lost and found", "new_notice": "New notice", "send": "Broadcast",
        "bilingual": "Chinese and English", "times": "Plays", "every": "Every (minutes)",
        "active": "Recent notices", "history": "Today", "found": "Found", "cancel": "Cancel",
        "found_finish": "Found: let this play finish", "on_behalf": "On behalf of (optional, e.g. the customer)",
        "for_whom": "for", "will_read": "Will read:",
        "none": "No lost-and-found notices right now.", "plays": "played", "status_active": "on air",
        "status_resolved": "found", "status_cancelled": "cancelled", "status_finished": "finished",
        "sent": "Sent: it goes on air in a moment.", "forbidden": "Your role may not open this page.",
        "back": "Back", "required": "required", "live": "live", "listen": "Listen first",
        "announcer": "Announcer", "desk_short": "Service desk", "log_page": "Play log", "admin_page": "Accounts",
        "users": "Accounts", "add_user": "Add an account", "role": "Role", "active_q": "State", "enabled": "active",
        "disabled": "disabled", "disable": "Disable", "enable": "Enable", "last_login": "Last log-in",
        "api_keys": "API keys", "add_key": "New key", "label": "For", "for_user": "Account", "scopes": "Scopes",
        "revoke": "Revoke", "revoked": "revoked", "key_once": "Copy it now; the key is not shown again:",
        "audit": "Audit trail", "when": "When", "who": "Who", "what": "What", "status_code": "Result", "save": "Save",
        "log_title": "Play log and proof of play", "day": "Date", "kind": "Kind", "outcome": "Outcome", "all": "all",
        "filter": "Filter", "csv": "Export CSV", "print": "Print", "proof": "Proof of play per spot",
        "rule": "Rule", "spot": "Spot", "planned": "Planned", "played": "Played in full", "cut": "Cut short",
        "missed_n": "Missed", "planned_at": "Planned", "started": "Started", "ended": "Ended",
        "title": "Title", "by": "Asked by", "detail": "Detail", "rows": "rows", "no_rows": "Nothing logged that day.", "on_air": "On air", "music": "Music", "voice": "Voice",
        "ducked": "ducked", "stopped": "stopped", "queue": "Queue", "queue_empty": "The queue is empty.",
        "next": "Programme next", "scripts": "Scripts", "search": "Search scripts", "queue_it": "Queue",
        "emergency": "EMERGENCY", "emergency_confirm": "Start an emergency broadcast? The music stops and the alert and notice repeat until it is cleared.",
        "emergency_on": "Emergency on air", "emergency_clear": "Clear the emergency",
        "fault_on": "Fault: ",
        "emergency_clear_confirm": "Clear the emergency?", "queued": "Queued.", "nothing": "none",
        "emergency_clear_where": "Clears it where chosen above under Emergency zones (some zones only, if you like)",
        "zones": "Zones", "zones_where": "Zones", "zones_all": "All zones",
        "zones_emergency": "Emergency zones (to start or to clear)", "zones_groups": "Groups", "zones_each": "Zones",
        "zone_emergency": "emergency", "zone_fault": "fault",
    },
}  # fmt: skip


def merge(*parts: Words) -> Words:
    """All the words, by language, from ``COMMON`` and the pages' own ``WORDS``."""
    merged: Words = {"zh": {}, "en": {}}
    for part in (COMMON, *parts):
        for lang in LANGUAGES:
            clash = merged[lang].keys() & part[lang].keys()
            if clash:
                raise ValueError(f"console words given twice: {sorted(clash)}")
            merged[lang].update(part[lang])
    missing = merged["zh"].keys() ^ merged["en"].keys()
    if missing:
        raise ValueError(f"console words in one language only: {sorted(missing)}")
    return merged

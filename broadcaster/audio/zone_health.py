"""Is a remote zone heard? Pure rules over what its parts report, so they are tested as a table.

A zone is at fault when its server is down, its feed has stopped moving sound, or no player at
the amplifier has been connected for ``NO_PLAYER_GRACE_S`` (a player that restarts reconnects
within a few seconds, and a zone just started waits that long for its first). The texts say what
happened and what to do, English then Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

STALLED_AFTER_S = 3.0
NO_PLAYER_GRACE_S = 6.0


@dataclass(frozen=True)
class ZoneReport:
    zone: str
    server_running: bool
    server_answers: bool
    players_connected: int
    feed_stalled_s: float
    no_player_s: float  # how long no player has been connected (0 while one is)


def zone_fault(report: ZoneReport) -> str | None:
    """The fault a person must know of, or None while the zone is heard."""
    zone = report.zone
    if not report.server_running:
        return (f"Zone {zone}: its Snapcast server stopped; it is being started again. / "
                f"分区 {zone}：Snapcast 服务已停止，正在重新启动。")  # fmt: skip
    if report.feed_stalled_s > STALLED_AFTER_S:
        return (f"Zone {zone}: no sound has gone to its players for "
                f"{report.feed_stalled_s:.0f} s (the sound server or the feed stopped); "
                "reconnecting. / "
                f"分区 {zone}：已有 {report.feed_stalled_s:.0f} 秒没有声音送往播放器"
                "（声音服务或传输中断），正在重新连接。")  # fmt: skip
    if report.server_answers and report.no_player_s > NO_PLAYER_GRACE_S:
        return (f"Zone {zone}: no player is connected (for {report.no_player_s:.0f} s): check "
                "the player at the amplifier, its power and network cable. / "
                f"分区 {zone}：没有播放器连接（已 {report.no_player_s:.0f} 秒），"
                "请检查功放处播放器的电源和网线。")  # fmt: skip
    return None

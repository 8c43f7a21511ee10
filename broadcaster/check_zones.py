"""``broadcaster check``: are the configured zones' outputs there? Each local zone's PulseAudio
sink must exist (a remap sink not loaded, a card unplugged: that floor would be silent), and a
store with Snapcast zones needs ``snapserver``. A store with nothing configured has nothing to
check here."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

from broadcaster.check import Finding, Status
from broadcaster.settings import Settings


def pulse_sinks() -> list[str] | None:
    """The sound server's sinks, or None when no server answers."""
    if shutil.which("pactl") is None:
        return None
    try:
        reply = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True,
                               text=True, timeout=5, check=True)  # fmt: skip
    except (subprocess.SubprocessError, OSError):
        return None
    return [line.split("\t")[1] for line in reply.stdout.splitlines() if "\t" in line]


def check_zones(settings: Settings) -> Iterator[Finding]:
    zones = settings.zone_map
    if zones.single:
        return
    remote = [z.id for z in zones if z.output == "snapcast"]
    if remote and shutil.which("snapserver") is None:
        yield Finding("zones", Status.FAIL,
                      f"snapserver is missing: remote zones {', '.join(remote)} cannot be fed",
                      f"缺少 snapserver：远程分区 {'、'.join(remote)} 无法送音",
                      "apt-get install snapserver", "apt-get install snapserver")  # fmt: skip
    named = {z.id: z.sink for z in zones if z.output == "local" and z.sink}
    if not named:
        yield Finding("zones", Status.OK, f"{len(zones.zones)} zones configured",
                      f"已配置 {len(zones.zones)} 个分区")  # fmt: skip
        return
    sinks = pulse_sinks()
    if sinks is None:
        yield Finding("zones", Status.WARN, "no PulseAudio server answers: zone sinks unchecked",
                      "PulseAudio 无响应：未能检查分区的输出设备",
                      "start PulseAudio (the service's broadcaster-pulse)",
                      "请启动 PulseAudio（服务 broadcaster-pulse）")  # fmt: skip
        return
    missing = {zone: sink for zone, sink in named.items() if sink not in sinks}
    if missing:
        listed = ", ".join(f"{zone} → {sink}" for zone, sink in missing.items())
        yield Finding("zones", Status.FAIL, f"zone sinks not found: {listed}; there are: "
                      f"{', '.join(sinks) or 'none'}",
                      f"找不到分区的输出设备：{listed}；现有：{'、'.join(sinks) or '无'}",
                      "load the sinks (README: Sound zones, module-remap-sink), or fix the names",
                      "加载这些输出设备（见 README「分区」的 module-remap-sink），或改正名称")  # fmt: skip
    else:
        yield Finding("zones", Status.OK, f"{len(zones.zones)} zones; their sinks are there",
                      f"{len(zones.zones)} 个分区；输出设备均已找到")  # fmt: skip

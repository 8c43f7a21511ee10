"""Is the output heard? The policy for a lost sound output, as pure logic tested by a table.

The VLC output tells an ``OutputHealth`` what it observes (the sinks found when it opened, new
audio buffers decoded and played, what the sound server answered) and asks it every 50 ms with
``check``, which answers with values: the fault a person must see now (or None), whether the
fault changed since it was last told, whether to reopen the output now and when the next reopen
is due, and the lines to log. No libvlc, no threads, no PulseAudio here: times are the caller's
monotonic seconds, and the caller serialises the calls (the output holds its lock).

The policy:
1. Four faults, each with its text in English then Chinese (the console's banner shows the half
   in the page's language): ``silent`` (VLC decodes audio but plays none: the device did not
   open), ``device`` (the configured PulseAudio sink is not among the server's sinks),
   ``server`` (PulseAudio does not answer) and ``stream`` (PulseAudio answers but has lost the
   stream of an item that has played for ``STREAM_SETTLE_S``). Several faults are shown joined
   by " | ", in the order they arose.
2. Sound played clears ``silent`` and ``device`` (a missing sink plays nothing, measured). The
   server's answers count from the start for an output set to play through PulseAudio
   (``pulse=True``: a server that is not there, or dies before it was first asked, is a fault);
   otherwise only once it has been seen playing a stream of ours: a server that ``pactl``
   cannot reach, or that VLC does not play through, is not this output's.
3. While any fault holds the output is reopened: first ``REOPEN_AFTER_S`` after the fault began
   (a passing fault mends itself), then waiting twice as long each time up to ``REOPEN_MAX_S``;
   at once when the server answers again.
4. The fault is logged when it begins (ERROR), at each reopen and when the sound is back
   (WARNING, with how long it lasted and how many reopens it took). A fault that comes back
   after the sound was back is a new outage: logged again, the back-off from the start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from broadcaster.audio.pulse_probe import Heard

REOPEN_AFTER_S, REOPEN_MAX_S = 2.0, 30.0  # the first reopen, then doubling up to the most
STREAM_SETTLE_S = 1.5  # an item playing this long has its stream on the server

SILENT_FAULT = (
    "No sound is reaching the speakers: VLC could not open the audio output ({where}); it "
    "decodes audio but plays none. Check that the sound server (PulseAudio) runs and the sink "
    "exists. / 扬声器没有声音：VLC 无法打开音频输出（{where}），音频已解码但没有播放。"
    "请检查声音服务（PulseAudio）是否运行、输出设备是否存在。"
)
SERVER_FAULT = (
    "The sound server (PulseAudio) does not answer: nothing reaches the speakers. The daemon "
    "keeps trying to reconnect; check `systemctl status broadcaster-pulse`. / 声音服务"
    "（PulseAudio）没有响应，扬声器没有声音。系统正在自动重连；请检查 `systemctl status "
    "broadcaster-pulse`。"
)
STREAM_FAULT = (
    "The sound server lost this daemon's sound (it restarted?): nothing reaches the speakers. "
    "The daemon is reconnecting. / 声音服务丢失了本系统的声音（可能重启过），扬声器没有声音，"
    "系统正在重新连接。"
)
DEVICE_FAULT = (
    "PulseAudio sink {device!r} was not found (available: {found}); sound goes nowhere. / "
    "找不到 PulseAudio 输出设备 {device!r}（可用：{found}），声音无法播出。"
)


class Fault(StrEnum):
    SILENT = "silent"
    DEVICE = "device"
    SERVER = "server"
    STREAM = "stream"


REOPENABLE = (Fault.SILENT, Fault.DEVICE, Fault.SERVER, Fault.STREAM)  # a new player may mend


@dataclass(frozen=True)
class LogLine:
    level: int  # logging.ERROR or logging.WARNING
    message: str


@dataclass(frozen=True)
class Verdict:
    """What ``check`` answers."""

    fault: str | None  # the fault a person must see now, or None while sound is heard
    changed: bool  # ``fault`` differs from the last verdict's: tell the core (a FAULT event)
    reopen: bool  # reopen the output now
    reopen_at: float | None  # when the next reopen is due while the fault holds
    log: tuple[LogLine, ...] = ()


class OutputHealth:
    """The fault state of one output; see the module's docstring for the policy."""

    def __init__(self, *, where: str, device: str | None = None, pulse: bool = False) -> None:
        """``where`` names the output in the ``silent`` text (e.g. "aout=pulse, device=x");
        ``device`` is the PulseAudio sink asked for, if one was; ``pulse``: the output is set to
        play through PulseAudio (rule 2)."""
        self._where, self._device = where, device
        self._faults: dict[Fault, str] = {}
        self._server_ours = pulse  # set to PulseAudio, or the probe has heard a stream of ours
        self._since: float | None = None  # the outage began (when first checked)
        self._reopen_at, self._wait, self._reopens = 0.0, REOPEN_AFTER_S, 0
        self._told: str | None = None  # the fault of the last verdict

    # -- observations ---------------------------------------------------------------------
    def devices(self, found: list[str]) -> None:
        """The sinks the server listed when the output (re)opened."""
        if self._device is not None and self._device not in found:
            self._faults[Fault.DEVICE] = DEVICE_FAULT.format(device=self._device, found=found)

    def sound(self, *, decoded: int, played: int) -> None:
        """Audio buffers decoded and played since the last observation of a playing item."""
        if played > 0:
            self._faults.pop(Fault.SILENT, None)
            self._faults.pop(Fault.DEVICE, None)
        elif decoded > 0:
            self._faults[Fault.SILENT] = SILENT_FAULT.format(where=self._where)

    def heard(self, heard: Heard, *, now: float, playing_since: float | None) -> None:
        """What the sound server answered; ``playing_since`` is when the longest-playing
        started item began to play (None when nothing plays)."""
        self._server_ours = self._server_ours or heard is Heard.STREAM
        if not self._server_ours:
            return
        if heard is Heard.NO_SERVER:
            self._faults[Fault.SERVER] = SERVER_FAULT
            return
        if self._faults.pop(Fault.SERVER, None) is not None:
            self._reopen_at = now  # the server is back: reconnect now, not after the wait
        if heard is Heard.STREAM:
            self._faults.pop(Fault.STREAM, None)
        elif playing_since is not None and now - playing_since > STREAM_SETTLE_S:
            self._faults[Fault.STREAM] = STREAM_FAULT

    # -- answers --------------------------------------------------------------------------
    def fault(self) -> str | None:
        """The fault a person must see now, or None."""
        return " | ".join(self._faults.values()) or None

    def check(self, now: float) -> Verdict:
        """The verdict at ``now``: the fault, and whether to reopen (rules 3 and 4)."""
        fault = self.fault()
        changed, self._told = fault != self._told, fault
        lost = [key for key in REOPENABLE if key in self._faults]
        if not lost:
            if self._since is None:
                return Verdict(fault, changed, reopen=False, reopen_at=None)
            back = LogLine(logging.WARNING, f"audio output: sound is back after "
                           f"{now - self._since:.1f} s ({self._reopens} reopen(s))")  # fmt: skip
            self._since, self._reopens = None, 0
            return Verdict(fault, changed, reopen=False, reopen_at=None, log=(back,))
        if self._since is None:
            text = " | ".join(self._faults[key] for key in lost)
            self._since, self._reopen_at, self._wait = now, now + REOPEN_AFTER_S, REOPEN_AFTER_S
            began = LogLine(logging.ERROR, f"audio output: {text}")
            return Verdict(fault, changed, reopen=False, reopen_at=self._reopen_at, log=(began,))
        if now < self._reopen_at:
            return Verdict(fault, changed, reopen=False, reopen_at=self._reopen_at)
        self._reopens += 1
        self._wait = min(self._wait * 2, REOPEN_MAX_S)
        self._reopen_at = now + self._wait
        trying = LogLine(logging.WARNING, f"audio output: reopening (try {self._reopens}, "
                         f"{', '.join(lost)}); next try in {self._wait:.0f} s")  # fmt: skip
        return Verdict(fault, changed, reopen=True, reopen_at=self._reopen_at, log=(trying,))

"""The live microphone at the audio layer: a PulseAudio source routed to exactly the chosen
zones' sinks, and recorded (GB 50116 §4.8.10: microphone broadcasts are recorded).

Going live loads one ``module-loopback`` per sink (source → sink inside the sound server, no
copy through this process), each with a small ``latency_msec``. Measured with
``bench/live_mic.py`` on a 2-core machine at a load average of 5–12: the microphone's first
sample reaches the zone's sink 16–28 ms after the request at p50 with 10–20 ms, 58–60 ms with
50 ms; p95 24–124 ms, its tail the ``pactl`` processes waiting for a CPU. Dropouts while live
followed the machine's load, not the latency chosen. Each loopback is pinned to
its source and sink (``source_dont_move``, ``sink_dont_move``): when either goes away the sound
server unloads the loopback instead of moving it to another device — the microphone never
wanders into a zone nobody chose. Once live, ``parecord`` records the source into
``<recordings>/<time>-<id>.wav`` (``call_recorder``).

Steps of ``start``:
1. Refuse what cannot go live: already live, no sink, a bad id, the source being a monitor of
   one of the sinks (it would feed the zone back into itself), no microphone at all (the
   default source is a monitor: the sound of an output, not a microphone).
2. Load the loopbacks, all at once (one ``pactl`` each, in parallel).
3. If any loopback failed: unload the others by their ids and say why (no such source, no such
   sink, no sound server) in English and Chinese. Otherwise start the recorder.

``follow``, while live: the routes follow the call's zones (a zone that joins is added, one
taken by a higher call is cut), the recording goes on.

``stop`` unloads the loopbacks by the ids it loaded (first: the air is cut at once), then stops
the recorder with SIGINT so it completes the WAV header, and returns a ``LiveCall`` with what
went wrong (a route lost with its device, one a hung server may still be playing, a recorder
that failed). The loopbacks live in the sound server: should the daemon die while live (or the
server hang) they stay loaded, so the daemon is to call ``unload_leftovers`` when it starts.

``start``, ``follow`` and ``stop`` each wait for a few ``pactl`` processes (about 10 ms; more under load):
call them from a thread of their own, not the core's.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from broadcaster.audio.call_recorder import MARK, RECORDING_FAILED, CallRecorder
from broadcaster.audio.pactl import TIMEOUT_S as PACTL_TIMEOUT_S
from broadcaster.audio.pactl import NoSoundServer, Pactl, PactlFailed
from broadcaster.problems import Conflict

LATENCY_MS = 20
_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_NAME = re.compile(r"[^\s'\"\\]{1,200}")  # a device name: nothing a module argument splits on


class LiveMicError(Conflict):
    """The microphone could not go live; nothing was loaded. ``code`` says why."""

    def __str__(self) -> str:
        return f"{self.message} / {self.message_zh}"


@dataclass(frozen=True)
class LiveCall:
    """What happened while the microphone was live."""

    call_id: str
    source: str
    sinks: tuple[str, ...]
    began: datetime  # when the loopbacks were loaded (the clock given to LiveMic)
    live_s: float  # from going live to stop
    file: Path | None  # the recording; None if nothing could be kept
    recorded_s: float  # seconds of audio in the file
    lost: tuple[str, ...] = ()  # sinks whose route went away while live (the sink vanished)
    problems: tuple[str, ...] = ()  # "english / 中文", as the faults say it


def _server_down(why: str) -> LiveMicError:
    return LiveMicError(
        "sound_server_down",
        f"The sound server (PulseAudio) does not answer ({why[:120]}); the microphone is not "
        "live. Check that the sound service runs, then try again.",
        f"声音服务（PulseAudio）没有响应（{why[:120]}），话筒未接通。请检查声音服务是否在运行后重试。",
    )


class LiveMic:
    """Puts the PulseAudio ``source`` (None: the server's default source, which must be a
    microphone) on the given sinks, one call at a time.

    ``env`` is the environment ``pactl``/``parecord`` run with (its PULSE_SERVER);
    ``recordings`` the folder for the recordings; ``now`` the wall clock for ``began`` and
    the file's name (the store's zone, from the caller)."""

    def __init__(
        self, *, recordings: Path, source: str | None = None, latency_ms: int = LATENCY_MS,
        env: Mapping[str, str] | None = None, now: Callable[[], datetime] | None = None,
        timeout_s: float = PACTL_TIMEOUT_S,
    ) -> None:  # fmt: skip
        self.recordings, self.source, self.latency_ms = recordings, source or None, latency_ms
        self._pactl = Pactl(env, timeout_s)
        self._now = now or (lambda: datetime.now().astimezone())
        self._modules: dict[str, str] = {}  # sink -> module id, while live
        self._recorder: CallRecorder | None = None
        self._call: tuple[str, str, datetime, float] | None = None  # id, source, began, t0

    @property
    def live(self) -> bool:
        return self._call is not None

    @property
    def file(self) -> Path | None:
        """The recording of the call on air (None when none is)."""
        return self._recorder.file if self._call and self._recorder else None

    @property
    def module_ids(self) -> tuple[str, ...]:
        """The ids of the loopbacks this call loaded."""
        return tuple(self._modules.values())

    def start(self, sinks: Sequence[str], *, call_id: str | None = None) -> str:
        """Go live on ``sinks``; returns the call's id. LiveMicError (nothing loaded) if it
        cannot."""
        call_id = call_id or uuid.uuid4().hex[:8]
        chosen = tuple(dict.fromkeys(sinks))
        self._refuse(chosen, call_id)
        if self.source is not None:
            _check_name(self.source)
        source = self.source or self._default_source()
        if source in {f"{sink}.monitor" for sink in chosen}:
            raise LiveMicError(
                "mic_feedback",
                f"The source {source} is the sound of a zone it would be sent to (a feedback "
                "loop); choose the microphone as live_mic.source.",
                f"音源 {source} 是要接通的分区本身的声音（会形成回授），请在 live_mic.source "
                "中选择话筒。",
            )
        began, t0 = self._now(), time.monotonic()
        self.recordings.mkdir(parents=True, exist_ok=True)
        file = self.recordings / f"{began:%Y%m%d-%H%M%S}-{call_id}.wav"
        try:
            self._load(source, chosen, call_id)
        except LiveMicError:
            self._unload()
            self._modules = {}
            raise
        # The recorder starts once the air is live: under load its start took CPU the loads
        # needed; it misses the first few milliseconds (the chime's time, not the voice's).
        self._recorder = CallRecorder(file, self._pactl.env)
        self._recorder.start(source)
        self._call = (call_id, source, began, t0)
        return call_id

    def follow(self, sinks: Sequence[str]) -> None:
        """The call on air changes zones: routes loaded to the sinks newly chosen (a zone
        that joined), unloaded from those no longer chosen (a zone taken by a higher call:
        its air is cut first). LiveMicError for a route that could not be loaded (the others
        stay live)."""
        if self._call is None:
            raise LiveMicError("mic_not_live", "The microphone is not live.", "话筒未接通。")
        chosen = tuple(dict.fromkeys(sinks))
        for sink in chosen:
            _check_name(sink)
        self._unload([sink for sink in self._modules if sink not in chosen])
        new = tuple(sink for sink in chosen if sink not in self._modules)
        if new:
            self._load(self._call[1], new, self._call[0])

    def _load(self, source: str, sinks: Sequence[str], call_id: str) -> None:
        """Load the routes to ``sinks``, all at once; those loaded are kept in ``_modules``.
        LiveMicError saying why if any failed."""
        try:
            loads = {sink: self._pactl.spawn(*self._loopback_args(source, sink, call_id))
                     for sink in sinks}  # fmt: skip
        except NoSoundServer as exc:
            raise _server_down(str(exc)) from None
        failed: dict[str, str] = {}
        down: LiveMicError | None = None
        for sink, process in loads.items():
            try:
                self._modules[sink] = self._pactl.finish(process, ("load-module",)).strip()
            except PactlFailed as exc:
                failed[sink] = str(exc)
            except NoSoundServer as exc:
                down = _server_down(str(exc))
        if failed or down is not None:
            raise down or self._explain(source, list(failed))

    def lost(self) -> tuple[str, ...]:
        """The sinks whose route the sound server has dropped while live (the sink or the
        source went away). Asks the server once."""
        if not self._modules:
            return ()
        try:
            loaded = self._pactl.modules()
        except (NoSoundServer, PactlFailed):
            return tuple(self._modules)
        return tuple(sink for sink, mid in self._modules.items() if mid not in loaded)

    def stop(self) -> LiveCall:
        """End the call: loopbacks unloaded (the air is cut first), recording completed."""
        if self._call is None:
            raise LiveMicError("mic_not_live", "The microphone is not live.", "话筒未接通。")
        call_id, source, began, t0 = self._call
        sinks = tuple(self._modules)
        lost, problems = self._unload(), []
        live_s = time.monotonic() - t0
        if lost:
            problems.append(
                f"The route to {', '.join(lost)} went away while live (the sink, the microphone "
                f"or the sound server vanished). / 直播期间到 {'、'.join(lost)} 的线路中断"
                "（分区输出、话筒或声音服务消失）。"
            )
        if self._modules:  # a hung server did not answer: they may still be live
            stuck = ", ".join(self._modules)
            problems.append(
                f"The microphone may still be live in {stuck}: the sound server did not answer. "
                f"Restart the sound service. / {stuck} 的话筒可能仍在广播：声音服务没有响应，"
                "请重启声音服务。"
            )
        recorder, self._recorder = self._recorder, None
        file, recorded_s, why = recorder.finish() if recorder else (None, 0.0, RECORDING_FAILED)
        if why:
            problems.append(why)
        self._modules, self._call = {}, None
        return LiveCall(call_id, source, sinks, began, live_s, file, recorded_s, lost,
                        tuple(problems))  # fmt: skip

    # -- internals --------------------------------------------------------------------------

    def _refuse(self, chosen: tuple[str, ...], call_id: str) -> None:
        if self._call is not None:
            raise LiveMicError("mic_already_live", "The microphone is already live; stop that "
                               "call first.", "话筒已接通，请先结束当前通话。")  # fmt: skip
        if not chosen:
            raise LiveMicError("mic_no_zone", "Choose at least one zone for the microphone.",
                               "请至少选择一个分区。")  # fmt: skip
        for sink in chosen:
            _check_name(sink)
        if not _ID.fullmatch(call_id):
            raise LiveMicError("mic_bad_id", "A call's id is 1–40 letters, digits, '_' or '-'.",
                               "通话编号须为 1–40 个字母、数字、“_”或“-”。")  # fmt: skip

    def _default_source(self) -> str:
        try:
            name = self._pactl.run("get-default-source").strip()
        except (NoSoundServer, PactlFailed) as exc:
            raise _server_down(str(exc)) from None
        if not name or name.endswith(".monitor"):
            raise LiveMicError(
                "no_microphone",
                f"No microphone found: the default source is {name or 'none'}, not a microphone. "
                "Plug in the microphone, or name it as live_mic.source (see `pactl list short "
                "sources`).",
                f"未找到话筒：默认音源为 {name or '无'}，不是话筒。请插好话筒，或在 live_mic.source "
                "中指定（见 `pactl list short sources`）。",
            )
        return name

    def _loopback_args(self, source: str, sink: str, call_id: str) -> list[str]:
        props = f"'application.name={MARK} media.name=live-mic-{call_id}'"
        return ["load-module", "module-loopback", f"source={source}", f"sink={sink}",
                f"latency_msec={self.latency_ms}", "source_dont_move=true",
                "sink_dont_move=true", f"sink_input_properties={props}",
                f"source_output_properties={props}"]  # fmt: skip

    def _unload(self, sinks: Sequence[str] | None = None) -> tuple[str, ...]:
        """Unload our loopbacks (to ``sinks``; None: all), all at once; returns the sinks whose
        loopback was already gone (lost while live: the device or the server went away). One
        a hung server did not answer about stays in ``_modules``: it may still be live
        (``unload_leftovers``)."""
        lost: list[str] = []
        chosen = list(self._modules) if sinks is None else [s for s in sinks if s in self._modules]
        try:
            unloads = {sink: self._pactl.spawn("unload-module", self._modules[sink])
                       for sink in chosen}  # fmt: skip
        except NoSoundServer:  # no pactl: nothing can be known or undone
            unloads = {}
            lost = chosen
            for sink in chosen:
                del self._modules[sink]
        for sink, process in unloads.items():
            try:
                self._pactl.finish(process, ("unload-module",))
            except PactlFailed:  # no such module: the server had dropped it
                lost.append(sink)
            except NoSoundServer as exc:
                if exc.hung:
                    continue
                lost.append(sink)  # the server is gone, and its modules with it
            del self._modules[sink]
        return tuple(lost)

    def _explain(self, source: str, failed: list[str]) -> LiveMicError:
        """Why the loopbacks to ``failed`` did not load: ask what the server has."""
        try:
            sources, sinks = self._pactl.names("sources"), self._pactl.names("sinks")
        except (NoSoundServer, PactlFailed) as exc:
            return _server_down(str(exc))
        if source not in sources:
            mics = [name for name in sources if not name.endswith(".monitor")]
            there = ", ".join(mics) or "none"
            return LiveMicError(
                "mic_source_missing",
                f"The microphone {source} is not there (sources with a microphone: {there}); "
                "plug it in or correct live_mic.source.",
                f"话筒 {source} 不存在（可用的输入：{'、'.join(mics) or '无'}），请插好话筒或更正 "
                "live_mic.source。",
            )
        missing = [sink for sink in failed if sink not in sinks] or failed
        return LiveMicError(
            "zone_sink_missing",
            f"The zone output {', '.join(missing)} is not there (its sound card or sink is gone); "
            "the microphone is not live anywhere.",
            f"分区输出 {'、'.join(missing)} 不存在（声卡或输出已消失），话筒未接通任何分区。",
        )


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise LiveMicError(
            "mic_bad_name",
            f"{name!r} is not a PulseAudio device name (no spaces or quotes); copy the name from "
            "`pactl list short sources` or `pactl list short sinks`.",
            f"{name!r} 不是 PulseAudio 设备名（不能含空格或引号），请从 `pactl list short sources` "
            "或 `pactl list short sinks` 中复制名称。",
        )


def unload_leftovers(env: Mapping[str, str] | None = None) -> int:
    """Unload every live-microphone loopback still loaded in the sound server (left by a
    daemon that died while live); returns how many. Quiet if no server answers."""
    pactl = Pactl(env)
    try:
        modules = pactl.modules()
    except (NoSoundServer, PactlFailed):
        return 0
    count = 0
    for mid, (name, args) in modules.items():
        if name == "module-loopback" and f"application.name={MARK}" in args:
            with contextlib.suppress(NoSoundServer, PactlFailed):
                pactl.run("unload-module", mid)
                count += 1
    return count

"""libvlc for the VLC output: loading it, the instance's and media's options, and small reads of
a media or player that need ctypes. Owned by ``vlc_output`` (only ``vlc_*`` modules import vlc).

Measured on libvlc 3.0.24: VLC's own demuxers double the duration of LAME-tagged CBR mp3s (and
seek wrongly) and end ogg files at once after a seek, so media open with ``:demux=avformat,any``.
Recorded from a PulseAudio sink (issue 14): VLC's default resampler cut FLAC, Ogg and M4A by
4.3 dB at 18 kHz and 16 dB at 19.5 kHz (WAV was flat), and its default MP3 decoder (mpg123)
made VLC's drift correction sweep the pitch by 1 % every 13 s; ``--audio-resampler=soxr`` and
``:codec=avcodec`` make every format flat within 0.1 dB to 19.5 kHz at a steady pitch.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Any

try:
    import vlc
except (ImportError, OSError) as exc:  # libvlc itself is missing
    vlc = None
    _IMPORT_PROBLEM = f"cannot load libvlc: {exc}"

HEADLESS_ARGS = ("--no-video", "--intf=dummy", "--no-xlib", "--quiet", "--no-lua",
                 "--no-media-library", "--no-metadata-network-access",
                 "--audio-resampler=soxr,any")  # flat to 20 kHz (see the docstring)  # fmt: skip
NULL_AOUT = "adummy"
AOUTS = {"default": None, "pulse": "pulse", "null": NULL_AOUT}  # output setting -> VLC's aout
MEDIA_OPTIONS = (":demux=avformat,any", ":codec=avcodec,any")
STATS_FIELDS = ("decoded_audio", "played_abuffers", "lost_abuffers", "demux_read_bytes")

_SETUP_HELP = (
    "VLC could not start ({why}). Install libvlc and its plugins: `sudo apt-get install libvlc5 "
    "libvlc-bin vlc-plugin-base` (plus a running `pulseaudio` for output 'pulse'), run "
    "`vlc-cache-gen` if plugins were moved, and check VLC_PLUGIN_PATH and the options {args}. / "
    "VLC 无法启动（{why}）。请安装 libvlc 及其插件：`sudo apt-get install libvlc5 libvlc-bin "
    "vlc-plugin-base`（使用 pulse 输出时还需运行 pulseaudio），并检查 VLC_PLUGIN_PATH 和启动参数 {args}。"
)


class AudioSetupError(RuntimeError):
    """libvlc could not be loaded or started; the message says what to install or check."""


def open_instance(aout: str | None, file_caching_ms: int) -> Any:
    """A libvlc instance playing through ``aout`` (None: VLC's choice), or AudioSetupError."""
    args = [*HEADLESS_ARGS, f"--file-caching={int(file_caching_ms)}"]
    args += [f"--aout={aout}"] if aout else []
    if vlc is None:
        raise AudioSetupError(_SETUP_HELP.format(why=_IMPORT_PROBLEM, args=args))
    instance = vlc.Instance(args)
    if instance is None:
        why = "libvlc returned no instance: a plugin is missing or an option is invalid"
        raise AudioSetupError(_SETUP_HELP.format(why=why, args=args))
    return instance


def libvlc_version() -> str:
    return str(vlc.libvlc_get_version().decode())


def new_media(instance: Any, path: Path) -> Any:
    media = instance.media_new_path(os.fsencode(path))  # any bytes a name may hold
    for option in MEDIA_OPTIONS:
        media.add_option(option)
    return media


def path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be an audio file at all, or None (VLC judges the rest)."""
    try:
        if path.is_dir():
            return f"is a directory, not an audio file: {path}"
        if not path.is_file():
            return f"file not found: {path}"
        if path.stat().st_size == 0:
            return f"file is empty: {path}"
    except OSError as exc:
        return f"cannot read {path}: {exc}"
    return None


def audio_tracks(media: Any) -> int:
    """Audio streams of a parsed media (python-vlc's tracks_get never frees the array)."""
    array = ctypes.POINTER(vlc.MediaTrack)()
    count = vlc.libvlc_media_tracks_get(media, ctypes.byref(array))
    if not count:
        return 0
    tracks = ctypes.cast(array, ctypes.POINTER(ctypes.POINTER(vlc.MediaTrack)))
    try:
        return sum(1 for i in range(count) if tracks[i].contents.type == vlc.TrackType.audio)
    finally:
        vlc.libvlc_media_tracks_release(tracks, count)


def media_stats(media: Any) -> dict[str, int] | None:
    """The media's counters (``STATS_FIELDS``), or None while VLC has none. They lag up to
    ~1 s, yet show a dead sound device: audio decoded, none played."""
    stats = vlc.MediaStats()
    if not media.get_stats(stats):
        return None
    return {field: int(getattr(stats, field)) for field in STATS_FIELDS}


def sink_names(player: Any) -> list[str]:
    """The devices (PulseAudio sinks) the player's audio output offers."""
    found, node = [], player.audio_output_device_enum()
    head = node
    while node:
        found.append(node.contents.device.decode(errors="replace"))
        node = node.contents.next
    if head:
        vlc.libvlc_audio_output_device_list_release(head)
    return found

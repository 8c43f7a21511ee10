"""The emergency profiles at their defaults, measured from the recorded output of the real
daemon (real VLC, a private PulseAudio null sink): alert length, voice length, interval between
message starts and the longest silence, for GB 50116 (10 s two-tone alert alternating with the
voice) and ISO 7240-16 / EN 54-16 (5 s slow whoop before the first message only), with a
message as long as the starter evacuation notice (24.5 s in espeak-ng's Mandarin).

    .venv/bin/python bench/emergency_profiles.py [--message-s 24.5]

About 2.5 minutes. The message is a 300 Hz tone of that length (tests/kit/emergency_air.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broadcaster.emergency import ProfileName, make_profile
from tests.kit.emergency_air import record_emergency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--message-s", type=float, default=24.5)
    args = parser.parse_args()
    for name in (ProfileName.GB50116, ProfileName.EN54):
        profile = make_profile(name)
        fit = profile.fit(args.message_s)
        print(f"{profile.title}: alert {profile.alert_s:g} s {profile.tone.value}, gap "
              f"{profile.gap_s:g} s, alternate {profile.alternate}; planned: {fit}")  # fmt: skip
        cycle = profile.alert_s + 2 * (args.message_s + profile.gap_s) + 3
        if profile.alternate:
            cycle += profile.alert_s
        with tempfile.TemporaryDirectory(prefix="bench-emergency-") as folder:
            figures, _ = record_emergency(Path(folder), args.message_s, cycle,
                                          emergency__profile=name.value)  # fmt: skip
        print(f"  measured: {figures}")


if __name__ == "__main__":
    main()

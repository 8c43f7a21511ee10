"""The stamped reader of a multi-channel card: two zones on channel pairs of one card, read by
one stream, each zone's sound in its own channel and nowhere else."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from tests.kit.analysis import tone_level_db
from tests.kit.media import make_tone
from tests.kit.pulse import PulseServer
from tests.kit.stamped import RATE
from tests.kit.zone_air import card_channels, card_with_pairs


@pytest.mark.timeout(60)
def test_each_pair_of_the_card_is_heard_in_its_own_channel_of_the_one_stream(tmp_path: Path):
    low, high = (
        make_tone(tmp_path / "low.wav", 0.5, 500),
        make_tone(tmp_path / "high.wav", 0.5, 3000),
    )
    with PulseServer() as pulse:
        card_with_pairs(pulse, "card", ["zone_a", "zone_b"])
        channels = card_channels(pulse, "card", ["zone_a", "zone_b"])
        try:
            t0 = time.monotonic()
            pulse.play(low, sink="zone_a")
            pulse.play(high, sink="zone_b")
            time.sleep(0.2)
            t1 = time.monotonic()
            _, a = channels["zone_a"].timeline(t0, t1)
            _, b = channels["zone_b"].timeline(t0, t1)
        finally:
            channels["zone_a"].reader.stop()
    assert len(a) == len(b) > RATE * 0.9  # one stream: the same samples' times for both
    # each tone (−12 dBFS) fills about half the window: about −22 dB over all of it
    assert tone_level_db(a, RATE, 500.0) > -30 and tone_level_db(b, RATE, 3000.0) > -30
    assert tone_level_db(a, RATE, 3000.0) < -80 and tone_level_db(b, RATE, 500.0) < -80
    assert np.count_nonzero(a) and np.count_nonzero(b)

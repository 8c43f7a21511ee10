"""The sample format every stage of the demo music shares: 44.1 kHz float32, stereo as arrays
shaped (2, samples), mono (the reverb send) as (samples,)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

RATE = 44100

Float = npt.NDArray[np.float32]

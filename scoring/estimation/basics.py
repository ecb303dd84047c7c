"""What every part of the estimation shares: the seven steps, the scale, the array types."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

N_STEPS = 7
SCALE = (1.0, 4.0)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

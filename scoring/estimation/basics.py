"""What every part of the estimation shares: the seven steps, the scale, the array types."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray

N_STEPS = 7
SCALE = (1.0, 4.0)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def weighted_sum(group: IntArray, weights: FloatArray, n: int) -> FloatArray:
    """Sum `weights` per group (0..n-1): np.bincount with weights, typed as what it returns.

    numpy's stubs type every bincount as int; with weights it is float.
    """
    return np.bincount(group, weights, n)  # type: ignore[return-value]


_work = threading.local()


@contextmanager
def one_of_a_split() -> Iterator[None]:
    """Within: this thread computes one part of work split over threads, so the array passes
    it makes are not split again (two cores are already busy)."""
    _work.inner = True
    try:
        yield
    finally:
        _work.inner = False


def may_split() -> bool:
    """Say whether array work on this thread may be split over threads of its own."""
    return not getattr(_work, "inner", False)

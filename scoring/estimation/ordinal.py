"""Scores rounded to the 1-4 rubric: what an integer score says about the latent one.

A rater's score is their latent judgement rounded to the nearest level and clipped to 1-4, so
a 3 says "between 2.5 and 3.5" and a 4 only "above 3.5". With the latent judgement
N(m, s2), the rounding interval gives the moments of the judgement given the score (the E-step
of the fit) and the first two derivatives of the score's log-likelihood in m (the working
response and weight of the posterior's Newton steps). Scores that are not whole levels are
taken as exact: nothing rounded them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import special

from scoring.estimation.basics import SCALE, FloatArray, may_split

# The latent mean is kept within half a level outside the scale and its sd above this while
# the interval's probability is computed: beyond them it underflows without changing anything.
_MEAN_MARGIN = 1.0
_MIN_SD = 0.15
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_INV_SQRT_2 = 1.0 / np.sqrt(2.0)
_FAR = 1e3
_FAR_SD = 30.0
# Scores from which _ratio_shrink splits its work over two threads.
PARALLEL_SIZE = 100_000


@dataclass(frozen=True)
class Interval:
    """Per score: the latent judgement's conditional mean and variance, and the derivatives."""

    mean: FloatArray  # E[latent | score]
    var: FloatArray  # Var[latent | score]
    gradient: FloatArray  # d log P(score) / dm
    weight: FloatArray  # -d2 log P(score) / dm2 (> 0: the likelihood is log-concave in m)


def rounded(score: FloatArray) -> np.ndarray:
    """Say which scores are whole rubric levels (and so rounded from a latent judgement)."""
    return (score == np.round(score)) & (score >= SCALE[0]) & (score <= SCALE[1])


def interval(score: FloatArray, mean: FloatArray, var: FloatArray) -> Interval:
    """Condition a N(mean, var) latent judgement on the score it was rounded to."""
    whole = rounded(score)
    sd = np.maximum(np.sqrt(var), _MIN_SD)
    m = np.clip(mean, SCALE[0] - _MEAN_MARGIN, SCALE[1] + _MEAN_MARGIN)
    # The open ends as far-away finite bounds: their density terms vanish without inf * 0.
    low = np.where(score <= SCALE[0], -_FAR, score - 0.5)
    high = np.where(score >= SCALE[1], _FAR, score + 0.5)
    ratio, shrink = _ratio_shrink((low - m) / sd, (high - m) / sd)
    s2 = sd**2
    from_rounding = Interval(
        mean=m + sd * ratio, var=s2 * (1.0 - shrink), gradient=ratio / sd, weight=shrink / s2
    )
    if whole.all():  # the usual case: every score a rubric level, no exact score to mix in
        return from_rounding
    exact_var = np.asarray(var, dtype=np.float64)
    return Interval(
        mean=np.where(whole, from_rounding.mean, score),
        var=np.where(whole, from_rounding.var, 0.0),
        gradient=np.where(whole, from_rounding.gradient, (score - mean) / exact_var),
        weight=np.where(whole, from_rounding.weight, 1.0 / exact_var),
    )


class Derivatives:
    """interval(...).gradient and .weight alone, for many means of the same scores.

    For scores that are all whole levels. The posterior's Newton steps need only these, at a
    new mean each step but with the same scores and noise: what depends on those alone (the
    interval's ends in standard units) is computed once, and the conditional moments are left
    out; together half the cost of a step's pass over the ratings.
    """

    def __init__(self, score: FloatArray, var: FloatArray) -> None:
        self.inverse_sd = 1.0 / np.maximum(np.sqrt(var), _MIN_SD)
        self.low = np.where(score <= SCALE[0], -_FAR, score - 0.5) * self.inverse_sd
        self.high = np.where(score >= SCALE[1], _FAR, score + 0.5) * self.inverse_sd

    def at(self, mean: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return d log P(score) / dm and -d2 log P(score) / dm2 at the given means."""
        m = np.clip(mean, SCALE[0] - _MEAN_MARGIN, SCALE[1] + _MEAN_MARGIN) * self.inverse_sd
        ratio, shrink = _ratio_shrink(self.low - m, self.high - m)
        return ratio * self.inverse_sd, shrink * self.inverse_sd * self.inverse_sd


def _ratio_shrink(alpha: FloatArray, beta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """For Z ~ N(0, 1) in (alpha, beta): the ratio (pdf(a) - pdf(b)) / P, and 1 - Var[Z | in].

    Element by element, so a long array is computed in halves on two threads (NumPy's and
    SciPy's functions run without the interpreter lock): the fit's passes over every rating
    (the raters' refinement, the posterior's Newton steps) spend most of their time here.
    """
    alpha, beta = np.broadcast_arrays(alpha, beta)
    if alpha.ndim != 1 or alpha.size < PARALLEL_SIZE or not may_split():
        return _ratio_shrink_of(alpha, beta)
    half = alpha.size // 2
    with ThreadPoolExecutor(2, thread_name_prefix="interval") as pool:
        first = pool.submit(_ratio_shrink_of, alpha[:half], beta[:half])
        ratio, shrink = _ratio_shrink_of(alpha[half:], beta[half:])
        head_ratio, head_shrink = first.result()
    return np.concatenate([head_ratio, ratio]), np.concatenate([head_shrink, shrink])


def _ratio_shrink_of(alpha: FloatArray, beta: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Beyond 30 sd nothing changes but the floating point gets slow (denormals).
    alpha = np.clip(alpha, -_FAR_SD, _FAR_SD)
    beta = np.clip(beta, -_FAR_SD, _FAR_SD)
    # P(alpha < Z < beta) from the tail it lies in, so neither difference loses its digits.
    # (From an interval below the mean, the mirror image above it: the same mass.)
    above = alpha > 0
    near, far = np.where(above, alpha, -beta), np.where(above, beta, -alpha)
    mass = 0.5 * (special.erfc(near * _INV_SQRT_2) - special.erfc(far * _INV_SQRT_2))
    mass = np.maximum(mass, 1e-300)
    pdf_a = _INV_SQRT_2PI * np.exp(-0.5 * alpha * alpha)
    pdf_b = _INV_SQRT_2PI * np.exp(-0.5 * beta * beta)
    ratio = (pdf_a - pdf_b) / mass
    shrink = np.clip(ratio**2 - (alpha * pdf_a - beta * pdf_b) / mass, 1e-6, 1.0)  # in (0, 1)
    return ratio, shrink

"""How a user's own view of a step compares with what their raters gave them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.estimation.basics import weighted_sum
from scoring.estimation.model import N_STEPS, FloatArray, IntArray, _safe_divide


@dataclass(frozen=True)
class SelfView:
    """Per user and step, over the interviews where the user scored themselves on the step."""

    n: IntArray  # (n_users, 7) interviews compared
    claimed: FloatArray  # the user's mean score of themselves; nan without
    gap: FloatArray  # claimed minus the leniency-corrected score received; nan without
    gap_sd: FloatArray  # standard error of the gap; nan without


def self_view(
    *,
    user: IntArray,
    step: IntArray,
    claimed: FloatArray,
    received: FloatArray,
    leniency: FloatArray,
    leniency_var: FloatArray,
    noise_var: FloatArray,
    n_users: int,
) -> SelfView:
    """Compare each self-assessment with the rater's score of the same interview and step.

    The rater's score is corrected for their leniency first, so a harsh interviewer does not
    make a candidate look overconfident. Interviews count equally, however old.
    """
    n_groups = n_users * N_STEPS
    group = user * N_STEPS + step
    gap = claimed - (received - leniency)
    n = np.bincount(group, minlength=n_groups)
    mean_claimed = _safe_divide(weighted_sum(group, claimed, n_groups), n, np.nan)
    mean_gap = _safe_divide(weighted_sum(group, gap, n_groups), n, np.nan)
    residual = gap - mean_gap[group] if len(gap) else gap
    spread = _safe_divide(weighted_sum(group, residual**2, n_groups), n - 1, 0.0, where=n > 1)
    # A comparison is never more certain than the rater's noise and uncertain leniency allow:
    # three gaps that happen to agree do not make the spread smaller than that.
    floor = _safe_divide(weighted_sum(group, noise_var + leniency_var, n_groups), n, np.nan)
    gap_sd = np.sqrt(_safe_divide(np.maximum(spread, floor), n, np.nan))
    shape = (n_users, N_STEPS)
    return SelfView(
        n=n.reshape(shape),
        claimed=mean_claimed.reshape(shape),
        gap=mean_gap.reshape(shape),
        gap_sd=gap_sd.reshape(shape),
    )

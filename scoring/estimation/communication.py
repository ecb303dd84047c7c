"""Communication and trade-offs: one score per scorecard, corrected and shrunk like a step.

A scorecard's communication score ``c`` (1-4) is modelled as

    c = mu + b[u] + leniency[r] + e,   b[u] ~ N(0, tau2),   e ~ N(0, sigma2 / w)

with the rater's leniency taken from the step model's fit: a rater's overall generosity is
the best correction there is, since ~one communication score per scorecard is too few to fit
a leniency of its own. Given the leniencies, ``mu``, ``tau2`` and ``sigma2`` are estimated by
EM over everybody, and each user's ``b`` is the empirical-Bayes normal-normal posterior: each
score has precision ``p = 1 / (sigma2 / w + var(leniency[r]))``, and with ``P = sum(p)`` and
``Y`` the precision-weighted mean of ``c - mu - leniency[r]``

    b ~ N(B * Y, 1 / (P + 1 / tau2)),   B = P / (P + 1 / tau2)

so one score says little and many say much. The same recency weight as the steps applies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from scoring.estimation.basics import weighted_sum
from scoring.estimation.model import (
    HALF_LIFE_DAYS,
    SCALE,
    Banded,
    FloatArray,
    IntArray,
    _safe_divide,
    recency_weight,
)


@dataclass(frozen=True)
class CommunicationRatings:
    """Communication scores as parallel arrays; users and raters are dense indices."""

    user: IntArray
    rater: IntArray
    score: FloatArray
    age_days: FloatArray


@dataclass(frozen=True)
class CommunicationParams:
    """The population part: enough to estimate one user without refitting."""

    mu: float
    tau2: float  # spread of the users' communication skill
    sigma2: float  # noise of one score

    def to_json(self) -> dict[str, float]:
        return {
            "mu": round(self.mu, 6),
            "tau2": round(self.tau2, 6),
            "sigma2": round(self.sigma2, 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CommunicationParams:
        """Read stored parameters; a fit made before communication was estimated has none."""
        if not data:
            return cls.prior()
        return cls(mu=float(data["mu"]), tau2=float(data["tau2"]), sigma2=float(data["sigma2"]))

    @classmethod
    def prior(cls) -> CommunicationParams:
        """Return a vague starting point for when nothing has been fitted yet."""
        return cls(mu=2.5, tau2=0.3, sigma2=0.5)


@dataclass(frozen=True)
class CommunicationEstimates(Banded):
    """Per user: the shrunk estimate, its sd, the number of scores and their plain mean."""

    estimate: FloatArray  # (n_users,)
    sd: FloatArray
    n: IntArray
    raw_mean: FloatArray  # nan without scores


def _posterior_moments(
    ratings: CommunicationRatings,
    leniency: FloatArray,
    leniency_var: FloatArray,
    n_users: int,
    params: CommunicationParams,
    half_life_days: float,
) -> tuple[FloatArray, FloatArray]:
    """Return each user's posterior mean and variance of b (0 and tau2 without scores)."""
    w = recency_weight(ratings.age_days, half_life_days)
    precision = 1.0 / (params.sigma2 / w + leniency_var)
    residual = ratings.score - params.mu - leniency
    data_precision = weighted_sum(ratings.user, precision, n_users)
    weighted = weighted_sum(ratings.user, precision * residual, n_users)
    posterior_precision = data_precision + 1.0 / params.tau2
    return weighted / posterior_precision, 1.0 / posterior_precision


def communication_fit(
    ratings: CommunicationRatings,
    *,
    leniency: FloatArray,
    leniency_var: FloatArray,
    n_users: int,
    half_life_days: float = HALF_LIFE_DAYS,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> CommunicationParams:
    """Estimate mu, tau2 and sigma2 by EM, given each score's rater leniency (and variance)."""
    if len(ratings.score) < 2:
        return CommunicationParams.prior()
    params = CommunicationParams(
        mu=float(np.mean(ratings.score - leniency)),
        tau2=max(0.5 * float(np.var(ratings.score)), 0.05),
        sigma2=max(0.5 * float(np.var(ratings.score)), 0.05),
    )
    w = recency_weight(ratings.age_days, half_life_days)
    corrected = ratings.score - leniency
    has_data = np.bincount(ratings.user, minlength=n_users) > 0
    for _ in range(max_iterations):
        # mu given the variances in closed form (generalised least squares over users): an EM
        # step for mu alone crawls, because mu and the users' b trade off against each other.
        precision = 1.0 / (params.sigma2 / w + leniency_var)
        data_precision = weighted_sum(ratings.user, precision, n_users)[has_data]
        user_mean = weighted_sum(ratings.user, precision * corrected, n_users)[has_data]
        k = 1.0 / (params.tau2 + 1.0 / data_precision)
        mu = float(np.sum(k * user_mean / data_precision) / np.sum(k))
        mean, var = _posterior_moments(
            ratings, leniency, leniency_var, n_users, replace(params, mu=mu), half_life_days
        )
        # EM updates of the variances from the posterior moments, as in the step model.
        tau2 = max(float(np.mean((mean**2 + var)[has_data])), 1e-3)
        r = corrected - mu - mean[ratings.user]
        sigma2 = max(float(np.mean(w * (r * r + var[ratings.user] + leniency_var))), 1e-3)
        new = CommunicationParams(mu=mu, tau2=tau2, sigma2=sigma2)
        change = max(
            abs(new.mu - params.mu), abs(new.tau2 - params.tau2), abs(new.sigma2 - params.sigma2)
        )
        params = new
        if change < tolerance:
            break
    return params


def communication_posterior(
    ratings: CommunicationRatings,
    *,
    leniency: FloatArray,
    leniency_var: FloatArray,
    n_users: int,
    params: CommunicationParams,
    half_life_days: float = HALF_LIFE_DAYS,
) -> CommunicationEstimates:
    """Estimate every user's communication given each score's rater leniency (and variance)."""
    mean, var = _posterior_moments(ratings, leniency, leniency_var, n_users, params, half_life_days)
    n = np.bincount(ratings.user, minlength=n_users)
    raw_mean = _safe_divide(weighted_sum(ratings.user, ratings.score, n_users), n, np.nan)
    return CommunicationEstimates(
        estimate=np.clip(params.mu + mean, *SCALE),
        sd=np.sqrt(var),
        n=n,
        raw_mean=raw_mean,
    )

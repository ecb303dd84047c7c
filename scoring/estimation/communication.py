"""Communication and trade-offs: one score per scorecard, corrected and shrunk like a step.

A scorecard's communication score (1-4) is the rater's latent judgement rounded to the rubric
and clipped, as a step's score is (scoring.estimation.ordinal), and the judgement is

    c = mu + b[u] - g[u] * m + leniency[r] + e,   b[u] ~ N(0, tau2),   g[u] ~ N(0, change_tau2)
    e ~ N(0, noise_scale * sigma2[r])

with the rater's leniency taken from the step model's fit: a rater's overall generosity is the
best correction there is, since ~one communication score per scorecard is too few to fit a
leniency of its own; its error (variance var(leniency[r])) is added to the score's noise. The
skill today is ``mu + b``; like a step's it moves along its own slope ``g`` points per 30 days,
and a score ``m`` months old (age / 30 days) saw it ``m`` slopes earlier, so old scores say
less about today by how far the skill may have moved, and several old scores, which share one
slope, say less than as many independent ones. ``change_tau2`` is the step model's (fitted,
corrected, floored there): too few scores per person to fit a spread of change of their own.
The noise is each rater's noise on the steps times one factor fitted here (how much noisier
raters are on communication than on a step), so a steady rater's score weighs more.

Given the leniencies, ``mu``, ``tau2`` and the factor are estimated by EM on the posterior
below; the EM finds ``tau2`` short on rounded scores (people shrunk too far, bands too narrow),
and a parametric bootstrap measures by how much (``_change_fit``). Each user's (b, g) posterior
is the Laplace approximation at its mode (Newton steps on the rounded scores' likelihood, a 2x2
system per user); the report shows ``mu + b`` with a 90% band and P(skill < bar) from it.

Until 2026-12-07 (bench/README.md, "Communication on known truth") the scores were taken as
Gaussian, one noise for every rater, old scores discounted by the steps' recency half-life:
bands covered 79-86%. A fit stored then has no ``change_tau2`` and is read that way
(``_posterior_moments``), each score's precision ``1 / (sigma2 / w + var(leniency[r]))``
with ``w`` the recency weight, until the next night refits it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from scoring.estimation.basics import weighted_sum
from scoring.estimation.fitting import SPREAD_FLOOR, SPREAD_REMEASURE_GROWTH
from scoring.estimation.model import (
    HALF_LIFE_DAYS,
    SCALE,
    Banded,
    FloatArray,
    IntArray,
    _optional,
    _safe_divide,
    recency_weight,
)
from scoring.estimation.ordinal import interval

# Newton steps of each user's posterior mode, and the EM's steps and tolerance (points).
_NEWTON_STEPS = 20
_NEWTON_TOLERANCE = 1e-4
_EM_STEPS = 100
_EM_TOLERANCE = 1e-5
# A stored spread within this factor of the floor is no start for the EM: a cold fit instead.
RESUME_FLOOR = 2.0
# The parametric bootstrap of the spread of skills: a fixed seed, so that the same scores
# always give the same fit; the correction is bounded, and taken only from enough users.
_BOOTSTRAP_SEED = 13
_CORRECTION_BOUNDS = (1.0, 1.5)
_CORRECTION_MIN_USERS = 200
# The noise factor's floor: scores that all agree (a launch night's handful) would otherwise
# drive it to nothing, and every later score would be taken as exact.
_MIN_NOISE_SCALE = 0.05


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
    sigma2: float  # noise of one score (the model of change: of a typical rater's score)
    # The model of change (None: a fit stored before it, read with the half-life): the spread
    # of the skill's slope, points per 30 days (the step model's), and the ratio of a rater's
    # noise on communication to their noise on the steps.
    change_tau2: float | None = None
    noise_scale: float | None = None
    # The bootstrap's factor in tau2 above, and how many scores it was measured on; a later
    # night reuses it until the scores have grown by _CORRECTION_REMEASURE_GROWTH. None: not
    # measured (too few users) or a fit stored before it was kept.
    tau2_correction: float | None = None
    correction_scores: int | None = None

    def to_json(self) -> dict[str, float]:
        data = {
            "mu": round(self.mu, 6),
            "tau2": round(self.tau2, 6),
            "sigma2": round(self.sigma2, 6),
        }
        if self.change_tau2 is not None:
            data["change_tau2"] = round(self.change_tau2, 8)
        if self.noise_scale is not None:
            data["noise_scale"] = round(self.noise_scale, 6)
        if self.tau2_correction is not None and self.correction_scores is not None:
            data["tau2_correction"] = round(self.tau2_correction, 6)
            data["correction_scores"] = self.correction_scores
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CommunicationParams:
        """Read stored parameters; a fit made before communication was estimated has none."""
        if not data:
            return cls.prior()
        return cls(
            mu=float(data["mu"]),
            tau2=float(data["tau2"]),
            sigma2=float(data["sigma2"]),
            change_tau2=_optional(data.get("change_tau2")),
            noise_scale=_optional(data.get("noise_scale")),
            tau2_correction=_optional(data.get("tau2_correction")),
            correction_scores=(
                None if data.get("correction_scores") is None else int(data["correction_scores"])
            ),
        )

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
    latent: FloatArray  # the estimate before it is clipped to the scale


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
    noise_var: FloatArray | None = None,
    change_tau2: float | None = None,
    start: CommunicationParams | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> CommunicationParams:
    """Estimate the population part by EM, given each score's rater leniency (and variance).

    change_tau2: the step model's spread of change; with it the model of change (the module
    doc), each score's noise the rater's step noise (noise_var, per score; None: one noise for
    every rater) times a factor fitted here. None: the half-life, one noise for every rater.
    start: the last night's fit (the model of change's only), where the EM resumes, and whose
    correction of the spread holds until the scores have grown by a fifth.
    """
    if len(ratings.score) < 2:
        return CommunicationParams.prior()
    if change_tau2 is not None:
        return _change_fit(
            ratings,
            leniency=leniency,
            leniency_var=leniency_var,
            noise_var=np.ones(len(ratings.score)) if noise_var is None else noise_var,
            n_users=n_users,
            change_tau2=change_tau2,
            start=start,
        )
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
        tau2 = max(float(np.mean((mean**2 + var)[has_data])), SPREAD_FLOOR)
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
    noise_var: FloatArray | None = None,
) -> CommunicationEstimates:
    """Estimate every user's communication given each score's rater leniency (and variance).

    noise_var: each score's rater's noise on the steps, for a fit with the model of change
    (None: a typical rater's, sigma2); a fit stored before it uses the half-life instead.
    """
    if params.change_tau2 is None:
        mean, var = _posterior_moments(
            ratings, leniency, leniency_var, n_users, params, half_life_days
        )
    else:
        if noise_var is None or params.noise_scale is None:
            score_var = params.sigma2 + leniency_var
        else:
            score_var = params.noise_scale * noise_var + leniency_var
        state = _change_posterior(
            ratings,
            ratings.score - leniency,
            score_var,
            n_users,
            params.mu,
            params.tau2,
            params.change_tau2,
        )
        mean, var = state.b, state.var_b
    n = np.bincount(ratings.user, minlength=n_users)
    raw_mean = _safe_divide(weighted_sum(ratings.user, ratings.score, n_users), n, np.nan)
    return CommunicationEstimates(
        estimate=np.clip(params.mu + mean, *SCALE),
        sd=np.sqrt(var),
        n=n,
        raw_mean=raw_mean,
        latent=params.mu + mean,
    )


@dataclass(frozen=True)
class _State:
    """Each user's posterior mode of (b, slope) and its covariance, from Newton's last step."""

    b: FloatArray
    slope: FloatArray
    var_b: FloatArray
    cov: FloatArray  # cov(b, slope)
    var_slope: FloatArray


def _gaussian_state(
    user: IntArray,
    months: FloatArray,
    response: FloatArray,
    precision: FloatArray,
    n_users: int,
    tau2: float,
    change_tau2: float,
) -> _State:
    """The posterior of (b, slope) per user given Gaussian responses of b - slope * months."""
    s0 = weighted_sum(user, precision, n_users)
    s1 = weighted_sum(user, precision * months, n_users)
    s2 = weighted_sum(user, precision * months * months, n_users)
    t0 = weighted_sum(user, precision * response, n_users)
    t1 = weighted_sum(user, precision * months * response, n_users)
    # The 2x2 precision [[a, -s1], [-s1, c]] and its inverse, user by user.
    a = s0 + 1.0 / tau2
    c = s2 + 1.0 / change_tau2
    det = a * c - s1 * s1
    return _State(
        b=(c * t0 - s1 * t1) / det,
        slope=(s1 * t0 - a * t1) / det,
        var_b=c / det,
        cov=s1 / det,
        var_slope=a / det,
    )


def _change_posterior(
    ratings: CommunicationRatings,
    corrected: FloatArray,
    score_var: FloatArray,
    n_users: int,
    mu: float,
    tau2: float,
    change_tau2: float,
    start: _State | None = None,
) -> _State:
    """Each user's (b, slope) posterior: the Laplace approximation on the rounded scores.

    A score is the rater's latent judgement N(mu + leniency + b - slope * months, score_var)
    rounded to the rubric (scoring.estimation.ordinal); Newton's steps take each score's
    working response and weight at the current mode, as the steps' posterior does.
    """
    user = ratings.user
    months = ratings.age_days / 30.0
    b = np.zeros(n_users) if start is None else start.b
    slope = np.zeros(n_users) if start is None else start.slope
    offset = ratings.score - corrected + mu  # mu + leniency
    state = _State(b, slope, np.full(n_users, tau2), np.zeros(n_users), np.zeros(n_users))
    for _ in range(_NEWTON_STEPS):
        fitted = b[user] - slope[user] * months
        moments = interval(ratings.score, offset + fitted, score_var)
        weight = moments.weight
        state = _gaussian_state(
            user, months, fitted + moments.gradient / weight, weight, n_users, tau2, change_tau2
        )
        moved = max(
            float(np.abs(state.b - b).max(initial=0.0)),
            float(np.abs(state.slope - slope).max(initial=0.0) * months.max(initial=1.0)),
        )
        b, slope = state.b, state.slope
        if moved < _NEWTON_TOLERANCE:
            break
    return state


def _change_em(
    ratings: CommunicationRatings,
    corrected: FloatArray,
    leniency_var: FloatArray,
    noise_var: FloatArray,
    n_users: int,
    start: CommunicationParams,
    change_tau2: float,
) -> tuple[CommunicationParams, bool]:
    """EM of mu, tau2 and the noise factor on the Laplace posterior (change_tau2 given); say
    whether it converged within _EM_STEPS."""
    user = ratings.user
    months = ratings.age_days / 30.0
    has_data = np.bincount(user, minlength=n_users) > 0
    mu, tau2 = start.mu, start.tau2
    scale = 1.0 if start.noise_scale is None else max(start.noise_scale, _MIN_NOISE_SCALE)
    converged = False
    state = None
    for _ in range(_EM_STEPS):
        score_var = scale * noise_var + leniency_var
        state = _change_posterior(
            ratings, corrected, score_var, n_users, mu, tau2, change_tau2, state
        )
        fitted = mu + state.b[user] - state.slope[user] * months
        latent = interval(ratings.score, ratings.score - corrected + fitted, score_var)
        # The latent judgement's mean about the fitted one, and its square with the state's
        # posterior spread: the E-step's moments (the Laplace approximation's).
        gap = latent.mean - (ratings.score - corrected + fitted)
        spread = (
            state.var_b[user]
            + months * months * state.var_slope[user]
            - 2.0 * months * state.cov[user]
        )
        precision = 1.0 / score_var
        level = float(np.mean(state.b[has_data]))
        new_mu = mu + level + float(np.sum(precision * gap) / np.sum(precision))
        b = state.b - level
        new_tau2 = max(float(np.mean((b * b + state.var_b)[has_data])), SPREAD_FLOOR)
        # The latent's residual moves with the state by -shrink (its slope in the state,
        # 1 - Var[latent | score] / score_var: 1 for an exact score, near 0 where rounding
        # says more than the state does), so the state's spread enters times shrink^2.
        shrink = np.clip(latent.weight * score_var, 0.0, 1.0)
        squared = gap * gap + latent.var + shrink * shrink * spread
        # The fixed point of the likelihood in the factor: sum p^2 v (E r^2 - 1 / p) = 0.
        new_scale = scale * float(
            np.sum(precision**2 * noise_var * squared) / np.sum(precision * noise_var)
        )
        new_scale = max(new_scale, _MIN_NOISE_SCALE)
        change = max(abs(new_mu - mu), abs(new_tau2 - tau2), abs(new_scale - scale))
        mu, tau2, scale = new_mu, new_tau2, new_scale
        state = replace(state, b=b)
        if change < _EM_TOLERANCE:
            converged = True
            break
    return CommunicationParams(
        mu=mu,
        tau2=tau2,
        sigma2=scale * float(np.mean(noise_var)),
        change_tau2=change_tau2,
        noise_scale=scale,
    ), converged


def _change_fit(
    ratings: CommunicationRatings,
    *,
    leniency: FloatArray,
    leniency_var: FloatArray,
    noise_var: FloatArray,
    n_users: int,
    change_tau2: float,
    start: CommunicationParams | None = None,
) -> CommunicationParams:
    """The model of change's fit: EM, then the spread of skills corrected by a bootstrap.

    The EM on rounded scores finds the spread of skills short (by 5-15% on
    bench/report_accuracy.py's populations), which shrinks people too far and narrows the
    bands; the shortfall is measured by drawing scores from the fit itself (same users, raters,
    ages and leniencies, each user a skill and a slope), fitting them again, and the spread
    is multiplied by drawn / found, as the step model's spreads are.

    From a start of the model of change (the last night's fit) the EM resumes at its
    uncorrected spread, and its correction is kept while the scores have grown by less than a
    fifth: a night then costs an EM step or two instead of a cold EM and a bootstrap (0.48 s
    CPU at 10,000 users; bench/README.md).
    """
    corrected = ratings.score - leniency
    n_scores = len(ratings.score)
    cold = CommunicationParams(
        mu=float(np.mean(corrected)),
        tau2=max(0.5 * float(np.var(ratings.score)), 0.05),
        sigma2=1.0,
        noise_scale=1.0,
    )
    warm = start is not None and start.change_tau2 is not None and start.noise_scale is not None
    kept: float | None = None
    resumed = cold
    if warm and start is not None:
        resumed = replace(start, tau2=start.tau2 / (start.tau2_correction or 1.0))
        if resumed.tau2 <= RESUME_FLOOR * SPREAD_FLOOR:
            # A launch night's handful of scores puts the spread at the floor (the EM's answer
            # where the scores tell nobody apart), from where the EM crawls (each user shrunk
            # to the mean finds the spread as small again) by less than its tolerance a step,
            # and stopped there as converged, 140x short: a first night's fit instead.
            warm, resumed = False, cold
        elif (
            start.tau2_correction is not None
            and start.correction_scores is not None
            and n_scores < SPREAD_REMEASURE_GROWTH * start.correction_scores
        ):
            kept = start.tau2_correction
    fitted, converged = _change_em(
        ratings, corrected, leniency_var, noise_var, n_users, resumed, change_tau2
    )
    if warm and not converged:
        # Resumed from a fit far from tonight's: fitted afresh, as a first night.
        fitted, _ = _change_em(
            ratings, corrected, leniency_var, noise_var, n_users, cold, change_tau2
        )
        kept = None
    if kept is not None:
        return replace(
            fitted,
            tau2=fitted.tau2 * kept,
            tau2_correction=kept,
            correction_scores=start.correction_scores if start is not None else None,
        )
    users = np.unique(ratings.user)
    if users.size < _CORRECTION_MIN_USERS:
        return fitted
    factor = _spread_shortfall(ratings, fitted, leniency, leniency_var, noise_var, n_users)
    return replace(
        fitted, tau2=fitted.tau2 * factor, tau2_correction=factor, correction_scores=n_scores
    )


def _spread_shortfall(
    ratings: CommunicationRatings,
    fitted: CommunicationParams,
    leniency: FloatArray,
    leniency_var: FloatArray,
    noise_var: FloatArray,
    n_users: int,
) -> float:
    """Return drawn / found: by how much the EM's spread of skills falls short (the bootstrap)."""
    change_tau2 = fitted.change_tau2 or 0.0
    rng = np.random.default_rng(_BOOTSTRAP_SEED)
    months = ratings.age_days / 30.0
    b = rng.normal(0.0, np.sqrt(fitted.tau2), n_users)
    slope = rng.normal(0.0, np.sqrt(change_tau2), n_users)
    score_var = (1.0 if fitted.noise_scale is None else fitted.noise_scale) * noise_var
    score_var = score_var + leniency_var
    latent = (
        fitted.mu
        + leniency
        + b[ratings.user]
        - slope[ratings.user] * months
        + rng.normal(0.0, np.sqrt(score_var))
    )
    drawn = replace(ratings, score=np.clip(np.round(latent), *SCALE))
    found, _ = _change_em(
        drawn, drawn.score - leniency, leniency_var, noise_var, n_users, fitted, change_tau2
    )
    return float(np.clip(fitted.tau2 / found.tau2, *_CORRECTION_BOUNDS))

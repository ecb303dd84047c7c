"""Fitting the rater-effect model over all ratings: the sweeps, then the raters and the skill
prior refined on the rounded scores (see the package doc).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from scoring.estimation.basics import N_STEPS, SCALE, FloatArray, IntArray, weighted_sum
from scoring.estimation.estimates import trend_prior
from scoring.estimation.joint import joint_state
from scoring.estimation.model import (
    CHANGE_TAU2_MIN,
    HALF_LIFE_DAYS,
    NOISE_PRIOR_RATINGS,
    NOISE_VAR_MAX,
    SLOPE_TAU2_MIN,
    Z_90,
    Fit,
    Params,
    Ratings,
    _prior,
    _safe_divide,
    change_months,
    scorecards,
)
from scoring.estimation.ordinal import interval, rounded

# The least a spread of skills (tau2_user, each step's tau2) is taken to be, in the sweeps, the
# prior's EM and its extrapolation alike.
SPREAD_FLOOR = 1e-3


@dataclass(frozen=True)
class _Users:
    """The exact posterior of every user's (a, d) given the leniencies, per (user, step)."""

    theta: FloatArray  # (n_users * 7,)
    theta_var: FloatArray
    d_second_moment: FloatArray
    a_second_moment: FloatArray  # (n_users,)
    has_data: NDArray[np.bool_]  # (n_users * 7,)


def _users(
    group: IntArray,
    precision: FloatArray,
    residual: FloatArray,
    n_users: int,
    tau2: FloatArray,
    tau2_user: float,
) -> _Users:
    shape = (n_users, N_STEPS)
    data_precision = weighted_sum(group, precision, n_users * N_STEPS).reshape(shape)
    has_data = data_precision > 0
    mean = _safe_divide(
        weighted_sum(group, precision * residual, n_users * N_STEPS).reshape(shape),
        data_precision,
        0.0,
    )
    k = _safe_divide(np.ones(shape), tau2 + _safe_divide(np.ones(shape), data_precision, 0.0), 0.0)
    k = np.where(has_data, k, 0.0)
    a_precision = 1.0 / tau2_user + k.sum(axis=1)
    a = (k * mean).sum(axis=1) / a_precision
    a_var = 1.0 / a_precision
    step_precision = data_precision + 1.0 / tau2
    b = data_precision / step_precision
    theta = (1.0 - b) * a[:, None] + b * mean
    theta_var = (1.0 - b) ** 2 * a_var[:, None] + 1.0 / step_precision
    d = b * (mean - a[:, None])
    d_second = d**2 + b**2 * a_var[:, None] + 1.0 / step_precision
    return _Users(
        theta=theta.ravel(),
        theta_var=theta_var.ravel(),
        d_second_moment=d_second.ravel(),
        a_second_moment=a**2 + a_var,
        has_data=has_data.ravel(),
    )


def fit(
    ratings: Ratings,
    *,
    half_life_days: float = HALF_LIFE_DAYS,
    max_iterations: int = 200,
    tolerance: float = 1e-3,
    start: Params | None = None,
    start_leniency: FloatArray | None = None,
    correct_spread: bool = True,
    start_noise: FloatArray | None = None,
) -> Fit:
    """Fit the additive rater-effect model over all ratings.

    start and start_leniency (per rater, nan where unknown) warm-start the sweeps from the
    previous fit: a night's new scorecards move the solution little, so few sweeps remain.
    start_noise (per rater, the noise variance the last night's refinement left; nan where
    unknown): the refinement of the raters' noise on the rounded scores takes its EM steps
    from there rather than from the sweeps' (which carry the rounding), so its EM goes on from
    night to night toward its fixed point at no cost (see _raters_refined).
    Sweeps stop when no estimate moves by `tolerance` (0.001 points: within ~0.003 of the
    fixed point on the benchmark's data). correct_spread: measure how far the EM's spreads of
    skills fall short and where the posterior is calibrated, and correct them (see
    _spread_correction), or reuse start's measurement
    while the ratings have grown by less than a fifth since it was taken and tonight's spread
    of change is on the same side of the trend's floor (_correction_holds).
    half_life_days: kept with the params for a communication fit stored before its model of
    change, whose old scores are discounted by it; the steps' skills have the model of change
    (change_tau2).
    """
    y, step, rater = ratings.score, ratings.step, ratings.rater
    n_users, n_raters = ratings.n_users, ratings.n_raters
    group = ratings.user * N_STEPS + step
    months = change_months(ratings.age_days)
    card, n_cards = scorecards(ratings)
    card_rater = np.zeros(n_cards, dtype=np.int64)
    card_rater[card] = rater
    card_n = np.bincount(card, minlength=n_cards).astype(np.float64)
    whole = rounded(y)

    step_n = np.bincount(step, minlength=N_STEPS).astype(np.float64)
    mu = _safe_divide(weighted_sum(step, y, N_STEPS), step_n, 2.5)
    spread = max(float(np.var(y)) if len(ratings) > 1 else 0.5, 0.1)
    sigma2, tau2_user, tau2_leniency = 0.4 * spread, 0.3 * spread, 0.1 * spread
    tau2 = np.full(N_STEPS, 0.2 * spread)

    group_step = np.tile(np.arange(N_STEPS), n_users)
    rater_n = np.bincount(rater, minlength=n_raters).astype(np.float64)
    has_rater = rater_n > 0
    user_has_data = np.bincount(ratings.user, minlength=n_users) > 0
    # The raters' figures and the prior are refined on the rounded scores' likelihood.
    refined = bool(whole.any() and user_has_data.any())
    if start is not None:
        start = _uncorrected(start)
        mu, tau2 = start.mu.copy(), start.tau2.copy()
        sigma2, tau2_user, tau2_leniency = start.sigma2, start.tau2_user, start.tau2_leniency
    leniency = np.zeros(n_raters)
    if start_leniency is not None:
        leniency = np.nan_to_num(np.asarray(start_leniency, dtype=np.float64), nan=0.0)
    # The sweeps and the raters' refinement take each score's change since it was given as
    # independent extra noise (slope variance x months^2), with the spread of slopes fitted
    # from the scores as the leniencies stand; the report's posterior treats it exactly.
    drift = _change_tau2(trend_prior(ratings, leniency, CHANGE_TAU2_MIN)[1]) * months * months
    leniency_var = np.full(n_raters, tau2_leniency)
    leniency_information = np.zeros(n_raters)
    rater_sigma2 = np.full(n_raters, sigma2)
    theta = np.zeros(n_users * N_STEPS)
    theta_var = np.zeros(n_users * N_STEPS)
    theta_g = np.zeros(len(ratings))
    iterations = 0
    # Each sweep is a few passes over every rating; np.take gathers twice as fast as indexing.
    take = np.take
    leniency_var_r = take(leniency_var, rater)
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        y_mu = y - take(mu, step)
        noise_r = take(rater_sigma2, rater)
        users = _users(
            group,
            1.0 / (noise_r + drift + leniency_var_r),
            y_mu - take(leniency, rater),
            n_users,
            tau2,
            tau2_user,
        )
        theta_g = take(users.theta, group)
        theta_var_g = take(users.theta_var, group)
        # A rater's leniency from each scorecard's mean residual. Every rating of a rater counts
        # however old (raters change slowly). A card's residuals share the error in the
        # candidate's estimated skill, so a card counts for less than its ratings would alone;
        # that uncertainty belongs to the leniency's variance too (taken as fully shared
        # within the card: a little too wide rather than too narrow).
        card_residual = _safe_divide(weighted_sum(card, y_mu - theta_g, n_cards), card_n, 0.0)
        card_theta_var = _safe_divide(
            weighted_sum(card, take(users.theta_var, group), n_cards),
            card_n,
            0.0,
        )
        card_drift = _safe_divide(weighted_sum(card, drift, n_cards), card_n, 0.0)
        card_weight = _safe_divide(
            np.ones(n_cards),
            (take(rater_sigma2, card_rater) + card_drift) / card_n + card_theta_var,
            0.0,
        )
        card_weight = np.where(card_n > 0, card_weight, 0.0)
        leniency_information = weighted_sum(card_rater, card_weight, n_raters)
        precision_l = leniency_information + 1.0 / tau2_leniency
        new_leniency = weighted_sum(card_rater, card_weight * card_residual, n_raters) / precision_l
        leniency_var = 1.0 / precision_l
        leniency_var_r = take(leniency_var, rater)
        # Shifting every leniency by c and mu by -c fits the data equally well; the prior puts
        # the optimum where the leniencies average 0. Sweeps crawl along that ridge, so jump.
        if has_rater.any():
            new_leniency[has_rater] -= new_leniency[has_rater].mean()
        y_theta_l = y - theta_g - take(new_leniency, rater)
        mu = _safe_divide(weighted_sum(step, y_theta_l, N_STEPS), step_n, mu)
        # EM updates of the variance components from the posterior moments.
        has = users.has_data
        tau2 = np.maximum(
            _safe_divide(
                weighted_sum(group_step[has], users.d_second_moment[has], N_STEPS),
                np.bincount(group_step[has], minlength=N_STEPS).astype(np.float64),
                tau2,
            ),
            SPREAD_FLOOR,
        )
        if user_has_data.any():
            tau2_user = max(float(np.mean(users.a_second_moment[user_has_data])), SPREAD_FLOOR)
        if has_rater.any() and (start is None or not refined):
            # Where the scores are rounded, a cold fit's start for the refinement's EM on them
            # (_raters_refined), which owns the spread from then on.
            tau2_leniency = max(
                float(np.mean((new_leniency**2 + leniency_var)[has_rater])), LENIENCY_SPREAD_FLOOR
            )
        e = y_theta_l - take(mu, step)
        # The rater's noise's share of the residual (the rest is the skill's change since).
        share = noise_r / (noise_r + drift)
        squared = share * share * (e * e + theta_var_g + leniency_var_r) + share * drift
        sigma2, rater_sigma2 = _raters_noise(weighted_sum(rater, squared, n_raters), rater_n)
        change = max(
            float(np.max(np.abs(users.theta - theta), initial=0.0)),
            float(np.max(np.abs(new_leniency - leniency), initial=0.0)),
        )
        theta, leniency = users.theta, new_leniency
        theta_var = users.theta_var
        if change < tolerance:
            break

    params = Params(
        mu=mu,
        tau2=tau2,
        tau2_user=tau2_user,
        sigma2=sigma2,
        tau2_leniency=tau2_leniency,
        half_life_days=half_life_days,
    )
    mode = mode_cov = None
    if refined:
        if start is not None:
            params = replace(params, tau2=start.tau2.copy(), tau2_user=start.tau2_user)
        sweeps_mu = params.mu
        leniency, leniency_var, mu, rater_sigma2, tau2_leniency = _raters_refined(
            ratings,
            group,
            drift,
            params,
            leniency,
            leniency_information,
            tau2_leniency,
            rater_sigma2
            if start_noise is None
            else np.where(np.isfinite(start_noise), start_noise, rater_sigma2),
            take(theta, group),
            take(theta_var, group),
            RATER_STEPS if start_noise is not None else RATER_STEPS_COLD,
        )
        # The step means, too, are re-estimated on the rounded scores below; a warm night
        # starts from the last night's, which tonight's scorecards move little.
        if start is not None:
            mu = start.mu.copy()
        params = replace(params, mu=mu, tau2_leniency=tau2_leniency)
        params = _with_change(params, ratings, leniency)
        raw_change = params.change_tau2 or CHANGE_TAU2_MIN
        known: _Correction | None = None
        measured_on = len(ratings)
        if (
            correct_spread
            and start is not None
            and _correction_holds(start, len(ratings), raw_change)
        ):
            known = _Correction(
                start.level_correction or 1.0,
                start.step_correction or 1.0,
                start.change_correction or 1.0,
                start.change_spurious or 0.0,
                start.band_scale or 1.0,
            )
            measured_on = start.correction_ratings or measured_on
            # The spread of change is not the EM's: the night's corrected one is the prior's.
            params = replace(params, change_tau2=known.changed(raw_change))
        evidence = _Evidence.of(ratings, card, leniency, leniency_var, rater_sigma2)
        params, mode, mode_cov = _prior_refined(
            evidence,
            params,
            user_has_data,
            # The sweeps' Gaussian posterior is near the mode: Newton starts there (the
            # deviations taken from the step means the EM starts with).
            theta.reshape(n_users, N_STEPS) + (sweeps_mu - mu),
            (1.0, 1.0) if known is None else known.spreads,
        )
        measured = known
        enough = whole.all() and user_has_data.sum() >= SPREAD_MIN_USERS
        if correct_spread and measured is None and enough:
            # A cold fit, a stored one without the factors or their count, or one whose ratings
            # have grown by a fifth since: measured, and the reports' posterior computed again
            # under the corrected prior.
            measured = _spread_correction(ratings, params, rater_sigma2)
            if measured.spreads != (1.0, 1.0) or measured.change != 1.0 or measured.spurious:
                params = replace(params, change_tau2=measured.changed(raw_change))
                mode, mode_cov = evidence.posterior(_corrected(params, measured.spreads), mode)
        if measured is not None:
            params = replace(
                _corrected(params, measured.spreads),
                level_correction=measured.level,
                step_correction=measured.steps,
                change_correction=measured.change,
                change_spurious=measured.spurious,
                correction_ratings=measured_on,
                band_scale=measured.band,
            )
    if params.change_tau2 is None:
        params = _with_change(params, ratings, leniency)
    return Fit(
        params=params,
        leniency=leniency,
        leniency_var=leniency_var,
        rater_n=rater_n.astype(np.int64),
        rater_noise_var=rater_sigma2,
        iterations=iterations,
        mode=None if mode is None else mode[:, :N_STEPS],
        mode_cov=mode_cov,
    )


def _change_tau2(fitted: float | None) -> float:
    """Return the spread of slopes the model of change takes: the fitted one, or the floor."""
    return max(CHANGE_TAU2_MIN if fitted is None else fitted, CHANGE_TAU2_MIN)


def _with_change(params: Params, ratings: Ratings, leniency: FloatArray) -> Params:
    """Return params with those of change over time: the trend's noise and prior, the skills'.

    One spread of slopes for both: the trend's prior (P(improving)) and the model of change
    (how much a score of some age still says about today's skill) are the same slopes, fitted
    once down to the change's floor; the trend's prior takes it at its own, higher floor (the
    EM's maximum under either constraint).
    """
    trend_sigma2, fitted = trend_prior(ratings, leniency, CHANGE_TAU2_MIN)
    return replace(
        params,
        trend_sigma2=trend_sigma2,
        slope_tau2=None if fitted is None else max(fitted, SLOPE_TAU2_MIN),
        change_tau2=_change_tau2(fitted),
    )


# Newton steps of the leniencies and EM steps of their spread and of the noise on the rounded
# scores, from the sweeps' users. One takes most of the gain on bench/report_accuracy.py's
# populations (RMSE 0.002-0.004 lower); a second gained 0.0002-0.0014 more for as much time
# again. A warm night takes its steps from the last night's noise (fit's start_noise), so the
# noise's EM goes on from night to night: after four nights steady raters are no longer taken
# for noisier than they are, and the bands on "uneven" cover 91.0-91.7% instead of 92.4-93.0%
# (bench/README.md, eighth round).
RATER_STEPS = 2
# A cold fit has no last night's noise to go on from, and its reports would then move for
# three nights as the EM went on (9,457, 5,610 and 2,081 of 10,000 rewritten on
# bench/reports.py's data): it takes the steps of those nights at once. After 8 steps the
# estimates are within 0.002 of where 16 leave them (0.028 after 2), for ~0.07 s a step at
# 658k ratings. The spread of leniencies is then within 2% of its fixed point (0.1943, then
# 0.1968 and 0.1972 on the next two nights on "reference"), and the first night after a cold
# one rewrites more reports for it (bench/README.md, twelfth round).
RATER_STEPS_COLD = 8
# The spread of leniencies never goes below this (a population of raters who all agree).
LENIENCY_SPREAD_FLOOR = 1e-4


def _raters_refined(
    ratings: Ratings,
    group: IntArray,
    drift: FloatArray,
    params: Params,
    leniency: FloatArray,
    leniency_information: FloatArray,
    tau2_leniency: float,
    noise_var: FloatArray,
    theta: FloatArray,
    theta_var: FloatArray,
    steps: int = RATER_STEPS,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float]:
    """Refine each rater's leniency and noise on the rounded scores; return the leniencies,
    their variance, mu, the noise and the spread of leniencies.

    The sweeps take scores as Gaussian, which suits the users but not the raters: a rater's
    residuals carry the rounding error (~1/12) on top of their noise, so a steady rater looks
    noisier than they are (0.17 for a true 0.09 on the "reference" population) and is weighted
    too little, while clipping hides part of a noisy or lenient rater's spread and leniency (a
    lenient rater's 4s read as 4s). Each step takes one pass of the interval likelihood at the
    sweeps' posterior of the users (theta, theta_var per rating), and from it:
    - the leniency: a Newton step on that likelihood, then centred (mu takes up the shift);
    - the noise: an EM step on each score's predictive interval likelihood (a second pass),
      with the user's skill as if this score were left out (the cavity of the Laplace
      posterior, so a steady rater's score does not explain itself), the error of that skill
      and of the leniency taken out of the residual by their share of the spread; shrunk
      toward the population with NOISE_PRIOR_RATINGS pseudo-ratings as in the sweeps.
    - the spread of leniencies (tau2_leniency): an EM step on those leniencies. The sweeps'
      Gaussian EM finds it a third short on every population of bench/report_accuracy.py
      (0.14 for 0.20 on "reference"), as rounding and clipping squeeze a lenient rater's
      scores, and every leniency was shrunk as much too far toward 0: the raters were shown
      their generosity 8-11% short of it. From a warm night on, the sweeps keep the spread
      found here, and this EM goes on from night to night.
    leniency_information: per rater, the precision the sweeps' scorecards give the leniency
    (its variance is 1 / (that + 1 / tau2_leniency)). The spread returned is one EM step ahead
    of the leniencies' last Newton step (taken under the one before): the next night goes on
    from it.
    drift: per rating, the variance of the skill's change since the score (independent extra
    noise here: the raters' figures are sums over many candidates).
    No further EM step of the prior is needed: a warm night still ends after its first.
    """
    rater = ratings.rater
    n_raters = leniency.size
    rater_n = np.bincount(rater, minlength=n_raters)
    has_rater = rater_n > 0
    precision = 1.0 / tau2_leniency
    leniency_var = 1.0 / (leniency_information + precision)
    card_leniency_var = np.take(leniency_var, rater)
    mu = params.mu
    for _ in range(steps):
        own = np.take(noise_var, rater)
        noise = own + drift
        m = np.take(mu, ratings.step) + np.take(leniency, rater) + theta
        at_mode = interval(ratings.score, m, noise)
        gradient = weighted_sum(rater, at_mode.gradient, n_raters) - leniency * precision
        weight = weighted_sum(rater, at_mode.weight, n_raters) + precision
        new_leniency = leniency + gradient / weight
        shift = float(new_leniency[has_rater].mean()) if has_rater.any() else 0.0
        new_leniency[has_rater] -= shift
        if has_rater.any():
            second_moment = float(np.mean((new_leniency**2 + leniency_var)[has_rater]))
            precision = 1.0 / max(second_moment, LENIENCY_SPREAD_FLOOR)
            leniency_var = 1.0 / (leniency_information + precision)
            card_leniency_var = np.take(leniency_var, rater)
        cavity_precision = np.maximum(1.0 / theta_var - at_mode.weight, 1e-2)
        cavity = m - at_mode.gradient / cavity_precision
        other = 1.0 / cavity_precision + card_leniency_var + drift
        spread = own + other
        found = interval(ratings.score, cavity, spread)
        share = own / spread
        squared = share**2 * ((found.mean - cavity) ** 2 + found.var) + share * other
        _, noise_var = _raters_noise(weighted_sum(rater, squared, n_raters), rater_n)
        leniency, mu = new_leniency, mu + shift
    return leniency, leniency_var, mu, noise_var, 1.0 / precision


# The population's noise, toward which each rater's is shrunk, is the mean over all ratings of
# their squared errors, each rater's mean square counted at most this many times the median
# rater's: one rater scoring at random raised it, and with it every other rater's noise, and
# so every report's bands (night after night, as their own noise grew). Honest raters' noise
# spans 0.3-1.0 sd on the bench's populations (at most 2.4x the median variance): untouched.
NOISE_POOL_CAP = 5.0


def _raters_noise(
    rater_squared: FloatArray, rater_n: FloatArray | IntArray
) -> tuple[float, FloatArray]:
    """Return the population's noise variance and each rater's, from their summed squared
    errors: each rater's shrunk toward the population's with NOISE_PRIOR_RATINGS pseudo-ratings
    (beta / alpha of the rater's inverse-gamma posterior, 1 / E[1 / noise]: the weight the EM
    of a Student-t likelihood, the noise integrated over that posterior, gives each score, so
    the users' posterior mode already is the t model's. What the plug-in leaves out, the t's
    heavier tails, was measured for light raters: no gain; even their true noise would be worth
    at most 0.002 RMSE, bench/README.md, sixth round), within [1e-3, NOISE_VAR_MAX]."""
    rated = rater_n > 0
    total = float(rater_n.sum())
    if not rated.any() or total <= 0:
        return 1e-3, np.full(rater_n.shape, 1e-3)
    own = rater_squared[rated] / rater_n[rated]
    bound = NOISE_POOL_CAP * float(np.median(own))
    pooled = float(np.minimum(own, bound) @ rater_n[rated]) / total
    sigma2 = min(max(pooled, 1e-3), NOISE_VAR_MAX)
    noise = (NOISE_PRIOR_RATINGS * sigma2 + rater_squared) / (NOISE_PRIOR_RATINGS + rater_n)
    return sigma2, np.clip(noise, 1e-3, NOISE_VAR_MAX)


@dataclass(frozen=True)
class _Evidence:
    """What the users' joint posterior is computed from, per rating: the scores and their raters."""

    ratings: Ratings
    card: IntArray
    leniency: FloatArray  # the rater's, per rating
    leniency_var: FloatArray
    noise_var: FloatArray  # the rater's noise

    @classmethod
    def of(
        cls,
        ratings: Ratings,
        card: IntArray,
        leniency: FloatArray,
        leniency_var: FloatArray,
        noise_var: FloatArray,
    ) -> _Evidence:
        """Gather the raters' arrays (leniency, its variance, noise) to each rating."""
        rater = ratings.rater
        return cls(ratings, card, leniency[rater], leniency_var[rater], noise_var[rater])

    def posterior(self, params: Params, start: FloatArray | None) -> tuple[FloatArray, FloatArray]:
        """Return the users' joint posterior under params: the mode (with the slopes' under
        the model of change: scoring.estimation.joint.joint_state) and the skills' covariance."""
        r = self.ratings
        return joint_state(
            start=start,
            user=r.user,
            step=r.step,
            card=self.card,
            score=r.score,
            offset=params.mu[r.step] + self.leniency,
            noise_var=self.noise_var,
            card_leniency_var=self.leniency_var,
            n_users=r.n_users,
            prior=_prior(params),
            months=change_months(r.age_days),
            change_tau2=params.change_tau2,
        )


# EM steps of the skill prior on the joint posterior of rounded scores. The sweeps above take
# the scores as Gaussian: fast, and the leniencies come out well, but rounding and clipping to
# 1-4 squeeze the scores, so the spread of skills comes out too small (by a third on
# bench/report_accuracy.py's populations; imputing each score from its interval inside the
# sweeps did no better, as it pulls each score toward the current fit), and the step means
# are drawn toward the middle of the scale (a step whose population mean is 2.8 came out at
# 2.73, one at 2.0 at 2.05 on the "reference" population: its users' estimates were shrunk
# toward the wrong point). These steps re-estimate the step means and the spread from the
# posterior that treats the rounding exactly.
# EM is slow where the data say little: the step means move by Newton's step instead of EM's
# (_mean_step), and the spreads' steps are extrapolated along their path (_squarem), so that
# a cold fit stops near the fixed point, not where its steps got small with 3-5 times the
# tolerance left to go (which a warm night then went on to cover, moving every report). It
# stops when no variance or mean moves by PRIOR_TOLERANCE (a step or two from the last night's
# prior, which a night's scorecards move little). On reference at 10,000 users a cold fit
# takes 5 posteriors where it took 7, and the bootstrap's replicate 2 where it took 7.
PRIOR_STEPS = 40
PRIOR_TOLERANCE = 1e-3
TAU2_PRIOR_USERS = 200.0


def _prior_refined(
    evidence: _Evidence,
    params: Params,
    user_has_data: NDArray[np.bool_],
    start: FloatArray,
    correction: tuple[float, float] = (1.0, 1.0),
) -> tuple[Params, FloatArray, FloatArray]:
    """Re-estimate mu, tau2_user and tau2 by EM on the joint posterior.

    Returns the params and the users' posterior (mode with the slopes' as joint_state returns
    it, covariance) computed under exactly
    those params: once an EM step moves no variance or step mean by PRIOR_TOLERANCE, the
    params it started from are kept rather than the step's result (both are the fixed point
    within the tolerance), so the reports can use the step's posterior as it is instead of
    computing it again under params that differ in the fourth decimal. The mode is found to
    the report's NEWTON_TOLERANCE (scoring.estimation.joint) for the same reason.

    correction: the spread correction (level, steps) the reports' prior carries. The params
    returned are the EM's own (uncorrected); the posterior returned, each step's E-step, is
    computed under the corrected prior, which is the reports', and taken to the EM's prior
    for the moments (_reprior), so a warm night needs no further posterior for its reports.
    """
    state = start
    off_diagonal = ~np.eye(N_STEPS, dtype=bool)
    users = float(user_has_data.sum())
    path: list[FloatArray] = []
    for step in range(PRIOR_STEPS):
        # The next step's Newton starts from this one's mode, slopes and all.
        state, cov = evidence.posterior(_corrected(params, correction), state)
        mean = state[:, :N_STEPS]
        own_mean, own_cov = _reprior(mean, cov, _corrected(params, correction), params)
        # The step means: the users' deviations from them average zero.
        shift = own_mean[user_has_data].mean(axis=0)
        centred = own_mean - shift
        move = _mean_step(shift, own_cov[user_has_data], params)
        second = (centred[:, :, None] * centred[:, None, :] + own_cov)[user_has_data].mean(axis=0)
        # The prior's shape (a shared level plus independent steps), matched to the moments. A
        # full 7x7 covariance and a one-factor structure (loadings per step) were measured too
        # and changed nothing (bench/README.md): the level does the correlating.
        tau2_user = max(float(second[off_diagonal].mean()), SPREAD_FLOOR)
        # Each step's spread is pooled toward the steps' mean with TAU2_PRIOR_USERS pseudo-
        # users: a few hundred users cannot tell seven spreads apart, and EM left alone
        # drives a step's spread to zero (and its bands with it) on such noise.
        own = np.maximum(np.diagonal(second) - tau2_user, SPREAD_FLOOR)
        tau2 = (users * own + TAU2_PRIOR_USERS * own.mean()) / (users + TAU2_PRIOR_USERS)
        change = max(
            abs(tau2_user - params.tau2_user),
            float(np.abs(tau2 - params.tau2).max()),
            float(np.abs(move).max()),
        )
        # Out of steps, too: the last update would have no posterior computed under it.
        if change < PRIOR_TOLERANCE or step == PRIOR_STEPS - 1:
            break
        path.append(np.r_[params.tau2_user, params.tau2])
        spreads = _squarem(path, np.r_[tau2_user, tau2])
        if spreads is not None:
            path = []
            tau2_user, tau2 = float(spreads[0]), spreads[1:]
        params = replace(params, mu=params.mu + move, tau2=tau2, tau2_user=tau2_user)
        state = state.copy()
        state[:, :N_STEPS] -= move
    return params, state, cov


# The extrapolation's step length, as a multiple of EM's (1: EM's own two steps).
SQUAREM_STEP = (1.0, 8.0)


def _squarem(path: list[FloatArray], new: FloatArray) -> FloatArray | None:
    """Squared extrapolation (SQUAREM, Varadhan and Roland 2008) of the spreads' EM: from two
    EM steps x0 -> x1 -> x2 (path holds x0 and x1, new is x2), the point along their path the
    steps are heading to. None until there are two steps, or where the extrapolation leaves
    the spreads' domain (then EM's own x2 is taken)."""
    if len(path) < 2:
        return None
    x0, x1 = path[-2], path[-1]
    r = x1 - x0
    v = new - x1 - r
    if not np.any(v):
        return None
    alpha = float(np.clip(np.sqrt(r @ r / (v @ v)), *SQUAREM_STEP))
    jumped = x0 + 2 * alpha * r + alpha * alpha * v
    if not np.all(np.isfinite(jumped)) or jumped.min() < SPREAD_FLOOR:
        return None
    return jumped


# EM moves the step means by the users' mean deviation, which each user's posterior has shrunk
# toward the prior's mean: where people have few scores, a third of the way there per step
# (0.0183, 0.0114, 0.0070, ... on reference), so the means took 7 of the prior's steps to move
# by less than its tolerance on a cold fit, and stopped short. The posterior mean moves with the
# prior's by cov x prior precision (per user, in the Gaussian approximation), so the step that
# zeroes the mean deviation is that shift divided by the share of it the data holds.
MEAN_STEP_MAX = 5.0


def _mean_step(shift: FloatArray, cov: FloatArray, params: Params) -> FloatArray:
    """Return the step means' Newton move from the users' mean deviation (shift) and their
    posterior covariances (users, 7, 7) under params: solves (I - mean(cov) P) move = shift.

    Falls back to EM's own move (shift) where the data hold too little for the solve to be
    trusted (the move more than MEAN_STEP_MAX times the shift)."""
    if not len(cov):
        return shift
    held = np.eye(N_STEPS) - cov.mean(axis=0) @ np.linalg.inv(_prior(params))
    try:
        move = np.linalg.solve(held, shift)
    except np.linalg.LinAlgError:
        return shift
    size = float(np.abs(shift).max())
    if not np.all(np.isfinite(move)) or float(np.abs(move).max()) > MEAN_STEP_MAX * size:
        return shift
    return move


# The EM above finds spreads of skills smaller than the truth: on bench/report_accuracy.py's
# "reference" population tau2_user 0.028, 0.037, 0.032 for samples whose level variance is
# 0.039, 0.042, 0.039, and tau2 0.110 for 0.122; 1-13% short on the other populations. Not slow
# convergence (the same after 160 EM steps): the EM's fixed point is biased, for two reasons
# measured on reference seed 1 (bench/README.md, fifth round): the Laplace approximation of
# rounded scores (with every rater known exactly it finds 0.034; 0.036 on unrounded scores),
# and the raters' estimated leniencies, which take up part of the levels of the few people a
# light rater rated (0.034 -> 0.028). Too small a spread shrinks everybody too far toward the
# population, and P(skill < bar) near the bar was stated 7-9 points too high. The shortfall is
# measured by a parametric bootstrap: data drawn from the fitted model with the same people,
# raters, steps and ages, fitted the same way; the ratio of the spreads drawn to the spreads
# found corrects the fit's, and from there the factors are moved to where the replicates'
# posterior is calibrated (_calibrated: the spreads right were not enough for the report's
# probabilities). It is measured on a cold fit (or when a stored fit lacks it) and
# carried from night to night, as the design it depends on changes slowly, until the ratings
# have grown by SPREAD_REMEASURE_GROWTH.
# Fewer people than this: no correction (and none stored, so a later night measures it). The
# spreads of a few dozen people are too uncertain for a ratio of them to mean anything, and the
# small worlds of the tests keep the plain EM.
SPREAD_MIN_USERS = 100
# Replicates enough for about this many simulated ratings (a small population's ratio is
# noisy), within SPREAD_REPLICATES.
SPREAD_RATINGS = 100_000
SPREAD_REPLICATES = 8
# The bias corrected for in the skills' spreads, and in a spread of change the trend tells from
# noise, is a shortfall: a ratio below 1 is the replicates' noise, and one above 2 a sign the
# model does not fit, not something to multiply a spread by. Below the trend's floor the spread
# of change is not scaled but has the spurious spread taken off (_spread_correction).
SPREAD_CORRECTION = (1.0, 2.0)
SPREAD_SEED = 13
# The factors depend on the design (interviews per person, how many people each rater rated),
# which drifts as the platform grows: measured again, on that night only (one replicate fit,
# ~5 s CPU at 658k ratings), once the ratings have grown by this factor since the last time.
SPREAD_REMEASURE_GROWTH = 1.2


@dataclass(frozen=True)
class _Correction:
    """The correction of the EM's spreads (_spread_correction): the skills' level and steps
    (factors, set where the posterior is calibrated), and the spread of change: scaled by
    `change` where the trend tells it from the noise of the slopes, or, where it does not,
    with `spurious` (what a fit finds where nobody changes) taken off. One of the two is
    always neutral (change 1, or spurious 0). And the posterior's sd as the report states it
    (band: Params.band_scale)."""

    level: float
    steps: float
    change: float
    spurious: float
    band: float = 1.0

    @property
    def spreads(self) -> tuple[float, float]:
        return self.level, self.steps

    def changed(self, raw: float) -> float:
        """Return the spread of change as corrected, never below the floor.

        Never a factor below 1: a stored share of a spurious spread would go on cutting a real
        one once people start changing; the spurious amount taken off leaves a real one nearly
        whole (and the correction is measured again once the raw spread crosses the trend's
        floor: _correction_holds)."""
        return max((raw - self.spurious) * self.change, CHANGE_TAU2_MIN)


def _correction_holds(params: Params, n_ratings: int, raw_change: float) -> bool:
    """Say whether the spread correction stored with params still holds for n_ratings, and for
    tonight's spread of change as fitted (raw_change).

    The change's correction was measured on one side of the trend's floor: a spurious spread
    to take off below it, a factor above it. Once tonight's fitted spread is on the other side
    (people started or stopped changing), the stored one is for another world: measured again.
    A fit stored before the spurious spread was kept (its change factor could be below 1), or
    before the skills' factors were calibrated, is measured again too.
    """
    if (
        params.level_correction is None
        or params.change_correction is None
        or params.change_spurious is None
        or params.correction_ratings is None
        or params.band_scale is None
    ):
        return False
    measured_told = params.change_spurious == 0.0
    if (raw_change >= SLOPE_TAU2_MIN) != measured_told:
        return False
    return n_ratings < SPREAD_REMEASURE_GROWTH * params.correction_ratings


def _uncorrected(params: Params) -> Params:
    """Return params with the spreads as the EM finds them, for the EM to start from."""
    if params.level_correction is None:
        return params
    return replace(
        params,
        tau2_user=params.tau2_user / params.level_correction,
        tau2=params.tau2 / (params.step_correction or 1.0),
    )


def _spread_correction(ratings: Ratings, params: Params, noise_var: FloatArray) -> _Correction:
    """Return the correction of the fit's spreads (level, steps, change) and its band scale.

    Draws scores from the fitted model (today's skills from the prior, each (user, step)'s
    slope since from N(0, change_tau2), leniencies from their spread, each rater's noise,
    rounded and clipped to the rubric) for the same ratings, fits them without this correction,
    and compares the spreads found with those drawn; the skills' factors are then set where the
    replicates' posterior is calibrated (_calibrated). The spread of change is found short too:
    the slopes are fitted to rounded scores clipped to the rubric, which flattens them.

    A spread of change below the trend's floor (SLOPE_TAU2_MIN) is not told from the noise of
    the fitted slopes: where nobody changes, the fit still finds 0.5-3.5e-4 (bench/README.md,
    eighth round). There no change is drawn, so the skills' shortfall is measured in a world
    without change (drawn slopes widen the spread of the scores the skills are fitted from,
    and the shortfall measured with them was 0.10 too small for the steps on "reference"), and
    what the replicates found without any change (their spurious spread) is taken off the
    fitted spread instead of scaling it up (the change factor is then 1).
    """
    rng = np.random.default_rng(SPREAD_SEED)
    n_users, n_raters, n = ratings.n_users, ratings.n_raters, len(ratings)
    noise_sd = np.sqrt(noise_var[ratings.rater])
    fitted_change = params.change_tau2 or CHANGE_TAU2_MIN
    told = fitted_change >= SLOPE_TAU2_MIN
    change_sd = (np.sqrt(fitted_change) if told else 0.0) * change_months(ratings.age_days)
    replicates = int(np.clip(np.ceil(SPREAD_RATINGS / max(n, 1)), 1, SPREAD_REPLICATES))
    level = steps = change = 0.0
    drawn_worlds: list[_Replicate] = []
    for _ in range(replicates):
        skill = rng.normal(0.0, np.sqrt(params.tau2_user), (n_users, 1)) + rng.normal(
            0.0, np.sqrt(params.tau2), (n_users, N_STEPS)
        )
        lenient = rng.normal(0.0, np.sqrt(params.tau2_leniency), n_raters)
        latent = (
            params.mu[ratings.step]
            + skill[ratings.user, ratings.step]
            + lenient[ratings.rater]
            + rng.normal(0.0, 1.0, n) * noise_sd
        )
        # The same slope for every score of a (user, step): drawn per pair, not per score.
        slope = rng.normal(0.0, 1.0, (n_users, N_STEPS))
        latent -= slope[ratings.user, ratings.step] * change_sd
        drawn = replace(ratings, score=np.clip(np.round(latent), *SCALE))
        replicate = fit(drawn, half_life_days=params.half_life_days, correct_spread=False)
        found = replicate.params
        level += found.tau2_user
        steps += float(found.tau2.mean())
        change += found.change_tau2 or CHANGE_TAU2_MIN
        if replicate.mode is not None and replicate.mode_cov is not None:
            drawn_worlds.append(_Replicate(drawn, skill, replicate))
    low, high = SPREAD_CORRECTION
    found_change = change / replicates
    spreads = (
        float(np.clip(replicates * params.tau2_user / level, low, high)),
        float(np.clip(replicates * float(params.tau2.mean()) / steps, low, high)),
    )
    correction = _Correction(
        level=spreads[0],
        steps=spreads[1],
        # Below the trend's floor the ratio drawn / found would be the replicates' noise (x1.3-
        # 2.0 on the bench's static populations, doubling a spurious spread): what the fit
        # finds where nothing changes (never below CHANGE_TAU2_MIN, so never 0) is taken off.
        change=float(np.clip(fitted_change / found_change, low, high)) if told else 1.0,
        spurious=0.0 if told else found_change,
    )
    if not drawn_worlds:
        return correction
    # Calibrated on the posterior the report computes: with the spread of change corrected.
    worlds = [world.under(correction) for world in drawn_worlds]
    spreads, band = _calibrated(worlds, spreads)
    return replace(correction, level=spreads[0], steps=spreads[1], band=band)


@dataclass(frozen=True)
class _Replicate:
    """A world drawn from the fitted model (_spread_correction): its ratings, the skills drawn
    (deviations from the step means) and the fit of it without a correction."""

    ratings: Ratings
    skill: FloatArray  # (n_users, 7)
    fit: Fit

    @cached_property
    def rated(self) -> NDArray[np.bool_]:
        """Which (user, step) skills have a score."""
        rated = np.zeros(self.skill.shape, dtype=bool)
        rated[self.ratings.user, self.ratings.step] = True
        return rated

    def under(self, correction: _Correction) -> _Replicate:
        """Return the replicate with its posterior under the spread of change as corrected.

        The replicate's fit has its own spread of change as the EM finds it (short of the one
        drawn where the trend tells change, spurious where it does not); the report's posterior
        has it corrected. Calibrated under the EM's, the factors and band scale made up for the
        missing correction, and the report then had both: bands 94-95% where people changed by
        0.08-0.1 points a month (a review's measurement).
        """
        found = self.fit.params
        params = replace(found, change_tau2=correction.changed(found.change_tau2 or 0.0))
        if params.change_tau2 == found.change_tau2 or self.fit.mode is None:
            return self
        card, _ = scorecards(self.ratings)
        evidence = _Evidence.of(
            self.ratings, card, self.fit.leniency, self.fit.leniency_var, self.fit.rater_noise_var
        )
        mode, cov = evidence.posterior(params, self.fit.mode)
        return replace(
            self, fit=replace(self.fit, params=params, mode=mode[:, :N_STEPS], mode_cov=cov)
        )


# The search for the factor under which the replicates' posterior is calibrated (_calibrated):
# at most this many rounds, stopping once the slope is within CALIBRATION_TOLERANCE of 1.
CALIBRATION_ROUNDS = 6
CALIBRATION_TOLERANCE = 0.002
# A log-slope that moves less than this per unit of its factor's log is flat: its factor stays.
FLAT_SLOPE = 0.1
# The band scale is a correction of the width's last few percent, not a model of it.
BAND_SCALE = (0.8, 1.2)


def _calibrated(
    replicates: list[_Replicate], start: tuple[float, float]
) -> tuple[tuple[float, float], float]:
    """Return the spread correction (level, steps) and the band scale under which the posterior
    is calibrated on the replicates: the drawn people's mean skills regressed on their
    estimates have slope 1, so do each skill's deviations from that mean, and 90% of the skills
    lie within their 90% bands.

    The ratio of the spreads drawn to those found (start) makes the prior's spreads right;
    the posterior under it was still too sure of the population's middle: on data drawn from
    the model the skills regressed on their estimates had slopes of 1.02-1.08, and 1.02-1.06 on
    bench/report_accuracy.py's populations, as the plug-in raters' figures and the Laplace
    approximation of rounded scores take the spread of the estimates in a little; P(skill <
    bar) was stated 2-7 points too high above the middle (bench/README.md, tenth round). What
    the report states is the posterior, so the factors are set where the replicates' posterior
    is calibrated: each by the secant method in its logarithm on its own slope, the posterior
    under each candidate prior taken from the replicate's own (_reprior: one Newton step,
    plenty for a regression slope). A factor whose slope hardly moves with it stays (the
    level's where people have many scores). One factor common to both calibrated P(skill <
    bar) as well but made the weakest step's probability less right, which depends on the
    deviations. The replicates' posterior is the report's: under the spread of change as
    corrected (_Replicate.under). The wider prior widens the posterior too, past what its
    errors are (the bands covered 1-1.5 points more): the band scale takes the sd to where 90%
    of the replicates' skills lie in their bands.
    """
    low, high = SPREAD_CORRECTION
    base = np.asarray(start, dtype=np.float64)
    # How far each factor may go from where it starts within SPREAD_CORRECTION.
    least, most = np.log(low) - np.log(base), np.log(high) - np.log(base)

    def posteriors(k: FloatArray) -> list[tuple[FloatArray, FloatArray, FloatArray, IntArray]]:
        """Per replicate, over its rated skills: the skills drawn, their posterior means and
        sds under the replicate's prior times base * exp(k), and whose they are."""
        level, steps = base * np.exp(k)
        found = []
        for world in replicates:
            params, mode, cov = world.fit.params, world.fit.mode, world.fit.mode_cov
            assert mode is not None and cov is not None
            mean, cov = _reprior(mode, cov, params, _corrected(params, (level, steps)))
            rated = world.rated
            sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
            found.append((world.skill[rated], mean[rated], sd[rated], np.nonzero(rated)[0]))
        return found

    def log_slopes(k: FloatArray) -> FloatArray:
        """The logs of the pooled slopes of the people's drawn mean skills on their estimates
        and of each skill's drawn deviation from it on its estimate, at the factors exp(k)."""
        sums = np.zeros((2, 2))
        for truth, mean, _, user in posteriors(k):
            n = np.bincount(user).astype(np.float64)
            has = n > 0
            level = (np.bincount(user, truth) / np.maximum(n, 1))[has]
            level_hat = (np.bincount(user, mean) / np.maximum(n, 1))[has]
            deviation = truth - np.bincount(user, truth)[user] / n[user]
            deviation_hat = mean - np.bincount(user, mean)[user] / n[user]
            for part, (x, y) in enumerate(((level_hat, level), (deviation_hat, deviation))):
                x = x - x.mean()
                sums[part] += (float(x @ (y - y.mean())), float(x @ x))
        cross, square = sums[:, 0], sums[:, 1]
        return np.log(np.divide(cross, square, out=np.ones(2), where=(cross > 0) & (square > 0)))

    # The log-slopes fall as the factors' logs grow; the first step takes them as falling one
    # for one (the posterior mean proportional to the prior's spread, as where data are weak).
    k_last, y_last = np.zeros(2), log_slopes(np.zeros(2))
    best_k, best_y = k_last, y_last
    k = np.clip(y_last, least, most)
    for _ in range(CALIBRATION_ROUNDS):
        y = log_slopes(k)
        # Each factor where its slope came nearest 1 (the last step is evaluated too).
        nearer = np.abs(y) < np.abs(best_y)
        best_k, best_y = np.where(nearer, k, best_k), np.where(nearer, y, best_y)
        if np.abs(y).max() < np.log1p(CALIBRATION_TOLERANCE):
            break
        # The secant's slope. Where the slope hardly moves with the factor (the level's, where
        # people have many scores: their estimates hardly depend on the prior), the factor
        # stays: it would follow the replicates' noise toward the clip (1.85 on "strong") for
        # no gain. Where the replicates' noise makes it rise: one for one.
        moved = k - k_last
        fall = np.where(moved != 0, (y - y_last) / np.where(moved != 0, moved, 1), -1.0)
        step = np.select(
            [fall >= 0, fall < -FLAT_SLOPE], [y, -y / np.minimum(fall, -FLAT_SLOPE)], 0.0
        )
        k_last, y_last = k, y
        k = np.clip(k + np.clip(step, -0.3, 0.3), least, most)
        if np.array_equal(k, k_last):
            break
    k = best_k
    # The posterior mean's error in its own sd: the 90% band's half-width in it is Z_90.
    errors = np.concatenate([np.abs(truth - mean) / sd for truth, mean, sd, _ in posteriors(k)])
    band = float(np.clip(np.quantile(errors, 0.9) / Z_90, *BAND_SCALE))
    level, steps = np.clip(base * np.exp(k), low, high)
    return (float(level), float(steps)), band


def _corrected(params: Params, correction: tuple[float, float]) -> Params:
    """Return params with the spreads multiplied by the correction (level, steps)."""
    if correction == (1.0, 1.0):
        return params
    level, steps = correction
    return replace(params, tau2_user=params.tau2_user * level, tau2=params.tau2 * steps)


def _reprior(
    mean: FloatArray, cov: FloatArray, under: Params, to: Params
) -> tuple[FloatArray, FloatArray]:
    """Take a Laplace posterior computed under one prior to another, per user, in 7x7 algebra.

    The likelihood's precision is what the posterior's holds beyond the prior's, and its
    information vector is the posterior precision times the mode; one Newton step of the new
    posterior from the old mode, about 1e-4 points from converged: enough for the EM's moments,
    summed over every user, not for a report.
    """
    if under is to:
        return mean, cov
    change = np.linalg.inv(_prior(to)) - np.linalg.inv(_prior(under))
    precision = np.linalg.inv(cov)
    information = np.einsum("uij,uj->ui", precision, mean)
    new_cov = np.linalg.inv(precision + change)
    return np.einsum("uij,uj->ui", new_cov, information), new_cov

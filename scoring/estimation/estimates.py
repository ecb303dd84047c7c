"""The report's posterior per user given the fit: estimates with their bands, trends and counts
(see the package doc).
"""

from __future__ import annotations

import numpy as np

from scoring.estimation.basics import N_STEPS, SCALE, FloatArray, IntArray, weighted_sum
from scoring.estimation.joint import joint_state
from scoring.estimation.model import (
    MIN_TREND_RATINGS,
    MIN_TREND_SPAN_DAYS,
    SLOPE_TAU2_MIN,
    Estimates,
    Fit,
    Params,
    Ratings,
    _cards_of,
    _prior,
    _safe_divide,
    change_months,
    effective_counts,
    recency_weight,
    scorecards,
)


def posterior(
    *,
    user: IntArray,
    step: IntArray,
    score: FloatArray,
    age_days: FloatArray,
    leniency: FloatArray,
    leniency_var: FloatArray,
    noise_var: FloatArray,
    n_users: int,
    params: Params,
    card: IntArray | None = None,
    start: FloatArray | None = None,
    known: tuple[FloatArray, FloatArray] | None = None,
) -> Estimates:
    """Estimate every user's skill per step given each rating's rater leniency and noise.

    start: (n_users, 7) a point near the posterior mode of the deviations (Fit.mode), so fewer
    Newton steps reach it; the result is the same within NEWTON_TOLERANCE.
    known: the joint posterior (mode, covariance) already computed under these params and
    arrays (Fit.mode and Fit.mode_cov), taken as it is.
    card: the scorecard of each rating (see Ratings.card); its scores share one leniency error.
    """
    n_groups = n_users * N_STEPS
    group = user * N_STEPS + step
    months = change_months(age_days)
    corrected = score - leniency
    if known is not None:
        mean, cov = known
    else:
        if card is None:
            card, _ = _cards_of(user, age_days, leniency)
        state, cov = joint_state(
            user=user,
            step=step,
            card=card,
            score=score,
            offset=params.mu[step] + leniency,
            noise_var=evidence_noise(noise_var, age_days, params),
            card_leniency_var=leniency_var,
            n_users=n_users,
            prior=_prior(params),
            start=start,
            months=months,
            change_tau2=params.change_tau2,
        )
        mean = state[:, :N_STEPS]
    n = np.bincount(group, minlength=n_groups)
    raw_mean = _safe_divide(weighted_sum(group, score, n_groups), n, np.nan)
    trend_sigma2 = params.sigma2 if params.trend_sigma2 is None else params.trend_sigma2
    slope, slope_sd, span = _trend(group, -age_days / 30.0, corrected, n, n_groups, trend_sigma2)
    if params.slope_tau2 is not None:
        slope, slope_sd = _slope_posterior(slope, slope_sd, params.slope_tau2)
    shape = (n_users, N_STEPS)
    latent = params.mu + mean
    if params.band_scale is not None:
        cov = cov * params.band_scale**2  # the calibrated width (Params.band_scale)
    return Estimates(
        estimate=np.clip(latent, *SCALE),
        sd=np.sqrt(np.diagonal(cov, axis1=1, axis2=2)),
        n=n.reshape(shape),
        raw_mean=raw_mean.reshape(shape),
        slope=slope.reshape(shape),
        slope_sd=slope_sd.reshape(shape),
        span_days=(span * 30.0).reshape(shape),
        latent=latent,
        cov=cov,
        n_effective=effective_counts(group, months, n_groups, params).reshape(shape),
    )


def evidence_noise(noise_var: FloatArray, age_days: FloatArray, params: Params) -> FloatArray:
    """Return each score's noise as the posterior takes it: the rater's, or (a fit stored
    before the model of change) the rater's over the score's half-life weight."""
    if params.change_tau2 is not None:
        return noise_var
    return noise_var / recency_weight(age_days, params.half_life_days)


def estimate_all(ratings: Ratings, result: Fit) -> Estimates:
    """Return the posterior for every user of a fitted set of ratings.

    The fit's last EM step computed it already (under the fit's params); it is reused.
    """
    known = (
        None
        if result.mode is None or result.mode_cov is None
        else (
            result.mode,
            result.mode_cov,
        )
    )
    return posterior(
        user=ratings.user,
        step=ratings.step,
        score=ratings.score,
        age_days=ratings.age_days,
        leniency=result.leniency[ratings.rater],
        leniency_var=result.leniency_var[ratings.rater],
        noise_var=result.rater_noise_var[ratings.rater],
        n_users=ratings.n_users,
        params=result.params,
        card=None if known else scorecards(ratings)[0],
        start=result.mode,
        known=known,
    )


def _trend(
    group: IntArray,
    x: FloatArray,
    y: FloatArray,
    n: IntArray,
    n_groups: int,
    sigma2: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Least-squares slope of y on x per group, its standard error and the span of x."""
    sx = weighted_sum(group, x, n_groups)
    sxx = weighted_sum(group, x * x, n_groups)
    sy = weighted_sum(group, y, n_groups)
    sxy = weighted_sum(group, x * y, n_groups)
    safe_n = np.maximum(n, 1)
    centered_xx = sxx - sx * sx / safe_n
    centered_xy = sxy - sx * sy / safe_n
    ok = (n >= 2) & (centered_xx > 1e-9)
    slope = _safe_divide(centered_xy, centered_xx, np.nan, where=ok)
    slope_sd = np.sqrt(_safe_divide(np.full(n_groups, sigma2), centered_xx, np.nan, where=ok))
    lowest = np.full(n_groups, np.inf)
    highest = np.full(n_groups, -np.inf)
    np.minimum.at(lowest, group, x)
    np.maximum.at(highest, group, x)
    span = np.where(n > 0, highest - lowest, 0.0)
    return slope, slope_sd, span


SLOPE_EM_STEPS = 200


def trend_prior(
    ratings: Ratings, leniency: FloatArray, floor: float = SLOPE_TAU2_MIN
) -> tuple[float | None, float | None]:
    """Return the trend's noise (trend_sigma2) and the spread of true slopes (slope_tau2).

    The noise: the spread of a leniency-corrected score about its user's line over time,
    pooled over every (user, step) with three ratings or more (each one's residual sum of
    squares over its degrees of freedom): the rater's noise, the error in their leniency and
    the rounding, which is what the slope's standard error needs. The fit's sigma2 is none of
    that: it is the noise of a score of age 0, the recency weights taking the rest, so on
    populations whose skills never change (bench/report_accuracy.py) it was half of this, a
    third of the slopes were outside their 90% interval and one trend in five was called
    improving or declining.

    The spread of slopes: by EM over every (user, step) that has a trend, from their fitted
    slopes and standard errors. A slope fitted from a few noisy scores is mostly noise; with
    the prior N(0, slope_tau2) the report's P(improving) is right as often as it says (the
    flat prior stated 0.95 for slopes that went up 79% of the time where people change
    little), and where nobody changes the slopes shrink to flat.

    floor: the smallest spread returned (the EM's maximum under that constraint).
    """
    n_groups = ratings.n_users * N_STEPS
    group = ratings.user * N_STEPS + ratings.step
    x = -ratings.age_days / 30.0
    y = ratings.score - leniency[ratings.rater]
    n = np.bincount(group, minlength=n_groups)
    sx, sy = weighted_sum(group, x, n_groups), weighted_sum(group, y, n_groups)
    safe_n = np.maximum(n, 1)
    centered_xx = weighted_sum(group, x * x, n_groups) - sx * sx / safe_n
    centered_xy = weighted_sum(group, x * y, n_groups) - sx * sy / safe_n
    centered_yy = weighted_sum(group, y * y, n_groups) - sy * sy / safe_n
    ok = (n >= 3) & (centered_xx > 1e-9)
    if not ok.any():
        return None, None
    rss = centered_yy[ok] - centered_xy[ok] ** 2 / centered_xx[ok]
    noise = max(float(rss.sum() / (n[ok] - 2).sum()), 1e-3)
    slope, slope_sd, span = _trend(group, x, y, n, n_groups, noise)
    has_trend = (n >= MIN_TREND_RATINGS) & (span * 30.0 >= MIN_TREND_SPAN_DAYS)
    if not has_trend.any():
        return noise, None
    slope, var = slope[has_trend], slope_sd[has_trend] ** 2
    tau2 = max(float(np.mean(slope**2 - var)), floor)
    for _ in range(SLOPE_EM_STEPS):
        shrink = tau2 / (tau2 + var)
        new = max(float(np.mean((shrink * slope) ** 2 + shrink * var)), floor)
        if abs(new - tau2) < 1e-3 * tau2:
            tau2 = new
            break
        tau2 = new
    return noise, tau2


def _slope_posterior(
    slope: FloatArray, slope_sd: FloatArray, tau2: float
) -> tuple[FloatArray, FloatArray]:
    """Shrink fitted slopes toward zero under the prior N(0, tau2): posterior mean and sd."""
    shrink = tau2 / (tau2 + slope_sd**2)
    return shrink * slope, np.sqrt(shrink) * slope_sd

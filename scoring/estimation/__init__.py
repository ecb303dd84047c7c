"""The statistics behind weakness reports, vectorised over every rating at once.

The model
---------
A step score ``y`` (1-4) that rater ``r`` gave user ``u`` on framework step ``s`` is modelled as

    y = mu[s] + a[u] + d[u, s] + leniency[r] + e
    a[u] ~ N(0, tau2_user)               the user's general level against the population
    d[u, s] ~ N(0, tau2[s])              the user's deviation from their own level on the step
    leniency[r] ~ N(0, tau2_leniency)    an offset the rater gives everybody (harsh < 0 < soft)
    e ~ N(0, sigma2[r] / w)              noise; each rater has their own noise level, and
                                         w = 0.5 ** (age_days / half_life) down-weights old
                                         scorecards, because people change

The skill on a step is ``mu[s] + theta[u, s]`` with ``theta = a + d``. This is an additive
crossed random-effects model. ``fit`` estimates it over all ratings by alternating two exact
conditional posteriors (the users' ``a`` and ``d`` given the leniencies, then the leniencies
given the users: a ridge alternating-least-squares sweep, Gauss-Seidel on the mixed-model
equations) and re-estimating the variance components EM-style after every sweep. A rater's
noise ``sigma2[r]`` is their mean squared residual shrunk toward the population's ``sigma2``
with ``NOISE_PRIOR_RATINGS`` pseudo-ratings (the conjugate inverse-gamma update), so a rater
with few ratings is assumed typical. One sweep is a few ``np.bincount`` passes over the ratings.

Given the leniencies, each user's estimate is the empirical-Bayes normal-normal posterior. Each
rating has precision ``p = 1 / (sigma2[r] / w + var(leniency[r]))`` (a noisy rater, or one whose
leniency is itself uncertain, counts for less); per step ``P[s] = sum(p)`` and ``Y[s]`` is the
precision-weighted mean of ``y - mu[s] - leniency[r]``:

    a     ~ N(sum(k[s] * Y[s]) / K, 1 / K),  k[s] = 1 / (tau2[s] + 1 / P[s]),
                                             K = 1 / tau2_user + sum(k)
    B[s]  = P[s] / (P[s] + 1 / tau2[s])
    theta = (1 - B[s]) * a + B[s] * Y[s]
    var   = (1 - B[s])**2 * var(a) + 1 / (P[s] + 1 / tau2[s])

so a step with little evidence is shrunk toward the user's own level, and that level toward the
population. The report shows the estimate with a 90% band (``Z_90`` standard deviations) and n.
In simulations (tests/scoring/test_estimation.py) the band covers the true skill 86-89% of the
time with continuous scores; rounding to the 1-4 integers costs a few points more.

Leniency is relative to the average rater: if every rater were harsh, no data could tell.

Verdicts are withheld when the evidence is thin: a step needs ``MIN_RATINGS`` ratings before
the report compares it with the bar, ranks it among the weakest, or gives a percentile.

Trend: the slope of the user's leniency-corrected scores over time (points per 30 days), with
standard error ``sqrt(sigma2 / Sxx)``. It is "improving" or "declining" only when the 90%
interval excludes zero, "flat" when the interval lies inside +-``FLAT_SLOPE``, and "unclear"
otherwise; it needs ``MIN_TREND_RATINGS`` ratings spread over ``MIN_TREND_SPAN_DAYS``.

Self-assessment: candidates may score themselves per step in their feedback. Each such score
is compared with the score the rater of the same interview gave on the step, corrected for that
rater's leniency. The mean gap over ``n`` interviews has standard error ``sqrt(max(s2, v) / n)``,
where ``s2`` is the gaps' spread and ``v`` the mean rater noise plus leniency variance (a floor,
so three gaps that happen to agree are not taken as certainty), and a 90% t interval with
``n - 1`` degrees of freedom. With ``MIN_RATINGS`` interviews or more, the user "overrates" or
"underrates" themselves when that interval excludes zero, and is "in line" with their raters
when it lies within +-``SELF_IN_LINE`` points. In simulations (tests/scoring/test_estimation.py)
under 10% of accurate self-assessors are called either, and none the wrong way round.

Communication and trade-offs: the rubric's cross-cutting section gets one score per scorecard.
It is corrected with the rater's leniency from the step model and shrunk toward the population
the same way (see scoring.estimation.communication), with the same band and ``MIN_RATINGS``.

Recurring pitfalls: a tag is recurring for a user when it was ticked at least
``MIN_PITFALL_COUNT`` times and a one-sided binomial test against the population's rate of the
tag gives p < ``PITFALL_P``.
"""

from scoring.estimation.calibration import SelfView, self_view
from scoring.estimation.communication import (
    CommunicationEstimates,
    CommunicationParams,
    CommunicationRatings,
    communication_fit,
    communication_posterior,
)
from scoring.estimation.model import (
    FLAT_SLOPE,
    HALF_LIFE_DAYS,
    MIN_PITFALL_COUNT,
    MIN_RATINGS,
    MIN_TREND_RATINGS,
    MIN_TREND_SPAN_DAYS,
    N_STEPS,
    NOISE_PRIOR_RATINGS,
    PITFALL_P,
    SCALE,
    SELF_IN_LINE,
    Z_90,
    Estimates,
    Fit,
    FloatArray,
    IntArray,
    Params,
    Ratings,
    estimate_all,
    fit,
    posterior,
    recency_weight,
)
from scoring.estimation.verdicts import (
    SELF_VIEWS,
    TRENDS,
    bar_verdict,
    percentile_from_quantiles,
    percentile_of,
    quantiles,
    recurring_pitfalls,
    self_view_band,
    self_view_verdict,
    trend_direction,
    weakest_first,
    weakest_step,
)

__all__ = [
    "FLAT_SLOPE",
    "HALF_LIFE_DAYS",
    "MIN_PITFALL_COUNT",
    "MIN_RATINGS",
    "MIN_TREND_RATINGS",
    "MIN_TREND_SPAN_DAYS",
    "NOISE_PRIOR_RATINGS",
    "N_STEPS",
    "PITFALL_P",
    "SCALE",
    "SELF_IN_LINE",
    "SELF_VIEWS",
    "TRENDS",
    "Z_90",
    "CommunicationEstimates",
    "CommunicationParams",
    "CommunicationRatings",
    "Estimates",
    "Fit",
    "FloatArray",
    "IntArray",
    "Params",
    "Ratings",
    "SelfView",
    "bar_verdict",
    "communication_fit",
    "communication_posterior",
    "estimate_all",
    "fit",
    "percentile_from_quantiles",
    "percentile_of",
    "posterior",
    "quantiles",
    "recency_weight",
    "recurring_pitfalls",
    "self_view",
    "self_view_band",
    "self_view_verdict",
    "trend_direction",
    "weakest_first",
    "weakest_step",
]

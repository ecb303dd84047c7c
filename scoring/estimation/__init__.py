"""The statistics behind weakness reports, vectorised over every rating at once.

The model
---------
A step score ``y`` (1-4) that rater ``r`` gave user ``u`` on framework step ``s`` is modelled as

    y = mu[s] + a[u] + d[u, s] - b[u, s] * m + leniency[r] + e
    a[u] ~ N(0, tau2_user)               the user's general level against the population
    d[u, s] ~ N(0, tau2[s])              the user's deviation from their own level on the step
    b[u, s] ~ N(0, change_tau2)          how fast the skill is changing, points per 30 days;
                                         m = age_days / 30, so an old score saw the skill as
                                         it was m months before today's
    leniency[r] ~ N(0, tau2_leniency)    an offset the rater gives everybody (harsh < 0 < soft)
    e ~ N(0, sigma2[r])                  noise; each rater has their own noise level

The skill today on a step is ``mu[s] + theta[u, s]`` with ``theta = a + d``. This is an
additive crossed random-effects model, and its model of change is the straight line the trend
below already assumes: an old score says less about today's skill by how far the skill may have
moved since (variance ``change_tau2 * m^2``), and several old scores of one step, which share
that step's slope, are not independent evidence about today. ``change_tau2`` is the spread of
true slopes between people fitted for the trend (below), at least ``CHANGE_TAU2_MIN``, and
corrected for the flattening that rounding and clipping give fitted slopes (measured with the
spread correction below); below the trend's floor, where a fitted spread is mostly the noise of
the slopes, the spread the same fit finds on data drawn without change is taken off instead; so
where nobody changes it is near zero and a two-year-old score counts almost as a fresh one.
(Until round seven old scores were discounted by a fixed half-life, the noise over
``0.5 ** (age_days / 180)``, whether or not anybody changed; a fit stored before then, without
``change_tau2``, is read and used that way until the next night refits it; the same for the
communication section below.)

``fit`` estimates the model over all ratings by alternating two exact conditional posteriors
(the users' ``a`` and ``d`` given the leniencies, then the leniencies given the users: a ridge
alternating-least-squares sweep, Gauss-Seidel on the mixed-model equations) and re-estimating
the variance components EM-style after every sweep; the sweeps take each score's change since as
independent extra noise (``change_tau2 * m^2``), the report's posterior below treats it exactly.
A rater's noise ``sigma2[r]`` is their mean squared residual shrunk toward the population's
``sigma2`` with ``NOISE_PRIOR_RATINGS`` pseudo-ratings (the conjugate inverse-gamma update), so
a rater with few ratings is assumed typical; a steady rater's scores then weigh more than a
noisy one's (their reliability), after the refinement on rounded scores below. A rater scoring
at random neither drives their own noise to infinity nor, through ``sigma2``, everyone's:
a noise variance is at most ``NOISE_VAR_MAX``, and ``sigma2`` counts no rater's mean square
above ``NOISE_POOL_CAP`` times the median rater's (fitting._raters_noise). One sweep is a
few ``np.bincount`` passes over the ratings.

Rounded scores. A rater's score is their latent judgement ``y`` above rounded to the nearest
level and clipped to 1-4 (see scoring.estimation.ordinal): a 3 says "between 2.5 and 3.5", a 4
only "above 3.5". The sweeps above take the scores as Gaussian (fast; the users' skills come
out well), but rounding and clipping squeeze the scores, so two things follow on the scores as
intervals: each rater's leniency and noise are refined on the interval likelihood (a steady
rater's residuals carry the rounding error, which made them look noisier than they are and
weighted them too little; clipping hid part of a lenient rater's leniency, and the sweeps' EM
found the spread of leniencies a third short, shrinking every rater's too far toward 0; the
noise's and that spread's EM take two steps a night and resume from the last night's, so they
reach their fixed point over a few nights), and the step means
and the spread of skills are re-estimated by EM on the posterior below, which treats each score
as its interval (the sweeps' step means are drawn toward the middle of the scale). That EM still
finds the spreads short, by up to a quarter (the Laplace approximation, and light raters'
leniencies taking up part of their candidates' levels), which shrank people too far; the
shortfall is measured by fitting data drawn from the fit itself (a parametric bootstrap, with
each (user, step)'s slope drawn too), again whenever the ratings have grown by a fifth, and the
spreads, the spread of change among them, are corrected by it.

The report's posterior, given the leniencies (scoring.estimation.joint): for each user, the
joint posterior of their seven skills ``theta = a + d`` with prior covariance
``tau2_user + diag(tau2)``. Each rated step contributes the likelihood of its interval (a
Laplace approximation at the mode, found by a few Newton steps; the nightly rebuild takes it
from the fit's last EM step, computed under the params the fit keeps), with noise ``sigma2[r]``.
The user's seven slopes are part of that posterior (14 numbers, the slopes integrated out:
scoring.estimation.joint), so the band of a step whose scores are old is as wide as the change
since allows however many of them there are; the seven scores of one scorecard share one error
in the rater's estimated leniency (variance
``var(leniency[r])``, which counts the uncertainty of the candidates' skills it was estimated
from), so one scorecard is not seven independent pieces of evidence about a user's level. A
step with little evidence is shrunk toward the user's own level, and that level toward the
population. The report shows the estimate with a 90% band (``Z_90`` posterior standard
deviations), n and the effective n (``n_effective``: how many fresh scores from a typical
rater would say as much about today's skill; old scores count for less, several old scores of
one step less than as many independent ones). On bench/report_accuracy.py's populations
(rounded scores) the band covers the true skill 88-94% of the time (84% before rounding was
modelled), and 89-92% where people change (74-87% with the half-life; bench/README.md,
seventh round).

The weakest step means the lowest skill of the seven, not the furthest below the bar.
``weakest_claims`` draws from each user's joint posterior (fixed quasi-random draws, so the
same evidence always states the same probability) and states P(step is the lowest) for every
step; a report names the most likely step only when that probability reaches a threshold
(``REPORT_WEAKEST_PERCENT``), and otherwise says about how many more interviews like the
ones so far would settle it. The stated probabilities are right as often as they say, within
a few points (bench/README.md). A "below the bar" verdict carries P(skill < bar) from the same
posterior, a trend P(slope > 0).

Leniency is relative to the average rater: if every rater were harsh, no data could tell.

Verdicts against the bar are withheld when the evidence is thin: a step needs ``MIN_RATINGS``
ratings before the report compares it with the bar or gives a percentile. The count is raw, not
effective: old scores already widen the band (by the change since), and a verdict needs the
band clear of the bar; counting effective ratings instead (then recency-weighted) withheld half
the verdicts (90% with two years of scores) that were right 99% of the time (bench/README.md).

Trend: the slope of the user's leniency-corrected scores over time (points per 30 days), with
standard error ``sqrt(trend_sigma2 / Sxx)``, ``trend_sigma2`` the scores' spread about each
user's own line, pooled over everyone; the slope is then shrunk toward zero under the prior
N(0, ``slope_tau2``), the spread of true slopes between people, fitted by EM over everyone's
slopes (at least ``SLOPE_TAU2_MIN``), so that P(slope > 0) is right as often as it says (the
same fit gives the skills' ``change_tau2``, at its own lower floor). It is
"improving" or "declining" only when the posterior's 90% interval excludes zero, "flat" when
it lies inside +-``FLAT_SLOPE``, and "unclear" otherwise; it needs ``MIN_TREND_RATINGS``
ratings spread over ``MIN_TREND_SPAN_DAYS``.

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
It is corrected with the rater's leniency from the step model, taken as rounded, weighted by the
rater's noise, given the steps' model of change and shrunk toward the population (see
scoring.estimation.communication), with the same band, ``MIN_RATINGS`` and P(skill < bar).

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
from scoring.estimation.estimates import estimate_all, posterior
from scoring.estimation.fitting import fit
from scoring.estimation.model import (
    CHANGE_TAU2_MIN,
    FLAT_SLOPE,
    HALF_LIFE_DAYS,
    MIN_PITFALL_COUNT,
    MIN_RATINGS,
    MIN_TREND_RATINGS,
    MIN_TREND_SPAN_DAYS,
    N_STEPS,
    NOISE_PRIOR_RATINGS,
    NOISE_VAR_MAX,
    PITFALL_P,
    SCALE,
    SELF_IN_LINE,
    SLOPE_TAU2_MIN,
    Z_90,
    Estimates,
    Fit,
    FloatArray,
    IntArray,
    Params,
    Ratings,
    recency_weight,
)
from scoring.estimation.ordinal import Interval, interval
from scoring.estimation.verdicts import (
    SELF_VIEWS,
    TRENDS,
    WEAKEST_DRAWS,
    WEAKEST_THRESHOLD,
    WeakestClaims,
    bar_verdict,
    percentile_from_quantiles,
    percentile_of,
    quantiles,
    recurring_pitfalls,
    self_view_band,
    self_view_verdict,
    trend_direction,
    weakest_claims,
    weakest_first,
    weakest_step,
)

__all__ = [
    "CHANGE_TAU2_MIN",
    "FLAT_SLOPE",
    "HALF_LIFE_DAYS",
    "MIN_PITFALL_COUNT",
    "MIN_RATINGS",
    "MIN_TREND_RATINGS",
    "MIN_TREND_SPAN_DAYS",
    "NOISE_PRIOR_RATINGS",
    "NOISE_VAR_MAX",
    "N_STEPS",
    "PITFALL_P",
    "SCALE",
    "SELF_IN_LINE",
    "SELF_VIEWS",
    "SLOPE_TAU2_MIN",
    "TRENDS",
    "WEAKEST_DRAWS",
    "WEAKEST_THRESHOLD",
    "Z_90",
    "CommunicationEstimates",
    "CommunicationParams",
    "CommunicationRatings",
    "Estimates",
    "Fit",
    "FloatArray",
    "IntArray",
    "Interval",
    "Params",
    "Ratings",
    "SelfView",
    "WeakestClaims",
    "bar_verdict",
    "communication_fit",
    "communication_posterior",
    "estimate_all",
    "fit",
    "interval",
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
    "weakest_claims",
    "weakest_first",
    "weakest_step",
]

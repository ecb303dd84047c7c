"""How honest the weakness report is, on synthetic populations with known truth.

    .venv/bin/python bench/report_accuracy.py                     # every population, 3 seeds
    .venv/bin/python bench/report_accuracy.py --populations base --seeds 1 2 3 4 5
    .venv/bin/python bench/report_accuracy.py --users 10000       # also times the estimator
    .venv/bin/python bench/report_accuracy.py --verdicts          # bar verdicts, two gates
    .venv/bin/python bench/report_accuracy.py --references        # + raw mean, textbook EB
    .venv/bin/python bench/report_accuracy.py --drift 0.05        # people whose skills change
    .venv/bin/python bench/report_accuracy.py --nights 4          # after 3 warm nights
    .venv/bin/python bench/report_accuracy.py --communication     # the communication section

Peers rate peers (scoring.estimation.synthetic, the generator the tests use too): every user
is a candidate in 1-8 interviews and a rater with a leniency and a noise level; scores are the
true skill plus leniency plus noise, rounded to the 1-4 rubric and clipped; the last steps are
sometimes never reached; scorecards spread over a year. The populations differ in how spread
skills, leniencies and noise are, so a rule tuned to one of them shows on the others. Runs
the estimator (scoring.estimation) directly, without the database: the same functions the
nightly rebuild calls.

Figures (the targets of issue 13):
- rmse: per-step estimate against the true skill (clipped to the 1-4 scale: no report can say
  more than "4"), over the (user, step) pairs with a rating;
- lowest = truth: the step with the lowest estimate is the step with the lowest true skill;
- cover90: the 90% band contains the true skill (clipped, pairs with a rating);
- named / right: the report names a weakest step (lowest skill) for this share of users, and
  the named step is the true lowest-skill step this often;
- calib: over bins of the stated probability, the largest |stated - right| (bins of >= 100
  claims), so "right as often as the probability it states" can be checked;
- below calib: the same for every rated step's P(skill < bar) (bars of BARS, bins 0.1 wide of
  >= 100 pairs): the probability a "below the bar" verdict states;
- cover90 n>=5, below calib n>=5: the same two over the (user, step) pairs with MANY scores or
  more, where (with --drift) several old scores share one change of the skill;
- trends called: the share of trends the report calls "improving" or "declining" (a static
  population: all of them wrong; at most ~10% for a 90% interval); up calib: the worst bin of
  P(improving) against the true slope's sign (with --drift, people whose skills change).

With --communication, the communication section's figures instead (one score per scorecard on
90% of them, the same raters; fitted as the nightly rebuild fits it): rmse and cover90 over the
users with a score, cover90 n>=5 over those with five or more, below calib the worst bin of
P(skill < bar) for the mid and senior bars (COMMUNICATION_BARS) together, and the bar verdicts
(band clear of the bar, MIN_RATINGS scores) given per (user, bar) and how often right.

With --verdicts, the bar verdicts instead ("below" or "at or above" the bar of BARS, given when
the 90% band is clear of it): the share of rated (user, step) pairs that get one and how often
it is right, once with the report's gate (MIN_RATINGS ratings) and once with the same number
of recency-weighted ratings (n_effective) as the gate.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

from scoring import estimation as est  # noqa: E402
from scoring.estimation.synthetic import POPULATIONS, World, simulate  # noqa: E402

BINS = np.linspace(0.0, 1.0, 11)

BARS = np.array([3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.75])
# The rubric's communication bars for mid and senior (scoring/data/rubric_v1.json).
COMMUNICATION_BARS = (2.5, 3.0)
# "Many scores" of one (user, step) for the cover / below columns restricted to them.
MANY = 5


def references(world: World) -> dict[str, float]:
    """Score the raw mean and a reference empirical-Bayes estimator against the truth.

    The reference is the textbook one, without raters: per step, each user's mean score is
    shrunk toward the step's mean by tau2 / (tau2 + sigma2 / n), with sigma2 the spread of
    one user's scores on a step (raters' leniency and noise together) and tau2 what is left of
    the spread of the users' means, both by the method of moments.
    """
    r = world.ratings
    shape = (r.n_users, est.N_STEPS)
    group = r.user * est.N_STEPS + r.step
    n = np.bincount(group, minlength=r.n_users * est.N_STEPS).reshape(shape).astype(float)
    total = np.bincount(group, r.score, r.n_users * est.N_STEPS).reshape(shape)
    rated = n > 0
    raw = np.divide(total, n, out=np.full(shape, np.nan), where=rated)
    within = (r.score - raw.ravel()[group]) ** 2
    sigma2 = within.sum() / max((n[rated] - 1).sum(), 1.0)
    eb = np.zeros(shape)
    eb_sd = np.zeros(shape)
    for s in range(est.N_STEPS):
        mine = rated[:, s]
        mean = raw[mine, s].mean()
        tau2 = max(raw[mine, s].var() - sigma2 * np.mean(1.0 / n[mine, s]), 0.01)
        noise = sigma2 / np.maximum(n[:, s], 1.0)
        shrink = np.where(mine, tau2 / (tau2 + noise), 0.0)
        eb[:, s] = mean + shrink * (np.nan_to_num(raw[:, s], nan=mean) - mean)
        eb_sd[:, s] = np.sqrt(np.where(mine, tau2 * noise / (tau2 + noise), tau2))
    truth = world.truth
    true_lowest = np.argmin(world.skill, axis=1)
    has_any = rated.any(axis=1)
    eb_clipped = np.clip(eb, *est.SCALE)
    low = np.clip(eb - est.Z_90 * eb_sd, *est.SCALE)
    high = np.clip(eb + est.Z_90 * eb_sd, *est.SCALE)
    return {
        "raw_rmse": float(np.sqrt(np.mean((raw - truth)[rated] ** 2))),
        "raw_lowest": float(
            (np.argmin(np.where(rated, raw, np.inf), axis=1) == true_lowest)[has_any].mean()
        ),
        "eb_rmse": float(np.sqrt(np.mean((eb_clipped - truth)[rated] ** 2))),
        "eb_lowest": float((np.argmin(eb, axis=1) == true_lowest)[has_any].mean()),
        "eb_cover90": float(((low <= truth) & (truth <= high))[rated].mean()),
    }


def measure(
    world: World,
    threshold: float = est.WEAKEST_THRESHOLD,
    nights: int = 1,
    first: est.Ratings | None = None,
) -> dict[str, float]:
    """Fit, estimate and score one world against its truth.

    nights: fits in a row on the same ratings, each warm-started from the one before as the
    nightly rebuild does (params, leniencies, the raters' noise); the last is scored and timed.
    first: the ratings the first night is fitted on instead (the others are world's).
    """
    start = time.perf_counter()
    result = est.fit(world.ratings if first is None else first)
    for _ in range(nights - 1):
        start = time.perf_counter()
        result = est.fit(
            world.ratings,
            start=result.params,
            start_leniency=result.leniency,
            start_noise=result.rater_noise_var,
        )
    fitted = time.perf_counter()
    estimates = est.estimate_all(world.ratings, result)
    claims = est.weakest_claims(estimates, threshold=threshold)
    done = time.perf_counter()
    # Skill on the rubric's scale: a report cannot say more than "4" of someone beyond it.
    truth = np.clip(world.skill, *est.SCALE)
    rated = estimates.n > 0
    error = (estimates.estimate - truth)[rated]
    covered = ((estimates.lower <= truth) & (truth <= estimates.upper))[rated]
    true_lowest = np.argmin(world.skill, axis=1)
    has_any = rated.any(axis=1)
    lowest_hit = (np.argmin(estimates.estimate, axis=1) == true_lowest)[has_any]
    named = claims.step >= 0
    right = claims.step[named] == true_lowest[named]
    stated = claims.stated[named]
    worst_bin = 0.0
    for low, high in ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        inside = (stated >= low) & (stated < high)
        if inside.sum() >= 100:
            gap = abs(float(stated[inside].mean()) - float(right[inside].mean()))
            worst_bin = max(worst_bin, gap)
    p_below = estimates.p_below(BARS)[rated]
    many = estimates.n >= MANY
    trend = est.trend_direction(
        estimates.slope, estimates.slope_sd, estimates.n, estimates.span_days
    )
    has_trend = trend != "not_enough_data"
    with np.errstate(divide="ignore", invalid="ignore"):
        p_up = stats.norm.cdf(estimates.slope / estimates.slope_sd)[has_trend]
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "lowest": float(lowest_hit.mean()),
        "cover90": float(covered.mean()),
        "named": float(named[has_any].mean()),
        "right": float(right.mean()) if right.size else float("nan"),
        "stated": float(stated.mean()) if stated.size else float("nan"),
        "calib": worst_bin,
        "below_calib": worst_gap(p_below, (world.skill < BARS)[rated]),
        # The (user, step) pairs with many scores: under drift, several old scores of one
        # skill share its change, so they are not independent evidence about today's.
        "cover_many": float(((estimates.lower <= truth) & (truth <= estimates.upper))[many].mean()),
        "below_many": worst_gap(
            estimates.p_below(BARS)[many],
            (world.skill < BARS)[many],
        ),
        "trends_called": float(np.isin(trend[has_trend], ("improving", "declining")).mean()),
        "up_calib": (
            worst_gap(p_up, (world.slope > 0)[has_trend]) if world.slope.any() else float("nan")
        ),
        "fit_s": fitted - start,
        "report_s": done - fitted,
        **communication_measure(world, result),
    }


def communication_estimates(world: World, result: est.Fit) -> est.CommunicationEstimates:
    """Fit and estimate communication as the nightly rebuild does (scoring.services.nightly).

    The rater figures are the step model's, rounded as RaterStats stores them.
    """
    c = world.communication_ratings()
    leniency, leniency_var, noise_var = result.stored_rater_arrays(c.rater)
    common: dict[str, Any] = {
        "leniency": leniency,
        "leniency_var": leniency_var,
        "n_users": world.ratings.n_users,
        "half_life_days": result.params.half_life_days,
        "noise_var": noise_var,
    }
    params = est.communication_fit(c, change_tau2=result.params.change_tau2, **common)
    stored = est.CommunicationParams.from_json(params.to_json())
    return est.communication_posterior(c, params=stored, **common)


def communication_measure(world: World, result: est.Fit) -> dict[str, float]:
    """Score the communication section's figures against the truth."""
    estimates = communication_estimates(world, result)
    truth = world.communication_truth
    rated = estimates.n > 0
    covered = (estimates.lower <= truth) & (truth <= estimates.upper)
    many = estimates.n >= MANY
    stated = np.concatenate([estimates.p_below(bar)[rated] for bar in COMMUNICATION_BARS])
    happened = np.concatenate([(world.communication < bar)[rated] for bar in COMMUNICATION_BARS])
    # The verdict the report gives: below or at/above the bar when the band is clear of it.
    given, right = 0, 0
    for bar in COMMUNICATION_BARS:
        verdict = est.bar_verdict(estimates.lower, estimates.upper, bar, estimates.n)
        below = verdict == "below_bar"
        above = verdict == "at_or_above_bar"
        given += int((below | above).sum())
        right += int((below & (truth < bar)).sum() + (above & (truth >= bar)).sum())
    return {
        "c_rmse": float(np.sqrt(np.mean((estimates.estimate - truth)[rated] ** 2))),
        "c_cover90": float(covered[rated].mean()),
        "c_cover_many": float(covered[many].mean()) if many.any() else float("nan"),
        "c_below_calib": worst_gap(stated, happened),
        "c_given": given / max(len(COMMUNICATION_BARS) * int(rated.sum()), 1),
        "c_right": right / given if given else float("nan"),
    }


def worst_gap(stated: np.ndarray, happened: np.ndarray, smallest: int = 100) -> float:
    """Return the largest |mean stated - share happened| over bins 0.1 wide of the stated."""
    which = np.clip(np.digitize(stated, BINS) - 1, 0, len(BINS) - 2)
    worst = 0.0
    for b in range(len(BINS) - 1):
        inside = which == b
        if inside.sum() >= smallest:
            worst = max(worst, abs(float(stated[inside].mean()) - float(happened[inside].mean())))
    return worst


def verdicts(world: World) -> dict[str, float]:
    """How many bar verdicts are given and how often they are right, under two gates."""
    result = est.fit(world.ratings)
    estimates = est.estimate_all(world.ratings, result)
    truth = np.clip(world.skill, *est.SCALE)
    below = estimates.upper < BARS
    above = estimates.lower >= BARS
    right = (below & (truth < BARS)) | (above & (truth >= BARS))
    rated = estimates.n > 0
    out = {}
    for name, gate in (
        ("count", estimates.n >= est.MIN_RATINGS),
        ("effective", estimates.n_effective >= est.MIN_RATINGS),
    ):
        given = gate & (below | above)
        out[f"{name}_given"] = float(given.sum() / max(rated.sum(), 1))
        out[f"{name}_right"] = float(right[given].mean()) if given.any() else float("nan")
    dropped = (estimates.n >= est.MIN_RATINGS) & ~(estimates.n_effective >= est.MIN_RATINGS)
    dropped &= below | above
    out["dropped_right"] = float(right[dropped].mean()) if dropped.any() else float("nan")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--populations", nargs="+", default=list(POPULATIONS))
    parser.add_argument("--threshold", type=float, default=est.WEAKEST_THRESHOLD)
    parser.add_argument("--verdicts", action="store_true", help="bar verdicts, two gates")
    parser.add_argument(
        "--drift", type=float, default=0.0, help="people's skills change: slope sd per 30 days"
    )
    parser.add_argument(
        "--references", action="store_true", help="also the raw mean and a reference EB"
    )
    parser.add_argument(
        "--communication",
        action="store_true",
        help="the communication section's figures instead of the steps'",
    )
    parser.add_argument(
        "--nights",
        type=int,
        default=1,
        help="fits in a row, each warm-started from the last (the nightly rebuild's steady state)",
    )
    parser.add_argument(
        "--first-static",
        action="store_true",
        help="with --nights: the first night's fit is of the same people before they changed "
        "(drift 0), the later nights' of the world as drawn",
    )
    args = parser.parse_args()
    if args.verdicts:
        print(
            "population | seed | given, n >= 3 | right | given, n_effective >= 3 | right | "
            "right among those the second gate withholds"
        )
        print("---|---|---|---|---|---|---")
        for name in args.populations:
            for seed in args.seeds:
                v = verdicts(simulate(POPULATIONS[name], users=args.users, seed=seed))
                print(
                    f"{name} | {seed} | {v['count_given']:.1%} | {v['count_right']:.1%} | "
                    f"{v['effective_given']:.1%} | {v['effective_right']:.1%} | "
                    f"{v['dropped_right']:.1%}"
                )
        return
    if args.communication:
        print(
            "population | seed | rmse | cover90 | cover90 n>=5 | below calib | verdicts given | "
            "right"
        )
        print("---|---|---|---|---|---|---|---")
        for name in args.populations:
            for seed in args.seeds:
                population = replace(POPULATIONS[name], drift_sd=args.drift)
                world = simulate(population, users=args.users, seed=seed)
                m = communication_measure(world, est.fit(world.ratings))
                print(
                    f"{name} | {seed} | {m['c_rmse']:.4f} | {m['c_cover90']:.1%} | "
                    f"{m['c_cover_many']:.1%} | {m['c_below_calib']:.3f} | {m['c_given']:.1%} | "
                    f"{m['c_right']:.1%}"
                )
        return
    header = (
        "population | seed | rmse | lowest = truth | cover90 | named | right | stated | "
        "calib | below calib | cover90 n>=5 | below calib n>=5 | trends called | up calib | "
        "fit s | report s"
    )
    if args.references:
        header += " | raw rmse | raw lowest | EB rmse | EB lowest | EB cover90"
    print(header)
    print("|".join("---" for _ in header.split("|")))
    for name in args.populations:
        for seed in args.seeds:
            population = replace(POPULATIONS[name], drift_sd=args.drift)
            world = simulate(population, users=args.users, seed=seed)
            first = None
            if args.first_static:
                # Drift is drawn last: the same people, raters, scorecards and ages.
                static = replace(population, drift_sd=0.0)
                first = simulate(static, users=args.users, seed=seed).ratings
            m = measure(world, args.threshold, args.nights, first)
            print(
                f"{name} | {seed} | {m['rmse']:.4f} | {m['lowest']:.1%} | {m['cover90']:.1%} | "
                f"{m['named']:.1%} | {m['right']:.1%} | {m['stated']:.1%} | {m['calib']:.3f} | "
                f"{m['below_calib']:.3f} | {m['cover_many']:.1%} | {m['below_many']:.3f} | "
                f"{m['trends_called']:.1%} | {m['up_calib']:.3f} | "
                f"{m['fit_s']:.2f} | {m['report_s']:.2f}",
                end="",
            )
            if args.references:
                ref = references(world)
                print(
                    f" | {ref['raw_rmse']:.3f} | {ref['raw_lowest']:.1%} | {ref['eb_rmse']:.3f} | "
                    f"{ref['eb_lowest']:.1%} | {ref['eb_cover90']:.1%}",
                    end="",
                )
            print()


if __name__ == "__main__":
    main()

"""How honest the weakness report is, on synthetic populations with known truth.

    .venv/bin/python bench/report_accuracy.py                     # every population, 3 seeds
    .venv/bin/python bench/report_accuracy.py --populations base --seeds 1 2 3 4 5
    .venv/bin/python bench/report_accuracy.py --users 10000       # also times the estimator
    .venv/bin/python bench/report_accuracy.py --verdicts          # bar verdicts, two gates

Peers rate peers: every user is a candidate in 1-8 interviews and a rater with a leniency and
a noise level; scores are the true skill plus leniency plus noise, rounded to the 1-4 rubric
and clipped; the last steps are sometimes never reached; scorecards spread over a year. The
populations differ in how spread skills, leniencies and noise are, so a rule tuned to one of
them shows on the others. Runs the estimator (scoring.estimation) directly, without the
database: the same functions the nightly rebuild calls.

Figures (the targets of issue 13):
- rmse: per-step estimate against the true skill (clipped to the 1-4 scale: no report can say
  more than "4"), over the (user, step) pairs with a rating;
- lowest = truth: the step with the lowest estimate is the step with the lowest true skill;
- cover90: the 90% band contains the true skill (clipped, pairs with a rating);
- named / right: the report names a weakest step (lowest skill) for this share of users, and
  the named step is the true lowest-skill step this often;
- calib: over bins of the stated probability, the largest |stated - right| (bins of >= 100
  claims), so "right as often as the probability it states" can be checked.

With --verdicts, the bar verdicts instead ("below" or "at or above" the bar of BARS, given when
the 90% band is clear of it): the share of rated (user, step) pairs that get one and how often
it is right, once with the report's gate (MIN_RATINGS ratings) and once with the same number
of recency-weighted ratings (n_effective) as the gate.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

from scoring import estimation as est  # noqa: E402

STEP_MEANS = np.array([2.8, 2.7, 2.5, 2.6, 2.4, 2.2, 2.0])
BARS = np.array([3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.75])


@dataclass(frozen=True)
class Population:
    """How a synthetic population is drawn."""

    step_means: tuple[float, ...] = tuple(STEP_MEANS)
    level_sd: float = 0.4  # spread of a person's general level
    step_sd: float = 0.35  # spread of their step-by-step deviations from it
    leniency_sd: float = 0.45
    noise: tuple[float, float] = (0.3, 0.8)  # raters' noise sd, uniform in this range
    activity: float = 1.5  # Pareto shape of how much each person rates (smaller: more skewed)
    months: float = 12.0


POPULATIONS = {
    "base": Population(),
    # Flatter step profile, noisier and harsher raters: weakest steps are harder to tell.
    "noisy": Population(
        step_means=(2.6, 2.6, 2.5, 2.5, 2.4, 2.4, 2.3),
        leniency_sd=0.6,
        noise=(0.5, 1.0),
    ),
    # Strong population near the top of the scale: many 4s, so clipping matters most.
    "strong": Population(step_means=(3.3, 3.2, 3.0, 3.1, 3.0, 2.8, 2.7), level_sd=0.5, step_sd=0.3),
    # Steady raters, uneven people, two years of history (old scores count less).
    "uneven": Population(step_sd=0.5, noise=(0.2, 0.5), leniency_sd=0.3, months=24.0),
}


@dataclass(frozen=True)
class World:
    ratings: est.Ratings
    skill: np.ndarray  # (users, 7)


def simulate(population: Population, *, users: int, seed: int) -> World:
    """Draw a population, its raters and their scorecards."""
    rng = np.random.default_rng(seed)
    means = np.asarray(population.step_means)
    skill = (
        means
        + rng.normal(0, population.level_sd, (users, 1))
        + rng.normal(0, population.step_sd, (users, 7))
    )
    leniency = rng.normal(0, population.leniency_sd, users)
    noise_sd = rng.uniform(*population.noise, users)
    activity = rng.pareto(population.activity, users) + 0.2
    per_user = rng.integers(1, 9, users)
    card_user = np.repeat(np.arange(users), per_user)
    card_rater = rng.choice(users, card_user.size, p=activity / activity.sum())
    clash = card_rater == card_user  # nobody rates themselves
    card_rater[clash] = (card_rater[clash] + 1) % users
    card_age = rng.uniform(0, 30 * population.months, card_user.size)
    draw = rng.random(card_user.size)
    reached = np.where(draw < 0.10, 5, np.where(draw < 0.25, 6, 7))
    card = np.repeat(np.arange(card_user.size), 7)
    step = np.tile(np.arange(7), card_user.size)
    card, step = card[step < reached[card]], step[step < reached[card]]
    user, rater = card_user[card], card_rater[card]
    latent = skill[user, step] + leniency[rater] + rng.normal(0, noise_sd[rater])
    score = np.clip(np.round(latent), 1, 4)
    ratings = est.Ratings(
        user=user,
        rater=rater,
        step=step,
        score=score.astype(float),
        age_days=card_age[card],
        n_users=users,
        n_raters=users,
        card=card,
    )
    return World(ratings, skill)


def measure(world: World, threshold: float = est.WEAKEST_THRESHOLD) -> dict[str, float]:
    """Fit, estimate and score one world against its truth."""
    start = time.perf_counter()
    result = est.fit(world.ratings)
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
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "lowest": float(lowest_hit.mean()),
        "cover90": float(covered.mean()),
        "named": float(named[has_any].mean()),
        "right": float(right.mean()) if right.size else float("nan"),
        "stated": float(stated.mean()) if stated.size else float("nan"),
        "calib": worst_bin,
        "fit_s": fitted - start,
        "report_s": done - fitted,
    }


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
    header = (
        "population | seed | rmse | lowest = truth | cover90 | named | right | stated | "
        "calib | fit s | report s"
    )
    print(header)
    print("|".join("---" for _ in header.split("|")))
    for name in args.populations:
        for seed in args.seeds:
            world = simulate(POPULATIONS[name], users=args.users, seed=seed)
            m = measure(world, args.threshold)
            print(
                f"{name} | {seed} | {m['rmse']:.3f} | {m['lowest']:.1%} | {m['cover90']:.1%} | "
                f"{m['named']:.1%} | {m['right']:.1%} | {m['stated']:.1%} | {m['calib']:.3f} | "
                f"{m['fit_s']:.2f} | {m['report_s']:.2f}"
            )


if __name__ == "__main__":
    main()

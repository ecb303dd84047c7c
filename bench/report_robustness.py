"""How honest the weakness report stays on worlds its own generator never draws.

    .venv/bin/python bench/report_robustness.py                      # every world, seeds 1 2
    .venv/bin/python bench/report_robustness.py --worlds uniform scale --seeds 1 2 3

bench/report_accuracy.py measures the report on scoring.estimation.synthetic, whose skills,
leniencies and noise are all normal, as the model assumes, and whose raters are drawn by a
skewed activity. The worlds here are drawn by a generator of their own, each breaking one of
those assumptions the way an outside test population might: 2,000 people, 1-8 interviews each,
every one also a rater (chosen uniformly, not by activity) with a leniency and a noise level,
scores rounded to the 1-4 rubric and clipped, every step reached, scorecards over a year.

- flat: each step's skill drawn on its own, N(2.5, 0.5): no general level behind the steps;
- uniform: skills uniform over the whole rubric, 1-4, and leniencies uniform in +-0.5;
- skewed: a general level skewed to the right (a gamma), most people middling, a few strong;
- scale: raters who use the rubric more or less widely, 2.5 + scale * (skill - 2.5) with the
  scale uniform in 0.6-1.4, besides their leniency and noise (the model has no such scale);
- recent: every scorecard of the last 30 days;
- bimodal: two groups of people half a point either side of the middle;
- heavy: the raters' noise Student-t with 3 degrees of freedom (scaled to the same sd).

The figures are bench/report_accuracy.py's (its `measure`: the same fit and report the nightly
rebuild computes), against each world's truth.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

from bench.report_accuracy import measure  # noqa: E402
from scoring.estimation.basics import N_STEPS  # noqa: E402
from scoring.estimation.synthetic import World, card_ratings  # noqa: E402

WORLDS = ("flat", "uniform", "skewed", "scale", "recent", "bimodal", "heavy")
PROFILE = np.array([0.3, 0.2, 0.0, 0.1, -0.1, -0.2, -0.3])


def _skills(world: str, users: int, rng: np.random.Generator) -> np.ndarray:
    if world == "flat":
        return rng.normal(2.5, 0.5, (users, N_STEPS))
    if world == "uniform":
        return rng.uniform(1.0, 4.0, (users, N_STEPS))
    if world == "skewed":
        level = 1.8 + rng.gamma(2.0, 0.25, (users, 1))
        return level + PROFILE + rng.normal(0.0, 0.35, (users, N_STEPS))
    if world == "bimodal":
        level = np.where(rng.random((users, 1)) < 0.5, -0.45, 0.45)
        level = level + rng.normal(0.0, 0.1, (users, 1))
    else:
        level = rng.normal(0.0, 0.3, (users, 1))
    return 2.5 + level + rng.normal(0.0, 0.35, (users, N_STEPS))


def draw(world: str, *, users: int = 2000, seed: int = 1) -> World:
    """Draw one world: its people, raters and scorecards, and the truth behind them."""
    rng = np.random.default_rng(1000 + seed)
    skill = _skills(world, users, rng)
    uniform = world == "uniform"
    leniency = rng.uniform(-0.5, 0.5, users) if uniform else rng.normal(0.0, 0.35, users)
    noise_sd = rng.uniform(0.2, 0.9, users)
    scale = rng.uniform(0.6, 1.4, users) if world == "scale" else np.ones(users)
    card_user = np.repeat(np.arange(users), rng.integers(1, 9, users))
    card_rater = rng.integers(0, users, card_user.size)
    own = card_rater == card_user
    card_rater[own] = (card_rater[own] + 1) % users
    card_age = rng.uniform(0.0, 30.0 if world == "recent" else 365.0, card_user.size)
    card = np.repeat(np.arange(card_user.size), N_STEPS)
    step = np.tile(np.arange(N_STEPS), card_user.size)
    user, rater = card_user[card], card_rater[card]
    error = rng.normal(0.0, 1.0, card.size)
    if world == "heavy":
        error = rng.standard_t(3, card.size) / np.sqrt(3.0)
    latent = (
        2.5 + scale[rater] * (skill[user, step] - 2.5) + leniency[rater] + noise_sd[rater] * error
    )
    score = np.clip(np.round(latent), 1.0, 4.0)
    card_scores = np.full((card_user.size, N_STEPS), np.nan)
    card_scores[card, step] = score
    communication = 2.6 + rng.normal(0.0, 0.4, users)
    said = communication[card_user] + leniency[card_rater]
    said = said + noise_sd[card_rater] * rng.normal(0.0, 1.0, card_user.size)
    return World(
        ratings=card_ratings(
            card_scores, card_user, card_rater, card_age, n_users=users, n_raters=users
        ),
        skill=skill,
        slope=np.zeros((users, N_STEPS)),
        leniency=leniency,
        noise_sd=noise_sd,
        card_user=card_user,
        card_rater=card_rater,
        card_age=card_age,
        card_scores=card_scores,
        communication=communication,
        communication_slope=np.zeros(users),
        card_communication=np.clip(np.round(said), 1.0, 4.0),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worlds", nargs="+", default=list(WORLDS), choices=WORLDS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, default=2000)
    args = parser.parse_args()
    header = (
        "world | seed | rmse | lowest = truth | cover90 | named | right | stated | calib | "
        "below calib | cover90 n>=5 | below calib n>=5 | communication cover90 | "
        "communication below calib"
    )
    print(header)
    print("|".join("---" for _ in header.split("|")))
    for world in args.worlds:
        for seed in args.seeds:
            m = measure(draw(world, users=args.users, seed=seed))
            print(
                f"{world} | {seed} | {m['rmse']:.4f} | {m['lowest']:.1%} | {m['cover90']:.1%} | "
                f"{m['named']:.1%} | {m['right']:.1%} | {m['stated']:.1%} | {m['calib']:.3f} | "
                f"{m['below_calib']:.3f} | {m['cover_many']:.1%} | {m['below_many']:.3f} | "
                f"{m['c_cover90']:.1%} | {m['c_below_calib']:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()

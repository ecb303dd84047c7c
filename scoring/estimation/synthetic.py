"""Synthetic populations with known truth: what the estimator is measured and tested against.

Peers rate peers: every user is a candidate in a few interviews, and (unless the population
has its own raters) a rater too, with a leniency and a noise level of their own; a score is
the true skill plus the rater's leniency plus their noise, rounded to the 1-4 rubric and
clipped; the last steps are sometimes never reached; scorecards spread over some months.
Most scorecards also score communication and trade-offs (one score per card): a skill of its
own, tied to the person's general level, rated by the same rater with the same leniency and
noise, rounded the same way, and changing like a step's where the population's people change.
bench/report_accuracy.py measures the report on these populations, tests/scoring checks the
estimator (tests/scoring/test_estimation.py) and the full path of scorecards, nightly rebuild
and API (tests/scoring/test_report_calibration.py) on smaller ones: one generator for all, so
a figure in bench/README.md and a test's threshold speak of the same world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.estimation.basics import N_STEPS, SCALE, FloatArray, IntArray
from scoring.estimation.communication import CommunicationRatings
from scoring.estimation.model import Ratings

STEP_MEANS = (2.8, 2.7, 2.5, 2.6, 2.4, 2.2, 2.0)


@dataclass(frozen=True)
class Population:
    """How a synthetic population is drawn."""

    step_means: tuple[float, ...] = STEP_MEANS
    level_sd: float = 0.4  # spread of a person's general level
    step_sd: float = 0.35  # spread of their step-by-step deviations from it
    leniency_sd: float = 0.45
    noise: tuple[float, float] = (0.3, 0.8)  # raters' noise sd, uniform in this range
    activity: float = 1.5  # Pareto shape of how much each rater rates (smaller: more skewed)
    months: float = 12.0  # scorecards' ages are uniform over this many months
    interviews: tuple[int, int] = (1, 8)  # each user's scorecards, uniform in this range
    # The share of scorecards that stop after step 5, and after step 5 or 6.
    stopped: tuple[float, float] = (0.10, 0.25)
    raters: int | None = None  # a panel of this many raters; None: the users rate each other
    # People who change: each (user, step) skill moves by a slope drawn N(0, drift_sd) points
    # per 30 days; the skill is today's, a scorecard of age t saw it t / 30 slopes earlier.
    # 0: skills never change.
    drift_sd: float = 0.0
    # Communication: the population's mean, the spread of a person's skill about their own
    # general level, and the share of scorecards that score it (it is optional on a card).
    communication_mean: float = 2.6
    communication_sd: float = 0.35
    communication_scored: float = 0.9


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
    # Tuned so that the raw mean and a textbook empirical-Bayes estimator without raters
    # (bench/report_accuracy.py --references) err as much as on issue 13's population: RMSE
    # 0.47 and 0.30, the EB's bands covering 84.5%. Less spread between people than base,
    # raters who differ more in how noisy they are, and most interviews reach every step.
    "reference": Population(level_sd=0.2, noise=(0.3, 1.0), stopped=(0.05, 0.12)),
}


def card_ratings(
    card_scores: FloatArray,
    card_user: IntArray,
    card_rater: IntArray,
    card_age: FloatArray,
    *,
    n_users: int,
    n_raters: int,
) -> Ratings:
    """Return the step scores of drawn scorecards as the estimator reads them: one rating per
    scored step (nan in card_scores: not reached), card by card, steps in order."""
    card, step = np.nonzero(~np.isnan(card_scores))
    return Ratings(
        user=card_user[card],
        rater=card_rater[card],
        step=step,
        score=card_scores[card, step],
        age_days=card_age[card],
        n_users=n_users,
        n_raters=n_raters,
        card=card,
    )


@dataclass(frozen=True)
class World:
    """A drawn population: its ratings as the estimator reads them, and the truth behind them."""

    ratings: Ratings
    skill: FloatArray  # (users, 7), unclipped: today's
    slope: FloatArray  # (users, 7) points per 30 days (zeros: skills never change)
    leniency: FloatArray  # (raters,)
    noise_sd: FloatArray  # (raters,)
    # Per scorecard, for storing them: whose it is, who rated, how old, the seven scores
    # (nan where the step was not reached).
    card_user: IntArray
    card_rater: IntArray
    card_age: FloatArray
    card_scores: FloatArray
    # Communication: each user's skill today (unclipped), its slope per 30 days, and each
    # scorecard's score (nan where the card left it out).
    communication: FloatArray
    communication_slope: FloatArray
    card_communication: FloatArray

    @property
    def truth(self) -> FloatArray:
        """Return the skill on the rubric's scale: no report can say more than "4"."""
        return np.clip(self.skill, *SCALE)

    @property
    def communication_truth(self) -> FloatArray:
        """Return the communication skill on the rubric's scale."""
        return np.clip(self.communication, *SCALE)

    def communication_ratings(self) -> CommunicationRatings:
        """Return the communication scores as the estimator reads them (scored cards only)."""
        scored = ~np.isnan(self.card_communication)
        return CommunicationRatings(
            user=self.card_user[scored],
            rater=self.card_rater[scored],
            score=self.card_communication[scored],
            age_days=self.card_age[scored],
        )


def simulate(population: Population, *, users: int, seed: int, discrete: bool = True) -> World:
    """Draw a population, its raters and their scorecards (discrete=False: scores unrounded)."""
    rng = np.random.default_rng(seed)
    raters = users if population.raters is None else population.raters
    level = rng.normal(0, population.level_sd, (users, 1))
    skill = (
        np.asarray(population.step_means)
        + level
        + rng.normal(0, population.step_sd, (users, N_STEPS))
    )
    leniency = rng.normal(0, population.leniency_sd, raters)
    noise_sd = rng.uniform(*population.noise, raters)
    activity = rng.pareto(population.activity, raters) + 0.2
    fewest, most = population.interviews
    per_user = rng.integers(fewest, most + 1, users)
    card_user = np.repeat(np.arange(users), per_user)
    card_rater = rng.choice(raters, card_user.size, p=activity / activity.sum())
    if population.raters is None:
        clash = card_rater == card_user  # nobody rates themselves
        card_rater[clash] = (card_rater[clash] + 1) % users
    card_age = rng.uniform(0, 30 * population.months, card_user.size)
    draw = rng.random(card_user.size)
    after_five, after_six = population.stopped
    reached = np.where(draw < after_five, 5, np.where(draw < after_six, 6, N_STEPS))
    card = np.repeat(np.arange(card_user.size), N_STEPS)
    step = np.tile(np.arange(N_STEPS), card_user.size)
    kept = step < reached[card]
    card, step = card[kept], step[kept]
    user, rater = card_user[card], card_rater[card]
    score = skill[user, step] + leniency[rater] + rng.normal(0, noise_sd[rater])
    slope = np.zeros((users, N_STEPS))
    if population.drift_sd > 0:
        # Drawn last, so that a population without drift draws what it drew before.
        slope = rng.normal(0, population.drift_sd, (users, N_STEPS))
        score = score - slope[user, step] * card_age[card] / 30.0
    if discrete:
        score = np.clip(np.round(score), *SCALE)
    card_scores = np.full((card_user.size, N_STEPS), np.nan)
    card_scores[card, step] = score
    # Communication, drawn after everything else so that the steps draw what they drew before.
    communication = (
        population.communication_mean
        + level[:, 0]
        + rng.normal(0, population.communication_sd, users)
    )
    scored = rng.random(card_user.size) < population.communication_scored
    said = communication[card_user] + leniency[card_rater] + rng.normal(0, noise_sd[card_rater])
    communication_slope = np.zeros(users)
    if population.drift_sd > 0:
        communication_slope = rng.normal(0, population.drift_sd, users)
        said = said - communication_slope[card_user] * card_age / 30.0
    if discrete:
        said = np.clip(np.round(said), *SCALE)
    card_communication = np.where(scored, said, np.nan)
    return World(
        ratings=card_ratings(
            card_scores, card_user, card_rater, card_age, n_users=users, n_raters=raters
        ),
        skill=skill,
        slope=slope,
        leniency=leniency,
        noise_sd=noise_sd,
        card_user=card_user,
        card_rater=card_rater,
        card_age=card_age,
        card_scores=card_scores,
        communication=communication,
        communication_slope=communication_slope,
        card_communication=card_communication,
    )

"""The communication section on known truth: its bands cover, its probabilities are right.

Synthetic populations (scoring.estimation.synthetic, the generator bench/report_accuracy.py
measures with): each user has a communication skill tied to their general level, scored on
most scorecards by the same peers who score the steps, with the same leniency and noise,
rounded to the 1-4 rubric; where people change, the skill moves along its own slope. The
section is fitted as the nightly rebuild fits it (bench/report_accuracy.py's
communication_estimates): the step model first, its leniencies and noise (as stored) the
correction. Eight seeds are pooled per population, so that a figure speaks of the
model and not of one draw (bench/README.md, "Communication on known truth"): with two, a bin
of ~450 statements has a standard error of about .023, and a calibrated section's worst bin
went from .049 to .053 with a change to the step fit that moved no figure of its own (pooled
over eight seeds, the worst bin is .019-.020).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bench.report_accuracy import communication_estimates
from scoring import estimation as est
from scoring.estimation import communication
from scoring.estimation.synthetic import POPULATIONS, simulate
from scoring.services.nightly import reports_rebuild_all
from tests.scoring.conftest import given_scorecard, person

USERS = 1500
SEEDS = tuple(range(31, 39))
# The rubric's communication bars for mid and senior.
BARS = (2.5, 3.0)


@pytest.mark.parametrize("drift", [0.0, 0.05], ids=["static", "people-change"])
def test_communication_bands_cover_90_and_p_below_the_bar_is_right_as_often_as_it_says(
    drift: float,
) -> None:
    covered, stated, happened = [], [], []
    for seed in SEEDS:
        world = simulate(replace(POPULATIONS["reference"], drift_sd=drift), users=USERS, seed=seed)
        estimates = communication_estimates(world, est.fit(world.ratings))
        rated = estimates.n > 0
        truth = world.communication_truth
        covered.append(((estimates.lower <= truth) & (truth <= estimates.upper))[rated])
        for bar in BARS:
            stated.append(estimates.p_below(bar)[rated])
            happened.append((world.communication < bar)[rated])
    coverage = float(np.concatenate(covered).mean())
    assert 0.88 <= coverage <= 0.92, coverage
    p, below = np.concatenate(stated), np.concatenate(happened)
    # Bins 0.1 wide of the stated probability, each with at least 300 statements.
    which = np.minimum((p * 10).astype(int), 9)
    gaps = {
        b: round(float(p[which == b].mean() - below[which == b].mean()), 3)
        for b in range(10)
        if (which == b).sum() >= 300
    }
    assert len(gaps) >= 6, gaps
    assert max(abs(gap) for gap in gaps.values()) <= 0.05, gaps


def test_a_stored_fit_without_the_model_of_change_is_read_as_it_was_fitted() -> None:
    """A fit stored before the model of change has no change_tau2: the half-life, as fitted.

    One user, two scores a year apart from raters of known leniency: the normal-normal
    posterior with each score's noise over its recency weight.
    """
    stored = {"mu": 2.5, "tau2": 0.2, "sigma2": 0.4}
    params = est.CommunicationParams.from_json(stored)
    assert params.change_tau2 is None
    assert params.to_json() == stored
    ratings = est.CommunicationRatings(
        user=np.zeros(2, dtype=np.int64),
        rater=np.arange(2),
        score=np.array([3.0, 2.0]),
        age_days=np.array([0.0, 365.0]),
    )
    leniency, leniency_var = np.array([0.25, -0.5]), np.array([0.01, 0.02])
    got = est.communication_posterior(
        ratings,
        leniency=leniency,
        leniency_var=leniency_var,
        n_users=1,
        params=params,
        noise_var=np.array([0.3, 0.3]),  # ignored: the stored fit has no noise factor
    )
    weight = 0.5 ** (ratings.age_days / est.HALF_LIFE_DAYS)
    precision = 1.0 / (0.4 / weight + leniency_var)
    residual = ratings.score - 2.5 - leniency
    total = precision.sum() + 1.0 / 0.2
    assert got.latent[0] == pytest.approx(2.5 + (precision * residual).sum() / total)
    assert got.sd[0] == pytest.approx(total**-0.5)


# Peers rating peers on the full path: 300 people, 2-8 interviews each over five months.
PEERS = replace(POPULATIONS["base"], interviews=(2, 8), stopped=(0.0, 0.0), months=5)


@pytest.mark.django_db
def test_the_api_states_how_likely_communication_is_below_the_bar_and_its_band_covers(
    client_for,
) -> None:
    """Scorecards stored, the nightly rebuild, the API: the band and P(below the bar) hold.

    The truth is the skill as the raters who scored it see it on average (the model's
    leniencies average 0: tests/scoring/test_report_calibration.py's peers).
    """
    world = simulate(PEERS, users=300, seed=17)
    levels = ("mid", "senior")  # communication bars 2.5 and 3.0 in rubric v1
    people = [person(profile__target_level=levels[i % 2]) for i in range(300)]
    for user, rater, age, said, scores in zip(
        world.card_user,
        world.card_rater,
        world.card_age,
        world.card_communication,
        world.card_scores,
        strict=True,
    ):
        given_scorecard(
            people[rater],
            people[user],
            [int(score) for score in scores],
            days_ago=3 + float(age),
            communication=None if np.isnan(said) else int(said),
        )
    reports_rebuild_all()
    seen = world.communication + world.leniency[np.unique(world.card_rater)].mean()
    covered, stated, below = [], [], []
    for i, user in enumerate(people):
        response = client_for(user).get("/api/reports/me/")
        assert response.status_code == 200
        talk = response.json()["communication"]
        if not talk["n_ratings"]:
            continue
        truth = float(np.clip(seen[i], *est.SCALE))
        covered.append(talk["lower"] <= truth <= talk["upper"])
        p = talk["p_below_bar"]
        # The verdict and its probability say the same thing.
        if talk["verdict"] == "below_bar":
            assert p >= 0.94
        elif talk["verdict"] == "at_or_above_bar":
            assert p <= 0.06
        stated.append(p)
        below.append(seen[i] < talk["bar"])
    assert len(covered) > 250
    assert 0.86 <= np.mean(covered) <= 0.95, np.mean(covered)
    # Right as often as stated, in three bins of ~100 people (wide: 300 people).
    p, happened = np.asarray(stated), np.asarray(below)
    for low, high in ((0.0, 0.2), (0.2, 0.8), (0.8, 1.01)):
        inside = (p >= low) & (p < high)
        assert inside.sum() >= 30
        assert abs(p[inside].mean() - happened[inside].mean()) <= 0.1, (low, high)


def test_a_warm_night_resumes_the_fit_and_keeps_its_correction_until_the_scores_grow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A cold fit runs the EM from scratch (27 steps at 10,000 users) and a bootstrap of it
    # again: 0.48 s CPU a night. The next night resumes from the stored fit and keeps its
    # measured correction while the scores grow by less than a fifth.
    world = simulate(POPULATIONS["reference"], users=USERS, seed=SEEDS[0])
    result = est.fit(world.ratings)
    c = world.communication_ratings()
    common: dict[str, Any] = {
        "leniency": result.leniency[c.rater],
        "leniency_var": result.leniency_var[c.rater],
        "n_users": world.ratings.n_users,
        "noise_var": result.rater_noise_var[c.rater],
        "change_tau2": result.params.change_tau2,
    }
    cold = est.communication_fit(c, **common)
    assert cold.tau2_correction is not None and cold.tau2_correction >= 1.0
    assert cold.correction_scores == len(c.score)
    stored = est.CommunicationParams.from_json(cold.to_json())
    assert stored.tau2_correction == pytest.approx(cold.tau2_correction, abs=1e-6)

    def measured_again(*args: object, **kwargs: object) -> float:
        raise AssertionError("the correction was measured again on a warm night")

    monkeypatch.setattr(communication, "_spread_shortfall", measured_again)
    older = replace(c, age_days=c.age_days + 1.0)  # the next night: every score a day older
    warm = est.communication_fit(older, start=stored, **common)
    assert warm.tau2_correction == stored.tau2_correction
    assert warm.tau2 == pytest.approx(cold.tau2, rel=0.02)
    # The kept correction applied once: the spread before it is the EM's, as on the cold night.
    assert warm.tau2_correction is not None
    assert warm.tau2 / warm.tau2_correction == pytest.approx(
        cold.tau2 / cold.tau2_correction, rel=1e-3
    )
    assert warm.mu == pytest.approx(cold.mu, abs=0.01)
    assert warm.noise_scale == pytest.approx(cold.noise_scale, rel=0.01)

    # A fifth more scores (the same ones again, as if rated twice): measured again.
    measured: list[int] = []

    def counted(drawn_from: est.CommunicationRatings, *args: object) -> float:
        measured.append(len(drawn_from.score))
        return 1.0

    monkeypatch.setattr(communication, "_spread_shortfall", counted)
    grown = est.CommunicationRatings(
        **{name: np.concatenate([getattr(c, name)] * 2) for name in ("user", "rater", "score")},
        age_days=np.concatenate([c.age_days] * 2),
    )
    doubled: dict[str, Any] = {
        name: np.concatenate([value] * 2) if isinstance(value, np.ndarray) else value
        for name, value in common.items()
    }
    again = est.communication_fit(grown, start=stored, **doubled)
    assert measured == [2 * len(c.score)]
    assert again.correction_scores == 2 * len(c.score)


def test_a_night_after_a_launch_with_a_handful_of_scores_fits_as_a_first_night_would() -> None:
    # A platform's first nights may see a handful of communication scores that tell nobody
    # apart: the EM then puts the spread of skills at its floor (1e-3). Resumed from that fit,
    # a later night's EM stayed there (each user shrunk to the mean makes the spread found as
    # small again) and ran out of steps at a spread 140x too small, and the bootstrap measured
    # its factor on that unconverged fit.
    world = simulate(POPULATIONS["reference"], users=USERS, seed=SEEDS[0])
    result = est.fit(world.ratings)
    c = world.communication_ratings()
    change_tau2 = result.params.change_tau2
    assert change_tau2 is not None
    at_the_floor = est.CommunicationParams.from_json(
        {"mu": 2.5, "tau2": 0.001, "sigma2": 0.3, "change_tau2": change_tau2, "noise_scale": 1.0}
    )
    common: dict[str, Any] = {
        "leniency": result.leniency[c.rater],
        "leniency_var": result.leniency_var[c.rater],
        "n_users": world.ratings.n_users,
        "noise_var": result.rater_noise_var[c.rater],
        "change_tau2": change_tau2,
    }
    cold = est.communication_fit(c, **common)
    warm = est.communication_fit(c, start=at_the_floor, **common)
    assert warm.tau2 == pytest.approx(cold.tau2, rel=0.01), (warm, cold)
    assert warm.tau2_correction == pytest.approx(cold.tau2_correction, rel=0.01), (warm, cold)

"""Calibration on the full path: known truth, scorecards stored, the nightly rebuild, the API.

A small synthetic population (fixed seed, so the test is deterministic): people with known
skills, rated by peers with known leniency and noise, scores rounded to the 1-4 rubric. What
the API says is checked against the truth, so a regression anywhere on the path shows. The
figures on larger populations and several seeds are bench/report_accuracy.py's.
"""

from __future__ import annotations

import numpy as np
import pytest

from scoring import estimation as est
from scoring.services.nightly import reports_rebuild_all
from tests.scoring.conftest import given_scorecard, person

pytestmark = pytest.mark.django_db

STEP_MEANS = np.array([2.8, 2.7, 2.5, 2.6, 2.4, 2.2, 2.0])


@pytest.fixture
def population(db):  # type: ignore[no-untyped-def]
    """150 people, each scored 2-8 times by 25 peers; returns them with their true skills."""
    rng = np.random.default_rng(13)
    people = [person() for _ in range(150)]
    raters = [person() for _ in range(25)]
    skill = (
        STEP_MEANS + rng.normal(0, 0.4, (len(people), 1)) + rng.normal(0, 0.35, (len(people), 7))
    )
    leniency = rng.normal(0, 0.45, len(raters))
    noise = rng.uniform(0.3, 0.8, len(raters))
    for i, candidate in enumerate(people):
        for k in range(int(rng.integers(2, 9))):
            r = int(rng.integers(len(raters)))
            latent = skill[i] + leniency[r] + rng.normal(0, noise[r], 7)
            scores = np.clip(np.round(latent), 1, 4).astype(int).tolist()
            given_scorecard(raters[r], candidate, scores, days_ago=3 + 20 * k + rng.uniform(0, 5))
    return people, skill


def test_bands_cover_and_weakest_claims_are_right_as_often_as_they_say(
    client_for, population
) -> None:  # type: ignore[no-untyped-def]
    people, skill = population
    reports_rebuild_all()
    covered, claims = [], []
    for i, user in enumerate(people):
        response = client_for(user).get("/api/reports/me/")
        assert response.status_code == 200
        report = response.json()
        truth = np.clip(skill[i], *est.SCALE)
        for row in report["steps"]:
            covered.append(row["lower"] <= truth[row["step"] - 1] <= row["upper"])
        weakest = report["weakest"]
        assert weakest["meaning"] == "lowest_skill"
        if weakest["step"] is not None:
            assert weakest["probability"] >= weakest["threshold"]
            claims.append((weakest["probability"], weakest["step"] == np.argmin(skill[i]) + 1))
    coverage = float(np.mean(covered))
    assert 0.86 <= coverage <= 0.95, coverage
    stated = float(np.mean([p for p, _ in claims]))
    right = float(np.mean([hit for _, hit in claims]))
    assert len(claims) >= 0.25 * len(people), len(claims)
    # ~60 claims: a binomial standard error of ~5 points, so +-10 is two of them.
    assert abs(right - stated) <= 0.10, (right, stated, len(claims))

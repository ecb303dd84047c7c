from __future__ import annotations

from rest_framework.test import APIClient

from sevenstep.framework import STEPS, Domain, Pitfall


def test_anyone_can_read_the_framework_vocabulary(db) -> None:
    response = APIClient().get("/api/framework/")

    assert response.status_code == 200
    body = response.json()
    assert [step["number"] for step in body["steps"]] == list(range(1, 8))
    assert body["steps"][0]["name"] == STEPS[0].step.label
    assert sum(step["budget_seconds"] for step in body["steps"]) == 45 * 60
    assert {domain["value"] for domain in body["domains"]} == set(Domain.values)
    assert {p["value"]: p["step"] for p in body["pitfalls"]}[Pitfall.IGNORES_MONITORING] == 7


def test_the_framework_says_how_far_ahead_availability_may_go(db, settings) -> None:
    settings.SCHEDULING_WEEKS_AHEAD = 3
    assert APIClient().get("/api/framework/").json()["scheduling_weeks_ahead"] == 3

"""Rubrics are versioned; v1 ships with real content; old scorecards keep their version."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from scoring.models import Rubric, Scorecard
from scoring.services.rubrics import rubric_document_load, rubric_publish
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.framework import LEVEL_ORDER, Pitfall, Step
from tests.scoring.conftest import held_interview, scorecard_body

pytestmark = pytest.mark.django_db


def test_rubric_v1_is_published_with_a_section_per_step_and_one_cross_cutting(
    client_for, candidate
) -> None:
    response = client_for(candidate).get("/api/rubrics/current/")
    assert response.status_code == 200
    rubric = response.json()
    assert rubric["version"] == 1
    steps = [section["step"] for section in rubric["sections"]]
    assert steps == [1, 2, 3, 4, 5, 6, 7, None]
    for section in rubric["sections"]:
        assert set(section["bars"]) == set(LEVEL_ORDER)
        assert section["criteria"], section["key"]
        for criterion in section["criteria"]:
            assert set(criterion["levels"]) == {"1", "2", "3", "4"}
            assert all(len(text) > 15 for text in criterion["levels"].values())
    assert abs(sum(section["weight"] for section in rubric["sections"]) - 1) < 1e-9


def test_the_rubric_describes_every_pitfall_tag_with_its_step(client_for, candidate) -> None:
    pitfalls = client_for(candidate).get("/api/rubrics/current/").json()["pitfalls"]
    assert {p["tag"] for p in pitfalls} == set(Pitfall.values)
    by_tag = {p["tag"]: p for p in pitfalls}
    assert by_tag["ignores_monitoring"]["step"] == Step.MONITORING
    assert by_tag["no_tradeoffs"]["step"] is None


def test_reading_the_rubric_needs_an_account(client_for) -> None:
    assert client_for(None).get("/api/rubrics/current/").status_code == 403


def test_an_unknown_rubric_version_is_not_found(client_for, candidate) -> None:
    response = client_for(candidate).get("/api/rubrics/99/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _v2() -> dict:
    document = copy.deepcopy(rubric_document_load(1))
    document["version"] = 2
    document["title"] = "ML system design rubric v2"
    document["sections"][0]["criteria"][0]["levels"]["4"] = "A new descriptor for a 4."
    return document


def test_a_new_version_leaves_scorecards_on_the_version_they_were_written_against(
    client_for, interviewer, candidate
) -> None:
    old = held_interview(interviewer, candidate)
    client = client_for(interviewer)
    first = client.put(f"/api/interviews/{old.pk}/scorecard/", scorecard_body(), format="json")
    assert first.status_code == 200, first.json()
    rubric_publish(document=_v2())

    assert client_for(candidate).get("/api/rubrics/current/").json()["version"] == 2
    assert Scorecard.objects.get(interview=old).rubric.version == 1
    again = client.put(f"/api/interviews/{old.pk}/scorecard/", scorecard_body(), format="json")
    assert again.status_code == 200
    assert again.json()["rubric_version"] == 1
    v1 = client.get("/api/rubrics/1/").json()
    assert v1["sections"][0]["criteria"][0]["levels"]["4"] != "A new descriptor for a 4."

    new = held_interview(interviewer, candidate, ended_ago=timedelta(hours=2))
    stale = client.put(f"/api/interviews/{new.pk}/scorecard/", scorecard_body(), format="json")
    assert stale.status_code == 400
    assert stale.json()["error"]["code"] == "wrong_rubric_version"
    fresh = client.put(
        f"/api/interviews/{new.pk}/scorecard/", scorecard_body(rubric_version=2), format="json"
    )
    assert fresh.json()["rubric_version"] == 2


def test_a_published_rubric_cannot_be_edited_or_published_twice() -> None:
    rubric = Rubric.objects.get(version=1)
    rubric.title = "Edited"
    with pytest.raises(Conflict):
        rubric.save()
    with pytest.raises(ApplicationError):
        rubric_publish(document=rubric_document_load(1))


def test_an_incomplete_rubric_is_refused() -> None:
    document = _v2()
    document["sections"] = document["sections"][1:]
    del document["sections"][0]["bars"]["staff"]
    with pytest.raises(ApplicationError) as caught:
        rubric_publish(document=document)
    assert "step 1..7" in caught.value.message
    assert "bars" in caught.value.message
    assert not Rubric.objects.filter(version=2).exists()

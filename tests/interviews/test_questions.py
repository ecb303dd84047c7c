"""The question bank: shipped as data, filterable, and the guide never leaks through the list."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import User
from interviews.models import Question
from sevenstep.framework import Step
from tests.interviews.helpers import ClientFor

pytestmark = pytest.mark.django_db

URL = "/api/questions/"


def test_the_bank_ships_at_least_twelve_questions_with_a_guide_for_every_step() -> None:
    questions = list(Question.objects.all())
    assert len(questions) >= 12
    for question in questions:
        assert set(question.guide) == {str(step.value) for step in Step}, question.slug
        for step_guide in question.guide.values():
            assert step_guide["covers"] and step_guide["follow_ups"] and step_guide["red_flags"]


def test_the_list_filters_by_domain_and_level(client_for: ClientFor, candidate: User) -> None:
    everything = client_for(candidate).get(URL, {"page_size": 100}).json()
    assert everything["count"] == Question.objects.count()
    vision = client_for(candidate).get(URL, {"domain": "vision"}).json()
    assert vision["count"] >= 1
    assert {q["domain"] for q in vision["results"]} == {"vision"}
    senior_recs = (
        client_for(candidate).get(URL, {"domain": "recommendation", "level": "senior"}).json()
    )
    assert senior_recs["count"] >= 1
    assert all(
        q["domain"] == "recommendation" and q["level"] == "senior" for q in senior_recs["results"]
    )


def test_the_list_never_contains_an_interviewer_guide(
    client_for: ClientFor, candidate: User
) -> None:
    response = client_for(candidate).get(URL, {"page_size": 100})
    raw = response.content.decode()
    assert "guide" not in raw
    assert "red_flags" not in raw and "follow_ups" not in raw
    first = Question.objects.order_by("title").first()
    assert first is not None
    step_one = first.guide["1"]["covers"][0]
    assert json.dumps(step_one)[1:-1] not in raw


@pytest.mark.parametrize(
    "params", [{"domain": "astrology"}, {"level": "principal"}, {"colour": "red"}]
)
def test_unknown_filters_are_a_400(
    client_for: ClientFor, candidate: User, params: dict[str, str]
) -> None:
    response = client_for(candidate).get(URL, params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()["error"]["fields"]


def test_anonymous_users_cannot_browse_the_bank(client_for: ClientFor) -> None:
    assert client_for(None).get(URL).status_code == 403


def test_staff_edit_questions_in_the_admin(staff: User, password: str) -> None:
    staff.user_permissions.add(Permission.objects.get(codename="change_question"))
    browser = Client()
    assert browser.login(email=staff.email, password=password)
    question = Question.objects.order_by("title").first()
    assert question is not None
    assert browser.get(f"/admin/interviews/question/{question.pk}/change/").status_code == 200


def test_people_who_are_not_staff_cannot_open_the_admin(candidate: User, password: str) -> None:
    browser = Client()
    assert browser.login(email=candidate.email, password=password)
    response = browser.get("/admin/interviews/question/")
    assert response.status_code == 302

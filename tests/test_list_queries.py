"""Every list endpoint reads its query string alike: unknown or malformed params are a 400."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/questions/",
    "/api/availability/",
    "/api/interview-requests/",
    "/api/interviews/",
    "/api/scorecards/received/",
    "/api/reports/me/history/",
    "/api/match/runs/",
]


@pytest.mark.parametrize("url", LISTS)
def test_a_list_answers_its_first_page(client_for, staff, url) -> None:
    response = client_for(staff).get(url, {"page": 1, "page_size": 5})
    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_param_is_named_in_a_400(client_for, staff, url) -> None:
    response = client_for(staff).get(url, {"sort": "newest"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"sort": ["Unknown field."]}


@pytest.mark.parametrize("url", LISTS)
def test_a_page_that_is_no_number_is_a_400(client_for, staff, url) -> None:
    response = client_for(staff).get(url, {"page": "two"})
    assert response.status_code == 400
    assert "page" in response.json()["error"]["fields"]

"""Report endpoints: my report, its history, the export, and my statistics as an interviewer."""

from __future__ import annotations

import csv
import io

import pytest

from scoring.services.nightly import reports_rebuild_all
from scoring.services.reports import report_update
from tests.scoring.conftest import FEEDBACK, given_scorecard, person, scorecard_body

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/reports/me/",
    "/api/reports/me/history/",
    "/api/reports/me/export/",
    "/api/reports/me/export/?format=csv",
    "/api/me/as-interviewer/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_reports_need_an_account(client_for, url) -> None:
    response = client_for(None).get(url)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("role", ["interviewer", "candidate", "outsider", "staff"])
def test_everyone_reads_only_their_own_report(request, client_for, role, url) -> None:
    user = request.getfixturevalue(role)
    rater, other = person(), person()
    given_scorecard(rater, other, [1] * 7, days_ago=3)
    report_update(user_id=other.pk)
    response = client_for(user).get(url)
    assert response.status_code == 200
    # `user` has neither received nor given a scorecard; `other` has a report and a history
    # and `rater` has submitted one: nothing of theirs may show up here.
    if url == "/api/reports/me/":
        body = response.json()
        assert body["user_id"] == user.pk
        assert body["based_on"]["scorecards"] == 0
    elif url == "/api/reports/me/history/":
        assert response.json()["count"] == 0
    elif url == "/api/reports/me/export/":
        assert response.json()["history"] == []
    elif url.endswith("format=csv"):
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == 7  # one row per step of the user's own (empty) report
    else:
        assert response.json()["scorecards_submitted"] == 0


def test_a_new_user_gets_an_honest_empty_report_with_questions_to_start_with(
    client_for, candidate
) -> None:
    report = client_for(candidate).get("/api/reports/me/").json()
    assert report["kind"] == "on_demand"
    assert report["enough_data"] is False
    assert report["target_level"] == "mid"
    assert [row["step"] for row in report["steps"]] == [1, 2, 3, 4, 5, 6, 7]
    assert all(row["verdict"] == "not_enough_data" for row in report["steps"])
    assert len(report["recommended_questions"]) == 3
    assert report["recommended_questions"][0]["level"] == "mid"


def test_the_report_is_built_from_what_was_submitted_through_the_api(
    client_for, interview, interviewer, candidate
) -> None:
    writer, reader = client_for(interviewer), client_for(candidate)
    url = f"/api/interviews/{interview.pk}"
    writer.put(f"{url}/scorecard/", scorecard_body(), format="json")
    writer.post(f"{url}/scorecard/submit/")
    assert reader.get("/api/reports/me/").json()["based_on"]["scorecards"] == 0  # blind
    reader.put(f"{url}/interviewer-feedback/", FEEDBACK, format="json")
    reader.post(f"{url}/interviewer-feedback/submit/")
    report = reader.get("/api/reports/me/").json()
    assert report["based_on"]["scorecards"] == 1
    assert report["steps"][0]["raw_mean"] == 3
    assert report["steps"][0]["evidence"][0]["text"] == "Covered step 1 with a clear plan."
    assert {row["tag"] for row in report["pitfalls"]} == {"no_online_metric"}
    assert interview.question_id not in {q["id"] for q in report["recommended_questions"]}


def test_the_export_has_the_report_and_its_history_as_json_or_csv(client_for) -> None:
    rater, learner = person(), person()
    for i in range(3):
        given_scorecard(rater, learner, [2, 3, 3, 3, 3, 3, 3], days_ago=10 - i)
        reports_rebuild_all()
    client = client_for(learner)

    as_json = client.get("/api/reports/me/export/")
    assert as_json.status_code == 200
    assert as_json["Content-Disposition"] == 'attachment; filename="sevenstep-report.json"'
    body = as_json.json()
    assert body["report"]["based_on"]["scorecards"] == 3
    assert [snap["n_scorecards"] for snap in body["history"]] == [3, 2, 1]

    as_csv = client.get("/api/reports/me/export/?format=csv")
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert len(rows) == 7 * 3 + 7
    current = [row for row in rows if row["snapshot"] == "current"]
    assert [row["step"] for row in current] == [str(step) for step in range(1, 8)]
    assert current[0]["step_title"] == "Clarifying requirements"
    assert float(current[0]["estimate"]) < float(current[1]["estimate"])
    unknown = client.get("/api/reports/me/export/?format=xml")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["format"] == [
        "Unknown format; choose one of: csv, json."
    ]


def test_the_history_is_paginated(client_for) -> None:
    rater, learner = person(), person()
    for i in range(3):
        given_scorecard(rater, learner, [3] * 7, days_ago=10 - i)
        reports_rebuild_all()
    page = client_for(learner).get("/api/reports/me/history/?page_size=2").json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    assert page["results"][0]["steps"][0]["n_ratings"] == 3


def test_interviewers_see_their_leniency_and_only_released_ratings_of_them(
    client_for, interview, interviewer, candidate
) -> None:
    empty = client_for(interviewer).get("/api/me/as-interviewer/").json()
    assert empty["leniency"] is None
    assert empty["feedback_received"]["count"] == 0

    reader = client_for(candidate)
    url = f"/api/interviews/{interview.pk}"
    reader.put(f"{url}/interviewer-feedback/", FEEDBACK, format="json")
    reader.post(f"{url}/interviewer-feedback/submit/")
    hidden = client_for(interviewer).get("/api/me/as-interviewer/").json()
    assert hidden["feedback_received"]["count"] == 0  # not released: no scorecard yet

    writer = client_for(interviewer)
    writer.put(f"{url}/scorecard/", scorecard_body(), format="json")
    writer.post(f"{url}/scorecard/submit/")
    for i in range(4):
        given_scorecard(interviewer, person(), [4] * 7, days_ago=3 + i)
    reports_rebuild_all()
    stats = client_for(interviewer).get("/api/me/as-interviewer/").json()
    assert stats["scorecards_submitted"] == 5
    assert stats["feedback_received"]["count"] == 1
    assert stats["feedback_received"]["usefulness"] == 4
    assert stats["feedback_received"]["recent_comments"][0]["comment"] == FEEDBACK["comment"]
    assert stats["leniency"]["n_ratings"] == 5 * 7
    assert stats["leniency"]["lower"] <= stats["leniency"]["points"] <= stats["leniency"]["upper"]
    assert stats["consistency"]["noise_sd"] > 0

"""The report download carries what the report says: self-assessment and communication too."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import timezone

from scoring.models import Report, ReportSnapshot
from scoring.services.nightly import reports_rebuild_all
from scoring.services.reports import report_update
from tests.scoring.conftest import given_feedback, given_scorecard, person

pytestmark = pytest.mark.django_db

# The header as it was first published: readers of the CSV rely on these positions.
FIRST_COLUMNS = [
    "computed_at",
    "snapshot",
    "n_scorecards",
    "step",
    "step_title",
    "estimate",
    "lower",
    "upper",
    "n_ratings",
    "raw_mean",
    "bar",
    "gap",
    "verdict",
    "percentile",
    "trend",
]
SELF_COLUMNS = {
    "self_interviews": "interviews",
    "self_mean_score": "mean_self_score",
    "self_mean_received": "mean_received",
    "self_gap": "gap",
    "self_gap_lower": "lower",
    "self_gap_upper": "upper",
    "self_verdict": "verdict",
}
COMMUNICATION_FIELDS = [
    "estimate",
    "lower",
    "upper",
    "n_ratings",
    "raw_mean",
    "bar",
    "gap",
    "verdict",
]


def cell(value: Any) -> str:
    """Return how the CSV writes a value the JSON report gives."""
    return "" if value is None else str(value)


def download_csv(client: Any) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/api/reports/me/export/?format=csv")
    assert response.status_code == 200
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture
def learner(db) -> Any:
    """Someone interviewed three times, scoring themselves and scored on communication."""
    rater, other_rater, learner = person(), person(), person()
    for i, (interviewer, talk) in enumerate(
        [(rater, 2), (other_rater, 3), (rater, 2)],
    ):
        card = given_scorecard(
            interviewer, learner, [2, 3, 3, 2, 3, 3, 3], days_ago=10 - i, communication=talk
        )
        given_feedback(card, {"1": 4, "4": 1, "6": 3})
        reports_rebuild_all()
    return learner


def test_the_csv_self_assessment_columns_say_what_the_report_says(client_for, learner) -> None:
    client = client_for(learner)
    report = client.get("/api/reports/me/").json()
    header, rows = download_csv(client)

    assert header[: len(FIRST_COLUMNS)] == FIRST_COLUMNS
    assert header[len(FIRST_COLUMNS) :] == list(SELF_COLUMNS)
    current = {row["step"]: row for row in rows if row["snapshot"] == "current"}
    for step in report["steps"]:
        row = current[str(step["step"])]
        for column, name in SELF_COLUMNS.items():
            assert row[column] == cell(step["self_assessment"][name]), (step["step"], column)
    # The figures compared are real ones, not a column of blanks on both sides.
    assert current["1"]["self_interviews"] == "3"
    assert float(current["1"]["self_mean_score"]) == 4
    assert float(current["4"]["self_mean_score"]) == 1
    assert float(current["1"]["self_gap"]) > 0 > float(current["4"]["self_gap"])
    assert current["2"]["self_interviews"] == "0" and current["2"]["self_gap"] == ""
    history = [row for row in rows if row["snapshot"] == "history"]
    assert history
    assert all(row[column] == "" for row in history for column in SELF_COLUMNS)


def test_the_csv_has_a_communication_row_equal_to_the_reports_block(client_for, learner) -> None:
    client = client_for(learner)
    report = client.get("/api/reports/me/").json()
    talk = report["communication"]
    assert talk["n_ratings"] == 3
    _, rows = download_csv(client)

    [row] = [r for r in rows if r["snapshot"] == "current" and r["step"] == "communication"]
    assert row["step_title"] == "Communication and trade-offs"
    assert row["n_scorecards"] == "3"
    assert row["computed_at"] == report["computed_at"]
    for name in COMMUNICATION_FIELDS:
        assert row[name] == cell(talk[name]), name
    assert float(row["raw_mean"]) == pytest.approx(7 / 3, abs=0.01)
    assert row["percentile"] == row["trend"] == ""
    assert all(row[column] == "" for column in SELF_COLUMNS)
    # It comes after the seven steps of the current report.
    assert [r["step"] for r in rows if r["snapshot"] == "current"] == [
        *(str(step) for step in range(1, 8)),
        "communication",
    ]


def test_a_snapshot_taken_now_records_communication(client_for, learner) -> None:
    client = client_for(learner)
    report = client.get("/api/reports/me/").json()
    history = client.get("/api/reports/me/history/").json()["results"]
    assert [snap["n_scorecards"] for snap in history] == [3, 2, 1]
    # The newest snapshot was taken from the very body the current report shows.
    assert history[0]["communication"] == report["communication"]
    assert [snap["communication"]["n_ratings"] for snap in history] == [3, 2, 1]
    assert history[-1]["communication"]["raw_mean"] == 2
    assert history[-1]["communication"]["verdict"] == "not_enough_data"
    assert [len(snap["steps"]) for snap in history] == [7, 7, 7]

    exported = client.get("/api/reports/me/export/").json()
    assert exported["history"] == history
    _, rows = download_csv(client)
    talks = [r for r in rows if r["snapshot"] == "history" and r["step"] == "communication"]
    assert [r["n_scorecards"] for r in talks] == ["1", "2", "3"]
    for row, snap in zip(talks, reversed(history), strict=True):
        for name in COMMUNICATION_FIELDS:
            assert row[name] == cell(snap["communication"][name]), name


def test_an_incremental_update_records_communication_in_its_snapshot(client_for) -> None:
    rater, learner = person(), person()
    given_scorecard(rater, learner, [3] * 7, days_ago=3, communication=4)
    report_update(user_id=learner.pk)
    client = client_for(learner)
    [snap] = client.get("/api/reports/me/history/").json()["results"]
    assert snap["communication"]["n_ratings"] == 1
    assert snap["communication"]["raw_mean"] == 4
    assert snap["communication"] == client.get("/api/reports/me/").json()["communication"]


def test_a_report_without_communication_scores_has_no_communication_row(client_for) -> None:
    rater, quiet = person(), person()
    given_scorecard(rater, quiet, [3] * 7, days_ago=3)
    reports_rebuild_all()
    client = client_for(quiet)
    assert client.get("/api/reports/me/").json()["communication"]["n_ratings"] == 0
    _, rows = download_csv(client)
    assert [row["step"] for row in rows] == [str(step) for step in range(1, 8)] * 2


def test_an_old_report_and_old_snapshots_still_export(client_for, learner) -> None:
    # As written before communication was recorded: steps only, in the report and snapshot.
    old = Report.objects.get(user=learner)
    old.body = {name: value for name, value in old.body.items() if name != "communication"}
    old.save(update_fields=["body"])
    ReportSnapshot.objects.create(
        user=learner,
        computed_at=timezone.now(),
        n_scorecards=9,
        steps=[
            {"step": step, "estimate": 2.5, "lower": 2.0, "upper": 3.0, "n_ratings": 9}
            for step in range(1, 8)
        ],
    )
    client = client_for(learner)

    history = client.get("/api/reports/me/history/").json()["results"]
    assert history[0]["n_scorecards"] == 9
    assert history[0]["communication"] is None
    assert history[1]["communication"]["n_ratings"] == 3
    exported = client.get("/api/reports/me/export/")
    assert exported.status_code == 200
    assert exported.json()["report"]["communication"] is None
    assert exported.json()["history"][0]["communication"] is None

    _, rows = download_csv(client)
    old_rows = [row for row in rows if row["n_scorecards"] == "9"]
    assert [row["step"] for row in old_rows] == [str(step) for step in range(1, 8)]
    assert all(row["estimate"] == "2.5" and row["self_gap"] == "" for row in old_rows)
    current = [row for row in rows if row["snapshot"] == "current"]
    assert [row["step"] for row in current] == [str(step) for step in range(1, 8)]
    assert current[0]["self_interviews"] == "3"


def test_the_export_schema_names_the_new_columns_and_snapshot_communication(
    client_for, candidate
) -> None:
    schema = client_for(candidate).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    export = schema["paths"]["/api/reports/me/export/"]["get"]
    described = export["description"]
    assert set(export["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    for column in [*FIRST_COLUMNS, *SELF_COLUMNS]:
        assert column in described
    assert "Communication and trade-offs" in described
    snapshot = schema["components"]["schemas"]["SnapshotOutput"]
    assert "communication" in snapshot["properties"]

"""Weakness reports: what they say, when they say nothing, and how the jobs build them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from interviews.models import Question
from scoring import estimation as est
from scoring.models import ModelFit, RaterStats, Report, ReportSnapshot, ReportState, Scorecard
from scoring.services.nightly import NIGHTLY_LOCK, reports_rebuild_all
from scoring.services.reports import report_compute, report_request, report_update
from sevenstep.locks import advisory_key
from tests.factories import InterviewFactory
from tests.scoring.conftest import given_feedback, given_scorecard, person

pytestmark = pytest.mark.django_db


def steps(report: dict) -> dict[int, dict]:
    return {row["step"]: row for row in report["steps"]}


def my_report(client_for, user) -> dict:
    response = client_for(user).get("/api/reports/me/")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def raters(db):
    """A harsh, a neutral and a lenient interviewer, each having rated the same twelve people."""
    rng, talk = np.random.default_rng(7), np.random.default_rng(8)
    harsh, neutral, lenient = (person() for _ in range(3))
    for i in range(12):
        rated = person()
        skill = rng.uniform(1.8, 3.2) + rng.normal(0, 0.4, 7)
        speaks = talk.uniform(1.8, 3.2)
        for offset, rater in zip((-1, 0, 1), (harsh, neutral, lenient), strict=True):
            scores = np.clip(np.round(skill + offset + rng.normal(0, 0.5, 7)), 1, 4)
            given_scorecard(
                rater,
                rated,
                scores.astype(int).tolist(),
                days_ago=5 + i + offset / 10,
                communication=int(np.clip(np.round(speaks + offset + talk.normal(0, 0.5)), 1, 4)),
            )
    return harsh, neutral, lenient


def test_scores_from_a_harsh_or_a_lenient_rater_are_corrected_for_their_leniency(
    client_for, raters
) -> None:
    harsh, _, lenient = raters
    low, high = person(), person()
    for i in range(3):
        given_scorecard(harsh, low, [2] * 7, days_ago=3 + i / 10)
        given_scorecard(lenient, high, [4] * 7, days_ago=3 + i / 10)
    result = reports_rebuild_all()
    assert not result.skipped

    stats = {row.rater_id: row for row in RaterStats.objects.all()}
    assert stats[harsh.pk].leniency < -0.3 < 0.3 < stats[lenient.pk].leniency
    low_step = steps(my_report(client_for, low))[4]
    high_step = steps(my_report(client_for, high))[4]
    assert low_step["raw_mean"] == 2 and high_step["raw_mean"] == 4
    # Both performed alike (the neutral rater would have said 3): the gap shrinks by far.
    assert low_step["estimate"] > 2.4
    assert high_step["estimate"] < 3.6
    assert high_step["estimate"] - low_step["estimate"] < 0.8


def test_thin_evidence_gets_no_verdict(client_for, raters) -> None:
    _, neutral, _ = raters
    newcomer = person()
    given_scorecard(neutral, newcomer, [1, 4, 4, 4, 4, 4, 4], days_ago=3)
    reports_rebuild_all()
    report = my_report(client_for, newcomer)
    assert report["enough_data"] is False
    # A 1 among six 4s points at step 1, and the report says how likely that is, whether or
    # not it is sure enough to name it (calibrated: bench/report_accuracy.py).
    weakest = report["weakest"]
    assert weakest["meaning"] == "lowest_skill"
    assert max(report["steps"], key=lambda row: row["p_weakest"])["step"] == 1
    assert weakest["step"] in (None, 1)
    assert (weakest["step"] is not None) == (weakest["probability"] >= weakest["threshold"])
    assert sum(row["p_weakest"] for row in report["steps"]) == pytest.approx(1, abs=0.03)
    for row in report["steps"]:
        assert row["verdict"] == "not_enough_data"
        assert row["percentile"] is None
        assert row["trend"]["direction"] == "not_enough_data"
        assert row["upper"] - row["lower"] > 0.5
    assert steps(report)[1]["n_ratings"] == 1
    assert steps(report)[1]["estimate"] > 1.5  # one bad score is not a verdict


def test_one_noisy_scorecard_names_no_weakest_step_and_says_what_would(client_for, raters) -> None:
    _, neutral, _ = raters
    newcomer = person()
    given_scorecard(neutral, newcomer, [3, 3, 2, 3, 3, 3, 3], days_ago=3)
    reports_rebuild_all()
    weakest = my_report(client_for, newcomer)["weakest"]
    assert weakest["step"] is None
    assert weakest["probability"] < weakest["threshold"]
    assert weakest["more_interviews"] is None or weakest["more_interviews"] >= 1


def test_communication_from_a_harsh_or_a_lenient_rater_is_corrected_for_their_leniency(
    client_for, raters
) -> None:
    harsh, _, lenient = raters
    low, high = person(profile__target_level="senior"), person(profile__target_level="senior")
    for i in range(3):
        given_scorecard(harsh, low, [3] * 7, days_ago=3 + i / 10, communication=2)
        given_scorecard(lenient, high, [3] * 7, days_ago=3 + i / 10, communication=4)
    now = timezone.now()
    reports_rebuild_all(now=now)

    low_talk = my_report(client_for, low)["communication"]
    high_talk = my_report(client_for, high)["communication"]
    assert low_talk["raw_mean"] == 2 and high_talk["raw_mean"] == 4
    assert low_talk["n_ratings"] == high_talk["n_ratings"] == 3
    # Both spoke alike (the neutral rater would have said 3): the gap shrinks by far.
    assert low_talk["estimate"] > 2.4
    assert high_talk["estimate"] < 3.6
    assert high_talk["estimate"] - low_talk["estimate"] < 0.8
    assert low_talk["lower"] < low_talk["estimate"] < low_talk["upper"]
    assert low_talk["bar"] == 3.0  # the senior bar of the cross-cutting section in rubric v1
    assert low_talk["gap"] == pytest.approx(low_talk["estimate"] - 3.0, abs=0.011)
    assert low_talk["verdict"] != "not_enough_data"
    # An incremental update of the same data says the same as the nightly rebuild.
    nightly = Report.objects.get(user=high).body["communication"]
    assert report_compute(user_id=high.pk, now=now).body["communication"] == nightly


def test_thin_evidence_on_communication_gets_no_verdict(client_for, raters) -> None:
    _, neutral, _ = raters
    newcomer = person()
    given_scorecard(neutral, newcomer, [3] * 7, days_ago=3, communication=1)
    given_scorecard(neutral, newcomer, [3] * 7, days_ago=4, communication=1)
    reports_rebuild_all()
    talk = my_report(client_for, newcomer)["communication"]
    assert talk["n_ratings"] == 2 < est.MIN_RATINGS
    assert talk["verdict"] == "not_enough_data"
    assert talk["estimate"] > 1.5  # two bad scores are not a verdict
    assert talk["upper"] - talk["lower"] > 0.5


def test_a_report_without_communication_scores_says_so(client_for, raters) -> None:
    _, neutral, _ = raters
    quiet = person()
    given_scorecard(neutral, quiet, [3] * 7, days_ago=3)
    reports_rebuild_all()
    talk = my_report(client_for, quiet)["communication"]
    assert talk["n_ratings"] == 0 and talk["raw_mean"] is None
    assert talk["verdict"] == "not_enough_data"


def test_the_weakest_step_is_named_and_unseen_questions_that_stress_it_are_recommended(
    client_for, raters
) -> None:
    _, neutral, _ = raters
    learner = person(profile__target_level="senior")
    seen = Question.objects.order_by("pk").first()
    assert seen is not None
    for i in range(4):
        given_scorecard(neutral, learner, [3, 3, 1, 3, 3, 3, 3], days_ago=3 + i, question=seen)
    reports_rebuild_all()
    report = my_report(client_for, learner)
    assert report["enough_data"] is True
    assert report["weakest"] == {
        "meaning": "lowest_skill",
        "step": 3,
        "probability": pytest.approx(1.0, abs=0.05),
        "threshold": 0.65,
        "more_interviews": 0,
    }
    assert steps(report)[3]["p_weakest"] == report["weakest"]["probability"]
    assert steps(report)[3]["p_below_bar"] > 0.95
    assert steps(report)[3]["verdict"] == "below_bar"
    assert steps(report)[3]["bar"] == 3.0  # senior bar for data preparation in rubric v1
    recommended = report["recommended_questions"]
    assert len(recommended) == 3
    assert seen.pk not in {q["id"] for q in recommended}
    assert all(3 in q["stresses"] for q in recommended)
    quotes = steps(report)[3]["evidence"]
    assert quotes and quotes[0]["text"] == "Step 3 scored 1."


def test_time_on_step_shows_rushed_openings_and_steps_never_reached(client_for, raters) -> None:
    _, neutral, _ = raters
    hasty = person()
    for i in range(2):
        given_scorecard(
            neutral,
            hasty,
            [3, 3, 3, 3, 3, 3, None],
            days_ago=3 + i,
            minutes_on_step=[1, 1, 8, 20, 8, 7, None],
        )
    reports_rebuild_all()
    report = my_report(client_for, hasty)
    timing = report["time_management"]
    assert timing["interviews"] == 2
    assert timing["rushed_steps"] == [1, 2]
    assert timing["over_budget_steps"] == [4]
    assert timing["often_not_reached"] == [7]
    first = steps(report)[1]["time"]
    assert first["mean_seconds"] == 60
    assert first["budget_seconds"] == 270
    assert steps(report)[7]["n_not_reached"] == 2


def test_a_pitfall_ticked_again_and_again_is_recurring(client_for, raters) -> None:
    _, neutral, _ = raters
    forgetful = person()
    for i, tags in enumerate(
        [("ignores_monitoring", "no_tradeoffs"), ("ignores_monitoring",), ("ignores_monitoring",)]
    ):
        given_scorecard(neutral, forgetful, [3] * 7, days_ago=3 + i, pitfalls=tags)
    reports_rebuild_all()
    pitfalls = {row["tag"]: row for row in my_report(client_for, forgetful)["pitfalls"]}
    assert pitfalls["ignores_monitoring"]["recurring"] is True
    assert pitfalls["ignores_monitoring"]["count"] == 3
    assert pitfalls["no_tradeoffs"]["recurring"] is False
    assert pitfalls["ignores_monitoring"]["population_rate"] < 0.1


def test_percentiles_compare_within_the_target_level(client_for, raters) -> None:
    _, neutral, _ = raters
    strong = person(profile__target_level="staff")
    weak = person(profile__target_level="staff")
    for i in range(3):
        given_scorecard(neutral, strong, [4] * 7, days_ago=3 + i)
        given_scorecard(neutral, weak, [2] * 7, days_ago=3.5 + i)
    reports_rebuild_all()
    assert steps(my_report(client_for, strong))[1]["percentile"] == 75
    assert steps(my_report(client_for, weak))[1]["percentile"] == 25


def test_an_unreleased_scorecard_does_not_show_in_the_report(client_for, raters) -> None:
    _, neutral, _ = raters
    waiting = person()
    given_scorecard(neutral, waiting, [3] * 7, days_ago=1)  # deadline not passed, no feedback
    reports_rebuild_all()
    assert my_report(client_for, waiting)["based_on"]["scorecards"] == 0


def test_an_incremental_update_uses_the_latest_fit_and_records_history(client_for, raters) -> None:
    _, neutral, _ = raters
    someone = person()
    given_scorecard(neutral, someone, [2] * 7, days_ago=10)
    reports_rebuild_all()
    nightly = Report.objects.get(user=someone)
    given_scorecard(neutral, someone, [4] * 7, days_ago=3)
    assert report_update(user_id=someone.pk) is True
    updated = Report.objects.get(user=someone)
    assert updated.kind == "incremental"
    assert updated.n_scorecards == 2
    assert updated.fit_id == nightly.fit_id
    assert updated.document()["steps"]["estimate"][0] > nightly.document()["steps"]["estimate"][0]
    history = client_for(someone).get("/api/reports/me/history/").json()
    assert history["count"] == 2
    assert [row["n_scorecards"] for row in history["results"]] == [2, 1]
    assert ReportSnapshot.objects.filter(user=someone).count() == 2


def test_self_assessments_are_compared_with_what_raters_gave_only_with_enough_interviews(
    client_for, raters
) -> None:
    harsh, neutral, _ = raters
    confident, modest = person(), person()
    for i in range(3):
        card = given_scorecard(neutral, confident, [2, 3, 3, 3, 3, 3, None], days_ago=3 + i)
        given_feedback(card, {"1": 4, "2": 3, "7": 4})  # step 7 was never reached
        card = given_scorecard(harsh, modest, [2, 3, 3, 3, 3, 3, 3], days_ago=3 + i)
        given_feedback(card, {"1": 1, "2": 2, "3": 4})
    card = given_scorecard(neutral, modest, [3] * 7, days_ago=2.5)
    given_feedback(card, {"4": 4})
    reports_rebuild_all()

    mine = {
        row["step"]: row["self_assessment"] for row in my_report(client_for, confident)["steps"]
    }
    assert mine[1]["verdict"] == "overrates"
    assert mine[1]["interviews"] == 3
    assert mine[1]["mean_self_score"] == 4
    assert mine[1]["gap"] == pytest.approx(
        mine[1]["mean_self_score"] - mine[1]["mean_received"], abs=0.011
    )
    assert mine[1]["lower"] > 0
    assert mine[2]["verdict"] in {"in_line", "unclear"}
    assert mine[7] == {
        "interviews": 0,
        "mean_self_score": None,
        "mean_received": None,
        "gap": None,
        "lower": None,
        "upper": None,
        "verdict": "not_enough_data",
    }
    theirs = {row["step"]: row["self_assessment"] for row in my_report(client_for, modest)["steps"]}
    # The harsh rater's 2s are a neutral rater's 3s: a self-assessed 1 is still too modest.
    assert theirs[1]["verdict"] == "underrates"
    assert theirs[1]["mean_received"] > 2.5
    assert theirs[4]["interviews"] == 1
    assert theirs[4]["verdict"] == "not_enough_data"


def test_the_report_schema_documents_the_self_assessment(client_for, candidate) -> None:
    schema = client_for(candidate).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    step = schema["components"]["schemas"]["StepReportOutput"]
    assert "self_assessment" in step["required"]
    comparison = schema["components"]["schemas"]["SelfAssessmentOutput"]["properties"]
    assert set(comparison) == {
        "interviews",
        "mean_self_score",
        "mean_received",
        "gap",
        "lower",
        "upper",
        "verdict",
    }


def test_many_submissions_cost_one_rebuild(django_capture_on_commit_callbacks, raters) -> None:
    _, neutral, _ = raters
    someone = person()
    given_scorecard(neutral, someone, [3] * 7, days_ago=3)
    with django_capture_on_commit_callbacks() as enqueued:
        versions = [report_request(user_id=someone.pk) for _ in range(3)]
    assert len(enqueued) == 3
    built = [report_update(user_id=someone.pk, version=v) for v in versions]
    assert built == [False, False, True]
    assert report_update(user_id=someone.pk, version=versions[-1]) is False  # redelivered
    state = ReportState.objects.get(user=someone)
    assert state.built_version == state.requested_version == 3


def test_a_submission_enqueues_the_candidates_update_after_commit(
    django_capture_on_commit_callbacks, client_for, interview, interviewer, candidate
) -> None:
    from tests.scoring.conftest import FEEDBACK, scorecard_body

    client = client_for(interviewer)
    client.put(f"/api/interviews/{interview.pk}/scorecard/", scorecard_body(), format="json")
    with django_capture_on_commit_callbacks() as enqueued:
        assert client.post(f"/api/interviews/{interview.pk}/scorecard/submit/").status_code == 200
    assert len(enqueued) == 1
    other = client_for(candidate)
    other.put(f"/api/interviews/{interview.pk}/interviewer-feedback/", FEEDBACK, format="json")
    with django_capture_on_commit_callbacks() as enqueued:
        other.post(f"/api/interviews/{interview.pk}/interviewer-feedback/submit/")
    assert len(enqueued) == 1  # the feedback released the scorecard
    assert ReportState.objects.get(user=candidate).requested_version == 2


def test_the_nightly_rebuild_is_idempotent(raters) -> None:
    reports_rebuild_all()
    first = {r.user_id: r.document()["steps"] for r in Report.objects.all()}
    reports_rebuild_all()
    second = {r.user_id: r.document()["steps"] for r in Report.objects.all()}
    assert first.keys() == second.keys()
    for user_id, steps in first.items():
        assert steps["n_ratings"] == second[user_id]["n_ratings"]
        # The second fit starts where the first stopped (within its 0.001 tolerance).
        np.testing.assert_allclose(steps["estimate"], second[user_id]["estimate"], atol=0.02)
    assert ReportSnapshot.objects.count() == len(first)


def test_a_rater_new_tonight_gets_the_noise_their_own_scores_say(raters) -> None:
    # The nightly fit resumes each rater's noise from last night's (RaterStats.noise_sd); a
    # rater with none stored must start from the fit's own estimate from tonight's scores, as
    # on a first night, not from the population's noise (which the fit took as stored).
    _, neutral, _ = raters
    reports_rebuild_all()
    rated = [card.candidate for card in Scorecard.objects.filter(interviewer=neutral)]
    erratic, rng = person(), np.random.default_rng(5)
    for i, candidate in enumerate(rated):
        given_scorecard(erratic, candidate, rng.choice([1, 4], 7).tolist(), days_ago=2 + i / 10)
    reports_rebuild_all()
    resumed = {row.rater_id: row.noise_sd for row in RaterStats.objects.all()}
    # The same scorecards on a first night: nothing stored for anyone.
    RaterStats.objects.all().delete()
    ModelFit.objects.all().delete()
    reports_rebuild_all()
    first = {row.rater_id: row.noise_sd for row in RaterStats.objects.all()}
    assert resumed[erratic.pk] == pytest.approx(first[erratic.pk], abs=0.01), (resumed, first)


def test_a_rater_scoring_at_random_does_not_raise_everyones_noise_night_after_night(
    raters,
) -> None:
    # 1s and 4s at random are likeliest under an infinite noise: the raters' noise EM raised
    # that rater's night after night, and through the population's noise every other rater's
    # with it (sd 0.73 -> 1.55 in eight nights here), and with them every report's bands.
    honest = {rater.pk for rater in raters}
    _, neutral, _ = raters
    rated = [card.candidate for card in Scorecard.objects.filter(interviewer=neutral)]
    erratic, rng = person(), np.random.default_rng(5)
    for i, candidate in enumerate(rated):
        given_scorecard(erratic, candidate, rng.choice([1, 4], 7).tolist(), days_ago=2 + i / 10)
    now = timezone.now()
    nights = []
    for night in range(6):
        reports_rebuild_all(now=now + timedelta(days=night))
        stored = RaterStats.objects.exclude(noise_sd=None)
        nights.append({row.rater_id: float(row.noise_sd or 0.0) for row in stored})
    assert nights[-1][erratic.pk] == pytest.approx(nights[0][erratic.pk], abs=0.01)
    assert nights[-1][erratic.pk] <= 2.0
    for rater_id in honest:
        assert nights[-1][rater_id] == pytest.approx(nights[1][rater_id], abs=0.02)
        assert nights[-1][rater_id] < 0.7, nights


class SameFit:
    """Stand in for the model fit: fit once, then return that fit whatever the data."""

    def __init__(self) -> None:
        self.result: est.Fit | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> est.Fit:
        self.result = self.result or REAL_FIT(*args, **kwargs)
        return self.result


REAL_FIT = est.fit


def _stamped_since(rows: Iterable[tuple[int, Any]], stamps: dict[int, Any]) -> set[int]:
    """The ids whose stamp moved since stamps was read."""
    return {key for key, at in rows if at != stamps[key]}


def test_the_nightly_rebuild_rewrites_only_the_reports_that_change(raters, monkeypatch) -> None:
    _, neutral, _ = raters
    someone = person()
    given_scorecard(neutral, someone, [3] * 7, days_ago=3)
    # The same fit every night, so that only new scorecards change what reports say.
    monkeypatch.setattr(est, "fit", SameFit())
    now = timezone.now()
    first = reports_rebuild_all(now=now)
    assert first.written == first.users == Report.objects.count()
    stamps = dict(Report.objects.values_list("user_id", "computed_at"))

    assert reports_rebuild_all(now=now + timedelta(minutes=1)).written == 0
    assert dict(Report.objects.values_list("user_id", "computed_at")) == stamps

    given_scorecard(neutral, someone, [1] * 7, days_ago=3)
    later = reports_rebuild_all(now=now + timedelta(minutes=2))
    rewritten = _stamped_since(Report.objects.values_list("user_id", "computed_at"), stamps)
    assert someone.pk in rewritten
    assert later.written == len(rewritten) < later.users
    assert Report.objects.get(user=someone).n_scorecards == 2


def test_the_nightly_rebuild_rewrites_only_the_rater_statistics_that_change(
    raters, monkeypatch
) -> None:
    harsh, neutral, lenient = raters
    someone = person()
    given_scorecard(neutral, someone, [3] * 7, days_ago=4)
    # The same fit every night, so that only a new scorecard changes a rater's figures.
    monkeypatch.setattr(est, "fit", SameFit())
    now = timezone.now()
    first = reports_rebuild_all(now=now)
    stamps = dict(RaterStats.objects.values_list("rater_id", "updated_at"))
    assert {harsh.pk, neutral.pk, lenient.pk} <= stamps.keys()

    reports_rebuild_all(now=now + timedelta(minutes=1))
    assert dict(RaterStats.objects.values_list("rater_id", "updated_at")) == stamps
    assert set(RaterStats.objects.values_list("fit_id", flat=True)) == {first.fit_id}

    given_scorecard(neutral, someone, [1] * 7, days_ago=3)
    later = reports_rebuild_all(now=now + timedelta(minutes=2))
    rewritten = _stamped_since(RaterStats.objects.values_list("rater_id", "updated_at"), stamps)
    assert rewritten == {neutral.pk}
    row = RaterStats.objects.get(rater=neutral)
    assert row.fit_id == later.fit_id
    assert row.n_scorecards == 14


def test_a_report_stored_with_its_figures_in_the_body_reads_the_same(client_for, raters) -> None:
    _, neutral, _ = raters
    someone = person()
    given_scorecard(neutral, someone, [2, 3, 3, 3, 3, 2, None], days_ago=3)
    reports_rebuild_all()
    current = my_report(client_for, someone)
    # As reports were stored before their per-step figures got a column of their own.
    document = Report.objects.get(user=someone).document()
    del document["step_columns"]
    Report.objects.filter(user=someone).update(body=document, figures=None, digest=None)
    assert my_report(client_for, someone) == current


def test_a_second_nightly_rebuild_at_the_same_time_steps_aside(raters) -> None:
    if connection.vendor == "postgresql":
        import psycopg

        settings_dict = connection.settings_dict
        other = psycopg.connect(
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"],
            dbname=settings_dict["NAME"],
            autocommit=True,
        )
        key = advisory_key(NIGHTLY_LOCK)
        other.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            assert reports_rebuild_all().skipped
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [key])
            other.close()
    else:
        from django.core.cache import cache

        cache.add(f"lock:{NIGHTLY_LOCK}", "someone else", timeout=60)
        assert reports_rebuild_all().skipped
        cache.delete(f"lock:{NIGHTLY_LOCK}")
    assert not Report.objects.exists()
    assert not reports_rebuild_all().skipped


def test_a_rebuild_with_no_scorecards_at_all_is_harmless(db) -> None:
    result = reports_rebuild_all()
    assert not result.skipped and result.users == 0


def test_an_erased_account_loses_its_report_and_gets_no_new_one(
    client_for, raters, candidate, password
) -> None:
    _, neutral, _ = raters
    given_scorecard(neutral, candidate, [3] * 7, days_ago=3)
    reports_rebuild_all()
    assert Report.objects.filter(user=candidate).exists()
    response = client_for(candidate).post("/api/me/delete/", {"password": password}, format="json")
    assert response.status_code == 204
    assert not Report.objects.filter(user=candidate).exists()
    assert not ReportSnapshot.objects.filter(user=candidate).exists()
    reports_rebuild_all()
    assert report_update(user_id=candidate.pk) is False
    assert not Report.objects.filter(user=candidate).exists()
    assert RaterStats.objects.filter(rater=neutral).exists()


def test_the_nightly_rebuild_is_scheduled_with_beat(settings) -> None:
    from config.celery_app import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["scoring-nightly-rebuild"]
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].acks_late is True
    assert app.tasks["scoring.report_update"].acks_late is True


def test_the_rebuild_and_publish_commands_work(raters, tmp_path) -> None:
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from scoring.models import Rubric
    from scoring.services.rubrics import rubric_document_load

    out = io.StringIO()
    call_command("rebuild_reports", stdout=out)
    assert "rebuilt 12 reports" in out.getvalue()
    document = rubric_document_load(1) | {"version": 2}
    path = tmp_path / "rubric_v2.json"
    path.write_text(json.dumps(document))
    call_command("publish_rubric", str(path), stdout=out)
    current = Rubric.objects.current()
    assert current is not None and current.version == 2
    with pytest.raises(CommandError):
        call_command("publish_rubric", str(path), stdout=out)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_step_scores_are_read_on_a_second_connection(
    monkeypatch,
) -> None:
    import threading

    from django.db import transaction

    from scoring.selectors.report_inputs import evidence_load

    rater = person()
    for i in range(3):
        given_scorecard(rater, person(), [1 + i, 2, 3, 4, 3, 2, None], days_ago=3 + i)
    started: list[str] = []
    start = threading.Thread.start

    def spy(thread: threading.Thread) -> None:
        started.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", spy)
    now = timezone.now()
    apart = evidence_load(now=now)
    assert started == ["scoring-read"]
    with transaction.atomic():  # another connection would not see this one's writes
        together = evidence_load(now=now)
    assert started == ["scoring-read"]
    assert apart.user_ids == together.user_ids
    for name in ("user", "rater", "step", "score", "age_days"):
        np.testing.assert_array_equal(getattr(apart.ratings, name), getattr(together.ratings, name))
    np.testing.assert_array_equal(apart.not_reached, together.not_reached)
    assert len(apart.ratings) == 18


def test_practise_next_never_offers_a_question_the_user_has_interviewed_on_or_is_booked_for(
    client_for, raters
) -> None:
    _, neutral, _ = raters
    learner = person(profile__target_level="senior")
    taken = Question.objects.order_by("pk").first()
    for i in range(4):
        given_scorecard(neutral, learner, [3, 3, 1, 3, 3, 3, 3], days_ago=3 + i, question=taken)
    reports_rebuild_all()
    first, *_ = (q["id"] for q in my_report(client_for, learner)["recommended_questions"])
    # Booked to interview on it: the stored report stops offering it at once, the rebuild too.
    InterviewFactory(interviewer=learner, question=Question.objects.get(pk=first))
    assert first not in {q["id"] for q in my_report(client_for, learner)["recommended_questions"]}
    reports_rebuild_all()
    rebuilt = my_report(client_for, learner)["recommended_questions"]
    assert len(rebuilt) == 3 and first not in {q["id"] for q in rebuilt}


def test_reading_a_report_never_built_writes_nothing(client_for, raters) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, neutral, _ = raters
    timed = person()
    given_scorecard(neutral, timed, [3] * 7, days_ago=3, minutes_on_step=[5] * 7)
    with CaptureQueriesContext(connection) as queries:
        assert my_report(client_for, timed)["steps"]
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert writes == []
    assert report_update(user_id=timed.pk) is True
    assert my_report(client_for, timed)["time_management"]["interviews"] == 1

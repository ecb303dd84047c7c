"""A candidate never gets a question they have seen, in any role, on any path that picks one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from accounts.models import User
from interviews import selectors
from interviews.models import (
    Interview,
    InterviewRequest,
    InterviewRole,
    InterviewStatus,
    Question,
)
from interviews.services import lifecycle, matching
from interviews.services.booking import interview_book
from sevenstep.errors import Conflict
from tests.factories import InterviewFactory, QuestionFactory, UserFactory
from tests.interviews.helpers import ClientFor, window

NOW = datetime(2030, 3, 1, 9, 0, 20, tzinfo=UTC)  # a Friday
SUNDAY = datetime(2030, 3, 3, 18, 0, tzinfo=UTC)
MONDAY = datetime(2030, 3, 4, 18, 0, tzinfo=UTC)
INSTANT = "/api/match/instant/"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bank(db: None) -> list[Question]:
    """Two questions, both what everybody here asks for; the first is everyone's first choice."""
    Question.objects.update(is_active=False)
    return [QuestionFactory(title="Visual search"), QuestionFactory(title="Video search")]


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def person(name: str) -> User:
    return UserFactory(email=f"{name.lower()}@example.com", profile__display_name=name)


def assert_nobody_is_candidate_on_a_question_they_saw_elsewhere() -> None:
    for interview in Interview.objects.exclude(status=InterviewStatus.CANCELLED):
        elsewhere = selectors.question_exposure(
            user_ids=[interview.candidate_id], excluding=[interview.pk]
        )[interview.candidate_id]
        assert interview.question_id not in elsewhere.seen, interview


def join(client_for: ClientFor, user: User, **body: object) -> dict[str, Any]:
    response = client_for(user).post(INSTANT, body, format="json")
    assert response.status_code in {200, 201}, response.json()
    return response.json()


# --- batch matching -------------------------------------------------------------------------


def test_one_matching_run_never_makes_its_interviewer_of_sunday_the_candidate_on_monday(
    bank: list[Question],
) -> None:
    ada, bob, carl = person("Ada"), person("Bob"), person("Carl")
    for user, role, at in ((ada, "swap", SUNDAY), (bob, "candidate", SUNDAY)):
        InterviewRequest.objects.create(user=user, role=role, level="mid", max_per_week=2)
        window(user, at)
    InterviewRequest.objects.create(user=carl, role="interviewer", level="mid", max_per_week=2)
    window(ada, MONDAY)
    window(carl, MONDAY)
    run = matching.matching_run(key="one-run")
    sunday, monday = Interview.objects.filter(match_run=run).order_by("starts_at")
    assert (sunday.interviewer, sunday.candidate, sunday.question) == (ada, bob, bank[0])
    assert (monday.interviewer, monday.candidate) == (carl, ada)
    assert monday.question == bank[1]
    assert_nobody_is_candidate_on_a_question_they_saw_elsewhere()


def test_a_matching_run_counts_the_questions_booked_to_interview_on(
    bank: list[Question],
) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    InterviewFactory(interviewer=dana, candidate=chen, question=bank[0], starts_at=SUNDAY)
    InterviewRequest.objects.create(user=dana, role="candidate", level="mid")
    InterviewRequest.objects.create(user=eve, role="interviewer", level="mid")
    window(dana, MONDAY)
    window(eve, MONDAY)
    matching.matching_run(key="booked")
    assert Interview.objects.get(candidate=dana).question == bank[1]


def test_a_run_leaves_a_candidate_unpaired_rather_than_give_them_a_seen_question(
    bank: list[Question],
) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    for days, question in enumerate(bank, start=3):
        done = InterviewFactory(
            interviewer=dana,
            candidate=chen,
            question=question,
            starts_at=NOW - timedelta(days=days),
        )
        Interview.objects.filter(pk=done.pk).update(status=InterviewStatus.COMPLETED)
    InterviewRequest.objects.create(user=dana, role="candidate", level="mid")
    InterviewRequest.objects.create(user=eve, role="interviewer", level="mid")
    window(dana, MONDAY)
    window(eve, MONDAY)
    run = matching.matching_run(key="bank-out")
    assert run.stats["interviews"] == 0
    assert not Interview.objects.filter(candidate=dana).exists()


# --- instant match --------------------------------------------------------------------------


def test_instant_match_never_makes_someone_the_candidate_on_a_question_they_will_interview_on(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    InterviewFactory(interviewer=dana, candidate=chen, question=bank[0], starts_at=SUNDAY)
    join(client_for, dana, role="candidate")
    matched = join(client_for, eve, role="interviewer")
    assert matched["status"] == "matched"
    assert Interview.objects.get(pk=matched["interview_id"]).question == bank[1]


def test_instant_match_never_makes_someone_interview_on_a_question_they_are_booked_to_take(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    InterviewFactory(interviewer=chen, candidate=dana, question=bank[0], starts_at=SUNDAY)
    join(client_for, dana, role="interviewer")
    matched = join(client_for, eve, role="candidate")
    assert matched["status"] == "matched"
    interview = Interview.objects.get(pk=matched["interview_id"])
    assert (interview.interviewer, interview.question) == (dana, bank[1])


def test_instant_match_leaves_both_waiting_when_the_bank_has_nothing_fresh_for_them(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    for days, question in enumerate(bank):
        InterviewFactory(
            interviewer=dana,
            candidate=chen,
            question=question,
            starts_at=SUNDAY + timedelta(days=days),
        )
    join(client_for, dana, role="candidate")
    assert join(client_for, eve, role="interviewer")["status"] == "waiting"
    assert not Interview.objects.filter(candidate=dana).exists()


# --- reschedule -----------------------------------------------------------------------------


def test_rescheduling_gives_a_candidate_who_saw_the_question_a_fresh_one(
    bank: list[Question],
) -> None:
    # Booked before the rule: Dana interviewed Chen on "Visual search" while already booked as
    # its candidate.
    dana, chen = person("Dana"), person("Chen")
    taking = InterviewFactory(interviewer=chen, candidate=dana, question=bank[0], starts_at=MONDAY)
    done = InterviewFactory(
        interviewer=dana, candidate=chen, question=bank[0], starts_at=NOW - timedelta(days=2)
    )
    Interview.objects.filter(pk=done.pk).update(status=InterviewStatus.COMPLETED)
    window(chen, MONDAY + timedelta(days=1))
    (moved,) = lifecycle.interview_reschedule(
        interview=taking, user=dana, starts_at=MONDAY + timedelta(days=1)
    )
    moved.refresh_from_db()
    assert moved.question == bank[1]
    assert_nobody_is_candidate_on_a_question_they_saw_elsewhere()


def test_rescheduling_keeps_a_question_nobody_has_seen_elsewhere(bank: list[Question]) -> None:
    dana, chen = person("Dana"), person("Chen")
    taking = InterviewFactory(interviewer=chen, candidate=dana, question=bank[0], starts_at=MONDAY)
    window(chen, MONDAY + timedelta(days=1))
    (moved,) = lifecycle.interview_reschedule(
        interview=taking, user=dana, starts_at=MONDAY + timedelta(days=1)
    )
    moved.refresh_from_db()
    assert moved.question == bank[0]


# --- re-match after a no-show ---------------------------------------------------------------


@pytest.mark.parametrize("reporter_role", [InterviewRole.CANDIDATE, InterviewRole.INTERVIEWER])
def test_the_re_match_after_a_no_show_gives_the_reporter_another_question(
    client_for: ClientFor,
    bank: list[Question],
    clock: time_machine.Traveller,
    reporter_role: InterviewRole,
) -> None:
    ivy, carl, eve = person("Ivy"), person("Carl"), person("Eve")
    stood_up = InterviewFactory(interviewer=ivy, candidate=carl, question=bank[0], starts_at=NOW)
    clock.move_to(NOW + timedelta(minutes=15))
    reporter = carl if reporter_role == InterviewRole.CANDIDATE else ivy
    outcome = lifecycle.interview_report_no_show(interview=stood_up, user=reporter)
    hint = outcome.rematch
    # Whoever came saw the prompt or the guide; the re-match makes them the candidate.
    join(client_for, reporter, role="candidate", level=hint["level"], domains=hint["domains"])
    matched = join(client_for, eve, role="interviewer")
    assert matched["status"] == "matched"
    assert Interview.objects.get(pk=matched["interview_id"]).question == bank[1]


# --- booking refuses what the pickers never propose -----------------------------------------


def test_booking_refuses_a_candidate_who_has_seen_the_question(bank: list[Question]) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    InterviewFactory(interviewer=dana, candidate=chen, question=bank[0], starts_at=SUNDAY)
    with pytest.raises(Conflict) as refused:
        interview_book(
            interviewer_id=eve.pk, candidate_id=dana.pk, question=bank[0], starts_at=MONDAY
        )
    assert refused.value.code == "question_seen"


def test_booking_refuses_an_interviewer_booked_to_take_the_question(bank: list[Question]) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    InterviewFactory(interviewer=chen, candidate=dana, question=bank[0], starts_at=SUNDAY)
    with pytest.raises(Conflict) as refused:
        interview_book(
            interviewer_id=dana.pk, candidate_id=eve.pk, question=bank[0], starts_at=MONDAY
        )
    assert refused.value.code == "question_seen"


# --- what "seen" means ------------------------------------------------------------------------


def test_a_cancelled_interview_counts_as_seen_only_for_an_interviewer_whose_guide_had_opened(
    bank: list[Question],
) -> None:
    dana, chen = person("Dana"), person("Chen")
    early = interview_book(
        interviewer_id=dana.pk, candidate_id=chen.pk, question=bank[0], starts_at=MONDAY
    )
    lifecycle.interview_cancel(interview=early, user=chen, reason="Travelling.")
    exposure = selectors.question_exposure(user_ids=[dana.pk, chen.pk])
    assert exposure[dana.pk].seen == exposure[chen.pk].seen == set()
    late = interview_book(
        interviewer_id=dana.pk,
        candidate_id=chen.pk,
        question=bank[1],
        starts_at=NOW + timedelta(hours=3),
    )
    lifecycle.interview_cancel(interview=late, user=chen, reason="Ill.")
    exposure = selectors.question_exposure(user_ids=[dana.pk, chen.pk])
    assert exposure[dana.pk].seen == {bank[1].pk}
    assert exposure[chen.pk].seen == set()


# --- asking to practise a question (a "Practise next" action) -------------------------------

REQUESTS = "/api/interview-requests/"


def test_a_request_can_name_a_question_to_practise_and_takes_its_domain(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana = person("Dana")
    wanted = QuestionFactory(title="Ad click prediction", domain="ads")
    response = client_for(dana).post(
        REQUESTS, {"role": "candidate", "question": wanted.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["question"] == wanted.pk
    assert response.json()["question_title"] == "Ad click prediction"
    assert response.json()["domains"] == ["ads"]


def test_a_request_cannot_name_a_question_already_seen_or_to_interview_on(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana, chen = person("Dana"), person("Chen")
    InterviewFactory(interviewer=dana, candidate=chen, question=bank[0], starts_at=SUNDAY)
    seen = client_for(dana).post(
        REQUESTS, {"role": "candidate", "question": bank[0].pk}, format="json"
    )
    assert seen.status_code == 409
    assert seen.json()["error"]["code"] == "question_seen"
    as_interviewer = client_for(dana).post(
        REQUESTS, {"role": "interviewer", "question": bank[1].pk}, format="json"
    )
    assert as_interviewer.status_code == 400
    assert "question" in as_interviewer.json()["error"]["fields"]
    assert not InterviewRequest.objects.filter(user=dana).exists()


def interviewed_on_monday(candidate: User, *, by: User) -> Question:
    """Let a matching run pair the candidate's open request with an interviewer; the question."""
    InterviewRequest.objects.create(user=by, role="interviewer", level="mid")
    window(candidate, MONDAY)
    window(by, MONDAY)
    matching.matching_run(key=f"monday-{candidate.pk}")
    return Interview.objects.get(candidate=candidate).question


def test_matching_gives_the_candidate_the_question_they_asked_to_practise(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana, eve = person("Dana"), person("Eve")
    # bank[0] ranks first for everyone; Dana asks for the second.
    opened = client_for(dana).post(
        REQUESTS, {"role": "candidate", "question": bank[1].pk}, format="json"
    )
    assert opened.status_code == 201, opened.json()
    assert interviewed_on_monday(dana, by=eve) == bank[1]


def test_a_wanted_question_seen_since_the_request_is_not_given(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana, chen, eve = person("Dana"), person("Chen"), person("Eve")
    client_for(dana).post(REQUESTS, {"role": "candidate", "question": bank[1].pk}, format="json")
    InterviewFactory(interviewer=dana, candidate=chen, question=bank[1], starts_at=SUNDAY)
    assert interviewed_on_monday(dana, by=eve) == bank[0]


def test_turning_a_practice_request_into_interviewing_only_drops_the_question(
    client_for: ClientFor, bank: list[Question]
) -> None:
    dana = person("Dana")
    opened = client_for(dana).post(
        REQUESTS, {"role": "candidate", "question": bank[1].pk}, format="json"
    )
    changed = client_for(dana).patch(
        f"{REQUESTS}{opened.json()['id']}/", {"role": "interviewer"}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["question"] is None

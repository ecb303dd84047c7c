"""My interviews over the API: listing, the guide rule, cancel, reschedule, no-show."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from accounts.models import User
from interviews.live.selectors import RoomRefused, room_access
from interviews.models import (
    Interview,
    InterviewStatus,
    ReliabilityEvent,
    ReliabilityKind,
    Seat,
)
from interviews.selectors import reliability_of
from interviews.services import notifications, session
from interviews.services.booking import interview_book, swap_book
from sevenstep.consumers import CLOSE_TOO_EARLY
from tests.factories import InterviewFactory, QuestionFactory
from tests.interviews.helpers import ClientFor, eager_tasks, window

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
AT = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)
URL = "/api/interviews/"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booked(clock: time_machine.Traveller, interviewer: User, candidate: User) -> Interview:
    return interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=candidate.pk,
        question=QuestionFactory(title="Design a feed"),
        starts_at=AT,
    )


@pytest.fixture
def swap(clock: time_machine.Traveller, interviewer: User, candidate: User) -> list[Interview]:
    return swap_book(
        first_interviewer_id=interviewer.pk,
        first_candidate_id=candidate.pk,
        first_question=QuestionFactory(),
        second_question=QuestionFactory(),
        starts_at=AT,
    )


def test_my_list_shows_my_role_partner_and_local_times(
    client_for: ClientFor, booked: Interview, interviewer: User, candidate: User
) -> None:
    candidate.profile.time_zone = "America/New_York"
    candidate.profile.save()
    body = client_for(candidate).get(URL).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["my_role"] == "candidate"
    assert item["interviewer"]["id"] == interviewer.pk
    assert item["starts_at"] == "2030-03-05T17:00:00Z"
    assert item["starts_at_local"] == "2030-03-05T12:00:00-05:00"
    assert item["time_zone"] == "America/New_York"
    assert item["join_url"].endswith(f"/interviews/{booked.pk}/room")
    assert "prompt" not in item["question"] and "guide" not in item


def test_upcoming_and_past_filters_split_my_interviews(
    client_for: ClientFor, booked: Interview, interviewer: User, clock: time_machine.Traveller
) -> None:
    old = InterviewFactory(interviewer=interviewer, starts_at=NOW - timedelta(days=2))
    Interview.objects.filter(pk=old.pk).update(status=InterviewStatus.COMPLETED)
    client = client_for(interviewer)
    assert [i["id"] for i in client.get(URL, {"when": "upcoming"}).json()["results"]] == [booked.pk]
    assert [i["id"] for i in client.get(URL, {"when": "past"}).json()["results"]] == [old.pk]
    assert client.get(URL).json()["count"] == 2
    assert client.get(URL, {"when": "yesterday"}).status_code == 400


def test_the_guide_is_for_the_interviewer_only(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    staff: User,
    clock: time_machine.Traveller,
) -> None:
    clock.move_to(booked.room_opens_at)
    mine = client_for(interviewer).get(f"{URL}{booked.pk}/").json()
    assert set(mine["guide"]) == {str(step) for step in range(1, 8)}
    assert mine["guide"]["1"]["red_flags"]
    theirs = client_for(candidate).get(f"{URL}{booked.pk}/")
    assert theirs.json()["guide"] is None
    assert theirs.json()["guide_available_at"] is None
    assert theirs.json()["question"]["prompt"] == booked.question.prompt
    assert "red flag for step 1" not in theirs.content.decode()
    looking_on = client_for(staff).get(f"{URL}{booked.pk}/")
    assert looking_on.status_code == 200
    assert looking_on.json()["guide"] is None and looking_on.json()["my_role"] is None


def guide_of(client_for: ClientFor, user: User, interview: Interview) -> dict[str, object]:
    return client_for(user).get(f"{URL}{interview.pk}/").json()


def test_the_guide_stays_closed_days_ahead_and_opens_to_prepare_a_day_before(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    clock: time_machine.Traveller,
) -> None:
    days_ahead = guide_of(client_for, interviewer, booked)
    assert days_ahead["guide"] is None
    assert days_ahead["guide_available_at"] == "2030-03-04T17:00:00Z"
    clock.move_to(AT - timedelta(hours=24, seconds=1))
    assert guide_of(client_for, interviewer, booked)["guide"] is None
    clock.move_to(AT - timedelta(hours=24))
    assert guide_of(client_for, interviewer, booked)["guide"] is not None


@override_settings(SCHEDULING_GUIDE_PREPARATION_HOURS=0)
def test_without_a_preparation_view_the_guide_opens_with_the_room(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    clock: time_machine.Traveller,
) -> None:
    assert guide_of(client_for, interviewer, booked)["guide_available_at"] == "2030-03-05T16:50:00Z"
    clock.move_to(booked.room_opens_at - timedelta(seconds=1))
    assert guide_of(client_for, interviewer, booked)["guide"] is None
    clock.move_to(booked.room_opens_at)
    assert guide_of(client_for, interviewer, booked)["guide"] is not None


def test_an_interviewer_booked_as_the_candidate_on_the_question_never_gets_to_prepare(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    outsider: User,
    clock: time_machine.Traveller,
) -> None:
    # Booked before the question rule: the interviewer takes the same question next week.
    InterviewFactory(
        interviewer=outsider,
        candidate=interviewer,
        question=booked.question,
        starts_at=AT + timedelta(days=7),
    )
    clock.move_to(AT - timedelta(hours=12))
    preparing = guide_of(client_for, interviewer, booked)
    assert preparing["guide"] is None
    assert preparing["guide_available_at"] == "2030-03-05T16:50:00Z"
    clock.move_to(booked.room_opens_at)
    assert guide_of(client_for, interviewer, booked)["guide"] is not None


@override_settings(LIVE_JOIN_EARLY_MINUTES=25)
def test_the_room_opening_time_follows_the_setting_and_the_rooms_own_rule(
    client_for: ClientFor, booked: Interview, candidate: User
) -> None:
    client = client_for(candidate)
    listed = client.get(URL).json()["results"][0]["room_opens_at"]
    detail = client.get(f"{URL}{booked.pk}/").json()["room_opens_at"]
    assert listed == detail == "2030-03-05T16:35:00Z"

    # The field says exactly when the room starts letting people in.
    opens_at = datetime(2030, 3, 5, 16, 35, tzinfo=UTC)
    with pytest.raises(RoomRefused) as refused:
        room_access(
            interview_id=booked.pk, user=candidate, kind=None, now=opens_at - timedelta(seconds=1)
        )
    assert refused.value.code == CLOSE_TOO_EARLY
    assert room_access(interview_id=booked.pk, user=candidate, kind=None, now=opens_at)


def test_the_schema_documents_the_room_opening_time(client_for: ClientFor, candidate: User) -> None:
    schema = client_for(candidate).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for name in ("InterviewOutput", "InterviewDetailOutput"):
        field = schema["components"]["schemas"][name]["properties"]["room_opens_at"]
        assert (field["type"], field["format"], field["readOnly"]) == ("string", "date-time", True)
        assert "LIVE_JOIN_EARLY_MINUTES" in field["description"]


def test_outsiders_cannot_see_or_touch_an_interview(
    client_for: ClientFor, booked: Interview, outsider: User
) -> None:
    client = client_for(outsider)
    assert client.get(f"{URL}{booked.pk}/").status_code == 404
    assert (
        client.post(f"{URL}{booked.pk}/cancel/", {"reason": "x"}, format="json").status_code == 404
    )
    assert client.get(URL).json()["count"] == 0


# --- cancel -----------------------------------------------------------------------------


def test_cancelling_early_frees_both_and_costs_nothing(
    client_for: ClientFor,
    booked: Interview,
    candidate: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        response = client_for(candidate).post(
            f"{URL}{booked.pk}/cancel/", {"reason": "Got sick"}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert not Seat.objects.filter(interview=booked, active=True).exists()
    assert not ReliabilityEvent.objects.exists()
    cancellations = [m for m in mail.outbox if "cancelled" in m.subject]
    assert len(cancellations) == 2
    assert all("Got sick" in m.body and "(UTC)" in m.body for m in cancellations)


def test_cancelling_less_than_12_hours_before_counts_against_reliability(
    client_for: ClientFor, booked: Interview, candidate: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(AT - timedelta(hours=11))
    response = client_for(candidate).post(
        f"{URL}{booked.pk}/cancel/", {"reason": "Overslept"}, format="json"
    )
    assert response.status_code == 200
    event = ReliabilityEvent.objects.get()
    assert (event.user, event.kind) == (candidate, ReliabilityKind.LATE_CANCELLATION)


def test_a_cancelled_interview_cannot_be_cancelled_again(
    client_for: ClientFor, booked: Interview, candidate: User
) -> None:
    url = f"{URL}{booked.pk}/cancel/"
    assert client_for(candidate).post(url, {"reason": "a"}, format="json").status_code == 200
    again = client_for(candidate).post(url, {"reason": "b"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


def test_cancelling_half_a_swap_cancels_both_halves(
    client_for: ClientFor, swap: list[Interview], interviewer: User
) -> None:
    _first, second = swap
    response = client_for(interviewer).post(
        f"{URL}{second.pk}/cancel/", {"reason": "Busy"}, format="json"
    )
    assert response.status_code == 200
    assert set(Interview.objects.values_list("status", flat=True)) == {"cancelled"}


@pytest.mark.parametrize(
    "payload", [{}, {"reason": ""}, {"reason": "x" * 501}, {"reason": 5, "extra": 1}, [1]]
)
def test_cancel_needs_a_reason(
    client_for: ClientFor, booked: Interview, candidate: User, payload: object
) -> None:
    response = client_for(candidate).post(f"{URL}{booked.pk}/cancel/", payload, format="json")
    assert response.status_code == 400
    booked.refresh_from_db()
    assert booked.status == InterviewStatus.SCHEDULED


def test_staff_can_look_but_not_cancel_someone_elses_interview(
    client_for: ClientFor, booked: Interview, staff: User
) -> None:
    response = client_for(staff).post(f"{URL}{booked.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_participant"


# --- reschedule --------------------------------------------------------------------------


def test_rescheduling_moves_the_interview_and_its_seats_inside_partner_availability(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    candidate.profile.time_zone = "Europe/Berlin"
    candidate.profile.save()
    window(interviewer, datetime(2030, 3, 6, 16, 0, tzinfo=UTC), hours=3)
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        response = client_for(candidate).post(
            f"{URL}{booked.pk}/reschedule/", {"starts_at": "2030-03-06T18:00"}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["starts_at"] == "2030-03-06T17:00:00Z"
    booked.refresh_from_db()
    assert booked.sequence == 1
    assert set(Seat.objects.filter(interview=booked).values_list("starts_at", flat=True)) == {
        datetime(2030, 3, 6, 17, 0, tzinfo=UTC)
    }
    moved = [m for m in mail.outbox if m.subject.startswith("Interview moved")]
    assert {m.to[0] for m in moved} == {interviewer.email, candidate.email}
    to_candidate = next(m for m in moved if m.to[0] == candidate.email)
    assert "18:00 CET (Europe/Berlin)" in to_candidate.subject
    assert not ReliabilityEvent.objects.exists()


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"starts_at": "2030-03-09T18:00"}, 409, "partner_unavailable"),
        ({"starts_at": "2030-03-01T09:30"}, 400, "too_soon"),
        ({"starts_at": "2031-03-01T09:30"}, 400, "too_far_ahead"),
        ({"starts_at": "soon"}, 400, "validation_error"),
        ({"starts_at": "2030-03-06T18:00", "time_zone": "Nowhere/Land"}, 400, "validation_error"),
        ({}, 400, "validation_error"),
        ({"starts_at": "2030-03-06T18:00", "ends_at": "2030-03-06T19:00"}, 400, "validation_error"),
    ],
)
def test_bad_reschedules_are_refused_and_change_nothing(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    payload: dict[str, str],
    status: int,
    code: str,
) -> None:
    window(interviewer, datetime(2030, 3, 6, 16, 0, tzinfo=UTC), hours=3)
    response = client_for(candidate).post(f"{URL}{booked.pk}/reschedule/", payload, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    booked.refresh_from_db()
    assert booked.starts_at == AT and booked.sequence == 0


def test_rescheduling_onto_a_busy_partner_is_a_conflict(
    client_for: ClientFor, booked: Interview, interviewer: User, candidate: User, outsider: User
) -> None:
    window(interviewer, datetime(2030, 3, 6, 16, 0, tzinfo=UTC), hours=3)
    interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=outsider.pk,
        question=booked.question,
        starts_at=datetime(2030, 3, 6, 17, 30, tzinfo=UTC),
    )
    response = client_for(candidate).post(
        f"{URL}{booked.pk}/reschedule/", {"starts_at": "2030-03-06T17:00Z"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "double_booking"


def test_a_late_reschedule_is_marked(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    clock: time_machine.Traveller,
) -> None:
    window(interviewer, datetime(2030, 3, 6, 16, 0, tzinfo=UTC), hours=3)
    clock.move_to(AT - timedelta(hours=2))
    response = client_for(candidate).post(
        f"{URL}{booked.pk}/reschedule/", {"starts_at": "2030-03-06T17:00Z"}, format="json"
    )
    assert response.status_code == 200
    assert ReliabilityEvent.objects.get().kind == ReliabilityKind.LATE_RESCHEDULE


# --- no-show ------------------------------------------------------------------------------


def test_the_present_participant_reports_a_no_show_after_the_grace_period(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    clock: time_machine.Traveller,
) -> None:
    url = f"{URL}{booked.pk}/no-show/"
    clock.move_to(AT + timedelta(minutes=5))
    early = client_for(interviewer).post(url, format="json")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "too_early"
    clock.move_to(AT + timedelta(minutes=11))
    response = client_for(interviewer).post(url, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["interview"]["status"] == "no_show"
    assert body["interview"]["absent_user"] == candidate.pk
    assert body["rematch"]["instant_match"] == "/api/match/instant/"
    assert body["rematch"]["role"] == "interviewer"
    event = ReliabilityEvent.objects.get()
    assert (event.user, event.kind) == (candidate, ReliabilityKind.NO_SHOW)
    assert not Seat.objects.filter(interview=booked, active=True).exists()
    assert client_for(candidate).post(url, format="json").status_code == 409


def test_the_interviewer_cannot_report_a_candidate_who_joined_the_room_absent(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    clock: time_machine.Traveller,
) -> None:
    clock.move_to(AT + timedelta(minutes=1))
    # What the room's connect records when the candidate's socket joins.
    session.participant_seen(interview_id=booked.pk, user_id=candidate.pk)
    clock.move_to(AT + timedelta(minutes=11))
    response = client_for(interviewer).post(f"{URL}{booked.pk}/no-show/", format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "partner_was_present"
    assert not ReliabilityEvent.objects.exists()
    assert reliability_of(user_ids=[candidate.pk]) == {candidate.pk: 1.0}
    booked.refresh_from_db()
    assert (booked.status, booked.absent_user_id) == (InterviewStatus.SCHEDULED, None)


def test_the_candidate_cannot_report_an_interviewer_who_wrote_notes_absent(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    clock: time_machine.Traveller,
) -> None:
    from pycrdt import Doc, Text

    from interviews.live import services as live
    from interviews.live.layout import DocumentKind

    clock.move_to(AT + timedelta(minutes=2))
    doc: Doc = Doc()
    doc.get("step-1", type=Text).insert(0, "users: shoppers")
    document = live.document_get_or_create(interview_id=booked.pk, kind=DocumentKind.PRIVATE)
    live.updates_append(
        pending=[
            live.PendingUpdate(
                document_id=document.pk,
                interview_id=booked.pk,
                data=doc.get_update(),
                author_id=interviewer.pk,
            )
        ]
    )
    clock.move_to(AT + timedelta(minutes=11))
    response = client_for(candidate).post(f"{URL}{booked.pk}/no-show/", format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "partner_was_present"
    assert reliability_of(user_ids=[interviewer.pk]) == {interviewer.pk: 1.0}


def test_the_reporters_own_presence_does_not_shield_the_absent_partner(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    candidate: User,
    clock: time_machine.Traveller,
) -> None:
    clock.move_to(AT)
    session.participant_seen(interview_id=booked.pk, user_id=interviewer.pk)
    clock.move_to(AT + timedelta(minutes=11))
    response = client_for(interviewer).post(f"{URL}{booked.pk}/no-show/", format="json")
    assert response.status_code == 200, response.json()
    assert reliability_of(user_ids=[candidate.pk]) == {candidate.pk: 0.65}


def test_a_no_show_cannot_be_reported_with_a_body_or_long_after(
    client_for: ClientFor,
    booked: Interview,
    interviewer: User,
    clock: time_machine.Traveller,
) -> None:
    url = f"{URL}{booked.pk}/no-show/"
    clock.move_to(AT + timedelta(minutes=20))
    assert client_for(interviewer).post(url, {"absent": 3}, format="json").status_code == 400
    clock.move_to(AT + timedelta(days=3))
    late = client_for(interviewer).post(url, format="json")
    assert late.status_code == 409 and late.json()["error"]["code"] == "too_late"


def test_the_booking_email_promises_the_guide_when_the_interview_page_shows_it(
    client_for: ClientFor,
    interviewer: User,
    candidate: User,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        booked = interview_book(
            interviewer_id=interviewer.pk,
            candidate_id=candidate.pk,
            question=QuestionFactory(title="Design a feed"),
            starts_at=AT,
        )
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    promise = "The interviewer guide opens for you to prepare Mon 04 Mar 2030, 17:00 UTC (UTC)"
    assert promise in by_recipient[interviewer.email]
    assert f"/interviews/{booked.pk}" in by_recipient[interviewer.email]
    assert "guide" not in by_recipient[candidate.email]
    assert guide_of(client_for, interviewer, booked)["guide"] is None
    clock.move_to(AT - timedelta(hours=24))
    assert guide_of(client_for, interviewer, booked)["guide"] is not None


def test_an_interviewer_booked_to_take_the_question_is_told_the_guide_comes_with_the_room(
    interviewer: User, candidate: User, outsider: User, django_capture_on_commit_callbacks: Callable
) -> None:
    question = QuestionFactory()
    InterviewFactory(interviewer=outsider, candidate=interviewer, question=question, starts_at=AT)
    # Booked before the rule (booking now refuses it):
    legacy = InterviewFactory(
        interviewer=interviewer,
        candidate=candidate,
        question=question,
        starts_at=AT + timedelta(days=1),
    )
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        notifications.notify_on_commit(interview_ids=[legacy.pk], kind="booked")
    (to_interviewer,) = [m.body for m in mail.outbox if m.to == [interviewer.email]]
    assert "The interviewer guide is beside the notes in the room, from when it opens" in (
        to_interviewer
    )
    assert "to prepare" not in to_interviewer


def test_cancelling_one_half_of_a_swap_can_keep_the_other(
    client_for: ClientFor, swap: list[Interview], interviewer: User, candidate: User
) -> None:
    first, second = swap
    response = client_for(interviewer).post(
        f"{URL}{first.pk}/cancel/", {"reason": "Only one hour free", "both": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (InterviewStatus.CANCELLED, InterviewStatus.SCHEDULED)
    assert Seat.objects.filter(interview=second, active=True).count() == 2
    assert second.swap_group is None
    # The half that stays is on its own: cancelling it later touches nothing else.
    again = client_for(candidate).post(f"{URL}{second.pk}/cancel/", {"reason": "x"}, format="json")
    assert again.status_code == 200, again.json()


def test_the_past_list_shows_when_the_interview_really_started_and_ended(
    client_for: ClientFor, booked: Interview, interviewer: User, clock: time_machine.Traveller
) -> None:
    from interviews.services import session

    clock.move_to(AT - timedelta(minutes=3))
    session.session_start(interview_id=booked.pk, user_id=interviewer.pk)
    clock.move_to(AT + timedelta(minutes=20))
    session.session_end(interview_id=booked.pk, user_id=interviewer.pk)
    item = client_for(interviewer).get(URL, {"when": "past"}).json()["results"][0]
    assert item["id"] == booked.pk
    assert (item["started_at"], item["ended_at"]) == (
        "2030-03-05T16:57:00Z",
        "2030-03-05T17:20:00Z",
    )
    assert item["starts_at"] == "2030-03-05T17:00:00Z"

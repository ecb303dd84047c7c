"""Interviews and their lifecycle, the seats that prevent double booking, the step timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from interviews.models.questions import Question
from sevenstep.errors import Conflict
from sevenstep.framework import Step


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class InterviewRole(models.TextChoices):
    INTERVIEWER = "interviewer", "Interviewer"
    CANDIDATE = "candidate", "Candidate"


# The only legal status changes; Interview.transition is the one place that applies them.
TRANSITIONS: dict[str, frozenset[str]] = {
    InterviewStatus.SCHEDULED: frozenset(
        {InterviewStatus.LIVE, InterviewStatus.CANCELLED, InterviewStatus.NO_SHOW}
    ),
    InterviewStatus.LIVE: frozenset({InterviewStatus.COMPLETED}),
    InterviewStatus.COMPLETED: frozenset(),
    InterviewStatus.CANCELLED: frozenset(),
    InterviewStatus.NO_SHOW: frozenset(),
}

ACTIVE_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.LIVE)


class InterviewSource(models.TextChoices):
    MANUAL = "manual", "Booked directly"
    MATCHED = "matched", "Paired by a matching run"
    INSTANT = "instant", "Instant match"


def room_opens_at(starts_at: datetime) -> datetime:
    """The live room opens LIVE_JOIN_EARLY_MINUTES before an interview starts."""
    return starts_at - timedelta(minutes=settings.LIVE_JOIN_EARLY_MINUTES)


class Interview(models.Model):
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews_given"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews_taken"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="interviews")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED
    )
    # Set while live: the framework step the interviewer has moved to.
    current_step = models.PositiveSmallIntegerField(null=True, blank=True, choices=Step.choices)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    source = models.CharField(
        max_length=16, choices=InterviewSource.choices, default=InterviewSource.MANUAL
    )
    match_run = models.ForeignKey(
        "interviews.MatchRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
    )
    # The two interviews of a swap share it; cancelling or moving one moves both.
    swap_group = models.UUIDField(null=True, blank=True, db_index=True)
    # When the interviewer's preparation view of the guide opened or opens (a day before the
    # start, or with the room); kept at the earliest it ever was, because "seen" counts a
    # cancelled interview for its interviewer from then on. Who sees the guide now is decided
    # by selectors.guide_available_at. null = always (interviews booked before it existed).
    guide_released_at = models.DateTimeField(null=True, blank=True)
    # When the current start time was set (booking or reschedule): reminders due before it
    # would only repeat the booking email.
    time_set_at = models.DateTimeField(null=True, blank=True)
    # iCalendar SEQUENCE: bumped on every change so calendar clients replace the old invite.
    sequence = models.PositiveIntegerField(default=0)
    absent_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["interviewer", "starts_at"]),
            models.Index(fields=["candidate", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(interviewer=F("candidate")), name="interview_two_people"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="interview_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InterviewStatus.values), name="interview_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=InterviewSource.values), name="interview_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(current_step__isnull=True)
                | Q(current_step__gte=1, current_step__lte=7),
                name="interview_step_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk} ({self.status})"

    @property
    def room_opens_at(self) -> datetime:
        """When the participants may join the live room (and the interviewer start)."""
        return room_opens_at(self.starts_at)

    def role_of(self, user_id: int | None) -> InterviewRole | None:
        if user_id is not None and user_id == self.interviewer_id:
            return InterviewRole.INTERVIEWER
        if user_id is not None and user_id == self.candidate_id:
            return InterviewRole.CANDIDATE
        return None

    def is_participant(self, user_id: int | None) -> bool:
        return self.role_of(user_id) is not None

    def partner_of(self, user_id: int) -> int:
        return self.candidate_id if user_id == self.interviewer_id else self.interviewer_id

    def transition(self, to: InterviewStatus, *, at: datetime) -> None:
        """Move to another status, or raise Conflict if the lifecycle forbids it.

        Callers hold a row lock (select_for_update) and save afterwards.
        """
        if to not in TRANSITIONS[self.status]:
            raise Conflict(
                f"An interview that is {self.get_status_display().lower()} cannot become "
                f"{InterviewStatus(to).label.lower()}.",
                code="invalid_transition",
            )
        self.status = to
        if to == InterviewStatus.LIVE:
            self.started_at = at
        elif to == InterviewStatus.COMPLETED:
            self.ended_at = at
            self.current_step = None


class Seat(models.Model):
    """One participant's hold on a time range; active seats of a user never overlap.

    On PostgreSQL an exclusion constraint (migration 0002) enforces it; on SQLite the booking
    service checks inside an IMMEDIATE transaction, which holds the database write lock.
    """

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seats"
    )
    role = models.CharField(max_length=16, choices=InterviewRole.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True)
    # Presence evidence: when this participant's sockets first and last joined the open room.
    # A no-show report against someone the server saw in the room is refused.
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interview", "user"], name="seat_one_per_user"),
            models.UniqueConstraint(fields=["interview", "role"], name="seat_one_per_role"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="seat_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["user", "active", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.role} seat of user {self.user_id} in interview {self.interview_id}"


class TimelineKind(models.TextChoices):
    STARTED = "started", "Interview started"
    STEP_ENTERED = "step_entered", "Step entered"
    ENDED = "ended", "Interview ended"
    RECORDING_CONSENTED = "recording_consented", "Agreed to record"
    RECORDING_WITHDRAWN = "recording_withdrawn", "Withdrew consent to record"
    RECORDING_STARTED = "recording_started", "Recording started"
    RECORDING_STOPPED = "recording_stopped", "Recording stopped"
    CALL_JOINED = "call_joined", "Joined the call"
    CALL_LEFT = "call_left", "Left the call"
    CALL_MUTED = "call_muted", "Muted"
    CALL_UNMUTED = "call_unmuted", "Unmuted"


RECORDING_KINDS = frozenset(
    {
        TimelineKind.RECORDING_CONSENTED,
        TimelineKind.RECORDING_WITHDRAWN,
        TimelineKind.RECORDING_STARTED,
        TimelineKind.RECORDING_STOPPED,
    }
)
CALL_KINDS = frozenset(
    {
        TimelineKind.CALL_JOINED,
        TimelineKind.CALL_LEFT,
        TimelineKind.CALL_MUTED,
        TimelineKind.CALL_UNMUTED,
    }
)
# Events about the recording or the call, not the session: they never end a step's time.
SIDE_KINDS = RECORDING_KINDS | CALL_KINDS


class TimelineEvent(models.Model):
    """Server-time record of the session: scoring and reports derive time-on-step from it."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=32, choices=TimelineKind.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True, choices=Step.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["interview", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="step_entered", step__gte=1, step__lte=7)
                | (~Q(kind="step_entered") & Q(step__isnull=True)),
                name="timeline_step_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.step or ''} at {self.at:%Y-%m-%d %H:%M:%S}"

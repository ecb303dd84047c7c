"""Scheduling data: availability, standing requests, match runs, the instant queue, reliability,
calendar feeds and the notification log that makes every email go out exactly once."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from interviews.models.sessions import Interview
from sevenstep.framework import Level


class RequestRole(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    INTERVIEWER = "interviewer", "Interviewer"
    # Two back-to-back interviews with the same partner, roles reversed.
    SWAP = "swap", "Both (swap)"


class AvailabilityWindow(models.Model):
    """A stretch of time (UTC) in which the user can be booked; their own windows never overlap."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The zone it was entered in, so it is shown back the way the user thinks of it.
    time_zone = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["user", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="availability_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} free {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M} UTC"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    WITHDRAWN = "withdrawn", "Withdrawn"


class InterviewRequest(models.Model):
    """A standing wish to be paired, served by every matching run until withdrawn."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interview_requests"
    )
    role = models.CharField(max_length=16, choices=RequestRole.choices)
    level = models.CharField(max_length=16, choices=Level.choices)
    domains = models.JSONField(default=list, blank=True)
    max_per_week = models.PositiveSmallIntegerField(default=2)
    # A question the user asked to practise as the candidate ("Practise next"): matching gives
    # it to them when it is still fresh for them, a preference, never a condition.
    question = models.ForeignKey(
        "interviews.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open"), name="request_one_open_per_user"
            ),
            models.CheckConstraint(
                condition=Q(role__in=RequestRole.values), name="request_role_valid"
            ),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="request_level_valid"),
            models.CheckConstraint(
                condition=Q(max_per_week__gte=1, max_per_week__lte=14),
                name="request_max_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} request of user {self.user_id} ({self.status})"


class MatchRunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class MatchRun(models.Model):
    """One pass of the pairing service; the key makes a retried or duplicated run a no-op."""

    key = models.CharField(max_length=80, unique=True)
    status = models.CharField(
        max_length=16, choices=MatchRunStatus.choices, default=MatchRunStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stats = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MatchRunStatus.values), name="match_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"match run {self.key} ({self.status})"


class QueueStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    MATCHED = "matched", "Matched"
    LEFT = "left", "Left"
    EXPIRED = "expired", "Expired"


class InstantQueueEntry(models.Model):
    """A user online now who wants an interview as soon as a partner is waiting too."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instant_entries"
    )
    role = models.CharField(max_length=16, choices=RequestRole.choices)
    level = models.CharField(max_length=16, choices=Level.choices)
    domains = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=QueueStatus.choices, default=QueueStatus.WAITING
    )
    created_at = models.DateTimeField()
    # Refreshed by every poll; an entry nobody polls is a closed tab, not a user online now.
    last_seen_at = models.DateTimeField()
    matched_at = models.DateTimeField(null=True, blank=True)
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Not stored: services.instant.instant_described attaches these for the answer.
    relaxed: bool
    queue: dict[str, int] | None
    suggested_role: str | None
    suggestion: str | None
    widens_at: datetime | None
    widens_how: str | None

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="waiting"), name="instant_one_waiting_per_user"
            ),
            models.CheckConstraint(
                condition=Q(role__in=RequestRole.values), name="instant_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=QueueStatus.values), name="instant_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"instant {self.role} entry of user {self.user_id} ({self.status})"


class ReliabilityKind(models.TextChoices):
    LATE_CANCELLATION = "late_cancellation", "Cancelled less than 12 hours before"
    LATE_RESCHEDULE = "late_reschedule", "Rescheduled less than 12 hours before"
    NO_SHOW = "no_show", "Did not show up"


class ReliabilityEvent(models.Model):
    """A mark against a user's reliability; matching lowers their priority for a while."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reliability_events"
    )
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=ReliabilityKind.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "interview", "kind"], name="reliability_once_per_interview"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReliabilityKind.values), name="reliability_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by user {self.user_id} in interview {self.interview_id}"


class CalendarFeed(models.Model):
    """A private calendar URL; only a hash of its secret is stored, so rotating revokes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"


class NotificationKind(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    RESCHEDULED = "rescheduled", "Rescheduled"
    NO_SHOW = "no_show", "No-show reported"
    REMINDER_24H = "reminder_24h", "Reminder 24 hours before"
    REMINDER_15M = "reminder_15m", "Reminder 15 minutes before"


class Notification(models.Model):
    """The claim on one message: inserted before sending, so two senders never both send it.

    `ref` is the start time the message is about; a rescheduled interview gets fresh reminders.
    """

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    ref = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "user", "kind", "ref"], name="notification_exactly_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to user {self.user_id} about interview {self.interview_id}"

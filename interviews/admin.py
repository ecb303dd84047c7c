"""Staff edit the question bank and look into scheduling here."""

from __future__ import annotations

from django.contrib import admin

from interviews.models import (
    AvailabilityWindow,
    InstantQueueEntry,
    Interview,
    InterviewRequest,
    MatchRun,
    Notification,
    Question,
    ReliabilityEvent,
)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "domain", "level", "is_active", "updated_at"]
    list_filter = ["domain", "level", "is_active"]
    search_fields = ["title", "slug", "prompt"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["pk", "starts_at", "status", "interviewer", "candidate", "question", "source"]
    list_filter = ["status", "source"]
    search_fields = ["interviewer__email", "candidate__email"]
    raw_id_fields = ["interviewer", "candidate", "cancelled_by", "absent_user", "match_run"]
    date_hierarchy = "starts_at"
    # Status changes go through the services (Interview.transition), never a form.
    readonly_fields = ["status", "started_at", "ended_at", "current_step", "sequence"]


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(admin.ModelAdmin):
    list_display = ["user", "starts_at", "ends_at", "time_zone"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(InterviewRequest)
class InterviewRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "level", "max_per_week", "status", "created_at"]
    list_filter = ["status", "role", "level"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["key", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = ["key", "status", "stats", "started_at", "finished_at", "requested_by"]


@admin.register(InstantQueueEntry)
class InstantQueueEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "level", "status", "created_at", "last_seen_at"]
    list_filter = ["status", "role"]
    raw_id_fields = ["user", "interview"]


@admin.register(ReliabilityEvent)
class ReliabilityEventAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "interview", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "interview"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "interview", "ref", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "interview"]

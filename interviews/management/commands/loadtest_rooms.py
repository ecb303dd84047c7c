"""Create live interviews for a load test and write how each client connects to them."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, User
from accounts.services import ws_ticket_issue
from interviews.models import Interview, InterviewRole, Question


class Command(BaseCommand):
    help = (
        "Create N live interviews with two participants each and write a JSON list with one "
        'entry per client: {"url", "room", "params", "headers"}, ready for '
        "new WebsocketProvider(url, room, doc, {params}) with those headers on the socket."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rooms", type=int, required=True, help="how many interviews")
        parser.add_argument(
            "--base-url", required=True, help="websocket base URL, e.g. ws://127.0.0.1:8000"
        )
        parser.add_argument("--out", type=Path, required=True, help="where to write the JSON")
        parser.add_argument("--room", default="notes", choices=["notes", "private"])
        parser.add_argument(
            "--auth",
            default="session",
            choices=["session", "ticket"],
            help="session: a session cookie + Origin header (valid for the session's age); "
            f"ticket: ?ticket= (valid for WS_TICKET_MAX_AGE={settings.WS_TICKET_MAX_AGE}s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rooms: int = options["rooms"]
        base = urlparse(options["base_url"])
        if rooms < 1:
            raise CommandError("--rooms must be at least 1")
        if base.scheme not in {"ws", "wss"} or not base.netloc:
            raise CommandError("--base-url must look like ws://host:port")
        base_url = options["base_url"].rstrip("/")
        origin = f"{'https' if base.scheme == 'wss' else 'http'}://{base.netloc}"
        with transaction.atomic():
            pairs = _create_interviews(rooms)
        clients = []
        for interview in pairs:
            for user in (interview.interviewer, interview.candidate):
                entry: dict[str, Any] = {
                    "url": f"{base_url}/ws/interviews/{interview.pk}",
                    "room": options["room"],
                    "params": {},
                    "headers": {},
                }
                if options["auth"] == "ticket":
                    entry["params"] = {"ticket": ws_ticket_issue(user=user)}
                else:
                    name = settings.SESSION_COOKIE_NAME
                    entry["headers"] = {"Cookie": f"{name}={_session_for(user)}", "Origin": origin}
                clients.append(entry)
        options["out"].write_text(json.dumps(clients, indent=1))
        self.stdout.write(f"{rooms} interviews, {len(clients)} clients written to {options['out']}")


def _question() -> Question:
    question = Question.objects.filter(is_active=True).order_by("pk").first()
    if question is None:
        question = Question.objects.create(
            slug="load-test",
            title="Load test",
            domain="recommendation",
            level="mid",
            prompt="Design a system under load.",
        )
    return question


def _create_interviews(rooms: int) -> list[Interview]:
    run = uuid.uuid4().hex[:8]
    now = timezone.now()
    users = []
    for index in range(rooms):
        for role in InterviewRole:
            user = User(email=f"loadtest-{run}-{index}-{role}@example.com")
            user.set_unusable_password()
            users.append(user)
    User.objects.bulk_create(users)
    users = list(User.objects.filter(email__startswith=f"loadtest-{run}-").order_by("pk"))
    Profile.objects.bulk_create(
        Profile(user=user, display_name=user.email.split("@")[0]) for user in users
    )
    by_email = {user.email: user for user in users}
    question = _question()
    interviews = [
        Interview(
            interviewer=by_email[f"loadtest-{run}-{index}-{InterviewRole.INTERVIEWER}@example.com"],
            candidate=by_email[f"loadtest-{run}-{index}-{InterviewRole.CANDIDATE}@example.com"],
            question=question,
            starts_at=now,
            ends_at=now + timedelta(minutes=45),
        )
        for index in range(rooms)
    ]
    created = Interview.objects.bulk_create(interviews)
    if any(interview.pk is None for interview in created):  # backends without RETURNING
        created = list(
            Interview.objects.filter(interviewer__email__startswith=f"loadtest-{run}-")
            .select_related("interviewer", "candidate")
            .order_by("pk")
        )
    return created


def _session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)

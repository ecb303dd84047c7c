"""The authorisation matrix: every HTTP endpoint and websocket route by every role.

A role is *allowed* when the answer is anything but 401/403/404 (a 400 or 409 means the rules
were checked after the permission passed); *denied* is 401, 403 or 404 (404 hides what exists).
An interview a signed-in user cannot see answers exactly like a missing one (404, or 4404 on a
websocket), so its id tells nothing.
Adding an endpoint or a websocket route without a row here fails
test_every_endpoint_is_in_the_matrix or test_every_websocket_route_is_in_the_matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from config.asgi import application
from interviews.models import InterviewStatus, TimelineEvent, TimelineKind
from tests.factories import InterviewFactory, UserFactory

ANON, OUTSIDER, CANDIDATE, INTERVIEWER, STAFF = (
    "anonymous",
    "outsider",
    "candidate",
    "interviewer",
    "staff",
)
ROLES = (ANON, OUTSIDER, CANDIDATE, INTERVIEWER, STAFF)
USERS = frozenset({OUTSIDER, CANDIDATE, INTERVIEWER, STAFF})
PARTICIPANTS = frozenset({CANDIDATE, INTERVIEWER})
EVERYONE = frozenset(ROLES)
DENIED = {401, 403, 404}
# Path names that stand for an interview, and who never sees those interviews at all.
INTERVIEW_NAMES = ("{upcoming}", "{done}")
MISSING_INTERVIEW = 999_999
BLIND = frozenset({OUTSIDER})

FUTURE = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
WINDOW = {
    "starts_at": FUTURE.isoformat(),
    "ends_at": (FUTURE + timedelta(hours=3)).isoformat(),
}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    allowed: frozenset[str]
    body: dict[str, Any] | None = field(default=None)
    # The caller's own, possibly absent, resource (the instant-match queue entry): for an
    # allowed role a 404 only says there is none.
    own: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


ROWS: list[Row] = [
    # accounts
    Row("GET", "/api/auth/csrf/", EVERYONE),
    Row("POST", "/api/auth/register/", EVERYONE, {"email": "x@example.com", "password": "p"}),
    Row("POST", "/api/auth/login/", EVERYONE, {"email": "x@example.com", "password": "p"}),
    Row("POST", "/api/auth/logout/", EVERYONE),
    Row("POST", "/api/auth/token/", EVERYONE, {"email": "x@example.com", "password": "p"}),
    Row("GET", "/api/auth/tokens/", USERS),
    Row("POST", "/api/auth/tokens/", USERS, {"name": "cli"}),
    # {token}: the candidate's own; anyone else's answers 404, like a token that never was
    Row("DELETE", "/api/auth/tokens/{token}/", frozenset({CANDIDATE})),
    Row("POST", "/api/auth/email/verify/", EVERYONE, {"key": "not-a-key"}),
    Row("POST", "/api/auth/email/resend/", USERS),
    Row("POST", "/api/auth/email/change/", USERS, {"email": "n@example.com", "password": "p"}),
    Row("POST", "/api/auth/password/reset/", EVERYONE, {"email": "x@example.com"}),
    Row(
        "POST",
        "/api/auth/password/reset/confirm/",
        EVERYONE,
        {"uid": "x", "token": "y", "password": "p"},
    ),
    Row(
        "POST", "/api/auth/password/change/", USERS, {"current_password": "p", "new_password": "q"}
    ),
    Row("GET", "/api/auth/sessions/", USERS),
    Row("DELETE", "/api/auth/sessions/", USERS),
    # {session}: the candidate's own; anyone else's answers 404, like a session that never was
    Row("DELETE", "/api/auth/sessions/{session}/", frozenset({CANDIDATE})),
    Row("GET", "/api/auth/providers/", EVERYONE),
    Row("GET", "/api/auth/social/", USERS),
    # {social}: the candidate's own linked provider; anyone else's answers 404
    Row("DELETE", "/api/auth/social/{social}/", frozenset({CANDIDATE})),
    Row("POST", "/api/auth/ws-ticket/", USERS),
    Row("GET", "/api/auth/whoami/", EVERYONE),
    Row("GET", "/api/me/", USERS),
    Row("PATCH", "/api/me/", USERS, {"display_name": "Renamed"}),
    Row("POST", "/api/me/delete/", USERS, {"password": "wrong-password"}),
    Row("GET", "/api/me/agenda/", USERS),
    Row("GET", "/api/me/as-interviewer/", USERS),
    Row("GET", "/api/me/scheduling/", USERS),
    Row("GET", "/api/framework/", EVERYONE),
    Row("GET", "/api/schema/", EVERYONE),
    Row("GET", "/api/docs/", EVERYONE),
    # question bank, availability, requests (owned by the candidate)
    Row("GET", "/api/questions/", USERS),
    Row("GET", "/api/availability/", USERS),
    Row("POST", "/api/availability/", USERS, WINDOW),
    Row("GET", "/api/availability/{window}/", frozenset({CANDIDATE})),
    Row("DELETE", "/api/availability/{window}/", frozenset({CANDIDATE})),
    Row("GET", "/api/interview-requests/", USERS),
    Row("POST", "/api/interview-requests/", USERS, {"role": "candidate", "level": "mid"}),
    Row("GET", "/api/interview-requests/{request}/", frozenset({CANDIDATE})),
    Row("PATCH", "/api/interview-requests/{request}/", frozenset({CANDIDATE}), {"max_per_week": 2}),
    Row("DELETE", "/api/interview-requests/{request}/", frozenset({CANDIDATE})),
    # matching
    Row("GET", "/api/match/instant/", USERS, own=True),
    Row("POST", "/api/match/instant/", USERS, {"role": "candidate"}),
    Row("DELETE", "/api/match/instant/", USERS, own=True),
    Row("GET", "/api/match/runs/", frozenset({STAFF})),
    Row("POST", "/api/match/runs/", frozenset({STAFF}), {}),
    Row("GET", "/api/match/runs/{run}/", frozenset({STAFF})),
    # interviews ({upcoming}: scheduled; {done}: completed)
    Row("GET", "/api/interviews/", USERS),
    Row("GET", "/api/interviews/{upcoming}/", PARTICIPANTS | {STAFF}),
    Row("POST", "/api/interviews/{upcoming}/cancel/", PARTICIPANTS, {"reason": "Clash"}),
    Row(
        "POST",
        "/api/interviews/{upcoming}/reschedule/",
        PARTICIPANTS,
        {"starts_at": WINDOW["starts_at"]},
    ),
    Row("POST", "/api/interviews/{upcoming}/no-show/", PARTICIPANTS, {}),
    Row("POST", "/api/interviews/{done}/continue/", PARTICIPANTS, {}),
    Row("GET", "/api/interviews/{upcoming}/free-times/", PARTICIPANTS),
    Row("GET", "/api/interviews/{upcoming}/invite.ics", PARTICIPANTS),
    Row("GET", "/api/calendar/feed/", USERS),
    Row("POST", "/api/calendar/feed/", USERS, {}),
    Row("DELETE", "/api/calendar/feed/", USERS),
    # the feed document authenticates by its secret token, whoever asks
    Row("GET", "/api/calendar/{feed}.ics", EVERYONE),
    # live room exports
    Row("GET", "/api/interviews/{done}/notes/", PARTICIPANTS),
    Row("GET", "/api/interviews/{done}/replay/", PARTICIPANTS),
    Row("GET", "/api/interviews/{upcoming}/call/", PARTICIPANTS),
    # recording: consent while the room is open; chunks refused (409) without both consents
    Row("PUT", "/api/interviews/{upcoming}/recording/consent/", PARTICIPANTS, {"consent": False}),
    Row("POST", "/api/interviews/{upcoming}/recording/chunks/", PARTICIPANTS, {"seq": 0}),
    Row("GET", "/api/interviews/{done}/recording/", PARTICIPANTS),
    Row("DELETE", "/api/interviews/{done}/recording/", PARTICIPANTS),
    # an unrecorded speaker's track answers 404 to the participants too
    Row("GET", "/api/interviews/{done}/recording/tracks/{speaker}/", PARTICIPANTS, own=True),
    # scoring
    Row("GET", "/api/rubrics/current/", USERS),
    Row("GET", "/api/rubrics/1/", USERS),
    # Blind release: until both have submitted, each side reads only its own draft.
    Row("GET", "/api/interviews/{done}/scorecard/", frozenset({INTERVIEWER})),
    # Both read it; what it holds follows blind release (its `state`), never a 403.
    Row("GET", "/api/interviews/{done}/replay/scores/", PARTICIPANTS),
    Row("PUT", "/api/interviews/{done}/scorecard/", frozenset({INTERVIEWER}), {"summary": "Solid"}),
    Row("POST", "/api/interviews/{done}/scorecard/submit/", frozenset({INTERVIEWER}), {}),
    Row("GET", "/api/interviews/{done}/interviewer-feedback/", frozenset({CANDIDATE})),
    Row("GET", "/api/interviews/{done}/submissions/", PARTICIPANTS),
    Row(
        "PUT",
        "/api/interviews/{done}/interviewer-feedback/",
        frozenset({CANDIDATE}),
        {"usefulness": 3, "specificity": 3, "preparedness": 3},
    ),
    Row("POST", "/api/interviews/{done}/interviewer-feedback/submit/", frozenset({CANDIDATE}), {}),
    # the candidate's own feedback is a draft here: 409 feedback_not_submitted, past the check
    Row(
        "POST",
        "/api/interviews/{done}/interviewer-feedback/ratings/",
        frozenset({CANDIDATE}),
        {"usefulness": 4},
    ),
    Row("GET", "/api/scorecards/received/", USERS),
    Row("GET", "/api/reports/me/", USERS),
    Row("GET", "/api/reports/me/history/", USERS),
    Row("GET", "/api/reports/me/export/", USERS),
]

WS_ROWS: list[tuple[str, frozenset[str]]] = [
    ("/ws/ping/", USERS),
    ("/ws/interviews/{upcoming}/notes", PARTICIPANTS),
    ("/ws/interviews/{upcoming}/private", frozenset({INTERVIEWER})),
    ("/ws/interviews/{upcoming}/control", PARTICIPANTS),
    ("/ws/interviews/{upcoming}/call", PARTICIPANTS),
    ("/ws/match/instant/", USERS),
]


@pytest.fixture
def world(db):
    """One scheduled and one completed interview between the same two people, plus their data."""
    from interviews.models.scheduling import AvailabilityWindow, InterviewRequest

    cast = {
        OUTSIDER: UserFactory(email="olga@example.com"),
        CANDIDATE: UserFactory(email="carl@example.com"),
        INTERVIEWER: UserFactory(email="ivy@example.com"),
        STAFF: UserFactory(email="sam@example.com", is_staff=True),
    }
    upcoming = InterviewFactory(
        interviewer=cast[INTERVIEWER],
        candidate=cast[CANDIDATE],
        starts_at=timezone.now() + timedelta(minutes=5),
    )
    started = timezone.now() - timedelta(hours=2)
    done = InterviewFactory(
        interviewer=cast[INTERVIEWER],
        candidate=cast[CANDIDATE],
        starts_at=started,
        status=InterviewStatus.COMPLETED,
        started_at=started,
        ended_at=started + timedelta(minutes=45),
    )
    TimelineEvent.objects.create(interview=done, kind=TimelineKind.STARTED, at=started)
    TimelineEvent.objects.create(
        interview=done, kind=TimelineKind.ENDED, at=started + timedelta(minutes=45)
    )
    window = AvailabilityWindow.objects.create(
        user=cast[CANDIDATE],
        starts_at=FUTURE + timedelta(days=1),
        ends_at=FUTURE + timedelta(days=1, hours=2),
    )
    request = InterviewRequest.objects.create(user=cast[CANDIDATE], role="candidate", level="mid")
    feed = APIClient()
    feed.force_authenticate(cast[CANDIDATE])
    feed_url = feed.post("/api/calendar/feed/", {}, format="json").json()
    token = _feed_token(feed_url)
    run = _match_run()
    from accounts.services import api_token_create

    api_token, _ = api_token_create(user=cast[CANDIDATE], name="matrix")
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    social = SocialAccount.objects.create(user=cast[CANDIDATE], provider="github", uid="42")
    session = UserSession.objects.create(
        user=cast[CANDIDATE], ip="192.0.2.1", session_key="matrix-session", user_agent="Matrix"
    )
    names = {
        "upcoming": upcoming.pk,
        "done": done.pk,
        "window": window.pk,
        "request": request.pk,
        "feed": token,
        "run": run,
        "token": api_token.pk,
        "session": session.pk,
        "social": social.pk,
        "speaker": "candidate",
    }
    return cast, names


def _feed_token(body: dict[str, Any]) -> str:
    url = next(value for value in body.values() if isinstance(value, str) and ".ics" in value)
    return url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".ics")


def _drafts(cast: dict[str, Any], interview_id: int) -> None:
    """Each side saves a draft, so reading one's own is a 200 and the other's is blind."""
    steps = [{"step": step, "score": 3, "evidence": "Covered it."} for step in range(1, 8)]
    card = {"rubric_version": 1, "steps": steps, "summary": "Solid"}
    feedback = {"usefulness": 3, "specificity": 3, "preparedness": 3}
    for role, path, body in (
        (INTERVIEWER, "scorecard", card),
        (CANDIDATE, "interviewer-feedback", feedback),
    ):
        response = _client(cast, role).put(
            f"/api/interviews/{interview_id}/{path}/", body, format="json"
        )
        assert response.status_code == 200, response.content


def _match_run() -> int:
    from interviews.models.scheduling import MatchRun

    return MatchRun.objects.create().pk


def _client(cast: dict[str, Any], role: str) -> APIClient:
    client = APIClient()
    if role != ANON:
        client.force_authenticate(cast[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_http_endpoint_allows_exactly_its_roles(world, row: Row, role: str) -> None:
    cast, names = world
    _drafts(cast, names["done"])
    path = row.path.format(**names)
    response = _client(cast, role).generic(
        row.method,
        path,
        data="" if row.body is None else __import__("json").dumps(row.body),
        content_type="application/json",
    )
    # Allowed or refused, an API answer is personal and never kept by a cache.
    assert "no-store" in response.headers.get("Cache-Control", ""), (role, path)
    if role in row.allowed:
        refused = DENIED - {404} if row.own else DENIED
        assert response.status_code not in refused, (role, path, response.status_code)
        assert response.status_code < 500, (role, path, response.content[:300])
    else:
        assert response.status_code in DENIED, (role, path, response.status_code)
        if role in BLIND and _names_interview(row.path):
            assert response.status_code == 404, (role, path, response.status_code)


def _names_interview(template: str) -> bool:
    return any(name in template for name in INTERVIEW_NAMES)


def _missing(template: str) -> str:
    for name in INTERVIEW_NAMES:
        template = template.replace(name, str(MISSING_INTERVIEW))
    return template


@pytest.mark.parametrize(
    "row", [row for row in ROWS if _names_interview(row.path)], ids=lambda row: row.id
)
def test_an_interview_a_user_cannot_see_answers_like_a_missing_one(world, row: Row) -> None:
    cast, names = world
    answers = []
    for template in (row.path, _missing(row.path)):
        response = _client(cast, OUTSIDER).generic(
            row.method,
            template.format(**names),
            data="" if row.body is None else __import__("json").dumps(row.body),
            content_type="application/json",
        )
        answers.append((response.status_code, response.json()["error"]["code"]))
    assert answers == [(404, "not_found")] * 2, (row.id, answers)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", WS_ROWS, ids=lambda route: route[0])
async def test_websocket_route_allows_exactly_its_roles(world, route, role: str) -> None:
    from asgiref.sync import sync_to_async

    from accounts.services import ws_ticket_issue

    cast, names = await sync_to_async(lambda: world)()
    template, allowed = route
    path = template.format(**names)
    if role != ANON:
        ticket = await sync_to_async(ws_ticket_issue)(user=cast[role])
        path = f"{path}?ticket={ticket}"
    communicator = WebsocketCommunicator(application, path)
    connected, code = await communicator.connect(timeout=5)
    closed_with: int | None = None if connected else code
    if connected:
        try:
            output = await communicator.receive_output(timeout=2)
            if output["type"] == "websocket.close":
                closed_with = output.get("code")
        except TimeoutError:
            pass
    await communicator.disconnect()
    if role in allowed:
        assert closed_with is None, (role, path, closed_with)
    else:
        assert closed_with in {4401, 4403, 4404}, (role, path, closed_with)
        if role in {OUTSIDER, STAFF} and _names_interview(template):
            # Non-participants: the same close as for an interview that does not exist.
            assert closed_with == 4404, (role, path, closed_with)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "template", [path for path, _ in WS_ROWS if _names_interview(path)], ids=lambda path: path
)
async def test_a_missing_interview_closes_a_websocket_like_a_hidden_one(world, template) -> None:
    from asgiref.sync import sync_to_async

    from accounts.services import ws_ticket_issue

    cast, names = await sync_to_async(lambda: world)()
    codes = []
    for path in (template.format(**names), _missing(template).format(**names)):
        ticket = await sync_to_async(ws_ticket_issue)(user=cast[OUTSIDER])
        communicator = WebsocketCommunicator(application, f"{path}?ticket={ticket}")
        connected, code = await communicator.connect(timeout=5)
        if connected:
            output = await communicator.receive_output(timeout=2)
            code = output.get("code")
        await communicator.disconnect()
        codes.append(code)
    assert codes == [4404, 4404], (template, codes)


def _api_routes() -> set[tuple[str, str]]:
    def walk(patterns: list[Any], prefix: str = "") -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    routes = set()
    for path, callback in walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if not path.startswith("api/") or view is None:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                routes.add((method.upper(), "/" + path))
    return routes


def _normalise(path: str) -> str:
    import re

    return re.sub(r"<[^>]+>|\{[^}]+\}|/1/", "{}", path).replace("{}/", "{}/").replace("/{}", "/{}")


def test_every_endpoint_is_in_the_matrix() -> None:
    import re

    covered = {(row.method, re.sub(r"\{[^}]+\}|(?<=/)1(?=/)", "{}", row.path)) for row in ROWS}
    routes = {(method, re.sub(r"<[^>]+>", "{}", path)) for method, path in _api_routes()}
    missing = sorted(routes - covered)
    assert not missing, f"endpoints without a row in the authorisation matrix: {missing}"


def test_every_websocket_route_is_in_the_matrix() -> None:
    import re

    from config.routing import websocket_urlpatterns

    covered = {re.sub(r"\{[^}]+\}", "{}", path) for path, _ in WS_ROWS}
    routes = {
        "/" + re.sub(r"<[^>]+>", "{}", str(pattern.pattern)) for pattern in websocket_urlpatterns
    }
    missing = sorted(routes - covered)
    assert routes and not missing, f"websocket routes without a row in the matrix: {missing}"

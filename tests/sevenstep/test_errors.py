"""Every error, whoever raises it, comes back in the one JSON shape."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def assert_error_shape(body: dict, code: str | None = None) -> None:
    assert set(body) >= {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code


def test_malformed_json_is_a_400(client_for, candidate) -> None:
    response = client_for(candidate).generic(
        "PATCH", "/api/me/", b'{"display_name": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert_error_shape(response.json(), "malformed_request")


def test_wrong_types_are_a_400_naming_the_field(client_for, candidate) -> None:
    response = client_for(candidate).patch("/api/me/", {"display_name": ["x"]}, format="json")
    assert response.status_code == 400
    assert_error_shape(response.json(), "validation_error")
    assert "display_name" in response.json()["error"]["fields"]


def test_a_json_array_body_is_a_400(client_for, candidate) -> None:
    response = client_for(candidate).patch("/api/me/", [1, 2], format="json")
    assert response.status_code == 400
    assert_error_shape(response.json())


def test_unsupported_media_type_is_a_415(client_for, candidate) -> None:
    response = client_for(candidate).generic(
        "PATCH", "/api/me/", b"display_name=x", content_type="text/plain"
    )
    assert response.status_code == 415
    assert_error_shape(response.json())


def test_unauthenticated_is_an_error_in_shape(api: APIClient) -> None:
    response = api.get("/api/me/")
    # Session authentication comes first and sends no challenge, so DRF answers 403, not 401,
    # to every caller it cannot authenticate (no credentials, or an expired or revoked token).
    assert response.status_code == 403
    assert_error_shape(response.json())


def test_method_not_allowed_is_a_405(client_for, candidate) -> None:
    response = client_for(candidate).delete("/api/me/")
    assert response.status_code == 405
    assert_error_shape(response.json(), "method_not_allowed")


def test_unknown_api_path_is_a_json_404(api: APIClient) -> None:
    response = api.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert_error_shape(response.json(), "not_found")


def test_django_404_outside_the_api_is_json(api: APIClient) -> None:
    response = Client().get("/definitely/not/here.txt")
    assert response.status_code == 404
    assert_error_shape(response.json(), "not_found")


def test_throttled_is_a_429(api: APIClient, settings) -> None:
    body = {"email": "x@example.com", "password": "whatever-long"}
    codes = [api.post("/api/auth/token/", body, format="json") for _ in range(11)]
    assert codes[-1].status_code == 429
    assert_error_shape(codes[-1].json(), "throttled")


def test_server_errors_are_json_500(settings) -> None:
    settings.ROOT_URLCONF = "tests.sevenstep.urls_failing"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_error_shape(response.json(), "server_error")


def test_application_errors_map_to_their_status(settings) -> None:
    settings.ROOT_URLCONF = "tests.sevenstep.urls_failing"
    response = APIClient().get("/conflict/")
    assert response.status_code == 409
    assert_error_shape(response.json(), "conflict")


def test_an_unknown_format_is_a_400_naming_the_choices(client_for, candidate) -> None:
    response = client_for(candidate).get("/api/me/?format=xml")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "format": ["Unknown format; choose one of: json."]
    }
